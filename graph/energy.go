package graph

import (
	"fmt"
	"math"
	"runtime"

	"gorbm.dev/gorbm/internal/linalg"
	"gorbm.dev/gorbm/internal/par"
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
// float64, rounded to float32 at the end. Many rows are shared with helper
// goroutines of the call's own, GOMAXPROCS−1 of them.
func (m *Model) FreeEnergies(dst, v []float32, rows int) error {
	V := m.visible
	if rows < 1 || len(v) != rows*V || len(dst) < rows {
		return fmt.Errorf("graph: free energies of %d values for %d rows of %d into %d: %w", len(v), rows, V, len(dst), ErrShape)
	}
	chunks := (rows + freeEnergyChunk - 1) / freeEnergyChunk
	var pool *par.Pool
	if chunks > 1 {
		pool = par.New(runtime.GOMAXPROCS(0) - 1)
		defer pool.Close()
	}
	pool.Do(freeEnergyJob{m: m, dst: dst, v: v, rows: rows}, chunks, 1)
	return nil
}

// freeEnergyJob computes the free energies of chunks of freeEnergyChunk
// rows.
type freeEnergyJob struct {
	m      *Model
	dst, v []float32
	rows   int
}

func (j freeEnergyJob) Run(lo, hi int) {
	m := j.m
	V, H := m.visible, m.hidden
	b := m.vBias()
	a := make([]float32, min(j.rows, freeEnergyChunk)*H)
	var s linalg.Scratch
	for c := lo; c < hi; c++ {
		r0 := c * freeEnergyChunk
		n := min(freeEnergyChunk, j.rows-r0)
		linalg.Affine(nil, a, j.v[r0*V:(r0+n)*V], n, V, m.weights(), H, m.hBias(), &s, nil)
		for r := 0; r < n; r++ {
			var negF float64
			for _, x := range a[r*H : (r+1)*H] {
				negF += Softplus(float64(x))
			}
			for i, x := range j.v[(r0+r)*V : (r0+r+1)*V] {
				negF += float64(x) * float64(b[i])
			}
			j.dst[r0+r] = float32(-negF)
		}
	}
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
