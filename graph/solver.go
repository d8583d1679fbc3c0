package graph

import (
	"fmt"
	"math"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"gorbm.dev/gorbm/internal/linalg"
)

// solvers are the model's Gorgonia solvers: whole for the textbook graph,
// parts for the fast graph's two blocks of the update (W's first rows; its
// other rows and the biases), one solver per block so that each keeps its
// own velocities whatever the batch size.
//
// They are VanillaSolvers, torch.optim.SGD without momentum, until
// SetMomentum asks for momentum; then Momentum solvers. Gorgonia's
// Momentum keeps a velocity c per parameter and steps
//
//	c ← momentum·c − lr·g,   p ← p + c,
//
// which is torch.optim.SGD(momentum=…)'s buf ← momentum·buf + g,
// p ← p − lr·buf with c = −lr·buf, as long as lr stays constant: when lr
// changes, Gorgonia's c keeps the old lr inside it (the form of Hinton's
// guide and of PyDeep), torch's buf does not.
type solvers struct {
	whole gorgonia.Solver
	parts [2]gorgonia.Solver

	lr, momentum float64
	useMomentum  bool
}

func newSolvers(lr float64) solvers {
	s := solvers{lr: lr}
	s.make()
	return s
}

// make replaces the three solvers with new ones of the current kind and
// settings, whose velocities are zero.
func (s *solvers) make() {
	mk := func() gorgonia.Solver {
		if s.useMomentum {
			return gorgonia.NewMomentum(gorgonia.WithLearnRate(s.lr), gorgonia.WithMomentum(s.momentum))
		}
		return gorgonia.NewVanillaSolver(gorgonia.WithLearnRate(s.lr))
	}
	s.whole, s.parts = mk(), [2]gorgonia.Solver{mk(), mk()}
}

// each applies opt to the three solvers: Gorgonia's options change a
// solver's settings in place and keep its velocities.
func (s *solvers) each(opt gorgonia.SolverOpt) {
	opt(s.whole)
	opt(s.parts[0])
	opt(s.parts[1])
}

// LearnRate returns the learning rate of Step's solver.
func (m *Model) LearnRate() float64 { return m.solver.lr }

// SetLearnRate changes the learning rate of the following steps
// (gorgonia.WithLearnRate on the model's solvers), keeping the momentum
// velocities: a learning-rate schedule calls it between steps.
func (m *Model) SetLearnRate(lr float64) error {
	if err := checkLearnRate(lr); err != nil {
		return err
	}
	m.solver.lr = lr
	m.solver.each(gorgonia.WithLearnRate(lr))
	return nil
}

func checkLearnRate(lr float64) error {
	if !(lr > 0) || math.IsInf(lr, 0) || float32(lr) == 0 {
		return fmt.Errorf("graph: learning rate %v: use a finite number > 0 (and above float32's smallest)", lr)
	}
	return nil
}

// Momentum returns the momentum of Step's solver; 0 for plain SGD.
func (m *Model) Momentum() float64 { return m.solver.momentum }

// SetMomentum sets the momentum of the following steps, a number in
// [0, 1). The first call with momentum > 0 replaces the plain SGD solvers
// (the script's) by Gorgonia's Momentum solvers, with zero velocities;
// later calls change the momentum and keep the velocities, as a momentum
// schedule needs (Hinton's guide, §9.1: 0.5, then 0.9). SetMomentum(0) on a
// model that never had momentum leaves its SGD solvers as they are.
func (m *Model) SetMomentum(momentum float64) error {
	if !(momentum >= 0 && momentum < 1) {
		return fmt.Errorf("graph: momentum %v: use a number in [0, 1)", momentum)
	}
	m.solver.momentum = momentum
	switch {
	case m.solver.useMomentum:
		m.solver.each(gorgonia.WithMomentum(momentum))
	case momentum > 0:
		m.solver.useMomentum = true
		m.solver.make()
	}
	return nil
}

// WeightDecay returns the L2 weight-decay coefficient of the cost graphs.
func (m *Model) WeightDecay() float64 { return m.decay }

// SetWeightDecay adds ½·wd·‖W‖² to the cost the graphs differentiate, so
// that gorgonia.Grad adds wd·W to the gradient of W: L2 weight decay
// (Hinton's guide, §10.1), on the weights only, not the biases. The loss
// Step returns stays the free-energy difference. wd = 0 (the default)
// removes the term.
//
// The decay lives in the graph rather than in the solver: Gorgonia's
// VanillaSolver has an L2 option (WithL2Reg) that adds l2·w to the
// gradient, but its Momentum solver's L2 option adds l2·c, the velocity
// times l2, not the weights (gorgonia v0.9.18 solvers.go, Momentum.Step),
// so it is not weight decay.
func (m *Model) SetWeightDecay(wd float64) error {
	if !(wd >= 0) || math.IsInf(wd, 0) {
		return fmt.Errorf("graph: weight decay %v: use a finite number ≥ 0", wd)
	}
	if wd != m.decay {
		m.decay = wd
		m.recompile()
	}
	return nil
}

// recompile drops the compiled graphs; the next steps compile them anew
// with the model's current settings. The solvers (and their velocities)
// stay.
func (m *Model) recompile() {
	clear(m.fast)
	clear(m.text)
}

// Velocity returns copies of the solver's velocities c (see solvers), W's
// in the script's Hidden×Visible layout: zeros for plain SGD and before the
// first step. With centering (SetOffsets) the bias velocities are those of
// the centered biases, which the solver updates.
func (m *Model) Velocity() (w, vBias, hBias []float32, err error) {
	V, H := m.visible, m.hidden
	vw := make([]float32, V*H)
	vBias, hBias = make([]float32, V), make([]float32, H)
	if m.solver.useMomentum {
		if err := m.velocities(vw, vBias, hBias, false); err != nil {
			return nil, nil, nil, err
		}
	}
	w = make([]float32, V*H)
	linalg.Transpose(w, vw, V, H)
	return w, vBias, hBias, nil
}

// SetVelocity sets the solver's velocities (W's in the script's layout),
// for a run continued from a checkpoint. It needs momentum (SetMomentum
// with a momentum > 0 first); with plain SGD it only accepts zeros.
func (m *Model) SetVelocity(w, vBias, hBias []float32) error {
	V, H := m.visible, m.hidden
	if len(w) != V*H || len(vBias) != V || len(hBias) != H {
		return fmt.Errorf("graph: velocities of %d, %d, %d values do not fit a %d×%d model: %w", len(w), len(vBias), len(hBias), V, H, ErrShape)
	}
	if !m.solver.useMomentum {
		for _, p := range [][]float32{w, vBias, hBias} {
			for _, x := range p {
				if x != 0 {
					return fmt.Errorf("graph: a velocity for a model without momentum: call SetMomentum first")
				}
			}
		}
		return nil
	}
	vw := make([]float32, V*H)
	linalg.Transpose(vw, w, H, V)
	return m.velocities(vw, append([]float32(nil), vBias...), append([]float32(nil), hBias...), true)
}

// velocities reads (set false) or writes (set true) the velocities of
// the Momentum solvers, W stored Visible×Hidden, through Gorgonia's public
// API only: a Momentum solver keeps one velocity per position of the
// parameter list it steps, whatever tensors sit there, and steps
// c ← momentum·c − lr·g, p ← p + c. So a step on scratch tensors p = 0,
// g = 0 with momentum 1 leaves c as it is and sets p = c: a read; a step
// with momentum 0, lr −1 and g = v sets c = 0 + v = v: a write. Both are
// exact in float32. The model's parameters are not touched, and the
// solvers' settings are restored.
//
// Both solver sets are read and written, the fast graph's parts and the
// textbook graph's whole, so that the velocities survive SetGraph.
func (m *Model) velocities(w, vb, hb []float32, set bool) error {
	V, H := m.visible, m.hidden
	half := V / 2 * H
	dense := func(data []float32, shape ...int) *tensor.Dense {
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
	}
	// scratch returns the parameter/gradient pair for the velocity dst:
	// p starts at 0, g is dst itself (write) or 0 (read).
	type pair struct {
		vg  fixedGrad
		dst []float32
	}
	scratch := func(dst []float32, shape ...int) pair {
		g := make([]float32, len(dst))
		if set {
			copy(g, dst)
		}
		return pair{fixedGrad{dense(make([]float32, len(dst)), shape...), dense(g, shape...)}, dst}
	}
	step := func(s gorgonia.Solver, ps ...pair) error {
		if set {
			gorgonia.WithMomentum(0)(s)
			gorgonia.WithLearnRate(-1)(s)
		} else {
			gorgonia.WithMomentum(1)(s)
		}
		defer gorgonia.WithMomentum(m.solver.momentum)(s)
		defer gorgonia.WithLearnRate(m.solver.lr)(s)
		model := make([]gorgonia.ValueGrad, len(ps))
		for i, p := range ps {
			model[i] = p.vg
		}
		if err := s.Step(model); err != nil {
			return fmt.Errorf("graph: solver velocities: %w", err)
		}
		if !set {
			for _, p := range ps {
				copy(p.dst, f32s(p.vg.value))
			}
		}
		return nil
	}
	// The textbook graph's solver first, then the fast graph's parts, so
	// that a read returns the fast graph's (the default) velocities.
	sets := []struct {
		s  gorgonia.Solver
		ps []pair
	}{
		{m.solver.whole, []pair{scratch(w, V, H), scratch(vb, V), scratch(hb, H)}},
		{m.solver.parts[0], []pair{scratch(w[:half], V/2, H)}},
		{m.solver.parts[1], []pair{scratch(w[half:], V-V/2, H), scratch(vb, V), scratch(hb, H)}},
	}
	if !set { // read the velocities of the graph in use
		if m.graph == Textbook {
			sets = sets[:1]
		} else {
			sets = sets[1:]
		}
	}
	for _, st := range sets {
		if err := step(st.s, st.ps...); err != nil {
			return err
		}
	}
	return nil
}
