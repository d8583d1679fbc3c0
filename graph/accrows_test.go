package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gorgonia.org/tensor"
)

// accTolPerTerm bounds the float32 rounding error of a sum of n products
// (or rows), relative to Σ|terms|, per term: any float32 evaluation of such
// a sum, in any order, is within γ_n·Σ|terms| of the exact value (Higham,
// §3.1), γ_n = n·u/(1−n·u) with u = 2⁻²⁴, which stays below 2n·u = n·2⁻²³
// while n·u < 1/2. A missed, doubled or wrong row is off by a whole term.
const accTolPerTerm = 0x1p-23

// TestIsBinary checks that isBinary accepts only the bit patterns of +0
// and 1, wherever the other values sit in the slice.
func TestIsBinary(t *testing.T) {
	long := func(bad float32, at int) []float32 {
		x := make([]float32, 1000)
		for i := range x {
			x[i] = float32(i % 2)
		}
		x[at] = bad
		return x
	}
	for _, tc := range []struct {
		name string
		x    []float32
		want bool
	}{
		{"nil", nil, true},
		{"empty", []float32{}, true},
		{"zeros and ones", []float32{0, 1, 1, 0}, true},
		{"zeros", make([]float32, 17), true},
		{"long binary", long(1, 999), true},
		{"half", []float32{0, 1, 0.5, 1}, false},
		{"negative zero", []float32{0, float32(math.Copysign(0, -1)), 1}, false},
		{"NaN", []float32{1, float32(math.NaN())}, false},
		{"NaN negative", []float32{math.Float32frombits(0xFFC00000)}, false},
		{"two", []float32{0, 2}, false},
		{"denormal", []float32{0, 1e-45}, false},
		{"minus one", []float32{-1, 0}, false},
		{"+Inf", []float32{float32(math.Inf(1)), 1}, false},
		{"-Inf", []float32{float32(math.Inf(-1))}, false},
		{"above one", []float32{math.Nextafter32(1, 2)}, false},
		{"below one", []float32{math.Nextafter32(1, 0)}, false},
		{"bad first", long(0.5, 0), false},
		{"bad last", long(float32(math.Copysign(0, -1)), 999), false},
	} {
		if got := isBinary(tc.x); got != tc.want {
			t.Errorf("%s: isBinary(%v…) = %t, want %t", tc.name, tc.x[:min(len(tc.x), 4)], got, tc.want)
		}
	}
}

// accRowsRef is accRows as its comment states it, one row after the other.
func accRowsRef(dst, src []float32, off []int32) {
	for _, o := range off {
		for c := range dst {
			dst[c] += src[int(o)+c]
		}
	}
}

// accSpecials are values whose sums test signed zeros, denormals, overflow
// and NaN propagation. There is one NaN payload and no −Inf, so no sum
// meets two different NaNs, whose result the Go spec leaves open.
var accSpecials = []float32{
	0, float32(math.Copysign(0, -1)), 1e-45, -1e-45, 1, -1,
	math.MaxFloat32, float32(math.Inf(1)), math.Float32frombits(0x7FC01234),
}

// TestAccRows checks accRows and accRowsGo against the stated sums bit for
// bit, with the AVX2 kernel where the machine has it and then with
// useAccRowsAsm false, for lengths around the kernel's blocks of 64, 32
// and 8 and for offsets at the ends of src, unaligned and repeated; and
// that nothing outside dst or in src is written.
func TestAccRows(t *testing.T) {
	t.Logf("AVX2 kernel in use: %t", useAccRowsAsm)
	testAccRows(t)
	t.Run("no kernel", func(t *testing.T) {
		saved := useAccRowsAsm
		t.Cleanup(func() { useAccRowsAsm = saved })
		useAccRowsAsm = false
		testAccRows(t)
	})
}

func testAccRows(t *testing.T) {
	const rowsOfSrc = 5
	const guard = float32(12345)
	rng := rand.New(rand.NewPCG(21, 22))
	for _, fill := range []struct {
		name string
		draw func() float32
	}{
		// magnitudes from 2⁻¹⁰ to 2¹⁰, so that most additions round
		{"normal", func() float32 { return float32(math.Ldexp(rng.NormFloat64(), rng.IntN(21)-10)) }},
		{"special", func() float32 { return accSpecials[rng.IntN(len(accSpecials))] }},
	} {
		for _, n := range []int{1, 7, 8, 9, 31, 32, 33, 63, 64, 65, 127, 500, 784} {
			src := make([]float32, rowsOfSrc*n+3)
			for i := range src {
				src[i] = fill.draw()
			}
			last := int32(len(src) - n)
			many := make([]int32, 40)
			for i := range many {
				many[i] = rng.Int32N(last + 1)
			}
			slices.Sort(many)
			n32 := int32(n)
			for _, oc := range []struct {
				name string
				off  []int32
			}{
				{"none", nil},
				{"first", []int32{0}},
				{"last", []int32{last}},
				{"rows", []int32{0, n32, 2 * n32, 3 * n32, 4 * n32}},
				{"unaligned", []int32{1, n32 + 3, 2*n32 + 2}},
				{"repeated", []int32{n32, n32, n32, 3*n32 + 1, 3*n32 + 1, last, last}},
				{"many", many},
			} {
				init := make([]float32, n)
				for i := range init {
					init[i] = fill.draw()
				}
				want := slices.Clone(init)
				accRowsRef(want, src, oc.off)
				for _, impl := range []struct {
					name string
					acc  func(dst, src []float32, off []int32)
				}{
					{"accRows", accRows},
					{"accRowsGo", accRowsGo},
				} {
					buf := make([]float32, n+2)
					buf[0], buf[n+1] = guard, guard
					dst := buf[1 : n+1]
					copy(dst, init)
					srcCopy := slices.Clone(src)
					impl.acc(dst, src, oc.off)
					for c := range dst {
						if math.Float32bits(dst[c]) != math.Float32bits(want[c]) {
							t.Fatalf("%s, %s values, n=%d, offsets %s: dst[%d] = %v (%#x), want %v (%#x)",
								impl.name, fill.name, n, oc.name, c, dst[c], math.Float32bits(dst[c]), want[c], math.Float32bits(want[c]))
						}
					}
					if buf[0] != guard || buf[n+1] != guard {
						t.Fatalf("%s, %s values, n=%d, offsets %s: wrote outside dst: %v before, %v after",
							impl.name, fill.name, n, oc.name, buf[0], buf[n+1])
					}
					if !slices.Equal(accBits(src), accBits(srcCopy)) {
						t.Fatalf("%s, %s values, n=%d, offsets %s: changed src", impl.name, fill.name, n, oc.name)
					}
				}
			}
		}
	}
}

// accBits returns the bit patterns of x, for comparisons that NaN passes.
func accBits(x []float32) []uint32 {
	b := make([]uint32, len(x))
	for i, v := range x {
		b[i] = math.Float32bits(v)
	}
	return b
}

// TestAccRowsOutOfRange checks that accRows panics, before writing to
// dst, when the first offset is negative or the last one runs past src.
func TestAccRowsOutOfRange(t *testing.T) {
	for _, tc := range []struct {
		name   string
		n, src int
		off    []int32
	}{
		{"last one past the end", 16, 64, []int32{0, 49}},
		{"last far past the end", 9, 64, []int32{0, 8, math.MaxInt32}},
		{"single past the end", 1, 10, []int32{10}},
		{"src shorter than dst", 33, 32, []int32{0}},
		{"empty src", 8, 0, []int32{0}},
		{"negative first", 8, 64, []int32{-1, 8}},
		{"negative single", 64, 64, []int32{-8}},
	} {
		dst := make([]float32, tc.n)
		for i := range dst {
			dst[i] = float32(i + 1)
		}
		before := slices.Clone(dst)
		src := make([]float32, tc.src)
		for i := range src {
			src[i] = 1
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: accRows(len %d, len %d, %v) did not panic", tc.name, tc.n, tc.src, tc.off)
				}
			}()
			accRows(dst, src, tc.off)
		}()
		if !slices.Equal(dst, before) {
			t.Errorf("%s: accRows wrote to dst before panicking", tc.name)
		}
	}
}

// accCase is a product with a left operand x of rows×V: binary with the
// given density, or binary but for its last element set to odd when that
// is not 1.
type accCase struct {
	rows, V, H int
	density    float64
	odd        float32
}

func (tc accCase) String() string {
	s := fmt.Sprintf("%dx%dx%d_d%.2f", tc.rows, tc.V, tc.H, tc.density)
	if tc.binary() {
		return s
	}
	return s + fmt.Sprintf("_last%v", tc.odd)
}

// binary reports whether the case's x is binary: odd is 1 or its zero value.
func (tc accCase) binary() bool {
	return math.Float32bits(tc.odd) == 0 || tc.odd == 1
}

// x returns the case's left operand, rows×V.
func (tc accCase) x(rng *rand.Rand) []float32 {
	x := make([]float32, tc.rows*tc.V)
	for i := range x {
		if rng.Float64() < tc.density {
			x[i] = 1
		}
	}
	if !tc.binary() {
		x[len(x)-1] = tc.odd
	}
	return x
}

// accCases mixes small odd sizes, MNIST's 784×500, one row, a few rows and
// 64 rows (which parallel shares with the helper goroutine), and left
// operands that make isBinary false at their very last element.
var accCases = []accCase{
	{rows: 1, V: 13, H: 11, density: 0.13},
	{rows: 3, V: 13, H: 11, density: 0.5},
	{rows: 64, V: 13, H: 11, density: 0.13},
	{rows: 64, V: 13, H: 11, density: 0.5},
	{rows: 3, V: 13, H: 11, density: 0},
	{rows: 3, V: 13, H: 11, density: 1},
	{rows: 1, V: 784, H: 500, density: 0.5},
	{rows: 64, V: 784, H: 500, density: 0.13},
	{rows: 3, V: 13, H: 11, density: 0.5, odd: 0.5},
	{rows: 64, V: 13, H: 11, density: 0.5, odd: float32(math.Copysign(0, -1))},
	{rows: 1, V: 13, H: 11, density: 0.13, odd: -2},
	{rows: 64, V: 784, H: 500, density: 0.13, odd: 0.5},
}

// accNormals returns n standard normal float32s.
func accNormals(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

// accProductRef returns c + op(x)·w in float64 and the rounding bound of
// each element: accTolPerTerm·n·Σ|terms|, with n the number of nonzero
// terms (c counts as one; zero products add exactly). x is rows×V; with
// trans, the product is xᵀ·w for w rows×H (dst V×H), else x·w for w V×H
// (dst rows×H). c may be nil.
func accProductRef(x []float32, rows, V int, w []float32, H int, c []float32, trans bool) (want, bound []float64) {
	outer, inner := rows, V
	if trans {
		outer, inner = V, rows
	}
	want, bound = make([]float64, outer*H), make([]float64, outer*H)
	for o := 0; o < outer; o++ {
		for j := 0; j < H; j++ {
			var s, abs float64
			n := 0
			if c != nil {
				s, abs = float64(c[j]), math.Abs(float64(c[j]))
				n++
			}
			for k := 0; k < inner; k++ {
				var xv float32
				if trans {
					xv = x[k*V+o] // xᵀ[o][k]
				} else {
					xv = x[o*V+k]
				}
				wv := w[k*H+j]
				if xv == 0 {
					continue
				}
				p := float64(xv) * float64(wv)
				s += p
				abs += math.Abs(p)
				n++
			}
			want[o*H+j], bound[o*H+j] = s, accTolPerTerm*float64(n)*abs
		}
	}
	return want, bound
}

// accOnesRef returns c + op(x)·w for a binary x as accrows.go states it
// computes it, in float32: start from c (or 0) and add the selected rows
// of w in increasing order.
func accOnesRef(x []float32, rows, V int, w []float32, H int, c []float32, trans bool) []float32 {
	outer, inner := rows, V
	if trans {
		outer, inner = V, rows
	}
	dst := make([]float32, outer*H)
	for o := 0; o < outer; o++ {
		d := dst[o*H : (o+1)*H]
		copy(d, c)
		for k := 0; k < inner; k++ {
			var xv float32
			if trans {
				xv = x[k*V+o] // xᵀ[o][k]
			} else {
				xv = x[o*V+k]
			}
			if xv != 0 {
				for j := range d {
					d[j] += w[k*H+j]
				}
			}
		}
	}
	return dst
}

// accCheck fails t unless every got[i] is within bound[i] of want[i].
func accCheck(t *testing.T, what string, cols int, got []float32, want, bound []float64) {
	t.Helper()
	var worst float64
	for i, w := range want {
		d := math.Abs(float64(got[i]) - w)
		if !(d <= bound[i]) { // NaN fails too
			t.Fatalf("%s: element %d (row %d, column %d) = %v, want %v ± %.3g", what, i, i/cols, i%cols, got[i], w, bound[i])
		}
		if bound[i] > 0 {
			worst = math.Max(worst, d/bound[i])
		}
	}
	t.Logf("%s: worst error %.3g of the bound", what, worst)
}

// accCheckBits fails t unless got and want have the same bits.
func accCheckBits(t *testing.T, what string, cols int, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s: element %d (row %d, column %d) = %v, want %v bit for bit", what, i, i/cols, i%cols, got[i], want[i])
		}
	}
}

// accNaNs returns n NaNs: a destination whose unwritten elements show.
func accNaNs(n int) []float32 {
	d := make([]float32, n)
	for i := range d {
		d[i] = float32(math.NaN())
	}
	return d
}

// TestLinearOnes checks linear, c + x·w, against a float64 reference: a
// binary x takes the row-adding path (off grown to rows·V) and gives the
// bits of the stated float32 sums, whichever goroutine computed a row; any
// other x takes the GEMM (off untouched).
func TestLinearOnes(t *testing.T) {
	for i, tc := range accCases {
		t.Run(tc.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(31, uint64(i)))
			x := tc.x(rng)
			w, c := accNormals(rng, tc.V*tc.H), accNormals(rng, tc.H)
			dst := accNaNs(tc.rows * tc.H)
			var off []int32
			linear(dst, x, tc.rows, tc.V, w, tc.H, c, &off)
			want, bound := accProductRef(x, tc.rows, tc.V, w, tc.H, c, false)
			accCheck(t, "linear", tc.H, dst, want, bound)
			if !tc.binary() {
				if off != nil {
					t.Errorf("non-binary x: off grown to %d, want the dense path (off untouched)", len(off))
				}
				return
			}
			if len(off) != tc.rows*tc.V {
				t.Errorf("binary x: off has %d elements, want rows·V = %d (the row-adding path)", len(off), tc.rows*tc.V)
			}
			accCheckBits(t, "linear", tc.H, dst, accOnesRef(x, tc.rows, tc.V, w, tc.H, c, false))
		})
	}
}

// TestOnesTransProduct checks xᵀ·w for binary x, directly and through
// gemmOp{transA: true}.Do, against the float64 reference and the stated
// float32 sums; and that Do takes the GEMM for a non-binary x. One op
// computes a non-binary product, then a binary one, then a non-binary one
// again, so each path must overwrite the output the other left.
func TestOnesTransProduct(t *testing.T) {
	for i, tc := range accCases {
		t.Run(tc.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(41, uint64(i)))
			x := tc.x(rng)
			w := accNormals(rng, tc.rows*tc.H)
			want, bound := accProductRef(x, tc.rows, tc.V, w, tc.H, nil, true)
			if tc.binary() {
				dst := accNaNs(tc.V * tc.H)
				var off []int32
				var xt []float32
				onesTransProduct(dst, x, tc.rows, tc.V, w, tc.H, &off, &xt)
				accCheck(t, "onesTransProduct", tc.H, dst, want, bound)
				accCheckBits(t, "onesTransProduct", tc.H, dst, accOnesRef(x, tc.rows, tc.V, w, tc.H, nil, true))
			}

			// the other kind of x, for the op's sequence of paths
			other := slices.Clone(x)
			if tc.binary() {
				other[0] = 0.25
			} else {
				other[len(other)-1] = 1
			}
			wantOther, boundOther := accProductRef(other, tc.rows, tc.V, w, tc.H, nil, true)
			wt := tensor.New(tensor.WithShape(tc.rows, tc.H), tensor.WithBacking(w))
			op := &gemmOp{transA: true}
			for k, step := range []struct {
				x            []float32
				want, bound  []float64
				binary, last bool
			}{
				{x, want, bound, tc.binary(), false},
				{other, wantOther, boundOther, !tc.binary(), false},
				{x, want, bound, tc.binary(), true},
			} {
				what := fmt.Sprintf("gemmOp.Do, call %d", k+1)
				xt := tensor.New(tensor.WithShape(tc.rows, tc.V), tensor.WithBacking(step.x))
				offBefore := len(op.off)
				out, err := op.Do(xt, wt)
				if err != nil {
					t.Fatal(err)
				}
				if s := out.Shape(); !s.Eq(tensor.Shape{tc.V, tc.H}) {
					t.Fatalf("%s: shape %v, want (%d, %d)", what, s, tc.V, tc.H)
				}
				got := f32s(out)
				accCheck(t, what, tc.H, got, step.want, step.bound)
				if step.binary {
					accCheckBits(t, what, tc.H, got, accOnesRef(step.x, tc.rows, tc.V, w, tc.H, nil, true))
					if len(op.off) != tc.rows*tc.V {
						t.Errorf("%s, binary x: op.off has %d elements, want rows·V = %d", what, len(op.off), tc.rows*tc.V)
					}
				} else if len(op.off) != offBefore {
					t.Errorf("%s, non-binary x: op.off went from %d to %d elements, want the dense path", what, offBefore, len(op.off))
				}
				for j := range got { // the next call must overwrite all of it
					got[j] = float32(math.NaN())
				}
			}
		})
	}
}

// accModel returns a model with N(0, 1) weights and biases (script layout
// w, Hidden×Visible) set through FromParams.
func accModel(t *testing.T, rng *rand.Rand, V, H int) (m *Model, w, vb []float32) {
	t.Helper()
	w, vb = accNormals(rng, H*V), accNormals(rng, V)
	m, err := FromParams(V, H, 0.1, w, vb, accNormals(rng, H))
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
			if !slices.Equal(accBits(again), accBits(first)) {
				t.Error("a second call without a parameter change changed Wᵀ")
			}

			version := m.version.Load()
			w := accNormals(rng, H*V)
			if err := m.SetParams(w, accNormals(rng, V), accNormals(rng, H)); err != nil {
				t.Fatal(err)
			}
			if m.version.Load() == version {
				t.Fatal("SetParams did not change the parameter version")
			}
			if got := m.transposedWeights(); !slices.Equal(accBits(got), accBits(w)) {
				t.Error("after SetParams: Wᵀ is not the new script-layout w")
			}
		})
	}
}

// sigmoidTolULPs is sigmoid32ULPs plus one ulp, for σ's value at the
// rounded activation lying across a power of two from the exact one.
const sigmoidTolULPs = sigmoid32ULPs + 1

// TestVisibleProbabilitiesOnes checks VisibleProbabilities, σ(b + h·Wᵀ),
// against a float64 reference for binary h (rows of the cached Wᵀ added
// up, with the bits of sigmoid32 of the stated float32 sums) and for
// non-binary h (GEMM), before and after SetParams: a stale Wᵀ would fail
// the second round. The tolerance is the activation's bound times
// max σ' = 1/4, plus sigmoidTolULPs of the value.
func TestVisibleProbabilitiesOnes(t *testing.T) {
	for i, tc := range accCases {
		// the case's V×H is the product h (rows×Hidden) · Wᵀ (Hidden×Visible)
		hidden, visible := tc.V, tc.H
		t.Run(tc.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(61, uint64(i)))
			m, w, vb := accModel(t, rng, visible, hidden)
			h := tc.x(rng)
			for round := 1; round <= 2; round++ {
				what := fmt.Sprintf("round %d", round)
				if round == 2 {
					w, vb = accNormals(rng, hidden*visible), accNormals(rng, visible)
					if err := m.SetParams(w, vb, accNormals(rng, hidden)); err != nil {
						t.Fatal(err)
					}
				}
				pV := accNaNs(tc.rows * visible)
				m.VisibleProbabilities(pV, h, tc.rows)
				// w in the script's layout is Wᵀ, Hidden×Visible
				z, zBound := accProductRef(h, tc.rows, hidden, w, visible, vb, false)
				want, bound := make([]float64, len(z)), make([]float64, len(z))
				for k, zk := range z {
					want[k] = 1 / (1 + math.Exp(-zk))
					wf := float32(want[k])
					ulp := float64(math.Nextafter32(wf, float32(math.Inf(1))) - wf)
					bound[k] = zBound[k]/4 + sigmoidTolULPs*ulp
				}
				accCheck(t, what, visible, pV, want, bound)
				if tc.binary() {
					zs := accOnesRef(h, tc.rows, hidden, w, visible, vb, false)
					for k := range zs {
						zs[k] = sigmoid32(zs[k])
					}
					accCheckBits(t, what, visible, pV, zs)
				}
			}
		})
	}
}
