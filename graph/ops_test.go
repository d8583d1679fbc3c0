package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gorgonia.org/tensor"

	"gorbm.dev/gorbm/internal/prodtest"
)

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

// TestStepReusesFields checks that the fast graph's use of the hidden
// fields a Batch carries from Gibbs changes nothing: the same loss and
// gradients as for the same rows without fields; none used when the batch's
// data was replaced (PCD) or after the parameters changed.
func TestStepReusesFields(t *testing.T) {
	const visible, hidden, rows = 20, 7, 4
	rng := rand.New(rand.NewPCG(15, 16))
	m, err := New(visible, hidden, 0.1, rng)
	if err != nil {
		t.Fatal(err)
	}
	v := binaryRows(rng, rows, visible, 0.5)
	s := NewSampler(m)
	b, err := s.Gibbs(v, rows, 1, rng)
	if err != nil {
		t.Fatal(err)
	}
	dst := make([]float32, rows*hidden)
	for k, x := range [][]float32{b.Data, b.Recon} {
		if !b.fields.lookup(dst, x, k, m) {
			t.Fatalf("the Gibbs run's field %d is not in the batch", k)
		}
	}
	with, err := m.Gradients(b)
	if err != nil {
		t.Fatal(err)
	}
	plain := Batch{Data: v, Recon: slices.Clone(b.Recon), Rows: rows}
	without, err := m.Gradients(plain)
	if err != nil {
		t.Fatal(err)
	}
	if with.Cost != without.Cost || !slices.Equal(with.W, without.W) {
		t.Errorf("cost %v with the sampler's fields, %v without; same dW: %t", with.Cost, without.Cost, slices.Equal(with.W, without.W))
	}
	other := b
	other.Data = binaryRows(rng, rows, visible, 0.5) // PCD: the data is not the chain's start
	if other.fields.lookup(dst, other.Data, 0, m) {
		t.Error("the field of the chain's start was taken for other data")
	}
	if _, err := m.Step(b); err != nil {
		t.Fatal(err)
	}
	if b.fields.lookup(dst, b.Data, 0, m) {
		t.Error("a field of the old parameters was reused after Step")
	}
}

// TestGemmOpPaths checks gemmOp{transA: true}.Do, xᵀ·g, through a sequence
// of 0/1 and other x: each path must overwrite the output the other left,
// and the 0/1 path must give the bits of the stated float32 sums.
func TestGemmOpPaths(t *testing.T) {
	for i, tc := range prodtest.Cases {
		t.Run(tc.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(41, uint64(i)))
			x := tc.X(rng)
			w := prodtest.Normals(rng, tc.Rows*tc.H)
			want, bound := prodtest.ProductRef(x, tc.Rows, tc.V, w, tc.H, nil, true)
			other := slices.Clone(x) // the other kind of x
			if tc.Binary() {
				other[0] = 0.25
			} else {
				other[len(other)-1] = 1
			}
			wantOther, boundOther := prodtest.ProductRef(other, tc.Rows, tc.V, w, tc.H, nil, true)
			wt := tensor.New(tensor.WithShape(tc.Rows, tc.H), tensor.WithBacking(w))
			op := &gemmOp{transA: true}
			for k, step := range []struct {
				x           []float32
				want, bound []float64
				binary      bool
			}{
				{x, want, bound, tc.Binary()},
				{other, wantOther, boundOther, !tc.Binary()},
				{x, want, bound, tc.Binary()},
			} {
				what := fmt.Sprintf("gemmOp.Do, call %d", k+1)
				xt := tensor.New(tensor.WithShape(tc.Rows, tc.V), tensor.WithBacking(step.x))
				out, err := op.Do(xt, wt)
				if err != nil {
					t.Fatal(err)
				}
				if s := out.Shape(); !s.Eq(tensor.Shape{tc.V, tc.H}) {
					t.Fatalf("%s: shape %v, want (%d, %d)", what, s, tc.V, tc.H)
				}
				got := f32s(out)
				prodtest.Check(t, what, tc.H, got, step.want, step.bound)
				if step.binary {
					prodtest.CheckBits(t, what, tc.H, got, prodtest.OnesRef(step.x, tc.Rows, tc.V, w, tc.H, nil, true))
				}
				for j := range got { // the next call must overwrite all of it
					got[j] = float32(math.NaN())
				}
			}
		})
	}
}
