package graph

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"gorbm.dev/gorbm/internal/f32"
)

// fastKey is what a fast graph is compiled for: a batch shape, and whether
// the hidden fields come in as an input (Batch.Fields) or are computed.
type fastKey struct {
	blocks
	fields bool
}

// fastStep is the fast cost graph for one batch shape. It computes the
// textbook graph's loss and gradients with fewer, fused ops (ops.go):
//
//   - the data batch (n rows) and its negative samples (n′ rows) are one
//     stacked input x, so that each product with W is one larger product
//     and W, b and c each feed a single op (their gradients need no sum);
//     with weights s_i = 1/n for the data rows and −1/n′ for the others,
//     cost = mean F(v) − mean F(v′) = −Σ_i s_i·(−F(x_i));
//   - x·W + c is one op that adds up rows of W for a 0/1 x, or, compiled
//     with fields, takes the hidden fields Sampler.Gibbs already computed
//     as an input node;
//   - the row sums of softplus are one float32 op; the gradient takes σ(z)
//     from a node of its own.
//
// With centering (SetOffsets) the same ops take the offsets μ and λ as
// inputs and compute the centered free energy F_c (centered.go) of the
// centered biases; with weight decay (SetWeightDecay) the cost gains
// ½·wd·‖W‖².
type fastStep struct {
	t          *Trainer
	in         *tensor.Dense  // the data rows, then the negative samples
	fields     *gorgonia.Node // the input node of the hidden fields; nil when computed
	loss       *gorgonia.Node
	lossValue  gorgonia.Value   // the loss read before the decay term is added
	biases     [2]*tensor.Dense // the bias tensors the solver updates
	grads      gorgonia.Nodes   // their gradients, roots of the compiled graph
	vm         gorgonia.VM
	learnables gorgonia.Nodes

	// The solver's view of the parameters and gradients (bindBands): W's
	// blocks and the biases, the gradients' memory they were made for, and
	// the blocks' errors.
	bands     [][]gorgonia.ValueGrad
	biasGrads []gorgonia.ValueGrad
	boundTo   [3]*float32
	bandErrs  []error
}

// negFreeEnergies adds the node of −F(x), one value per row of x, from
// the hidden field node z = x·W + c: Σ_j softplus(z_j) + x·b. With offsets
// (mu and lambda not nil), z is the centered field (x−μ)·W + c_c and the
// node is −F_c(x) + const, Σ_j [softplus(z_j) − λ_j·z_j] + x·b_c: the
// constant −μ·b_c of F_c is left out, being the same for every row, so it
// cancels in the cost, whose value and gradients are F_c's exactly.
func negFreeEnergies(x, z, vBias, lambda *gorgonia.Node, sp *softplusSumOp) (*gorgonia.Node, error) {
	args := gorgonia.Nodes{z}
	if lambda != nil {
		args = append(args, lambda)
	}
	hidden, err := gorgonia.ApplyOp(sp, args...) // wx_b.exp().add(1).log().sum(1)
	if err != nil {
		return nil, fmt.Errorf("graph: hidden term: %w", err)
	}
	vbias, err := gorgonia.ApplyOp(&gemvOp{}, x, vBias) // v.mv(self.v_bias)
	if err != nil {
		return nil, fmt.Errorf("graph: v bias term: %w", err)
	}
	negF, err := gorgonia.Add(hidden, vbias) // −F(v) = hidden_term + vbias_term
	if err != nil {
		return nil, fmt.Errorf("graph: free energy: %w", err)
	}
	return negF, nil
}

// compileFast builds the fast cost graph and its gradients for batches of
// the shape k.blocks, with the hidden fields as an input node if
// k.fields. The parameter nodes are bound to the model's tensors, so the
// in-place updates are seen by every compiled batch shape.
func (t *Trainer) compileFast(k fastKey) (*fastStep, error) {
	g := gorgonia.NewGraph()
	m, pool := t.m, t.pool.par()
	V, H := m.visible, m.hidden
	bl := k.blocks
	n := bl[0] + bl[1]
	s := &fastStep{t: t, in: tensor.New(tensor.WithShape(n, V), tensor.Of(tensor.Float32)), biases: [2]*tensor.Dense{m.vb, m.hb}}
	if t.center != nil {
		s.biases = [2]*tensor.Dense{t.center.vb, t.center.hb}
	}
	weights := make([]float32, n)
	for i := range weights {
		if i < bl[0] {
			weights[i] = 1 / float32(bl[0])
		} else {
			weights[i] = -1 / float32(bl[1])
		}
	}
	w := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(V, H), gorgonia.WithName("W"), gorgonia.WithValue(m.w))
	vb := gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(V), gorgonia.WithName("v_bias"), gorgonia.WithValue(s.biases[0]))
	hb := gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(H), gorgonia.WithName("h_bias"), gorgonia.WithValue(s.biases[1]))
	x := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(n, V), gorgonia.WithName("v;v1"), gorgonia.WithValue(s.in))
	sw := gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(n), gorgonia.WithName("±1/rows"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(n), tensor.WithBacking(weights))))

	aff := &affineOp{offsets: t.center != nil, given: k.fields, pool: pool}
	args := gorgonia.Nodes{x, w, hb}
	var lambda *gorgonia.Node
	if t.center != nil {
		mu := gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(V), gorgonia.WithName("μ"), gorgonia.WithValue(t.center.mu))
		lambda = gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(H), gorgonia.WithName("λ"), gorgonia.WithValue(t.center.lambda))
		args = append(args, mu)
	}
	if k.fields {
		s.fields = gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(n, H), gorgonia.WithName("v·Wᵀ+c"),
			gorgonia.WithValue(tensor.New(tensor.WithShape(n, H), tensor.Of(tensor.Float32))))
		args = append(args, s.fields)
	}
	z, err := gorgonia.ApplyOp(aff, args...) // F.linear(v, W, h_bias), or the sampler's
	if err != nil {
		return nil, fmt.Errorf("graph: v·W + h_bias: %w", err)
	}
	negF, err := negFreeEnergies(x, z, vb, lambda, &softplusSumOp{offsets: t.center != nil, pool: pool})
	if err != nil {
		return nil, err
	}
	weighted, err := gorgonia.Mul(negF, sw) // Σ_i s_i·(−F(x_i))
	if err != nil {
		return nil, fmt.Errorf("graph: cost: %w", err)
	}
	if s.loss, err = gorgonia.Neg(weighted); err != nil {
		return nil, fmt.Errorf("graph: cost: %w", err)
	}
	cost, roots, err := t.addDecay(s.loss, w, &s.lossValue)
	if err != nil {
		return nil, err
	}
	s.learnables = gorgonia.Nodes{w, vb, hb}
	if s.grads, err = gorgonia.Grad(cost, s.learnables...); err != nil {
		return nil, fmt.Errorf("graph: gradients: %w", err)
	}
	// Compile only what the cost and the parameters' gradients need. The
	// gradients are read from their nodes, which are terminal (Gorgonia
	// issue #576: only terminal nodes keep their values), and handed to the
	// update as they are, rather than accumulated into dual values
	// (BindDualValues), which would cost an extra pass over W per step.
	sub := g.SubgraphRoots(append(roots, s.grads...)...)
	s.vm = gorgonia.NewTapeMachine(sub)
	return s, nil
}

// addDecay returns the cost to differentiate, loss + ½·wd·‖W‖² with
// weight decay, and the roots to compile for it: loss alone without decay;
// else the cost and a gorgonia.Read of the loss into *read, since the loss
// is then not a terminal node.
func (t *Trainer) addDecay(loss, w *gorgonia.Node, read *gorgonia.Value) (*gorgonia.Node, gorgonia.Nodes, error) {
	if t.decay == 0 {
		return loss, gorgonia.Nodes{loss}, nil
	}
	d, err := gorgonia.ApplyOp(&halfNormOp{wd: float32(t.decay)}, w)
	if err != nil {
		return nil, nil, fmt.Errorf("graph: weight decay: %w", err)
	}
	cost, err := gorgonia.Add(loss, d)
	if err != nil {
		return nil, nil, fmt.Errorf("graph: weight decay: %w", err)
	}
	return cost, gorgonia.Nodes{cost, gorgonia.Read(loss, read)}, nil
}

func (s *fastStep) run(b Batch) error {
	in := f32s(s.in)
	V := s.t.m.visible
	s.t.pool.par().Do(stackJob{in: in, data: b.Data, recon: b.Recon, cols: V, dataRows: len(b.Data) / V}, len(in)/V, stackMinRows)
	if s.fields != nil {
		n, H := s.in.Shape()[0], s.t.m.hidden
		if err := gorgonia.Let(s.fields, tensor.New(tensor.WithShape(n, H), tensor.WithBacking(b.Fields))); err != nil {
			return err
		}
	}
	return s.vm.RunAll()
}

// stackJob copies rows of the data and then of the negative samples (·×cols)
// into the stacked input in.
type stackJob struct {
	in, data, recon []float32
	cols, dataRows  int
}

func (j stackJob) Run(lo, hi int) {
	for r := lo; r < hi; r++ {
		var src []float32
		if r < j.dataRows {
			src = j.data[r*j.cols:]
		} else {
			src = j.recon[(r-j.dataRows)*j.cols:]
		}
		copy(j.in[r*j.cols:(r+1)*j.cols], src)
	}
}

// stackMinRows is the rows below which the stacking stays on one goroutine.
const stackMinRows = 32

func (s *fastStep) cost() float32 {
	if s.lossValue != nil {
		return scalarF32(s.lossValue)
	}
	return s.loss.Value().Data().(float32)
}

func (s *fastStep) gradients() (dW, dVBias, dHBias []float32, err error) {
	var out [3][]float32
	for i, n := range s.grads {
		out[i] = append([]float32(nil), f32s(n.Value())...)
	}
	return out[0], out[1], out[2], nil
}

func (s *fastStep) reset() { s.vm.Reset() }

// update applies this run's gradients: Gorgonia's VanillaSolver (or the
// trainer's momentum rule, solver) steps the biases, then blocks of
// updateBlock rows of W, shared with the pool's helpers, and each band of
// 8 rows of a block is transposed into the model's Hidden×Visible copy of
// W while it is in cache. With centering the solver steps the centered
// biases, and the plain ones follow in the same pass: b = b_c − W·λ row by
// row, c = c_c − Wᵀ·μ from a partial sum per block, added up in block
// order (so the bits do not depend on the sharing).
func (s *fastStep) update() error {
	t := s.t
	sv := &t.solver
	V, H := t.m.visible, t.m.hidden
	blocks := (V + updateBlock - 1) / updateBlock
	j := &updateJob{s: s, g: f32s(s.grads[0].Value())}
	vb, hb := f32s(s.biases[0]), f32s(s.biases[1])
	gb, gc := f32s(s.grads[1].Value()), f32s(s.grads[2].Value())
	if sv.useMomentum {
		f32.Momentum(vb, gb, f32s(sv.vvb), sv.negLR(), sv.mom())
		f32.Momentum(hb, gc, f32s(sv.vhb), sv.negLR(), sv.mom())
	} else {
		s.bindBands()
		// train_op.step() on the biases: Gorgonia's solver scales each
		// gradient by −lr, adds it and zeroes it.
		if err := sv.vanilla.Step(s.biasGrads); err != nil {
			return err
		}
		j.errs = s.bandErrs
		clear(j.errs)
	}
	if t.center != nil {
		if len(t.center.partial) < blocks*H {
			t.center.partial = make([]float32, blocks*H)
		}
		j.partial = t.center.partial[:blocks*H]
	}
	t.pool.par().Do(j, blocks, 1)
	for _, err := range j.errs {
		if err != nil {
			return err
		}
	}
	if j.partial != nil {
		c := t.m.hBias()
		copy(c, hb)
		for k := range blocks {
			for i, x := range j.partial[k*H : (k+1)*H] {
				c[i] -= x
			}
		}
	}
	return nil
}

// updateBlock is the rows of W in an item of the update: whole bands of
// 8 rows, the transposition's blocks.
const updateBlock = 64

// bindBands makes, once per gradient buffer, the parameters and gradients
// VanillaSolver.Step takes: tensors over each block of updateBlock rows of
// W with its gradient's rows (an item of the update each), and the biases
// with theirs. The gradients are the nodes' values, which the ops keep
// from run to run (a new buffer, e.g. Gorgonia's Add with weight decay,
// rebinds them).
func (s *fastStep) bindBands() {
	gw, gb, gc := f32s(s.grads[0].Value()), f32s(s.grads[1].Value()), f32s(s.grads[2].Value())
	to := [3]*float32{&gw[0], &gb[0], &gc[0]}
	if s.bands != nil && s.boundTo == to {
		return
	}
	m := s.t.m
	V, H := m.visible, m.hidden
	w := m.weights()
	blocks := (V + updateBlock - 1) / updateBlock
	s.bands = make([][]gorgonia.ValueGrad, blocks)
	for k := range blocks {
		r0, r1 := k*updateBlock, min((k+1)*updateBlock, V)
		s.bands[k] = []gorgonia.ValueGrad{paramGrad{matrixOver(w[r0*H:r1*H], r1-r0, H), matrixOver(gw[r0*H:r1*H], r1-r0, H)}}
	}
	s.biasGrads = []gorgonia.ValueGrad{
		paramGrad{vectorOver(f32s(s.biases[0])), vectorOver(gb)},
		paramGrad{vectorOver(f32s(s.biases[1])), vectorOver(gc)},
	}
	s.bandErrs = make([]error, blocks)
	s.boundTo = to
}

// paramGrad is a parameter and its gradient for a gorgonia.Solver.
type paramGrad struct{ value, grad *tensor.Dense }

func (p paramGrad) Value() gorgonia.Value         { return p.value }
func (p paramGrad) Grad() (gorgonia.Value, error) { return p.grad, nil }

// matrixOver and vectorOver return tensors over x, sharing its memory, on
// the solver's engine.
func matrixOver(x []float32, rows, cols int) *tensor.Dense {
	return tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(x), tensor.WithEngine(solverEngine{}))
}
func vectorOver(x []float32) *tensor.Dense {
	return tensor.New(tensor.WithShape(len(x)), tensor.WithBacking(x), tensor.WithEngine(solverEngine{}))
}

// updateJob is the update of blocks of W, with the gradient g (stored
// Visible×Hidden). With centering, partial holds each block's μ-weighted
// sum of its new rows of W. Without momentum, errs holds each block's
// solver error.
type updateJob struct {
	s       *fastStep
	g       []float32
	partial []float32
	errs    []error
}

func (j *updateJob) Run(lo, hi int) {
	t := j.s.t
	m, sv := t.m, &t.solver
	V, H := m.visible, m.hidden
	w := m.weights()
	for k := lo; k < hi; k++ {
		r0, r1 := k*updateBlock, min((k+1)*updateBlock, V)
		if sv.useMomentum {
			f32.Momentum(w[r0*H:r1*H], j.g[r0*H:r1*H], f32s(sv.vw)[r0*H:r1*H], sv.negLR(), sv.mom())
		} else if j.errs[k] = sv.vanilla.Step(j.s.bands[k]); j.errs[k] != nil { // train_op.step() on these rows
			continue
		}
		if j.partial != nil {
			j.uncenter(r0, r1, j.partial[k*H:(k+1)*H])
		}
		for b := r0; b < r1; b += 8 {
			f32.TransposeBand(m.wt[b:], V, w[b*H:], H, min(8, r1-b), H)
		}
	}
}

// uncenter sets the plain visible biases of rows r0 to r1−1 from the
// centered ones, b_i = b_c,i − W_i·λ, and partial to Σ_i μ_i·W_i over those
// rows (W_i: row i of W stored Visible×Hidden).
func (j *updateJob) uncenter(r0, r1 int, partial []float32) {
	t := j.s.t
	m, c := t.m, t.center
	H := m.hidden
	w, b, bc := m.weights(), m.vBias(), f32s(c.vb)
	lambda, mu := f32s(c.lambda), f32s(c.mu)
	clear(partial)
	for i := r0; i < r1; i++ {
		b[i] = bc[i] - f32.DotAxpy(w[i*H:(i+1)*H], lambda, partial, mu[i])
	}
}
