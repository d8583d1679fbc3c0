package f32

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// Tolerances of the float32 σ and softplus against float64 references, in
// float32 units in the last place (ulps) of the reference value: a
// degree-6 exp, one division and (for softplus) a log1p series, each
// rounding in float32, stay within these (measured: 2.1 and 2.9 ulps).
const (
	sigmoid32ULPs  = 3
	softplus32ULPs = 4
	// tiny32 is e^−87, the smallest value of e^y before the functions
	// return 0 (y < −87).
	tiny32 = 1.65e-38
)

// ulps returns |got − want| in units of float32's last place at want.
func ulps(got float32, want float64) float64 {
	w := float32(want)
	ulp := math.Nextafter32(w, float32(math.Inf(1))) - w
	return math.Abs(float64(got)-want) / float64(ulp)
}

// fastMathInputs returns the edge cases and n values spread over 1e-2 to 1e2
// in magnitude, from a seeded source.
func fastMathInputs(n int) []float32 {
	x := []float32{0, float32(math.Copysign(0, -1)), 1e-30, -1e-30, 1e-8, -1e-8, 0.5, -0.5, 1, -1, 2, -2, 16, -16, 17, -17,
		86.9, -86.9, 87, -87, 87.5, -87.5, 88, -88, 100, -100, 1e4, -1e4, float32(math.Inf(1)), float32(math.Inf(-1))}
	rng := rand.New(rand.NewPCG(7, 8))
	for range n {
		x = append(x, float32(rng.NormFloat64()*math.Pow(10, rng.Float64()*4-2)))
	}
	return x
}

func TestFastMath32Accuracy(t *testing.T) {
	var worstS, worstSP float64
	for _, x := range fastMathInputs(100000) {
		xf := float64(x)
		wantS := 1 / (1 + math.Exp(-xf))
		wantSP := math.Max(xf, 0) + math.Log1p(math.Exp(-math.Abs(xf)))
		sp, sig := softplusSigmoid32(x)
		if s := sigmoid32(x); s != sig {
			t.Errorf("σ(%v): %v alone, %v beside softplus", x, s, sig)
		}
		switch {
		case wantS >= tiny32 && ulps(sig, wantS) > sigmoid32ULPs:
			t.Errorf("σ(%v) = %v, want %v (%.3g ulps off)", x, sig, wantS, ulps(sig, wantS))
		case wantS < tiny32 && sig > tiny32:
			t.Errorf("σ(%v) = %v, want below %v", x, sig, tiny32)
		}
		switch {
		case wantSP >= tiny32 && ulps(sp, wantSP) > softplus32ULPs:
			t.Errorf("softplus(%v) = %v, want %v (%.3g ulps off)", x, sp, wantSP, ulps(sp, wantSP))
		case wantSP < tiny32 && sp > tiny32:
			t.Errorf("softplus(%v) = %v, want below %v", x, sp, tiny32)
		}
		if wantS >= tiny32 && !math.IsInf(xf, 0) {
			worstS = math.Max(worstS, ulps(sig, wantS))
		}
		if wantSP >= tiny32 && !math.IsInf(xf, 0) {
			worstSP = math.Max(worstSP, ulps(sp, wantSP))
		}
	}
	t.Logf("worst errors: σ %.2f ulps, softplus %.2f ulps", worstS, worstSP)
	if s := sigmoid32(float32(math.NaN())); s != 0 {
		t.Errorf("σ(NaN) = %v, want 0 (the kernels' convention)", s)
	}
}

// TestFastMath32Kernels checks that the slice functions, with the AVX2
// kernels where the machine has them, give the bits of the scalar Go code
// for every length around the kernels' blocks of 8, SigmoidMix and
// SoftplusSigmoidScaled with factors that make most products round.
func TestFastMath32Kernels(t *testing.T) {
	x := fastMathInputs(1000)
	x = append(x, float32(math.NaN()))
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(x), func(i, j int) { x[i], x[j] = x[j], x[i] })
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 500, 784, len(x)} {
		in := x[:n]
		got := make([]float32, n)
		Sigmoid(got, in)
		for i, xi := range in {
			if want := sigmoid32(xi); math.Float32bits(got[i]) != math.Float32bits(want) {
				t.Fatalf("n=%d: σ(%v) = %v from sigmoidSlice, %v from sigmoid32", n, xi, got[i], want)
			}
		}
		y := x[len(x)-n:]
		for _, ab := range [][2]float32{{0.3, 0.7}, {1, 0}, {0.999, 0.0010000467}} {
			SigmoidMix(got, in, y, ab[0], ab[1])
			for i, xi := range in {
				if want := sigmoid32(float32(ab[0]*xi) + float32(ab[1]*y[i])); math.Float32bits(got[i]) != math.Float32bits(want) {
					t.Fatalf("n=%d: σ(%v·%v + %v·%v) = %v from SigmoidMix, %v from sigmoid32", n, ab[0], xi, ab[1], y[i], got[i], want)
				}
			}
		}
		for _, beta := range []float32{1, 0.7, 0.999993} {
			sig := make([]float32, n)
			var sum float64
			z := slices.Clone(in)
			if beta == 1 {
				sum = SoftplusSigmoidRow(sig, in)
			} else {
				sum = SoftplusSigmoidScaled(sig, in, beta)
				for j := range z {
					z[j] *= beta
				}
			}
			var lanes [8]float64
			for j, zj := range z {
				sp, s := softplusSigmoid32(zj)
				if math.Float32bits(sig[j]) != math.Float32bits(s) {
					t.Fatalf("n=%d, β=%v: σ(%v) = %v from the row, %v from softplusSigmoid32", n, beta, zj, sig[j], s)
				}
				if j < n&^7 {
					lanes[j&7] += float64(sp)
				}
			}
			var want float64
			for _, l := range lanes {
				want += l
			}
			// the tail's terms are added one by one after the lanes
			want = addTail(want, z[n&^7:])
			if math.Float64bits(sum) != math.Float64bits(want) && !(math.IsNaN(sum) && math.IsNaN(want)) {
				t.Fatalf("n=%d, β=%v: Σ softplus = %v, want %v", n, beta, sum, want)
			}
		}
	}
}

func addTail(sum float64, x []float32) float64 {
	for _, xj := range x {
		sp, _ := softplusSigmoid32(xj)
		sum += float64(sp)
	}
	return sum
}
