package graph

import (
	"math"
	"math/rand/v2"
	"testing"
)

// gradTol bounds the difference between the graph's gradients and the
// closed form, relative to the gradient's largest magnitude. The closed form
// is evaluated in float64 from the same float32 inputs, so the gap is the
// graph's float32 rounding: a few ε ≈ 6e-8 times the length of its sums.
const gradTol = 1e-5

// closedForm returns the gradients of mean F(vd) − mean F(vr) in float64:
// ∂/∂W_ij = −mean_d σ(a)_j v_i + mean_r σ(a)_j v_i, ∂/∂b_i = −mean_d v_i + mean_r v_i,
// ∂/∂c_j = −mean_d σ(a)_j + mean_r σ(a)_j, with a = v·W + c (W stored V×H).
func closedForm(m *Model, vd, vr []float32, rows int) (cost float64, dW, db, dc []float64) {
	V, H := m.Visible, m.Hidden
	w, b, c := m.weights(), m.vBias(), m.hBias()
	dW, db, dc = make([]float64, V*H), make([]float64, V), make([]float64, H)
	for sign, v := range map[float64][]float32{-1: vd, 1: vr} {
		for r := 0; r < rows; r++ {
			row := v[r*V : (r+1)*V]
			var negF float64
			for j := 0; j < H; j++ {
				a := float64(c[j])
				for i := 0; i < V; i++ {
					a += float64(row[i]) * float64(w[i*H+j])
				}
				negF += math.Log1p(math.Exp(a))
				s := 1 / (1 + math.Exp(-a))
				dc[j] += sign * s / float64(rows)
				for i := 0; i < V; i++ {
					dW[i*H+j] += sign * s * float64(row[i]) / float64(rows)
				}
			}
			for i := 0; i < V; i++ {
				negF += float64(row[i]) * float64(b[i])
				db[i] += sign * float64(row[i]) / float64(rows)
			}
			cost += sign * negF / float64(rows) // cost = mean F(vd) − mean F(vr) = −mean(−F(vd)) + mean(−F(vr))
		}
	}
	return cost, dW, db, dc
}

func maxRel(got []float32, want []float64) float64 {
	var diff, scale float64
	for i := range want {
		diff = math.Max(diff, math.Abs(float64(got[i])-want[i]))
		scale = math.Max(scale, math.Abs(want[i]))
	}
	return diff / scale
}

func TestGradientsClosedForm(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		visible, hidden      int
		rows                 int
		weightScale, biasStd float64
	}{
		{"script init", 784, 20, 8, InitScale, 0},
		{"trained-like", 50, 10, 5, 0.5, 1},
		{"one row", 7, 3, 1, 1, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(tc.visible)))
			m, err := New(tc.visible, tc.hidden, 0.1, rng)
			if err != nil {
				t.Fatal(err)
			}
			for i := range m.weights() {
				m.weights()[i] *= float32(tc.weightScale / InitScale)
			}
			for _, bias := range [][]float32{m.vBias(), m.hBias()} {
				for i := range bias {
					bias[i] = float32(rng.NormFloat64() * tc.biasStd)
				}
			}
			vd := make([]float32, tc.rows*tc.visible)
			vr := make([]float32, tc.rows*tc.visible)
			for i := range vd {
				vd[i] = float32(rng.IntN(2))
				vr[i] = float32(rng.IntN(2))
			}
			cost, dW, db, dc, err := m.Gradients(vd, vr, tc.rows)
			if err != nil {
				t.Fatal(err)
			}
			wantCost, wantW, wantB, wantC := closedForm(m, vd, vr, tc.rows)
			if d := math.Abs(float64(cost)-wantCost) / math.Max(math.Abs(wantCost), 1); d > gradTol {
				t.Errorf("cost %v, closed form %v", cost, wantCost)
			}
			for _, g := range []struct {
				name string
				got  []float32
				want []float64
			}{{"dW", dW, wantW}, {"dv_bias", db, wantB}, {"dh_bias", dc, wantC}} {
				if d := maxRel(g.got, g.want); d > gradTol {
					t.Errorf("%s differs from the closed form by %.2g relative (> %g)", g.name, d, gradTol)
				}
			}
			// Gradients must not leak into the next step: a second call
			// gives the same values.
			_, dW2, _, _, err := m.Gradients(vd, vr, tc.rows)
			if err != nil {
				t.Fatal(err)
			}
			if d := maxRel(dW2, wantW); d > gradTol {
				t.Errorf("second call: dW differs by %.2g: gradients accumulated across calls", d)
			}
		})
	}
}

func TestModelErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name            string
		visible, hidden int
		lr              float64
	}{
		{"no hidden units", 4, 0, 0.1},
		{"no visible units", 0, 4, 0.1},
		{"zero learning rate", 4, 4, 0},
		{"NaN learning rate", 4, 4, math.NaN()},
		{"infinite learning rate", 4, 4, math.Inf(1)},
	} {
		if _, err := New(tc.visible, tc.hidden, tc.lr, rng); err == nil {
			t.Errorf("%s: New(%d, %d, %v) gave no error", tc.name, tc.visible, tc.hidden, tc.lr)
		}
	}
	m, err := New(4, 3, 0.1, rng)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Step(make([]float32, 8), make([]float32, 7), 2); err == nil {
		t.Error("Step with a short reconstruction gave no error")
	}
	if _, err := NewSampler(m).Gibbs(make([]float32, 8), 2, 0, rng); err == nil {
		t.Error("Gibbs with k = 0 gave no error")
	}
	if err := m.SetParams(make([]float32, 11), make([]float32, 4), make([]float32, 3)); err == nil {
		t.Error("SetParams with a 11-value W for a 4×3 model gave no error")
	}
}

func TestParamsRoundTrip(t *testing.T) {
	m, err := New(5, 3, 0.1, rand.New(rand.NewPCG(3, 4)))
	if err != nil {
		t.Fatal(err)
	}
	w, vb, hb := m.Params()
	// Script layout: row j of W is hidden unit j's weights to the visible units.
	for j := 0; j < 3; j++ {
		for i := 0; i < 5; i++ {
			if w[j*5+i] != m.weights()[i*3+j] {
				t.Fatalf("Params W[%d][%d] = %v, stored W[%d][%d] = %v", j, i, w[j*5+i], i, j, m.weights()[i*3+j])
			}
		}
	}
	m2, err := FromParams(5, 3, 0.1, w, vb, hb)
	if err != nil {
		t.Fatal(err)
	}
	w2, _, _ := m2.Params()
	for i := range w {
		if w[i] != w2[i] {
			t.Fatalf("round trip changed W[%d]: %v → %v", i, w[i], w2[i])
		}
	}
}

// TestStepIsSGD checks the update of Model.Step, Gorgonia's VanillaSolver
// run on two blocks of W's rows and the biases, side by side: every
// parameter must become p + float32(−lr)·g, bit for bit, with g the
// gradient Gradients returns for the same batches (torch.optim.SGD without
// momentum, in float32). Sizes whose halves are and are not whole bands of
// the transposition, and one too small to split.
func TestStepIsSGD(t *testing.T) {
	const lr = 0.1
	for _, sz := range [][2]int{{784, 50}, {20, 7}, {6, 3}} {
		V, H := sz[0], sz[1]
		rng := NewRand(rand.NewPCG(uint64(V), 5))
		m, err := New(V, H, lr, rng)
		if err != nil {
			t.Fatal(err)
		}
		s := NewSampler(m)
		for step := range 3 {
			rows := 4 + step
			v := make([]float32, rows*V)
			for i := range v {
				if rng.Float32() < 0.2 {
					v[i] = 1
				}
			}
			v1, err := s.Gibbs(v, rows, 1, rng)
			if err != nil {
				t.Fatal(err)
			}
			v1 = append([]float32(nil), v1...)
			_, dW, dB, dC, err := m.Gradients(v, v1, rows)
			if err != nil {
				t.Fatal(err)
			}
			before := [][]float32{append([]float32(nil), m.weights()...), append([]float32(nil), m.vBias()...), append([]float32(nil), m.hBias()...)}
			if _, err := m.Step(v, v1, rows); err != nil {
				t.Fatal(err)
			}
			eta := float32(-lr)
			for k, p := range []struct {
				name   string
				now, g []float32
			}{{"W", m.weights(), dW}, {"v_bias", m.vBias(), dB}, {"h_bias", m.hBias(), dC}} {
				for i := range p.now {
					if want := before[k][i] + float32(eta*p.g[i]); p.now[i] != want { // no fused multiply-add
						t.Fatalf("%d×%d, step %d: %s[%d] = %v, want %v + %v·%v = %v", V, H, step, p.name, i, p.now[i], before[k][i], eta, p.g[i], want)
					}
				}
			}
		}
	}
}
