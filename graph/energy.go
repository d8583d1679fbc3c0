package graph

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// freeEnergyChunk is the number of rows FreeEnergies multiplies at once, so
// its scratch matrix stays small (256×H float32) whatever the batch.
const freeEnergyChunk = 256

// FreeEnergies sets dst[r] to the free energy of row r of v (rows×Visible),
//
//	F(v) = −Σ_j softplus((v·W + c)_j) − v·b,
//
// the per-row value whose mean the graph's MeanFreeEnergy node computes. The
// product v·W is float32 (gonum blas32), the softplus terms and sums are
// float64, rounded to float32 at the end.
func FreeEnergies(m *Model, v []float32, rows int, dst []float32) error {
	V, H := m.Visible, m.Hidden
	if rows < 1 || len(v) != rows*V || len(dst) < rows {
		return fmt.Errorf("graph: free energies of %d values for %d rows of %d into %d: %w", len(v), rows, V, len(dst), ErrShape)
	}
	b, c, w := m.vBias(), m.hBias(), m.weights()
	scratch := make([]float32, min(rows, freeEnergyChunk)*H)
	for lo := 0; lo < rows; lo += freeEnergyChunk {
		n := min(freeEnergyChunk, rows-lo)
		a := scratch[:n*H]
		for r := 0; r < n; r++ {
			copy(a[r*H:(r+1)*H], c)
		}
		blas32.Gemm(blas.NoTrans, blas.NoTrans, 1,
			blas32.General{Rows: n, Cols: V, Stride: V, Data: v[lo*V : (lo+n)*V]},
			blas32.General{Rows: V, Cols: H, Stride: H, Data: w},
			1, blas32.General{Rows: n, Cols: H, Stride: H, Data: a})
		for r := 0; r < n; r++ {
			var negF float64
			for _, x := range a[r*H : (r+1)*H] {
				negF += Softplus(float64(x))
			}
			for i, x := range v[(lo+r)*V : (lo+r+1)*V] {
				negF += float64(x) * float64(b[i])
			}
			dst[lo+r] = float32(-negF)
		}
	}
	return nil
}

// Softplus is log(1 + eˣ) in float64 with the math package's exp and
// log1p (the sampler and the graph use faster float32-accurate routines),
// without overflow for large x. Its derivative is Logistic.
func Softplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

// Logistic is σ(x) = 1/(1 + e^−x) in float64 with the math package's exp,
// the precise companion of Softplus for evaluation code.
func Logistic(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
