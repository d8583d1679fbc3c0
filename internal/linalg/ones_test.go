package linalg

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"gorbm.dev/gorbm/internal/prodtest"
)

// TestAffine checks Affine, c + x·w, against a float64 reference: a 0/1 x
// takes the row-adding path (offsets grown to rows·V) and gives the bits of
// the stated float32 sums, whichever goroutine computed a row; any other x
// takes the GEMM (no offsets kept).
func TestAffine(t *testing.T) {
	for i, tc := range prodtest.Cases {
		t.Run(tc.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(31, uint64(i)))
			x := tc.X(rng)
			w, c := prodtest.Normals(rng, tc.V*tc.H), prodtest.Normals(rng, tc.H)
			dst := prodtest.NaNs(tc.Rows * tc.H)
			var s Scratch
			then, checkThen := blockRecorder(dst, tc.H)
			Affine(pool, dst, x, tc.Rows, tc.V, w, tc.H, c, &s, then)
			want, bound := prodtest.ProductRef(x, tc.Rows, tc.V, w, tc.H, c, false)
			prodtest.Check(t, "Affine", tc.H, dst, want, bound)
			checkThen(t)
			if !tc.Binary() {
				if s.OffsetsLen() != 0 {
					t.Errorf("non-binary x: offsets grown to %d, want the dense path", s.OffsetsLen())
				}
				return
			}
			if s.OffsetsLen() != tc.Rows*tc.V {
				t.Errorf("binary x: %d offsets, want rows·V = %d (the row-adding path)", s.OffsetsLen(), tc.Rows*tc.V)
			}
			prodtest.CheckBits(t, "Affine", tc.H, dst, prodtest.OnesRef(x, tc.Rows, tc.V, w, tc.H, c, false))
		})
	}
}

// blockRecorder returns a Then for a product into dst (·×cols) that copies
// each block it is given, and a check that fails t unless the blocks
// covered dst exactly once and each held its final values when handed
// over.
func blockRecorder(dst []float32, cols int) (Then, func(*testing.T)) {
	var mu sync.Mutex
	seen := make([]float32, len(dst))
	count := make([]int, len(dst))
	then := func(r, c0, c1 int) {
		mu.Lock()
		defer mu.Unlock()
		for k := r*cols + c0; k < r*cols+c1; k++ {
			seen[k] = dst[k]
			count[k]++
		}
	}
	return then, func(t *testing.T) {
		t.Helper()
		for k, n := range count {
			if n != 1 {
				t.Fatalf("element %d (row %d, column %d) handed to Then %d times", k, k/cols, k%cols, n)
			}
			if math.Float32bits(seen[k]) != math.Float32bits(dst[k]) {
				t.Fatalf("element %d was %v when handed to Then, %v at the end", k, seen[k], dst[k])
			}
		}
	}
}

// TestAffineTrans checks AffineTrans, c + x·wᵀ, against the reference with
// w transposed: the 0/1 path reads wt, the dense one w, and both agree.
func TestAffineTrans(t *testing.T) {
	for i, tc := range prodtest.Cases {
		// the case's V×H is the product x (rows×V) · wᵀ (V×H), w H×V
		t.Run(tc.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(32, uint64(i)))
			x := tc.X(rng)
			wt, c := prodtest.Normals(rng, tc.V*tc.H), prodtest.Normals(rng, tc.H)
			w := make([]float32, len(wt))
			Transpose(pool, w, wt, tc.V, tc.H)
			dst := prodtest.NaNs(tc.Rows * tc.H)
			var s Scratch
			then, checkThen := blockRecorder(dst, tc.H)
			AffineTrans(pool, dst, x, tc.Rows, tc.V, w, wt, tc.H, c, &s, then)
			want, bound := prodtest.ProductRef(x, tc.Rows, tc.V, wt, tc.H, c, false)
			prodtest.Check(t, "AffineTrans", tc.H, dst, want, bound)
			checkThen(t)
			if tc.Binary() {
				prodtest.CheckBits(t, "AffineTrans", tc.H, dst, prodtest.OnesRef(x, tc.Rows, tc.V, wt, tc.H, c, false))
			}
		})
	}
}

// TestOnesTransProduct checks xᵀ·g for a 0/1 x against the float64
// reference and the stated float32 sums, and that it declines any other x
// without writing.
func TestOnesTransProduct(t *testing.T) {
	for i, tc := range prodtest.Cases {
		t.Run(tc.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(41, uint64(i)))
			x := tc.X(rng)
			g := prodtest.Normals(rng, tc.Rows*tc.H)
			dst := prodtest.NaNs(tc.V * tc.H)
			var s Scratch
			then, checkThen := blockRecorder(dst, tc.H)
			done := OnesTransProduct(pool, dst, x, tc.Rows, tc.V, g, tc.H, &s, then)
			if done != tc.Binary() {
				t.Fatalf("OnesTransProduct reported %t for a 0/1 x %t", done, tc.Binary())
			}
			if !done {
				if !slices.ContainsFunc(dst, func(v float32) bool { return !math.IsNaN(float64(v)) }) {
					return
				}
				t.Fatal("a declined product wrote to dst")
			}
			want, bound := prodtest.ProductRef(x, tc.Rows, tc.V, g, tc.H, nil, true)
			prodtest.Check(t, "OnesTransProduct", tc.H, dst, want, bound)
			checkThen(t)
			prodtest.CheckBits(t, "OnesTransProduct", tc.H, dst, prodtest.OnesRef(x, tc.Rows, tc.V, g, tc.H, nil, true))
		})
	}
}
