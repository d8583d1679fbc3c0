package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gorbm.dev/gorbm/internal/f32"
	"gorbm.dev/gorbm/internal/prodtest"
)

// accModel returns a model with N(0, 1) weights and biases (script layout
// w, Hidden×Visible) set through FromParams.
func accModel(t *testing.T, rng *rand.Rand, V, H int) (m *Model, w, vb []float32) {
	t.Helper()
	w, vb = prodtest.Normals(rng, H*V), prodtest.Normals(rng, V)
	m, err := FromParams(V, H, 0.1, w, vb, prodtest.Normals(rng, H))
	if err != nil {
		t.Fatal(err)
	}
	return m, w, vb
}

// TestTransposedWeights checks that transposedWeights is W (stored
// Visible×Hidden) transposed, keeps its slice while the parameters stay,
// and follows SetParams, whose w is in that same Hidden×Visible layout.
func TestTransposedWeights(t *testing.T) {
	for i, sz := range []struct{ V, H int }{{13, 11}, {1, 7}, {7, 1}, {40, 3}, {784, 500}} {
		t.Run(fmt.Sprintf("%dx%d", sz.V, sz.H), func(t *testing.T) {
			V, H := sz.V, sz.H
			rng := rand.New(rand.NewPCG(51, uint64(i)))
			m, err := New(V, H, 0.1, rng)
			if err != nil {
				t.Fatal(err)
			}
			stored := m.weights()
			wt := m.transposedWeights()
			if len(wt) != V*H {
				t.Fatalf("%d elements, want %d", len(wt), V*H)
			}
			for j := 0; j < H; j++ {
				for k := 0; k < V; k++ {
					if math.Float32bits(wt[j*V+k]) != math.Float32bits(stored[k*H+j]) {
						t.Fatalf("after New: Wᵀ[%d][%d] = %v, W[%d][%d] = %v", j, k, wt[j*V+k], k, j, stored[k*H+j])
					}
				}
			}
			first := slices.Clone(wt)
			again := m.transposedWeights()
			if &again[0] != &wt[0] {
				t.Error("a second call without a parameter change returned a new slice")
			}
			if !slices.Equal(again, first) {
				t.Error("a second call without a parameter change changed Wᵀ")
			}

			version := m.version.Load()
			w := prodtest.Normals(rng, H*V)
			if err := m.SetParams(w, prodtest.Normals(rng, V), prodtest.Normals(rng, H)); err != nil {
				t.Fatal(err)
			}
			if m.version.Load() == version {
				t.Fatal("SetParams did not change the parameter version")
			}
			if got := m.transposedWeights(); !slices.Equal(got, w) {
				t.Error("after SetParams: Wᵀ is not the new script-layout w")
			}
		})
	}
}

// sigmoidTolULPs is the float32 σ's error bound of 3 ulps (internal/f32)
// plus one, for σ's value at the rounded activation lying across a power
// of two from the exact one.
const sigmoidTolULPs = 4

// TestVisibleProbabilitiesOnes checks VisibleProbabilities, σ(b + h·Wᵀ),
// against a float64 reference for binary h (rows of the cached Wᵀ added
// up, with the bits of the float32 σ of the stated float32 sums) and for
// non-binary h (GEMM), before and after SetParams: a stale Wᵀ would fail
// the second round. The tolerance is the activation's bound times
// max σ' = 1/4, plus sigmoidTolULPs of the value.
func TestVisibleProbabilitiesOnes(t *testing.T) {
	for i, tc := range prodtest.Cases {
		// the case's V×H is the product h (rows×Hidden) · Wᵀ (Hidden×Visible)
		hidden, visible := tc.V, tc.H
		t.Run(tc.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(61, uint64(i)))
			m, w, vb := accModel(t, rng, visible, hidden)
			h := tc.X(rng)
			for round := 1; round <= 2; round++ {
				what := fmt.Sprintf("round %d", round)
				if round == 2 {
					w, vb = prodtest.Normals(rng, hidden*visible), prodtest.Normals(rng, visible)
					if err := m.SetParams(w, vb, prodtest.Normals(rng, hidden)); err != nil {
						t.Fatal(err)
					}
				}
				pV := prodtest.NaNs(tc.Rows * visible)
				m.VisibleProbabilities(pV, h, tc.Rows)
				// w in the script's layout is Wᵀ, Hidden×Visible
				z, zBound := prodtest.ProductRef(h, tc.Rows, hidden, w, visible, vb, false)
				want, bound := make([]float64, len(z)), make([]float64, len(z))
				for k, zk := range z {
					want[k] = 1 / (1 + math.Exp(-zk))
					wf := float32(want[k])
					ulp := float64(math.Nextafter32(wf, float32(math.Inf(1))) - wf)
					bound[k] = zBound[k]/4 + sigmoidTolULPs*ulp
				}
				prodtest.Check(t, what, visible, pV, want, bound)
				if tc.Binary() {
					zs := prodtest.OnesRef(h, tc.Rows, hidden, w, visible, vb, false)
					f32.Sigmoid(zs, zs)
					prodtest.CheckBits(t, what, visible, pV, zs)
				}
			}
		})
	}
}

// TestStepTransposes checks that after Model.Step, whose solver parts
// update the rows of W in two blocks, the cached Wᵀ is the transpose of the
// new W, for a visible size whose halves are not whole bands of 8.
func TestStepTransposes(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, V := range []int{20, 784} {
		m, err := New(V, 7, 0.1, rng)
		if err != nil {
			t.Fatal(err)
		}
		s := NewSampler(m)
		v := binaryRows(rng, 3, V, 0.3)
		for step := range 3 {
			b, err := s.Gibbs(v, 3, 1, rng)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := m.Step(b); err != nil {
				t.Fatal(err)
			}
			wt, w := m.transposedWeights(), m.weights()
			for i := 0; i < V; i++ {
				for j := 0; j < 7; j++ {
					if wt[j*V+i] != w[i*7+j] {
						t.Fatalf("V=%d, after step %d: Wᵀ[%d][%d] = %v, W[%d][%d] = %v", V, step, j, i, wt[j*V+i], i, j, w[i*7+j])
					}
				}
			}
		}
	}
}

// TestSetParallelSameBits checks that training with the helper goroutine
// switched off gives the same parameters, bit for bit.
func TestSetParallelSameBits(t *testing.T) {
	train := func(parallel bool) []float32 {
		SetParallel(parallel)
		defer SetParallel(true)
		rng := rand.New(rand.NewPCG(17, 18))
		m, err := New(784, 64, 0.1, rng)
		if err != nil {
			t.Fatal(err)
		}
		s := NewSampler(m)
		for range 3 {
			b, err := s.Gibbs(binaryRows(rng, 64, 784, 0.13), 64, 1, rng)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := m.Step(b); err != nil {
				t.Fatal(err)
			}
		}
		w, _, _ := m.Params()
		return w
	}
	if on, off := train(true), train(false); !slices.Equal(on, off) {
		t.Error("the parameters differ with the helper goroutine off")
	}
}
