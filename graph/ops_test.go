package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gorgonia.org/tensor"
)

// gemmTol bounds gemm's error relative to the largest magnitude of a
// float64 product of the same float32 inputs: sums of up to 200 float32
// products, each rounding at ε ≈ 6e-8, stay far below it; a wrong tile
// (missed, doubled or shifted) would be off by order 1.
const gemmTol = 1e-5

func TestGemmTiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	fill := func(n int) []float32 {
		d := make([]float32, n)
		for i := range d {
			d[i] = float32(rng.NormFloat64())
		}
		return d
	}
	for _, tc := range []struct {
		m, n, k     int
		tA, tB      blas.Transpose
		alpha, beta float32
	}{
		{130, 200, 70, blas.NoTrans, blas.NoTrans, 1, 0},
		{130, 200, 70, blas.NoTrans, blas.Trans, 1, 1},
		{200, 130, 70, blas.Trans, blas.NoTrans, 0.5, 1},
		{65, 129, 200, blas.Trans, blas.Trans, -1, 0.25},
		{3, 5, 7, blas.NoTrans, blas.NoTrans, 1, 1}, // below the parallel size
	} {
		t.Run(fmt.Sprintf("%dx%dx%d_%c%c", tc.m, tc.n, tc.k, tc.tA, tc.tB), func(t *testing.T) {
			a := blas32.General{Rows: tc.m, Cols: tc.k, Stride: tc.k, Data: fill(tc.m * tc.k)}
			if tc.tA == blas.Trans {
				a = blas32.General{Rows: tc.k, Cols: tc.m, Stride: tc.m, Data: a.Data}
			}
			b := blas32.General{Rows: tc.k, Cols: tc.n, Stride: tc.n, Data: fill(tc.k * tc.n)}
			if tc.tB == blas.Trans {
				b = blas32.General{Rows: tc.n, Cols: tc.k, Stride: tc.k, Data: b.Data}
			}
			c := blas32.General{Rows: tc.m, Cols: tc.n, Stride: tc.n, Data: fill(tc.m * tc.n)}
			want := make([]float64, len(c.Data))
			var scale float64
			for i := 0; i < tc.m; i++ {
				for j := 0; j < tc.n; j++ {
					var s float64
					for l := 0; l < tc.k; l++ {
						ai, bi := i*a.Stride+l, l*b.Stride+j
						if tc.tA == blas.Trans {
							ai = l*a.Stride + i
						}
						if tc.tB == blas.Trans {
							bi = j*b.Stride + l
						}
						s += float64(a.Data[ai]) * float64(b.Data[bi])
					}
					want[i*tc.n+j] = float64(tc.alpha)*s + float64(tc.beta)*float64(c.Data[i*tc.n+j])
					scale = math.Max(scale, math.Abs(want[i*tc.n+j]))
				}
			}
			gemm(tc.tA, tc.tB, tc.alpha, a, b, tc.beta, c)
			for i, w := range want {
				if d := math.Abs(float64(c.Data[i])-w) / scale; d > gemmTol {
					t.Fatalf("element %d (row %d, column %d): %v, want %v", i, i/tc.n, i%tc.n, c.Data[i], w)
				}
			}
		})
	}
}

// TestSigmoidScaleSaved checks the gradient op's use of σ(z) kept by the
// forward op: used right after the forward run on the same z, recomputed
// when the forward op has not run since (here: z changed in place).
func TestSigmoidScaleSaved(t *testing.T) {
	const n, h = 3, 5
	rng := rand.New(rand.NewPCG(13, 14))
	zt := tensor.New(tensor.WithShape(n, h), tensor.Of(tensor.Float32))
	gt := tensor.New(tensor.WithShape(n), tensor.WithBacking([]float32{1, -2, 0.5}))
	z := f32s(zt)
	fwd := &softplusSumOp{}
	bwd := &sigmoidScaleOp{fwd: fwd}
	check := func(when string) {
		t.Helper()
		out, err := bwd.Do(zt, gt)
		if err != nil {
			t.Fatal(err)
		}
		got, g := f32s(out), f32s(gt)
		for i, x := range z {
			want := float64(g[i/h]) / (1 + math.Exp(-float64(x)))
			if d := math.Abs(float64(got[i]) - want); d > 1e-6*math.Abs(want) {
				t.Fatalf("%s: g·σ(z) at %d = %v, want %v", when, i, got[i], want)
			}
		}
	}
	for i := range z {
		z[i] = float32(rng.NormFloat64() * 4)
	}
	if _, err := fwd.Do(zt); err != nil {
		t.Fatal(err)
	}
	check("after the forward run")
	for i := range z { // a new z in the same tensor, no forward run
		z[i] = float32(rng.NormFloat64() * 4)
	}
	check("without a forward run")
}

// TestStepReusesProducts checks that the graph's products taken from the
// sampler's cache equal the ones it computes itself: the same loss and
// gradients with and without a preceding Gibbs run, and none taken after
// the parameters changed.
func TestStepReusesProducts(t *testing.T) {
	const visible, hidden, rows = 20, 7, 4
	rng := rand.New(rand.NewPCG(15, 16))
	m, err := New(visible, hidden, 0.1, rng)
	if err != nil {
		t.Fatal(err)
	}
	v := make([]float32, rows*visible)
	for i := range v {
		v[i] = float32(rng.IntN(2))
	}
	s := NewSampler(m)
	vr, err := s.Gibbs(v, rows, 1, rng)
	if err != nil {
		t.Fatal(err)
	}
	vr = append([]float32(nil), vr...)
	dst := make([]float32, rows*hidden)
	for _, x := range [][]float32{v, vr} {
		if !m.cachedProduct(dst, x, rows) {
			t.Fatal("the Gibbs run's products are not in the cache")
		}
	}
	costCached, dWCached, _, _, err := m.Gradients(v, vr, rows)
	if err != nil {
		t.Fatal(err)
	}
	m.lastGibbs.Store(nil) // forget the products: the graph multiplies
	cost, dW, _, _, err := m.Gradients(v, vr, rows)
	if err != nil {
		t.Fatal(err)
	}
	if cost != costCached {
		t.Errorf("cost %v with cached products, %v without", costCached, cost)
	}
	for i := range dW {
		if dW[i] != dWCached[i] {
			t.Fatalf("dW[%d] = %v with cached products, %v without", i, dWCached[i], dW[i])
		}
	}
	if _, err := s.Gibbs(v, rows, 1, rng); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Step(v, vr, rows); err != nil {
		t.Fatal(err)
	}
	if m.cachedProduct(dst, v, rows) {
		t.Error("products of the old parameters were reused after Step")
	}
}
