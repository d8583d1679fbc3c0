package graph

import (
	"errors"
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"gorbm.dev/gorbm/internal/par"
)

// fastStep is the fast cost graph for one batch shape. It computes the
// textbook graph's loss and gradients with fewer, fused ops (ops.go):
//
//   - the data batch (n rows) and its negative samples (n′ rows) are one
//     stacked input x, so that each product with W is one larger product
//     and W, b and c each feed a single op (their gradients need no sum);
//     with weights s_i = 1/n for the data rows and −1/n′ for the others,
//     cost = mean F(v) − mean F(v′) = −Σ_i s_i·(−F(x_i));
//   - x·W + c is one op that adds up rows of W for a 0/1 x and takes the
//     hidden fields Sampler.Gibbs already computed (Batch);
//   - the row sums of softplus are one float32 op that keeps σ(z) for its
//     gradient, as PyTorch keeps tensors of the forward pass.
//
// With centering (SetOffsets) the same structure computes the centered
// free energy F_c (centered.go) of the centered biases; with weight decay
// (SetWeightDecay) the cost gains ½·wd·‖W‖².
type fastStep struct {
	m          *Model
	in         *tensor.Dense // the data rows, then the negative samples
	fields     *fields       // the batch's hidden fields, for the x·W + c op
	loss       *gorgonia.Node
	lossValue  gorgonia.Value   // the loss read before the decay term is added
	learnables gorgonia.Nodes   // W, v_bias, h_bias (the centered ones with centering)
	biases     [2]*tensor.Dense // the bias tensors the solver updates
	grads      gorgonia.Nodes   // their gradients, roots of the compiled graph
	vm         gorgonia.VM

	// The SGD update in two parts, one per goroutine (see update): W's
	// first rows; its other rows and the biases. They are made for the
	// gradient tensor of W whose data starts at partsOf.
	parts   [2][]gorgonia.ValueGrad
	partsOf *float32
	errs    [2]error
}

// negFreeEnergies adds the node of −F(v), one value per row of v, with aff
// as the op of v·w + hBias.
func negFreeEnergies(v, w, vBias, hBias *gorgonia.Node, aff *affineOp) (*gorgonia.Node, error) {
	wxb, err := gorgonia.ApplyOp(aff, v, w, hBias) // F.linear(v, W, h_bias)
	if err != nil {
		return nil, fmt.Errorf("graph: v·W + h_bias: %w", err)
	}
	hidden, err := gorgonia.ApplyOp(&softplusSumOp{}, wxb) // wx_b.exp().add(1).log().sum(1)
	if err != nil {
		return nil, fmt.Errorf("graph: hidden term: %w", err)
	}
	return addVisibleTerm(hidden, v, vBias)
}

// addVisibleTerm returns hidden + v·vBias, −F(v) from its hidden term.
func addVisibleTerm(hidden, v, vBias *gorgonia.Node) (*gorgonia.Node, error) {
	vbias, err := gorgonia.ApplyOp(&gemvOp{}, v, vBias) // v.mv(self.v_bias)
	if err != nil {
		return nil, fmt.Errorf("graph: v bias term: %w", err)
	}
	negF, err := gorgonia.Add(hidden, vbias) // −F(v) = hidden_term + vbias_term
	if err != nil {
		return nil, fmt.Errorf("graph: free energy: %w", err)
	}
	return negF, nil
}

// negCenteredFreeEnergies adds the node of −F_c(x) + const, one value per
// row of x: Σ_j [softplus(a_j) − λ_j·a_j] + x·b_c with a = x·W + c_c − μ·W.
// The constant −μ·b_c of F_c is left out: it is the same for every row, so
// it cancels in the cost, whose value and gradients are F_c's exactly.
func negCenteredFreeEnergies(x, w, vBias, hBias, mu, lambda *gorgonia.Node, aff *affineOp) (*gorgonia.Node, error) {
	a, err := gorgonia.ApplyOp(&centeredAffineOp{affineOp: *aff}, x, w, hBias, mu) // (x−μ)·W + c_c
	if err != nil {
		return nil, fmt.Errorf("graph: centered field: %w", err)
	}
	hidden, err := gorgonia.ApplyOp(&centeredSoftplusSumOp{}, a, lambda) // Σ_j softplus(a_j) − λ_j·a_j
	if err != nil {
		return nil, fmt.Errorf("graph: centered hidden term: %w", err)
	}
	return addVisibleTerm(hidden, x, vBias)
}

// compileFast builds the fast cost graph and its gradients for batches of
// the shape bl. The parameter nodes are bound to the model's tensors, so
// the in-place updates are seen by every compiled batch shape.
func (m *Model) compileFast(bl blocks) (*fastStep, error) {
	g := gorgonia.NewGraph()
	V, H := m.visible, m.hidden
	n := bl[0] + bl[1]
	s := &fastStep{m: m, in: tensor.New(tensor.WithShape(n, V), tensor.Of(tensor.Float32)), biases: [2]*tensor.Dense{m.vb, m.hb}}
	if m.center != nil {
		s.biases = [2]*tensor.Dense{m.center.vb, m.center.hb}
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

	aff := &affineOp{step: s, blocks: bl}
	var negF *gorgonia.Node
	var err error
	if m.center != nil {
		mu := gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(V), gorgonia.WithName("μ"), gorgonia.WithValue(m.center.mu))
		lambda := gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(H), gorgonia.WithName("λ"), gorgonia.WithValue(m.center.lambda))
		negF, err = negCenteredFreeEnergies(x, w, vb, hb, mu, lambda, aff)
	} else {
		negF, err = negFreeEnergies(x, w, vb, hb, aff)
	}
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
	cost, roots, err := m.addDecay(s.loss, w, &s.lossValue)
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
	// solver as they are, rather than accumulated into dual values
	// (BindDualValues), which would cost an extra pass over W per step.
	sub := g.SubgraphRoots(append(roots, s.grads...)...)
	s.vm = gorgonia.NewTapeMachine(sub)
	return s, nil
}

// addDecay returns the cost to differentiate, loss + ½·wd·‖W‖² with
// weight decay, and the roots to compile for it: loss alone without decay;
// else the cost and a gorgonia.Read of the loss into *read, since the loss
// is then not a terminal node.
func (m *Model) addDecay(loss, w *gorgonia.Node, read *gorgonia.Value) (*gorgonia.Node, gorgonia.Nodes, error) {
	if m.decay == 0 {
		return loss, gorgonia.Nodes{loss}, nil
	}
	d, err := gorgonia.ApplyOp(&halfNormOp{wd: float32(m.decay)}, w)
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
	copy(in, b.Data)
	copy(in[len(b.Data):], b.Recon)
	s.fields = b.fields
	defer func() { s.fields = nil }()
	return s.vm.RunAll()
}

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

// fixedGrad is a parameter and its gradient as tensors: a block of rows of
// W and of its gradient, sharing their memory.
type fixedGrad struct{ value, grad *tensor.Dense }

func (p fixedGrad) Value() gorgonia.Value         { return p.value }
func (p fixedGrad) Grad() (gorgonia.Value, error) { return p.grad, nil }

// nodeGrad is a parameter with its gradient node. The gradient is read
// from the node at each step, a root of the compiled graph, so the value is
// the one this run computed.
type nodeGrad struct {
	value *tensor.Dense
	grad  *gorgonia.Node
}

func (p nodeGrad) Value() gorgonia.Value         { return p.value }
func (p nodeGrad) Grad() (gorgonia.Value, error) { return p.grad.Value(), nil }

// update lets the solver apply this run's gradients. Gorgonia's solvers
// update element by element, so W is handed to them as two blocks of rows,
// updated at the same time by the calling goroutine and the helper one
// (package par), each part by a solver of its own: the same operations on
// the same elements as one call on all of W.
func (s *fastStep) update() error {
	dW := f32s(s.grads[0].Value())
	if s.partsOf != &dW[0] {
		w := f32s(s.m.w)
		V, H := s.m.visible, s.m.hidden
		half := V / 2 * H
		block := func(rows int, w, g []float32) fixedGrad {
			return fixedGrad{
				value: tensor.New(tensor.WithShape(rows, H), tensor.WithBacking(w)),
				grad:  tensor.New(tensor.WithShape(rows, H), tensor.WithBacking(g)),
			}
		}
		s.parts[0] = []gorgonia.ValueGrad{block(V/2, w[:half], dW[:half])}
		s.parts[1] = []gorgonia.ValueGrad{block(V-V/2, w[half:], dW[half:]), nodeGrad{s.biases[0], s.grads[1]}, nodeGrad{s.biases[1], s.grads[2]}}
		s.partsOf = &dW[0]
	}
	par.Do(solveJob{s}, 2, 1)
	return errors.Join(s.errs[0], s.errs[1])
}

// solveJob runs the solvers on parts lo to hi−1.
type solveJob struct{ s *fastStep }

func (j solveJob) Run(lo, hi int) {
	for i := lo; i < hi; i++ {
		j.s.errs[i] = j.s.m.solver.parts[i].Step(j.s.parts[i])
	}
}
