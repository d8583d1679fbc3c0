package graph

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// step is the compiled cost graph for one batch size.
type step struct {
	g             *gorgonia.ExprGraph
	vData, vRecon *tensor.Dense // input tensors, refilled every step
	cost          *gorgonia.Node
	learnables    gorgonia.Nodes // W, v_bias, h_bias, in that order
	vm            gorgonia.VM
}

func (s *step) loss() float32 { return s.cost.Value().Data().(float32) }

// MeanFreeEnergy adds to v's graph the node of mean_rows F(v), with
// F(v) = −Σ_j softplus((v·w + hBias)_j) − v·vBias, where v is rows×V, w is
// V×H (the stored layout), vBias has V and hBias H elements.
func MeanFreeEnergy(v, w, vBias, hBias *gorgonia.Node) (*gorgonia.Node, error) {
	vw, err := gorgonia.Mul(v, w) // F.linear(v, W, h_bias) without the bias
	if err != nil {
		return nil, fmt.Errorf("graph: v·W: %w", err)
	}
	wxb, err := gorgonia.BroadcastAdd(vw, hBias, nil, []byte{0})
	if err != nil {
		return nil, fmt.Errorf("graph: + h_bias: %w", err)
	}
	sp, err := gorgonia.Softplus(wxb) // wx_b.exp().add(1).log()
	if err != nil {
		return nil, fmt.Errorf("graph: softplus: %w", err)
	}
	hidden, err := gorgonia.Sum(sp, 1) // .sum(1)
	if err != nil {
		return nil, fmt.Errorf("graph: hidden term: %w", err)
	}
	vbias, err := gorgonia.Mul(v, vBias) // v.mv(self.v_bias)
	if err != nil {
		return nil, fmt.Errorf("graph: v bias term: %w", err)
	}
	negF, err := gorgonia.Add(hidden, vbias) // −F(v) = hidden_term + vbias_term
	if err != nil {
		return nil, fmt.Errorf("graph: free energy: %w", err)
	}
	meanNegF, err := gorgonia.Mean(negF)
	if err != nil {
		return nil, fmt.Errorf("graph: mean free energy: %w", err)
	}
	return gorgonia.Neg(meanNegF)
}

// compile builds the cost graph and its gradients for batches of rows rows.
// The parameter nodes are bound to the model's tensors, so the solver's
// in-place updates are seen by every compiled batch size.
func (m *Model) compile(rows int) (*step, error) {
	g := gorgonia.NewGraph()
	V, H := m.Visible, m.Hidden
	s := &step{
		g:      g,
		vData:  tensor.New(tensor.WithShape(rows, V), tensor.Of(tensor.Float32)),
		vRecon: tensor.New(tensor.WithShape(rows, V), tensor.Of(tensor.Float32)),
	}
	w := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(V, H), gorgonia.WithName("W"), gorgonia.WithValue(m.W))
	vb := gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(V), gorgonia.WithName("v_bias"), gorgonia.WithValue(m.VBias))
	hb := gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(H), gorgonia.WithName("h_bias"), gorgonia.WithValue(m.HBias))
	vd := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(rows, V), gorgonia.WithName("v"), gorgonia.WithValue(s.vData))
	vr := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(rows, V), gorgonia.WithName("v1"), gorgonia.WithValue(s.vRecon))

	fData, err := MeanFreeEnergy(vd, w, vb, hb)
	if err != nil {
		return nil, err
	}
	fRecon, err := MeanFreeEnergy(vr, w, vb, hb)
	if err != nil {
		return nil, err
	}
	if s.cost, err = gorgonia.Sub(fData, fRecon); err != nil {
		return nil, fmt.Errorf("graph: cost: %w", err)
	}
	s.learnables = gorgonia.Nodes{w, vb, hb}
	grads, err := gorgonia.Grad(s.cost, s.learnables...)
	if err != nil {
		return nil, fmt.Errorf("graph: gradients: %w", err)
	}
	// Compile only what the cost and the parameters' gradients need; the
	// whole graph would also differentiate with respect to the inputs.
	sub := g.SubgraphRoots(append(gorgonia.Nodes{s.cost}, grads...)...)
	s.vm = gorgonia.NewTapeMachine(sub, gorgonia.BindDualValues(s.learnables...))
	return s, nil
}
