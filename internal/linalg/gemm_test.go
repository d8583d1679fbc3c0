package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
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
			Gemm(pool, tc.tA, tc.tB, tc.alpha, a, b, tc.beta, c)
			for i, w := range want {
				if d := math.Abs(float64(c.Data[i])-w) / scale; d > gemmTol {
					t.Fatalf("element %d (row %d, column %d): %v, want %v", i, i/tc.n, i%tc.n, c.Data[i], w)
				}
			}
		})
	}
}
