package graph

import (
	"math"
	"math/rand/v2"
	"testing"
)

// fastTol bounds the relative error of the float64 cores of σ and softplus
// against math.Exp and math.Log1p. Their polynomials are accurate to about
// 1e-11; 1e-10 leaves room for the rounding of the range reduction and is
// still 600 times below float32's ε ≈ 6e-8, so the float32 results are the
// correctly rounded ones but for rare ties.
const fastTol = 1e-10

func TestFastMath(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	xs := []float64{0, -0, 1e-30, -1e-30, 1e-8, -1e-8, 0.3465, -0.3466, 0.5, -0.5, 0.4142, 1, -1, 2, 20, -20, 87, -87, 103, -103, 700, -700, -708, -709, -1e4, 1e4}
	for i := 0; i < 100000; i++ {
		xs = append(xs, rng.NormFloat64()*math.Pow(10, rng.Float64()*4-2))
	}
	rel := func(got, want float64) float64 {
		if want == 0 {
			return math.Abs(got)
		}
		return math.Abs(got-want) / math.Abs(want)
	}
	for _, x := range xs {
		var wantSP, wantS float64
		if x > 0 {
			wantSP = x + math.Log1p(math.Exp(-x))
		} else {
			wantSP = math.Log1p(math.Exp(x))
		}
		wantS = 1 / (1 + math.Exp(-x))
		if d := rel(softplus64(x), wantSP); d > fastTol && wantSP > 1e-300 {
			t.Errorf("softplus(%v) = %v, want %v (relative error %.2g)", x, softplus64(x), wantSP, d)
		}
		if d := rel(sigmoid64(x), wantS); d > fastTol && wantS > 1e-300 {
			t.Errorf("σ(%v) = %v, want %v (relative error %.2g)", x, sigmoid64(x), wantS, d)
		}
		if x <= 0 {
			if d := rel(expNeg(x), math.Exp(x)); d > fastTol && math.Exp(x) > 1e-300 {
				t.Errorf("exp(%v) = %v, want %v (relative error %.2g)", x, expNeg(x), math.Exp(x), d)
			}
		}
	}
	for _, e := range []float64{0, 1e-300, 1e-20, 1e-5, 0.1, 0.4142, 0.41422, 0.5, 0.9, 1} {
		if d := rel(log1pUnit(e), math.Log1p(e)); d > fastTol {
			t.Errorf("log1p(%v) = %v, want %v (relative error %.2g)", e, log1pUnit(e), math.Log1p(e), d)
		}
	}
}
