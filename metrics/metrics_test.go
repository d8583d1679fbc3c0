package metrics

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gorbm.dev/gorbm/graph"
)

// exactTol bounds |ExactLogZ − brute force| on tiny models. Both sum at most
// 32 terms in float64 from the same float32 parameters; the Gray-code walk
// adds and subtracts weights, so differences are a few ulps of log Z ≈ 10.
const exactTol = 1e-9

// pllTol bounds |PseudoLogLikelihood − hand computation|. The free energies
// pass through float32 (Model.FreeEnergies stores float32), ε ≈ 6e-8 of
// |F| ≈ 2, and the score multiplies the difference by V = 2.
const pllTol = 1e-6

// draws hands out fixed uniforms in order.
type draws struct {
	u []float32
	i int
}

func (d *draws) Float32() float32 {
	d.i++
	return d.u[d.i-1]
}

// bruteLogZ sums exp(−E(v, h)) = exp(v·b + h·c + vᵀWh) over all joint states;
// w is in the script's Hidden×Visible layout.
func bruteLogZ(V, H int, w, b, c []float64) float64 {
	return bruteTerms(V, H, w, b, c, func(_, _ int) bool { return true })
}

func toF32(x []float64) []float32 {
	y := make([]float32, len(x))
	for i, xi := range x {
		y[i] = float32(xi)
	}
	return y
}

// f64 rounds through float32, so the brute force sees the model's values.
func f64(x []float64) []float64 {
	y := make([]float64, len(x))
	for i, xi := range x {
		y[i] = float64(float32(xi))
	}
	return y
}

func TestExactLogZBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	randn := func(n int, std float64) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = rng.NormFloat64() * std
		}
		return x
	}
	for _, tc := range []struct {
		name    string
		w, b, c []float64
	}{
		{"zero", make([]float64, 6), make([]float64, 3), make([]float64, 2)},
		{"hand", []float64{1, -1, 0.5, 2, 0, -3}, []float64{0.5, -0.5, 1}, []float64{0.2, -1}},
		{"random", randn(6, 2), randn(3, 1), randn(2, 1)},
		{"large", randn(6, 8), randn(3, 4), randn(2, 4)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := graph.FromParams(3, 2, toF32(tc.w), toF32(tc.b), toF32(tc.c))
			if err != nil {
				t.Fatal(err)
			}
			got, err := ExactLogZ(m)
			if err != nil {
				t.Fatal(err)
			}
			want := bruteLogZ(3, 2, f64(tc.w), f64(tc.b), f64(tc.c))
			if d := math.Abs(got - want); d > exactTol {
				t.Errorf("ExactLogZ %v, brute force over 2^5 states %v (|Δ| = %.2g > %g)", got, want, d, exactTol)
			}
		})
	}
	big, err := graph.New(4, MaxExactHidden+1, rng)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ExactLogZ(big); err == nil {
		t.Errorf("ExactLogZ with %d hidden units gave no error", MaxExactHidden+1)
	}
}

func TestPseudoLogLikelihoodHandComputed(t *testing.T) {
	// V = 2, H = 1: W = [1, −1] (script layout), b = [0.5, −0.5], c = [0.2].
	m, err := graph.FromParams(2, 1, []float32{1, -1}, []float32{0.5, -0.5}, []float32{0.2})
	if err != nil {
		t.Fatal(err)
	}
	sp := func(x float64) float64 { return math.Log(1 + math.Exp(x)) }
	logSigmoid := func(x float64) float64 { return -math.Log(1 + math.Exp(-x)) }
	// F(v) = −softplus(v·W + 0.2) − v·b for the four images.
	F := map[[2]int]float64{
		{0, 0}: -sp(0.2),
		{1, 0}: -sp(1.2) - 0.5,
		{0, 1}: -sp(-0.8) + 0.5,
		{1, 1}: -sp(0.2),
	}
	for _, tc := range []struct {
		v    [2]int
		u    float32 // the draw choosing the bit: ⌊u·2⌋
		flip [2]int
	}{
		{[2]int{1, 0}, 0.75, [2]int{1, 1}},
		{[2]int{1, 0}, 0.25, [2]int{0, 0}},
		{[2]int{0, 1}, 0.0, [2]int{1, 1}},
		{[2]int{0, 0}, 0.999999, [2]int{0, 1}},
	} {
		t.Run(fmt.Sprint(tc.v, tc.u), func(t *testing.T) {
			want := 2 * logSigmoid(F[tc.flip]-F[tc.v])
			v := []float32{float32(tc.v[0]), float32(tc.v[1])}
			got, err := PseudoLogLikelihood(m, v, 1, &draws{u: []float32{tc.u}})
			if err != nil {
				t.Fatal(err)
			}
			if d := math.Abs(got - want); d > pllTol {
				t.Errorf("PLL %v, hand-computed %v (|Δ| = %.2g > %g)", got, want, d, pllTol)
			}
		})
	}
	// The mean over rows: both images at once, draws in row order.
	got, err := PseudoLogLikelihood(m, []float32{1, 0, 0, 1}, 2, &draws{u: []float32{0.75, 0}})
	if err != nil {
		t.Fatal(err)
	}
	want := (2*logSigmoid(F[[2]int{1, 1}]-F[[2]int{1, 0}]) + 2*logSigmoid(F[[2]int{1, 1}]-F[[2]int{0, 1}])) / 2
	if d := math.Abs(got - want); d > pllTol {
		t.Errorf("PLL of two rows %v, hand-computed %v", got, want)
	}
}

// reconTol: with zero parameters p(v|h) = 0.5 exactly, so every squared
// error is 0.25 whatever v and h; only float64 summation rounding remains.
const reconTol = 1e-12

func TestReconstructionErrorZeroModel(t *testing.T) {
	for _, rows := range []int{1, 7, chunkRows + 3} {
		m, err := graph.FromParams(5, 3, make([]float32, 15), make([]float32, 5), make([]float32, 3))
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, uint64(rows)))
		v := make([]float32, rows*5)
		Noise(v, rng)
		got, err := ReconstructionError(m, v, rows, rng)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-0.25) > reconTol {
			t.Errorf("%d rows: reconstruction error %v of a zero model, want 0.25", rows, got)
		}
	}
}

func TestScheduleShape(t *testing.T) {
	p := PaperSchedule()
	if len(p) != 14501 || p[0] != 0 || p[len(p)-1] != 1 {
		t.Fatalf("paper schedule: %d values from %v to %v, want 14,501 from 0 to 1", len(p), p[0], p[len(p)-1])
	}
	for _, c := range []struct {
		i    int
		want float64
	}{{1, 1e-3}, {500, 0.5}, {501, 0.5001}, {4500, 0.9}, {4501, 0.90001}} {
		if math.Abs(p[c.i]-c.want) > 1e-12 {
			t.Errorf("paper β[%d] = %v, want %v", c.i, p[c.i], c.want)
		}
	}
	for _, n := range []int{4, 100, 1000} {
		s, err := Schedule(n)
		if err != nil {
			t.Fatal(err)
		}
		if len(s) != n || s[0] != 0 || s[n-1] != 1 {
			t.Errorf("Schedule(%d): %d values from %v to %v", n, len(s), s[0], s[len(s)-1])
		}
		for k := 1; k < len(s); k++ {
			if !(s[k] > s[k-1]) {
				t.Errorf("Schedule(%d) not increasing at %d", n, k)
			}
		}
	}
	if _, err := Schedule(3); err == nil {
		t.Error("Schedule(3) gave no error")
	}
}

func TestSampleChains(t *testing.T) {
	m, err := graph.New(6, 3, rand.New(rand.NewPCG(2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	start := make([]float32, 4*6)
	Noise(start, rand.New(rand.NewPCG(2, 3)))
	run := func() []float32 {
		f, err := SampleChains(context.Background(), m, start, 4, 10, 3, rand.New(rand.NewPCG(2, 4)), nil)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	f := run()
	if want := (10/3 + 1) * 4 * 6; len(f) != want {
		t.Fatalf("%d values, want %d (4 frames of 4 chains of 6)", len(f), want)
	}
	for i := range start {
		if f[i] != start[i] {
			t.Fatalf("frame 0 differs from the start at %d", i)
		}
	}
	for i, x := range f[len(start):] {
		if !(x > 0 && x < 1) {
			t.Fatalf("snapshot value %d = %v is not a probability in (0, 1)", i, x)
		}
	}
	g := run()
	for i := range f {
		if f[i] != g[i] {
			t.Fatal("two runs with the same seed differ")
		}
	}
	if _, err := SampleChains(context.Background(), m, start, 4, 10, 11, rand.New(rand.NewPCG(2, 4)), nil); err == nil {
		t.Error("a snapshot interval longer than the run gave no error")
	}
}
