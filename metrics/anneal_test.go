package metrics

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/internal/rng"
	"gorbm.dev/gorbm/train"
)

// fieldDriftTol bounds the distance of a chain's fields from the exact
// product, relative to the largest partial sum a product could have
// (|c_j| + Σ_i |M_ij|): a fresh float32 sum of at most one row per unit,
// then at most driftRows rows added or subtracted, each rounding by at
// most 2⁻²⁴ of such a sum.
const fieldDriftTol = float64(driftRows+train.Pixels) * 0x1p-24

// TestFieldsFollowFlips anneals chains whose states flip often and checks
// after every block that each chain's fields, kept up to date by the rows
// of the units that flipped, are the exact products within
// fieldDriftTol, that the count of ones is right, and that both ways of
// updating them (by rows, and afresh at the drift bound) were used.
func TestFieldsFollowFlips(t *testing.T) {
	src := rand.New(rand.NewPCG(8, 9))
	m, err := graph.New(train.Pixels, 30, src)
	if err != nil {
		t.Fatal(err)
	}
	w, b, c := m.Params()
	for i := range w {
		w[i] *= 20
	}
	for i := range b {
		b[i] = float32(src.NormFloat64())
	}
	if err := m.SetParams(w, b, c); err != nil {
		t.Fatal(err)
	}
	bA := make([]float64, train.Pixels)
	for i := range bA {
		bA[i] = src.NormFloat64()
	}
	betas, err := Schedule(300)
	if err != nil {
		t.Fatal(err)
	}
	path, err := betas32(betas)
	if err != nil {
		t.Fatal(err)
	}
	const chains = 8
	an, err := newAnnealer(m, bA, chains)
	if err != nil {
		t.Fatal(err)
	}
	var byRows, afresh bool
	worst := 0.0
	check := func(f *fields, x []float32, units int, name string, done int) {
		for r := range chains {
			state := x[r*units : (r+1)*units]
			ones := 0
			for j := range f.cols {
				exact, scale := float64(f.c[j]), math.Abs(float64(f.c[j]))
				for i, xi := range state {
					wij := float64(f.m[i*f.cols+j])
					scale += math.Abs(wij)
					if xi == 1 {
						exact += wij
					}
				}
				d := math.Abs(float64(f.row(r)[j])-exact) / scale
				worst = max(worst, d)
				if d > fieldDriftTol {
					t.Fatalf("after %d steps, chain %d: %s field %d is %v, exact %v: %.3g of its scale, more than %.3g",
						done, r, name, j, f.row(r)[j], exact, d, fieldDriftTol)
				}
			}
			for _, xi := range state {
				if xi == 1 {
					ones++
				}
			}
			if f.ones[r] != ones || f.since[r] > driftRows {
				t.Fatalf("after %d steps, chain %d: %s fields count %d ones (the state has %d), %d rows since the fresh sum (at most %d)",
					done, r, name, f.ones[r], ones, f.since[r], driftRows)
			}
		}
	}
	since := make([]int, 2*chains)
	p := func(_ string, done, _ int) {
		check(&an.a, an.v, an.V, "visible", done)
		check(&an.g, an.h, an.H, "hidden", done)
		for r := range chains {
			for k, f := range []*fields{&an.a, &an.g} {
				i := k*chains + r
				byRows = byRows || f.since[r] > since[i]
				afresh = afresh || f.since[r] < since[i]
				since[i] = f.since[r]
			}
		}
	}
	s := rng.New(3, 4)
	an.sampleBase(path[1], s)
	if err := an.anneal(context.Background(), path[1:], s, p, "AIS"); err != nil {
		t.Fatal(err)
	}
	t.Logf("largest distance from the exact fields: %.3g of their scale (tolerance %.3g)", worst, fieldDriftTol)
	if !byRows || !afresh {
		t.Errorf("fields updated by rows: %t, afresh after rows: %t; the test needs both", byRows, afresh)
	}
}
