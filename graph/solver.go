package graph

import (
	"fmt"
	"math"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"gorbm.dev/gorbm/internal/f32"
	"gorbm.dev/gorbm/internal/linalg"
)

// solver is the update a trainer applies to the parameters, with the
// settings and the momentum velocities it keeps between steps.
//
// Without momentum it is torch.optim.SGD's p ← p − lr·g, Gorgonia's
// VanillaSolver: the textbook graph steps all the parameters with it at
// once, the fast graph steps blocks of W's rows with it, shared with the
// pool's helpers (fastStep.update).
//
// With momentum it is Gorgonia's Momentum rule, a velocity c per
// parameter element:
//
//	c ← momentum·c − lr·g,   p ← p + c,
//
// which is torch.optim.SGD(momentum=…)'s buf ← momentum·buf + g,
// p ← p − lr·buf with c = −lr·buf, as long as lr stays constant: when lr
// changes, Gorgonia's c keeps the old lr inside it (the form of Hinton's
// guide and of PyDeep), torch's buf does not. The velocities are the
// trainer's own tensors (Gorgonia's Momentum solver keeps them where they
// cannot be read), the same for both graphs; the tests check the update
// bit for bit against Gorgonia's Momentum.Step.
type solver struct {
	lr, momentum float64
	useMomentum  bool

	// vanilla is the solver without momentum. Its Step only reads its
	// settings, so the pool's goroutines call it at once on disjoint
	// parameters.
	vanilla *gorgonia.VanillaSolver

	// The velocities of W (stored Visible×Hidden), of the visible and of
	// the hidden bias (the centered biases with centering); nil until
	// momentum is used.
	vw, vvb, vhb *tensor.Dense
}

func newSolver(lr float64) solver {
	return solver{lr: lr, vanilla: gorgonia.NewVanillaSolver(gorgonia.WithLearnRate(lr))}
}

// negLR and mom are the learning rate, negated, and the momentum in
// float32, as Gorgonia's solvers use them.
func (s *solver) negLR() float32 { return float32(-s.lr) }
func (s *solver) mom() float32   { return float32(s.momentum) }

// momentumSolver is the trainer's momentum update as a gorgonia.Solver,
// for the textbook graph's loop (RunAll, Step, Reset): it steps W, the
// visible and the hidden bias, in that order, with the trainer's
// velocities, and zeroes the gradients as Gorgonia's solvers do.
type momentumSolver struct{ s *solver }

func (ms momentumSolver) Step(model []gorgonia.ValueGrad) error {
	vel := []*tensor.Dense{ms.s.vw, ms.s.vvb, ms.s.vhb}
	if len(model) != len(vel) {
		return fmt.Errorf("graph: momentum step on %d parameters, want W, v_bias and h_bias", len(model))
	}
	for i, vg := range model {
		g, err := vg.Grad()
		if err != nil {
			return err
		}
		gd, ok := g.(*tensor.Dense)
		if !ok {
			return fmt.Errorf("graph: momentum step: gradient of type %T", g)
		}
		f32.Momentum(f32s(vg.Value()), f32s(gd), f32s(vel[i]), ms.s.negLR(), ms.s.mom())
		gd.Zero()
	}
	return nil
}

// LearnRate returns the learning rate of Step's update.
func (t *Trainer) LearnRate() float64 { return t.solver.lr }

// SetLearnRate changes the learning rate of the following steps, keeping
// the momentum velocities: a learning-rate schedule calls it between
// steps.
func (t *Trainer) SetLearnRate(lr float64) error {
	if err := checkLearnRate(lr); err != nil {
		return err
	}
	t.solver.lr = lr
	gorgonia.WithLearnRate(lr)(t.solver.vanilla)
	return nil
}

func checkLearnRate(lr float64) error {
	if !(lr > 0) || math.IsInf(lr, 0) || float32(lr) == 0 {
		return fmt.Errorf("graph: learning rate %v: use a finite number > 0 (and above float32's smallest)", lr)
	}
	return nil
}

// Momentum returns the momentum of Step's update; 0 for plain SGD.
func (t *Trainer) Momentum() float64 { return t.solver.momentum }

// SetMomentum sets the momentum of the following steps, a number in
// [0, 1). The first call with momentum > 0 switches from plain SGD (the
// script's) to Gorgonia's momentum rule, with zero velocities; later calls
// change the momentum and keep the velocities, as a momentum schedule
// needs (Hinton's guide, §9.1: 0.5, then 0.9). SetMomentum(0) on a trainer
// that never had momentum leaves it plain SGD.
func (t *Trainer) SetMomentum(momentum float64) error {
	if !(momentum >= 0 && momentum < 1) {
		return fmt.Errorf("graph: momentum %v: use a number in [0, 1)", momentum)
	}
	s := &t.solver
	s.momentum = momentum
	if momentum > 0 && !s.useMomentum {
		V, H := t.m.visible, t.m.hidden
		s.useMomentum = true
		s.vw = tensor.New(tensor.WithShape(V, H), tensor.Of(tensor.Float32))
		s.vvb = tensor.New(tensor.WithShape(V), tensor.Of(tensor.Float32))
		s.vhb = tensor.New(tensor.WithShape(H), tensor.Of(tensor.Float32))
	}
	return nil
}

// WeightDecay returns the L2 weight-decay coefficient of the cost graphs.
func (t *Trainer) WeightDecay() float64 { return t.decay }

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
func (t *Trainer) SetWeightDecay(wd float64) error {
	if !(wd >= 0) || math.IsInf(wd, 0) {
		return fmt.Errorf("graph: weight decay %v: use a finite number ≥ 0", wd)
	}
	if wd != t.decay {
		t.decay = wd
		t.recompile()
	}
	return nil
}

// Velocity returns copies of the momentum velocities c (see solver), W's
// in the script's Hidden×Visible layout: zeros for plain SGD and before the
// first step. With centering (SetOffsets) the bias velocities are those of
// the centered biases, which the solver updates.
func (t *Trainer) Velocity() (w, vBias, hBias []float32) {
	V, H := t.m.visible, t.m.hidden
	w, vBias, hBias = make([]float32, V*H), make([]float32, V), make([]float32, H)
	if s := &t.solver; s.useMomentum {
		linalg.Transpose(t.pool.par(), w, f32s(s.vw), V, H)
		copy(vBias, f32s(s.vvb))
		copy(hBias, f32s(s.vhb))
	}
	return w, vBias, hBias
}

// SetVelocity sets the momentum velocities (W's in the script's layout),
// for a run continued from a checkpoint. It needs momentum (SetMomentum
// with a momentum > 0 first); with plain SGD it only accepts zeros.
func (t *Trainer) SetVelocity(w, vBias, hBias []float32) error {
	V, H := t.m.visible, t.m.hidden
	if len(w) != V*H || len(vBias) != V || len(hBias) != H {
		return fmt.Errorf("graph: velocities of %d, %d, %d values do not fit a %d×%d model: %w", len(w), len(vBias), len(hBias), V, H, ErrShape)
	}
	s := &t.solver
	if !s.useMomentum {
		for _, p := range [][]float32{w, vBias, hBias} {
			for _, x := range p {
				if x != 0 {
					return fmt.Errorf("graph: a velocity for a trainer without momentum: call SetMomentum first")
				}
			}
		}
		return nil
	}
	linalg.Transpose(t.pool.par(), f32s(s.vw), w, H, V)
	copy(f32s(s.vvb), vBias)
	copy(f32s(s.vhb), hBias)
	return nil
}
