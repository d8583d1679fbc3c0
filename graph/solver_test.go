package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gorgonia.org/gorgonia"

	"gorbm.dev/gorbm/internal/f32"
	"gorbm.dev/gorbm/internal/rng"
)

// stepper makes a V×H model and its trainer on graph g and hands out CD-1
// batches of 4 or 5 rows sampled from it, all from one seeded stream.
type stepper struct {
	m   *Model
	tr  *Trainer
	s   *Sampler
	src *rng.Rand
	n   int
}

func newStepper(t *testing.T, g Graph, V, H int, lr float64) *stepper {
	t.Helper()
	src := rng.New(uint64(V*H), 7)
	m, err := New(V, H, src)
	if err != nil {
		t.Fatal(err)
	}
	tr := newTestTrainer(t, m, lr)
	if err := tr.SetGraph(g); err != nil {
		t.Fatal(err)
	}
	return &stepper{m: m, tr: tr, s: NewSampler(m, tr.Pool()), src: src}
}

func (st *stepper) batch(t *testing.T) Batch {
	t.Helper()
	V := st.m.Visible()
	rows := 4 + st.n%2
	st.n++
	v := make([]float32, rows*V)
	for i := range v {
		if st.src.Float32() < 0.2 {
			v[i] = 1
		}
	}
	b, err := st.s.Gibbs(v, rows, 1, st.src)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestStepIsMomentum checks Trainer.Step with momentum on both graphs, bit
// for bit, against Gorgonia's Momentum rule in float32, c ← c·μ + (−lr)·g,
// p ← p + c, with g from Gradients, while the learning rate and the
// momentum change between steps (a schedule), and that Velocity returns c.
func TestStepIsMomentum(t *testing.T) {
	plan := []struct{ lr, mu float64 }{{0.1, 0.5}, {0.1, 0.5}, {0.05, 0.9}, {0.02, 0.9}}
	for _, g := range graphs {
		for _, sz := range [][2]int{{784, 50}, {20, 7}} {
			V, H := sz[0], sz[1]
			st := newStepper(t, g, V, H, plan[0].lr)
			m, tr := st.m, st.tr
			c := [3][]float32{make([]float32, V*H), make([]float32, V), make([]float32, H)} // script layout
			for step, p := range plan {
				if err := tr.SetLearnRate(p.lr); err != nil {
					t.Fatal(err)
				}
				if err := tr.SetMomentum(p.mu); err != nil {
					t.Fatal(err)
				}
				b := st.batch(t)
				grad, err := tr.Gradients(b)
				if err != nil {
					t.Fatal(err)
				}
				w0, b0, c0 := m.Params()
				eta, mu := float32(-p.lr), float32(p.mu)
				before := [3][]float32{w0, b0, c0}
				dp := [3][]float32{grad.W, grad.VBias, grad.HBias}
				var want [3][]float32
				for k := range 3 {
					want[k] = make([]float32, len(before[k]))
					for i := range want[k] {
						// Explicit conversions round each product: without them Go
						// may fuse a product and a sum, even across statements.
						c[k][i] = float32(c[k][i]*mu) + float32(dp[k][i]*eta)
						want[k][i] = before[k][i] + c[k][i]
					}
				}
				if _, err := tr.Step(b); err != nil {
					t.Fatal(err)
				}
				w1, b1, c1 := m.Params()
				vw, vb, vh := tr.Velocity()
				for k, name := range []string{"W", "v_bias", "h_bias"} {
					if now := [3][]float32{w1, b1, c1}[k]; !sameBits(now, want[k]) {
						t.Fatalf("%v %d×%d step %d: %s is not the Momentum update, bit for bit", g, V, H, step, name)
					}
					if got := [3][]float32{vw, vb, vh}[k]; !sameBits(got, c[k]) {
						t.Fatalf("%v %d×%d step %d: Velocity of %s is not the solver's velocity", g, V, H, step, name)
					}
				}
			}
		}
	}
}

// TestVelocityRoundTrip checks that a trainer given another's parameters
// and velocities (a run continued from a checkpoint) takes the same next
// step, bit for bit, also when it switches graphs in between: the
// velocities are the trainer's, not a graph's.
func TestVelocityRoundTrip(t *testing.T) {
	const V, H, lr, mu = 30, 7, 0.05, 0.9
	for _, g := range graphs {
		t.Run(g.String(), func(t *testing.T) {
			st := newStepper(t, g, V, H, lr)
			if err := st.tr.SetMomentum(mu); err != nil {
				t.Fatal(err)
			}
			for range 3 {
				if _, err := st.tr.Step(st.batch(t)); err != nil {
					t.Fatal(err)
				}
			}
			w, vb, hb := st.m.Params()
			cw, cb, ch := st.tr.Velocity()
			copyM, err := FromParams(V, H, w, vb, hb)
			if err != nil {
				t.Fatal(err)
			}
			copyT := newTestTrainer(t, copyM, lr)
			other := Fast
			if g == Fast {
				other = Textbook
			}
			// The copy starts on the other graph and switches: the
			// velocities must follow.
			if err := copyT.SetGraph(other); err != nil {
				t.Fatal(err)
			}
			if err := copyT.SetMomentum(mu); err != nil {
				t.Fatal(err)
			}
			if err := copyT.SetVelocity(cw, cb, ch); err != nil {
				t.Fatal(err)
			}
			if err := copyT.SetGraph(g); err != nil {
				t.Fatal(err)
			}
			b := st.batch(t)
			if _, err := st.tr.Step(b); err != nil {
				t.Fatal(err)
			}
			if _, err := copyT.Step(Batch{Data: b.Data, Recon: b.Recon, Rows: b.Rows}); err != nil {
				t.Fatal(err)
			}
			w1, _, _ := st.m.Params()
			w2, _, _ := copyM.Params()
			if !sameBits(w1, w2) {
				t.Error("the model with the restored velocities took another step")
			}
		})
	}
	m, err := New(3, 2, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	tr := newTestTrainer(t, m, lr)
	if err := tr.SetVelocity(make([]float32, 6), make([]float32, 3), []float32{0, 1}); err == nil {
		t.Error("a non-zero velocity for a model without momentum gave no error")
	}
	if err := tr.SetVelocity(make([]float32, 5), make([]float32, 3), make([]float32, 2)); err == nil {
		t.Error("a velocity of the wrong shape gave no error")
	}
	for _, bad := range []float64{-0.1, 1, math.NaN()} {
		if err := tr.SetMomentum(bad); err == nil {
			t.Errorf("SetMomentum(%v) gave no error", bad)
		}
	}
	for _, bad := range []float64{0, -1, math.Inf(1)} {
		if err := tr.SetLearnRate(bad); err == nil {
			t.Errorf("SetLearnRate(%v) gave no error", bad)
		}
	}
	if err := tr.SetWeightDecay(-1); err == nil {
		t.Error("SetWeightDecay(-1) gave no error")
	}
}

// TestWeightDecayGradient checks that with weight decay wd both graphs'
// gradient of W is the closed form plus wd·W, the biases' are unchanged,
// and the cost stays the free-energy difference.
func TestWeightDecayGradient(t *testing.T) {
	const V, H, rows, wd = 40, 9, 5, 0.03
	for _, g := range graphs {
		for _, centered := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v/centered=%v", g, centered), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(40, 41))
				m := randomModel(t, rng, V, H, 0.5, 1)
				tr := newTestTrainer(t, m, 0.1)
				if err := tr.SetGraph(g); err != nil {
					t.Fatal(err)
				}
				var mu, lambda []float32
				if centered {
					mu, lambda = uniforms(rng, V, 0, 1), uniforms(rng, H, 0, 1)
					if err := tr.SetOffsets(mu, lambda); err != nil {
						t.Fatal(err)
					}
				}
				if err := tr.SetWeightDecay(wd); err != nil {
					t.Fatal(err)
				}
				b := Batch{Data: binaryRows(rng, rows, V, 0.3), Recon: binaryRows(rng, rows, V, 0.3), Rows: rows}
				got, err := tr.Gradients(b)
				if err != nil {
					t.Fatal(err)
				}
				cost, dW, db, dc := closedFormCentered(m, b.Data, rows, b.Recon, rows, mu, lambda)
				w, _, _ := m.Params()
				for i := range dW {
					dW[i] += wd * float64(w[i])
				}
				checkClosedForm(t, got, cost, dW, db, dc)
				// The loss Step returns is the same cost.
				loss, err := tr.Step(b)
				if err != nil {
					t.Fatal(err)
				}
				if loss != got.Cost {
					t.Errorf("Step's loss %v, Gradients' cost %v", loss, got.Cost)
				}
			})
		}
	}
}

// TestGorgoniaMomentumL2 pins what Gorgonia's solvers do with their L2
// option (gorgonia v0.9.18, solvers.go), the reason the weight decay lives
// in the cost graph: VanillaSolver adds l2·w to the gradient, weight
// decay; Momentum adds l2·c, its velocity times l2, so on the first step
// (c = 0) it is no decay at all. If a Gorgonia upgrade fixes Momentum,
// this test fails, and SetWeightDecay's comment must change.
func TestGorgoniaMomentumL2(t *testing.T) {
	const lr, l2, mu = 0.5, 0.1, 0.9
	w0, g0 := float32(2), float32(1)
	step := func(s gorgonia.Solver, w, g float32) float32 {
		p := paramGrad{vectorOver([]float32{w}), vectorOver([]float32{g})}
		if err := s.Step([]gorgonia.ValueGrad{p}); err != nil {
			t.Fatal(err)
		}
		return f32s(p.value)[0]
	}
	van := gorgonia.NewVanillaSolver(gorgonia.WithLearnRate(lr), gorgonia.WithL2Reg(l2))
	if got, want := step(van, w0, g0), w0-lr*(g0+l2*w0); math.Abs(float64(got-want)) > 1e-6 {
		t.Errorf("VanillaSolver with L2: w = %v, want w − lr·(g + l2·w) = %v", got, want)
	}
	mom := gorgonia.NewMomentum(gorgonia.WithLearnRate(lr), gorgonia.WithMomentum(mu), gorgonia.WithL2Reg(l2))
	w1 := step(mom, w0, g0)
	if want := w0 - lr*g0; math.Abs(float64(w1-want)) > 1e-6 {
		t.Errorf("Momentum with L2, first step: w = %v, want %v (no decay: the velocity is 0)", w1, want)
	}
	c1 := w1 - w0
	w2 := step(mom, w1, g0)
	if want := w1 + mu*c1 - lr*(g0+l2*c1); math.Abs(float64(w2-want)) > 1e-6 {
		t.Errorf("Momentum with L2, second step: w = %v, want w + μc − lr·(g + l2·c) = %v", w2, want)
	}
}

// TestMomentumIsGorgonias checks the trainer's momentum rule (f32.Momentum
// on velocities it keeps where Velocity and SetVelocity reach them) against
// Gorgonia's Momentum.Step bit for bit, over steps whose learning rate and
// momentum change (a schedule), with gradients of every size. (Plain SGD
// is Gorgonia's VanillaSolver itself on both graphs.)
func TestMomentumIsGorgonias(t *testing.T) {
	const n = 1000
	rng := rand.New(rand.NewPCG(42, 43))
	plan := []struct{ lr, mu float64 }{{0.1, 0.5}, {0.1, 0.5}, {0.05, 0.9}, {0.0137, 0.9}, {3, 0.25}}
	params := uniforms(rng, n, -2, 2)
	ours := slices.Clone(params)
	velocity := make([]float32, n)
	theirs := paramGrad{vectorOver(slices.Clone(params)), vectorOver(make([]float32, n))}
	mom := gorgonia.NewMomentum()
	for step, p := range plan {
		g := uniforms(rng, n, -1, 1)
		for i := range g {
			g[i] *= float32(math.Pow(10, float64(rng.IntN(12)-6))) // magnitudes from 1e-6 to 1e5
		}
		gorgonia.WithLearnRate(p.lr)(mom)
		gorgonia.WithMomentum(p.mu)(mom)
		copy(f32s(theirs.grad), g)
		if err := mom.Step([]gorgonia.ValueGrad{theirs}); err != nil {
			t.Fatal(err)
		}
		s := solver{lr: p.lr, momentum: p.mu}
		f32.Momentum(ours, g, velocity, s.negLR(), s.mom())
		if !sameBits(ours, f32s(theirs.value)) {
			t.Fatalf("step %d: f32.Momentum differs from Gorgonia's Momentum", step)
		}
	}
}
