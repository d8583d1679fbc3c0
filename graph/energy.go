package graph

import (
	"fmt"
	"math"

	"gorbm.dev/gorbm/internal/linalg"
)

// freeEnergyChunk is the number of rows FreeEnergies multiplies at once, so
// its scratch matrix stays small (256×H float32) whatever the batch.
const freeEnergyChunk = 256

// FreeEnergies sets dst[r] to the free energy of row r of v (rows×Visible),
//
//	F(v) = −Σ_j softplus((v·Wᵀ + c)_j) − v·b,
//
// each row's value of the script's free_energy, which averages them. The
// products are float32 as in training; the softplus terms and the sums are
// float64, rounded to float32 at the end.
func (m *Model) FreeEnergies(dst, v []float32, rows int) error {
	V, H := m.visible, m.hidden
	if rows < 1 || len(v) != rows*V || len(dst) < rows {
		return fmt.Errorf("graph: free energies of %d values for %d rows of %d into %d: %w", len(v), rows, V, len(dst), ErrShape)
	}
	b := m.vBias()
	a := make([]float32, min(rows, freeEnergyChunk)*H)
	var s linalg.Scratch
	for lo := 0; lo < rows; lo += freeEnergyChunk {
		n := min(freeEnergyChunk, rows-lo)
		linalg.Affine(a, v[lo*V:(lo+n)*V], n, V, m.weights(), H, m.hBias(), &s)
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

// Softplus is log(1 + eˣ) in float64, without overflow for large x. Its
// derivative is Logistic. The graphs evaluate it in float32.
func Softplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

// Logistic is σ(x) = 1/(1 + e^−x) in float64, the companion of Softplus
// for evaluation code.
func Logistic(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
