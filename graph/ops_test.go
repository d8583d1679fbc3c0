package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"gorbm.dev/gorbm/internal/prodtest"
)

// TestRowScaleOp checks the gradient op of the softplus sums, g_i·σ_ij,
// and with offsets g_i·(σ_ij − λ_j), on σ from the σ op.
func TestRowScaleOp(t *testing.T) {
	const n, h = 3, 5
	rng := rand.New(rand.NewPCG(13, 14))
	zt := tensor.New(tensor.WithShape(n, h), tensor.WithBacking(uniforms(rng, n*h, -8, 8)))
	gt := tensor.New(tensor.WithShape(n), tensor.WithBacking([]float32{1, -2, 0.5}))
	lt := tensor.New(tensor.WithShape(h), tensor.WithBacking(uniforms(rng, h, 0, 1)))
	sig, err := (&sigmoidOp{}).Do(zt)
	if err != nil {
		t.Fatal(err)
	}
	for _, offsets := range []bool{false, true} {
		in := []gorgonia.Value{sig, gt}
		if offsets {
			in = append(in, lt)
		}
		out, err := (&rowScaleOp{offsets: offsets}).Do(in...)
		if err != nil {
			t.Fatal(err)
		}
		got, z, g, l := f32s(out), f32s(zt), f32s(gt), f32s(lt)
		for i, x := range z {
			want := 1 / (1 + math.Exp(-float64(x)))
			if offsets {
				want -= float64(l[i%h])
			}
			want *= float64(g[i/h])
			if d := math.Abs(float64(got[i]) - want); d > 1e-6*math.Max(math.Abs(want), 1e-3) {
				t.Fatalf("offsets %t: element %d = %v, want %v", offsets, i, got[i], want)
			}
		}
	}
}

// TestFieldsInput checks that the fast graph takes the hidden fields a
// Batch carries as an input: with the sampler's fields it gives the bits of
// the graph compiled without them (which multiplies), and with other
// fields another cost, so it reads them rather than computing its own.
func TestFieldsInput(t *testing.T) {
	const visible, hidden, rows = 20, 7, 4
	rng := rand.New(rand.NewPCG(15, 16))
	m, err := New(visible, hidden, rng)
	if err != nil {
		t.Fatal(err)
	}
	tr := newTestTrainer(t, m, 0.1)
	v := binaryRows(rng, rows, visible, 0.5)
	b, err := NewSampler(m, tr.Pool()).Gibbs(v, rows, 1, rng)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Fields) != 2*rows*hidden {
		t.Fatalf("Gibbs returned %d hidden fields, want %d", len(b.Fields), 2*rows*hidden)
	}
	with, err := tr.Gradients(b)
	if err != nil {
		t.Fatal(err)
	}
	plain := b
	plain.Fields = nil
	without, err := tr.Gradients(plain)
	if err != nil {
		t.Fatal(err)
	}
	if with.Cost != without.Cost || !slices.Equal(with.W, without.W) || !slices.Equal(with.HBias, without.HBias) {
		t.Errorf("cost %v with the sampler's fields, %v without; same dW: %t", with.Cost, without.Cost, slices.Equal(with.W, without.W))
	}
	other := b
	other.Fields = slices.Clone(b.Fields)
	for i := range other.Fields {
		other.Fields[i]++
	}
	shifted, err := tr.Gradients(other)
	if err != nil {
		t.Fatal(err)
	}
	if shifted.Cost == with.Cost {
		t.Error("other hidden fields gave the same cost: the graph does not read them")
	}
}

// TestWeightGradOpPaths checks weightGradOp.Do, xᵀ·g, through a sequence
// of 0/1 and other x: each path must overwrite the output the other left,
// and the 0/1 path must give the bits of the stated float32 sums.
func TestWeightGradOpPaths(t *testing.T) {
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
			op := &weightGradOp{pool: testPool}
			for k, step := range []struct {
				x           []float32
				want, bound []float64
				binary      bool
			}{
				{x, want, bound, tc.Binary()},
				{other, wantOther, boundOther, !tc.Binary()},
				{x, want, bound, tc.Binary()},
			} {
				what := fmt.Sprintf("weightGradOp.Do, call %d", k+1)
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
