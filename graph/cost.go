package graph

import (
	"errors"
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// step is the compiled cost graph for one batch size.
type step struct {
	g          *gorgonia.ExprGraph
	in         *tensor.Dense // input: the data rows, then the reconstruction rows
	cost       *gorgonia.Node
	learnables gorgonia.Nodes // W, v_bias, h_bias, in that order
	grads      gorgonia.Nodes // their gradients, roots of the compiled graph
	params     []gorgonia.ValueGrad
	vm         gorgonia.VM

	// The SGD update in two parts, one per goroutine (see update): W's
	// first rows; its other rows and the biases. They are made for the
	// gradient tensor of W whose data starts at partsOf.
	solver  *gorgonia.VanillaSolver
	parts   [2][]gorgonia.ValueGrad
	partsOf *float32
	errs    [2]error
}

// fixedGrad is a parameter and its gradient as tensors: a block of rows of
// W and of its gradient, sharing their memory.
type fixedGrad struct{ value, grad *tensor.Dense }

func (p fixedGrad) Value() gorgonia.Value         { return p.value }
func (p fixedGrad) Grad() (gorgonia.Value, error) { return p.grad, nil }

// update lets the solver apply this run's gradients. Gorgonia's
// VanillaSolver updates element by element (g ← −lr·g, then p ← p + g),
// so W is handed to it as two blocks of rows, updated at the same time by
// the calling goroutine and the helper one (parallel.go): the same
// operations on the same elements as one call on all of W.
func (s *step) update() error {
	dW := f32s(s.grads[0].Value())
	if s.partsOf != &dW[0] {
		w := f32s(s.params[0].Value())
		V, H := s.in.Shape()[1], len(w)/s.in.Shape()[1]
		half := V / 2 * H
		block := func(rows int, w, g []float32) fixedGrad {
			return fixedGrad{
				value: tensor.New(tensor.WithShape(rows, H), tensor.WithBacking(w)),
				grad:  tensor.New(tensor.WithShape(rows, H), tensor.WithBacking(g)),
			}
		}
		s.parts[0] = []gorgonia.ValueGrad{block(V/2, w[:half], dW[:half])}
		s.parts[1] = []gorgonia.ValueGrad{block(V-V/2, w[half:], dW[half:]), s.params[1], s.params[2]}
		s.partsOf = &dW[0]
	}
	parallel(job{kind: jobSolve, s: s}, 2, 1)
	return errors.Join(s.errs[0], s.errs[1])
}

// solve runs the solver on parts lo to hi−1.
func (s *step) solve(lo, hi int) {
	for i := lo; i < hi; i++ {
		s.errs[i] = s.solver.Step(s.parts[i])
	}
}

// param is a parameter with its gradient node, in the form Gorgonia's
// solvers take. The gradient is read from its node, a root of the compiled
// graph, so the value is the one this run computed (issue #576: only
// terminal nodes keep theirs).
type param struct {
	value *tensor.Dense
	grad  *gorgonia.Node
}

func (p param) Value() gorgonia.Value         { return p.value }
func (p param) Grad() (gorgonia.Value, error) { return p.grad.Value(), nil }

func (s *step) loss() float32 { return s.cost.Value().Data().(float32) }

// MeanFreeEnergy adds to v's graph the node of mean_rows F(v), with
// F(v) = −Σ_j softplus((v·w + hBias)_j) − v·vBias, where v is rows×V, w is
// V×H (the stored layout), vBias has V and hBias H elements.
func MeanFreeEnergy(v, w, vBias, hBias *gorgonia.Node) (*gorgonia.Node, error) {
	negF, err := negFreeEnergies(v, w, vBias, hBias, &affineOp{})
	if err != nil {
		return nil, err
	}
	meanNegF, err := gorgonia.Mean(negF)
	if err != nil {
		return nil, fmt.Errorf("graph: mean free energy: %w", err)
	}
	return gorgonia.Neg(meanNegF)
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

// compile builds the cost graph and its gradients for batches of rows rows.
// The parameter nodes are bound to the model's tensors, so Step's
// in-place updates are seen by every compiled batch size.
//
// The data batch and its reconstruction are stacked into one 2·rows×V
// input x, so that each product with W is one larger GEMM and W, b and c
// each feed a single op (their gradients need no sum). With weights
// s_i = 1/rows for the data rows and −1/rows for the reconstruction rows,
//
//	cost = mean F(v) − mean F(v′) = −Σ_i s_i·(−F(x_i)).
func (m *Model) compile(rows int) (*step, error) {
	g := gorgonia.NewGraph()
	V, H := m.Visible, m.Hidden
	s := &step{
		g:      g,
		solver: m.solver,
		in:     tensor.New(tensor.WithShape(2*rows, V), tensor.Of(tensor.Float32)),
	}
	weights := make([]float32, 2*rows)
	for i := range weights {
		weights[i] = 1 / float32(rows)
		if i >= rows {
			weights[i] = -weights[i]
		}
	}
	w := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(V, H), gorgonia.WithName("W"), gorgonia.WithValue(m.W))
	vb := gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(V), gorgonia.WithName("v_bias"), gorgonia.WithValue(m.VBias))
	hb := gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(H), gorgonia.WithName("h_bias"), gorgonia.WithValue(m.HBias))
	x := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(2*rows, V), gorgonia.WithName("v;v1"), gorgonia.WithValue(s.in))
	sw := gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(2*rows), gorgonia.WithName("±1/rows"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(2*rows), tensor.WithBacking(weights))))

	// The Gibbs chain has just computed x·W + c for both halves of x: the
	// affine op takes them from the sampler's cache instead of multiplying
	// again (see Model.cachedProduct).
	negF, err := negFreeEnergies(x, w, vb, hb, &affineOp{cache: m, block: rows})
	if err != nil {
		return nil, err
	}
	weighted, err := gorgonia.Mul(negF, sw) // Σ_i s_i·(−F(x_i))
	if err != nil {
		return nil, fmt.Errorf("graph: cost: %w", err)
	}
	if s.cost, err = gorgonia.Neg(weighted); err != nil {
		return nil, fmt.Errorf("graph: cost: %w", err)
	}
	s.learnables = gorgonia.Nodes{w, vb, hb}
	if s.grads, err = gorgonia.Grad(s.cost, s.learnables...); err != nil {
		return nil, fmt.Errorf("graph: gradients: %w", err)
	}
	// Compile only what the cost and the parameters' gradients need; the
	// whole graph would also differentiate with respect to the inputs. The
	// gradients are read from their nodes, which are terminal, and handed to
	// the solver as params, rather than accumulated into dual values
	// (BindDualValues), which would cost an extra pass over W per step.
	for i, p := range []*tensor.Dense{m.W, m.VBias, m.HBias} {
		s.params = append(s.params, param{value: p, grad: s.grads[i]})
	}
	sub := g.SubgraphRoots(append(gorgonia.Nodes{s.cost}, s.grads...)...)
	s.vm = gorgonia.NewTapeMachine(sub)
	return s, nil
}
