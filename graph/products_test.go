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
	m, err := FromParams(V, H, w, vb, prodtest.Normals(rng, H))
	if err != nil {
		t.Fatal(err)
	}
	return m, w, vb
}

// checkLayouts fails t unless the model's two copies of W, Visible×Hidden
// for the graphs and Hidden×Visible (the script's layout, Params) for the
// products h·W, are each other's transpose, bit for bit.
func checkLayouts(t *testing.T, what string, m *Model) {
	t.Helper()
	V, H := m.visible, m.hidden
	w, wt := m.weights(), m.wt
	for j := 0; j < H; j++ {
		for i := 0; i < V; i++ {
			if math.Float32bits(wt[j*V+i]) != math.Float32bits(w[i*H+j]) {
				t.Fatalf("%s: W[%d][%d] = %v in the script's layout, %v in the graphs'", what, j, i, wt[j*V+i], w[i*H+j])
			}
		}
	}
}

// TestWeightLayouts checks that New and SetParams keep the model's two
// layouts of W in step, and that SetParams takes the script's layout.
func TestWeightLayouts(t *testing.T) {
	for i, sz := range []struct{ V, H int }{{13, 11}, {1, 7}, {7, 1}, {40, 3}, {784, 500}} {
		t.Run(fmt.Sprintf("%dx%d", sz.V, sz.H), func(t *testing.T) {
			V, H := sz.V, sz.H
			rng := rand.New(rand.NewPCG(51, uint64(i)))
			m, err := New(V, H, rng)
			if err != nil {
				t.Fatal(err)
			}
			checkLayouts(t, "after New", m)
			w := prodtest.Normals(rng, H*V)
			if err := m.SetParams(w, prodtest.Normals(rng, V), prodtest.Normals(rng, H)); err != nil {
				t.Fatal(err)
			}
			checkLayouts(t, "after SetParams", m)
			if got, _, _ := m.Params(); !slices.Equal(got, w) {
				t.Error("after SetParams: Params' W is not the script-layout w given")
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

// TestStepTransposes checks that after Trainer.Step, whose update
// transposes each band of W's rows as it goes (fast graph) or after
// Gorgonia's solver (textbook graph), the two layouts of W agree, for
// visible sizes that are and are not whole bands of 8, with and without
// momentum.
func TestStepTransposes(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, g := range graphs {
		for _, V := range []int{20, 784} {
			for _, momentum := range []float64{0, 0.5} {
				m, err := New(V, 7, rng)
				if err != nil {
					t.Fatal(err)
				}
				tr := newTestTrainer(t, m, 0.1)
				if err := tr.SetGraph(g); err != nil {
					t.Fatal(err)
				}
				if err := tr.SetMomentum(momentum); err != nil {
					t.Fatal(err)
				}
				s := NewSampler(m, tr.Pool())
				v := binaryRows(rng, 3, V, 0.3)
				for step := range 3 {
					b, err := s.Gibbs(v, 3, 1, rng)
					if err != nil {
						t.Fatal(err)
					}
					if _, err := tr.Step(b); err != nil {
						t.Fatal(err)
					}
					checkLayouts(t, fmt.Sprintf("%v, V=%d, momentum %v, after step %d", g, V, momentum, step), m)
				}
			}
		}
	}
}

// TestPoolSameBits checks that training with no helpers, one or three
// gives the same parameters, bit for bit, for the script's step and for
// the preset's (persistent chains, centered, momentum, weight decay).
func TestPoolSameBits(t *testing.T) {
	train := func(helpers int, preset bool) []float32 {
		rng := rand.New(rand.NewPCG(17, 18))
		m, err := New(784, 64, rng)
		if err != nil {
			t.Fatal(err)
		}
		tr := newTestTrainer(t, m, 0.1)
		tr.pool.Close()
		tr.pool = NewPool(helpers)
		const rows = 64
		chain := binaryRows(rng, rows, 784, 0.13)
		if preset {
			for _, err := range []error{tr.SetMomentum(0.5), tr.SetWeightDecay(1e-4), tr.SetOffsets(uniforms(rng, 784, 0, 0.3), uniforms(rng, 64, 0, 1))} {
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		s := NewSampler(m, tr.Pool())
		for range 3 {
			v := binaryRows(rng, rows, 784, 0.13)
			b, err := s.Gibbs(v, rows, 1, rng)
			if preset {
				b, err = s.Persistent(v, rows, chain, rows, 1, rng)
			}
			if err != nil {
				t.Fatal(err)
			}
			if preset {
				if err := tr.MoveOffsets(b, 0.01); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := tr.Step(b); err != nil {
				t.Fatal(err)
			}
			copy(chain, b.Recon)
		}
		w, vb, hb := m.Params()
		return append(append(w, vb...), hb...)
	}
	for _, preset := range []bool{false, true} {
		none := train(0, preset)
		for _, helpers := range []int{1, 3} {
			if !sameBits(train(helpers, preset), none) {
				t.Errorf("preset %t: the parameters differ with %d helpers and with none", preset, helpers)
			}
		}
	}
}
