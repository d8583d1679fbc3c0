package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gorbm.dev/gorbm/internal/rng"
)

// gradTol bounds the difference between a graph's gradients and the closed
// form, relative to the gradient's largest magnitude. The closed form is
// evaluated in float64 from the same float32 inputs, so the gap is the
// graph's float32 rounding: a few ε ≈ 6e-8 times the length of its sums.
const gradTol = 1e-5

// graphs are the two cost graphs, for tests that run on both.
var graphs = []Graph{Fast, Textbook}

// closedForm returns the cost mean F(vd) − mean F(vr) and its gradients in
// float64, W in the script's Hidden×Visible layout, for rows data rows and
// as many negative samples: see closedFormCentered.
func closedForm(m *Model, vd, vr []float32, rows int) (cost float64, dW, db, dc []float64) {
	return closedFormCentered(m, vd, rows, vr, rows, nil, nil)
}

// closedFormCentered returns the cost mean F(vd) − mean F(vr) for nd data
// rows and nr negative samples, and its gradients with respect to W and
// the centered biases for offsets mu and lambda (nil: zeros, the plain
// RBM's gradients), with a = v·Wᵀ + c (plain parameters):
// ∂/∂W_ji = −mean_d (σ(a)_j − λ_j)(v_i − μ_i) + mean_r (…),
// ∂/∂b_i = −mean_d v_i + mean_r v_i, ∂/∂c_j = −mean_d σ(a)_j + mean_r σ(a)_j.
func closedFormCentered(m *Model, vd []float32, nd int, vr []float32, nr int, mu, lambda []float32) (cost float64, dW, db, dc []float64) {
	V, H := m.Visible(), m.Hidden()
	w, b, c := m.Params()
	if mu == nil {
		mu, lambda = make([]float32, V), make([]float32, H)
	}
	dW, db, dc = make([]float64, V*H), make([]float64, V), make([]float64, H)
	for _, set := range []struct {
		sign float64
		v    []float32
		rows int
	}{{-1, vd, nd}, {1, vr, nr}} {
		k := set.sign / float64(set.rows)
		for r := 0; r < set.rows; r++ {
			row := set.v[r*V : (r+1)*V]
			var negF float64
			for j := 0; j < H; j++ {
				a := float64(c[j])
				for i := 0; i < V; i++ {
					a += float64(row[i]) * float64(w[j*V+i])
				}
				negF += math.Log1p(math.Exp(a))
				s := 1 / (1 + math.Exp(-a))
				dc[j] += k * s
				for i := 0; i < V; i++ {
					dW[j*V+i] += k * (s - float64(lambda[j])) * (float64(row[i]) - float64(mu[i]))
				}
			}
			for i := 0; i < V; i++ {
				negF += float64(row[i]) * float64(b[i])
				db[i] += k * float64(row[i])
			}
			cost += k * negF // cost = mean F(vd) − mean F(vr) = −mean(−F(vd)) + mean(−F(vr))
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

// checkClosedForm reports where got's cost and three gradients differ from
// the closed form's by more than gradTol relative.
func checkClosedForm(t *testing.T, got Gradients, cost float64, dW, db, dc []float64) {
	t.Helper()
	if d := math.Abs(float64(got.Cost)-cost) / math.Max(math.Abs(cost), 1); d > gradTol {
		t.Errorf("cost %v, closed form %v", got.Cost, cost)
	}
	for _, c := range []struct {
		name string
		got  []float32
		want []float64
	}{{"dW", got.W, dW}, {"dv_bias", got.VBias, db}, {"dh_bias", got.HBias, dc}} {
		if d := maxRel(c.got, c.want); d > gradTol {
			t.Errorf("%s differs from the closed form by %.2g relative (> %g)", c.name, d, gradTol)
		}
	}
}

// randomModel returns a visible×hidden model with N(0, weightStd²) weights
// and N(0, biasStd²) biases.
func randomModel(t testing.TB, rng *rand.Rand, visible, hidden int, weightStd, biasStd float64) *Model {
	t.Helper()
	normals := func(n int, std float64) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(rng.NormFloat64() * std)
		}
		return x
	}
	m, err := FromParams(visible, hidden, normals(hidden*visible, weightStd), normals(visible, biasStd), normals(hidden, biasStd))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// newTestTrainer returns a trainer of m with learning rate lr, closed when
// the test ends.
func newTestTrainer(t testing.TB, m *Model, lr float64) *Trainer {
	t.Helper()
	tr, err := NewTrainer(m, lr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tr.Close)
	return tr
}

// binaryRows returns rows×n values, each 1 with probability p.
func binaryRows(rng *rand.Rand, rows, n int, p float64) []float32 {
	v := make([]float32, rows*n)
	for i := range v {
		if rng.Float64() < p {
			v[i] = 1
		}
	}
	return v
}

func TestGradientsClosedForm(t *testing.T) {
	for _, g := range graphs {
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
			t.Run(fmt.Sprintf("%v/%s", g, tc.name), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(1, uint64(tc.visible)))
				m := randomModel(t, rng, tc.visible, tc.hidden, tc.weightScale, tc.biasStd)
				tr := newTestTrainer(t, m, 0.1)
				if err := tr.SetGraph(g); err != nil {
					t.Fatal(err)
				}
				b := Batch{Data: binaryRows(rng, tc.rows, tc.visible, 0.5), Recon: binaryRows(rng, tc.rows, tc.visible, 0.5), Rows: tc.rows}
				got, err := tr.Gradients(b)
				if err != nil {
					t.Fatal(err)
				}
				wantCost, wantW, wantB, wantC := closedForm(m, b.Data, b.Recon, tc.rows)
				checkClosedForm(t, got, wantCost, wantW, wantB, wantC)
				// Gradients must not leak into the next call: a second
				// call gives the same values.
				again, err := tr.Gradients(b)
				if err != nil {
					t.Fatal(err)
				}
				if d := maxRel(again.W, wantW); d > gradTol {
					t.Errorf("second call: dW differs by %.2g: gradients accumulated across calls", d)
				}
			})
		}
	}
}

// Tolerances of the two graphs' agreement. Both evaluate the same float32
// formula: the textbook graph with dense float32 products and Gorgonia's
// float32 softplus summed in float32, the fast graph with sums of rows and
// a float32 softplus summed in float64.
//
// The cost is a difference of two mean free energies of magnitude up to
// H·log 2 each, which nearly cancel: its error is a few ε ≈ 6e-8 times
// those magnitudes (sums of H terms), so costTol is relative to
// |mean F(v)| + |mean F(v′)|. One missing softplus term in one row of a
// batch of 64 changes the cost by about log 2/64, 7 times the bound at the
// script's initial model (|F| ≈ 350).
//
// Every gradient element is a difference of two means of terms in [−1, 1]
// (σ·v, v, σ), each mean a float32 sum of at most 64 terms, so its error is
// below 64·ε ≈ 4e-6 in absolute terms: gradAbsTol. A wrong row or unit
// would be off by 1/rows ≥ 1/64.
const (
	costTol    = 1e-6
	gradAbsTol = 1e-5
)

// maxAbs returns the largest |a_i − b_i|.
func maxAbs(a, b []float32) float64 {
	var d float64
	for i := range a {
		d = math.Max(d, math.Abs(float64(a[i])-float64(b[i])))
	}
	return d
}

// meanAbsF returns |mean F(v)| over the rows of v.
func meanAbsF(t *testing.T, m *Model, v []float32, rows int) float64 {
	f := make([]float32, rows)
	if err := m.FreeEnergies(f, v, rows); err != nil {
		t.Fatal(err)
	}
	var s float64
	for _, x := range f {
		s += float64(x)
	}
	return math.Abs(s / float64(rows))
}

// TestTextbookMatchesFast checks that the textbook graph's cost and three
// gradients equal the fast graph's on random 0/1 batches of several sizes,
// MNIST's 784×500 with its 32-row last batch among them, for the script's
// initial model and a trained-like one.
func TestTextbookMatchesFast(t *testing.T) {
	for _, tc := range []struct {
		visible, hidden, rows int
		weightStd, biasStd    float64
	}{
		{784, 500, 32, InitScale, 0},
		{784, 500, 64, 0.1, 1},
		{784, 50, 1, 0.5, 1},
		{30, 7, 9, 1, 2},
	} {
		t.Run(fmt.Sprintf("%dx%d_rows%d", tc.visible, tc.hidden, tc.rows), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, uint64(tc.rows)))
			m := randomModel(t, rng, tc.visible, tc.hidden, tc.weightStd, tc.biasStd)
			tr := newTestTrainer(t, m, 0.1)
			b := Batch{Data: binaryRows(rng, tc.rows, tc.visible, 0.13), Recon: binaryRows(rng, tc.rows, tc.visible, 0.13), Rows: tc.rows}
			var got [2]Gradients
			for i, g := range graphs {
				if err := tr.SetGraph(g); err != nil {
					t.Fatal(err)
				}
				var err error
				if got[i], err = tr.Gradients(b); err != nil {
					t.Fatal(err)
				}
			}
			f, x := got[0], got[1]
			scale := meanAbsF(t, m, b.Data, b.Rows) + meanAbsF(t, m, b.Recon, b.Rows)
			if d := math.Abs(float64(x.Cost - f.Cost)); d > costTol*scale {
				t.Errorf("cost: textbook %v, fast %v (difference %.2g > %g·%.4g)", x.Cost, f.Cost, d, costTol, scale)
			}
			for _, c := range []struct {
				name     string
				fast, tb []float32
			}{{"dW", f.W, x.W}, {"dv_bias", f.VBias, x.VBias}, {"dh_bias", f.HBias, x.HBias}} {
				d := maxAbs(c.tb, c.fast)
				if d > gradAbsTol {
					t.Errorf("%s: textbook differs from fast by %.2g (> %g)", c.name, d, gradAbsTol)
				}
				t.Logf("%s: %.2g", c.name, d)
			}
		})
	}
}

func TestModelErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name            string
		visible, hidden int
	}{
		{"no hidden units", 4, 0},
		{"no visible units", 0, 4},
		{"more weights than int32 offsets", 1 << 16, 1 << 16},
	} {
		if _, err := New(tc.visible, tc.hidden, rng); err == nil {
			t.Errorf("%s: New(%d, %d) gave no error", tc.name, tc.visible, tc.hidden)
		}
	}
	m, err := New(4, 3, rng)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		lr   float64
	}{
		{"zero learning rate", 0},
		{"learning rate 0 in float32", 1e-46},
		{"NaN learning rate", math.NaN()},
		{"infinite learning rate", math.Inf(1)},
	} {
		if _, err := NewTrainer(m, tc.lr); err == nil {
			t.Errorf("%s: NewTrainer(m, %v) gave no error", tc.name, tc.lr)
		}
	}
	if _, err := NewTrainer(nil, 0.1); err == nil {
		t.Error("NewTrainer(nil, 0.1) gave no error")
	}
	tr := newTestTrainer(t, m, 0.1)
	if _, err := tr.Step(Batch{Data: make([]float32, 8), Recon: make([]float32, 7), Rows: 2}); err == nil {
		t.Error("Step with a short reconstruction gave no error")
	}
	if _, err := tr.Step(Batch{Data: make([]float32, 8), Recon: make([]float32, 8), Rows: 2, Fields: make([]float32, 11)}); err == nil {
		t.Error("Step with 11 hidden fields for 4 rows of 3 gave no error")
	}
	if _, err := NewSampler(m, nil).Gibbs(make([]float32, 8), 2, 0, rng); err == nil {
		t.Error("Gibbs with k = 0 gave no error")
	}
	if err := m.SetParams(make([]float32, 11), make([]float32, 4), make([]float32, 3)); err == nil {
		t.Error("SetParams with a 11-value W for a 4×3 model gave no error")
	}
	if err := tr.SetGraph(Graph(7)); err == nil {
		t.Error("SetGraph(7) gave no error")
	}
	if _, err := ParseGraph("fancy"); err == nil {
		t.Error(`ParseGraph("fancy") gave no error`)
	}
}

func TestParamsRoundTrip(t *testing.T) {
	m, err := New(5, 3, rand.New(rand.NewPCG(3, 4)))
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
	w[0]++ // a copy: the model does not change
	if m.weights()[0] == w[0] {
		t.Fatal("Params returned the model's own memory")
	}
	w[0]--
	m2, err := FromParams(5, 3, w, vb, hb)
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

// TestStepIsSGD checks the update of Trainer.Step on both graphs (the
// textbook one runs Gorgonia's VanillaSolver, the fast one the same
// operations on bands of W's rows and the biases, shared with the pool):
// every parameter must become p + float32(−lr)·g, bit for bit, with g the
// gradient Gradients returns for the same batch (torch.optim.SGD without
// momentum, in float32). Sizes that are and are not whole bands of the
// update, and one too small to share.
func TestStepIsSGD(t *testing.T) {
	const lr = 0.1
	for _, g := range graphs {
		for _, sz := range [][2]int{{784, 50}, {20, 7}, {6, 3}} {
			V, H := sz[0], sz[1]
			src := rng.New(uint64(V), 5)
			m, err := New(V, H, src)
			if err != nil {
				t.Fatal(err)
			}
			tr := newTestTrainer(t, m, lr)
			if err := tr.SetGraph(g); err != nil {
				t.Fatal(err)
			}
			s := NewSampler(m, tr.Pool())
			for step := range 3 {
				rows := 4 + step
				v := make([]float32, rows*V)
				for i := range v {
					if src.Float32() < 0.2 {
						v[i] = 1
					}
				}
				b, err := s.Gibbs(v, rows, 1, src)
				if err != nil {
					t.Fatal(err)
				}
				grad, err := tr.Gradients(b)
				if err != nil {
					t.Fatal(err)
				}
				w0, b0, c0 := m.Params()
				if _, err := tr.Step(b); err != nil {
					t.Fatal(err)
				}
				w1, b1, c1 := m.Params()
				eta := float32(-lr)
				for _, p := range []struct {
					name            string
					before, now, dp []float32
				}{{"W", w0, w1, grad.W}, {"v_bias", b0, b1, grad.VBias}, {"h_bias", c0, c1, grad.HBias}} {
					for i := range p.now {
						if want := p.before[i] + float32(eta*p.dp[i]); p.now[i] != want { // no fused multiply-add
							t.Fatalf("%v, %d×%d, step %d: %s[%d] = %v, want %v + %v·%v = %v", g, V, H, step, p.name, i, p.now[i], p.before[i], eta, p.dp[i], want)
						}
					}
				}
			}
		}
	}
}
