package graph

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// FreeEnergy adds to v's graph the script's free_energy of the rows of v,
// line for line with Gorgonia's stock ops:
//
//	def free_energy(self, v):
//	    vbias_term = v.mv(self.v_bias)
//	    wx_b = F.linear(v, self.W, self.h_bias)
//	    hidden_term = wx_b.exp().add(1).log().sum(1)
//	    return (-hidden_term - vbias_term).mean()
//
// v is rows×V, w is V×H (this package stores W transposed, so F.linear's
// v·Wᵀ is Mul(v, w)), vBias has V and hBias H elements. The result is a
// scalar node: mean_rows F(v). Softplus is Gorgonia's log(1 + eˣ), which,
// unlike the script's exp().add(1).log(), does not overflow for large x.
func FreeEnergy(v, w, vBias, hBias *gorgonia.Node) (f *gorgonia.Node, err error) {
	// gorgonia.Must panics on an error (a shape that does not fit); turn
	// that into this function's error.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("graph: free energy: %v", r)
		}
	}()
	must := gorgonia.Must
	vbiasTerm := must(gorgonia.Mul(v, vBias))                                                      // v.mv(self.v_bias)
	wxb := must(gorgonia.BroadcastAdd(must(gorgonia.Mul(v, w)), hBias, nil, []byte{0}))            // F.linear(v, self.W, self.h_bias)
	hiddenTerm := must(gorgonia.Sum(must(gorgonia.Softplus(wxb)), 1))                              // wx_b.exp().add(1).log().sum(1)
	return must(gorgonia.Mean(must(gorgonia.Sub(must(gorgonia.Neg(hiddenTerm)), vbiasTerm)))), nil // (-hidden_term - vbias_term).mean()
}

// textbookStep is the textbook cost graph for one batch size: the script's
//
//	loss = model.free_energy(v) - model.free_energy(v1)
//	loss.backward()
//	train_op.step()
//
// as Gorgonia's usual loop: gorgonia.Grad builds the gradients, the tape
// machine binds them to W, v_bias and h_bias as dual values, and the
// solver steps on them: Gorgonia's VanillaSolver, or the trainer's
// momentum rule (solver).
type textbookStep struct {
	t          *Trainer
	g          *gorgonia.ExprGraph
	v, v1      *tensor.Dense // the inputs' values: the data and the reconstruction
	loss       *gorgonia.Node
	lossValue  gorgonia.Value // the loss read before the decay term is added
	roots      gorgonia.Nodes // the nodes to compute besides the gradients
	learnables gorgonia.Nodes // W, v_bias, h_bias (the centered ones with centering)
	vm         gorgonia.VM
}

func (t *Trainer) compileTextbook(bl blocks) (*textbookStep, error) {
	s, grads, err := t.buildTextbook(bl, true)
	if err != nil {
		return nil, err
	}
	// Compile what the loss and the parameters' gradients need, nothing
	// for the inputs' gradients.
	sub := s.g.SubgraphRoots(append(s.roots, grads...)...)
	s.vm = gorgonia.NewTapeMachine(sub, gorgonia.BindDualValues(s.learnables...))
	return s, nil
}

// buildTextbook builds the textbook graph's nodes for batches of the shape
// bl, with the gradients' nodes if grad is set (which it returns). With
// centering the free energies are CenteredFreeEnergy of the centered
// biases; with weight decay the cost gains ½·wd·‖W‖².
func (t *Trainer) buildTextbook(bl blocks, grad bool) (*textbookStep, gorgonia.Nodes, error) {
	g := gorgonia.NewGraph()
	m := t.m
	V, H := m.visible, m.hidden
	s := &textbookStep{
		t:  t,
		g:  g,
		v:  tensor.New(tensor.WithShape(bl[0], V), tensor.Of(tensor.Float32)),
		v1: tensor.New(tensor.WithShape(bl[1], V), tensor.Of(tensor.Float32)),
	}
	vbT, hbT := m.vb, m.hb
	if t.center != nil {
		vbT, hbT = t.center.vb, t.center.hb
	}
	w := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(V, H), gorgonia.WithName("W"), gorgonia.WithValue(m.w))
	vb := gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(V), gorgonia.WithName("v_bias"), gorgonia.WithValue(vbT))
	hb := gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(H), gorgonia.WithName("h_bias"), gorgonia.WithValue(hbT))
	v := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(bl[0], V), gorgonia.WithName("v"), gorgonia.WithValue(s.v))
	v1 := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(bl[1], V), gorgonia.WithName("v1"), gorgonia.WithValue(s.v1))

	freeEnergy := FreeEnergy
	if t.center != nil {
		mu := gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(V), gorgonia.WithName("μ"), gorgonia.WithValue(t.center.mu))
		lambda := gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(H), gorgonia.WithName("λ"), gorgonia.WithValue(t.center.lambda))
		freeEnergy = func(v, w, vb, hb *gorgonia.Node) (*gorgonia.Node, error) {
			return CenteredFreeEnergy(v, w, vb, hb, mu, lambda)
		}
	}
	fv, err := freeEnergy(v, w, vb, hb)
	if err != nil {
		return nil, nil, err
	}
	fv1, err := freeEnergy(v1, w, vb, hb)
	if err != nil {
		return nil, nil, err
	}
	if s.loss, err = gorgonia.Sub(fv, fv1); err != nil { // loss = free_energy(v) - free_energy(v1)
		return nil, nil, fmt.Errorf("graph: loss: %w", err)
	}
	cost := s.loss
	s.roots = gorgonia.Nodes{s.loss}
	if t.decay != 0 { // + ½·wd·‖W‖², in stock ops
		half := gorgonia.NewScalar(g, tensor.Float32, gorgonia.WithName("½·wd"), gorgonia.WithValue(float32(t.decay/2)))
		d, err := gorgonia.Mul(half, gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.Square(w)))))
		if err != nil {
			return nil, nil, fmt.Errorf("graph: weight decay: %w", err)
		}
		if cost, err = gorgonia.Add(s.loss, d); err != nil {
			return nil, nil, fmt.Errorf("graph: weight decay: %w", err)
		}
		s.roots = gorgonia.Nodes{cost, gorgonia.Read(s.loss, &s.lossValue)}
	}
	s.learnables = gorgonia.Nodes{w, vb, hb}
	if !grad {
		return s, nil, nil
	}
	grads, err := gorgonia.Grad(cost, s.learnables...) // loss.backward()
	if err != nil {
		return nil, nil, fmt.Errorf("graph: gradients: %w", err)
	}
	return s, grads, nil
}

// TextbookDot returns the textbook cost graph for batches of rows rows in
// Graphviz's dot language (Gorgonia's ToDot): the loss alone, or with the
// nodes gorgonia.Grad added for the gradients.
func (t *Trainer) TextbookDot(rows int, gradients bool) (string, error) {
	if rows < 1 {
		return "", fmt.Errorf("graph: a graph for %d rows: use at least 1", rows)
	}
	s, _, err := t.buildTextbook(blocks{rows, rows}, gradients)
	if err != nil {
		return "", err
	}
	return s.g.ToDot(), nil
}

func (s *textbookStep) run(b Batch) error {
	copy(f32s(s.v), b.Data)
	copy(f32s(s.v1), b.Recon)
	return s.vm.RunAll()
}

func (s *textbookStep) cost() float32 {
	if s.lossValue != nil {
		return scalarF32(s.lossValue)
	}
	return s.loss.Value().Data().(float32)
}

// gradients returns copies of the bound gradients and clears them: they
// accumulate from run to run until a solver step takes and zeroes them.
func (s *textbookStep) gradients() (dW, dVBias, dHBias []float32, err error) {
	var out [3][]float32
	for i, n := range s.learnables {
		g, err := n.Grad()
		if err != nil {
			return nil, nil, nil, fmt.Errorf("graph: gradient of %s: %w", n.Name(), err)
		}
		d := g.(*tensor.Dense)
		out[i] = append([]float32(nil), f32s(d)...)
		d.Zero()
	}
	return out[0], out[1], out[2], nil
}

// update is train_op.step(): the solver applies the bound gradients and
// zeroes them; then the model's Hidden×Visible copy of W follows.
func (s *textbookStep) update() error {
	var solver gorgonia.Solver = s.t.solver.vanilla
	if s.t.solver.useMomentum {
		solver = momentumSolver{&s.t.solver}
	}
	if err := solver.Step(gorgonia.NodesToValueGrads(s.learnables)); err != nil {
		return err
	}
	s.t.m.weightsChanged(s.t.pool.par())
	if s.t.center != nil {
		s.t.uncenter()
	}
	return nil
}

func (s *textbookStep) reset() { s.vm.Reset() }
