package prodtest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"testing"

	"gorbm.dev/gorbm/internal/par"
)

// Main runs m's tests with *pool a pool of one helper, on two processors
// at least, so that the work the tests hand to it is shared as training
// shares it; it closes the pool and exits with the tests' status. Call it
// from TestMain.
func Main(m *testing.M, pool **par.Pool) {
	if runtime.GOMAXPROCS(0) < 2 {
		runtime.GOMAXPROCS(2)
	}
	*pool = par.New(1)
	code := m.Run()
	(*pool).Close()
	os.Exit(code)
}

// TolPerTerm bounds the float32 rounding error of a sum of n products
// (or rows), relative to Σ|terms|, per term: any float32 evaluation of such
// a sum, in any order, is within γ_n·Σ|terms| of the exact value (Higham,
// §3.1), γ_n = n·u/(1−n·u) with u = 2⁻²⁴, which stays below 2n·u = n·2⁻²³
// while n·u < 1/2. A missed, doubled or wrong row is off by a whole term.
const TolPerTerm = 0x1p-23

// Case is a product with a left operand x of rows×V: binary with the
// given density, or binary but for its last element set to odd when that
// is not 1.
type Case struct {
	Rows, V, H int
	Density    float64
	Odd        float32
}

func (tc Case) String() string {
	s := fmt.Sprintf("%dx%dx%d_d%.2f", tc.Rows, tc.V, tc.H, tc.Density)
	if tc.Binary() {
		return s
	}
	return s + fmt.Sprintf("_last%v", tc.Odd)
}

// Binary reports whether the case's x is binary: odd is 1 or its zero value.
func (tc Case) Binary() bool {
	return math.Float32bits(tc.Odd) == 0 || tc.Odd == 1
}

// X returns the case's left operand, rows×V.
func (tc Case) X(rng *rand.Rand) []float32 {
	x := make([]float32, tc.Rows*tc.V)
	for i := range x {
		if rng.Float64() < tc.Density {
			x[i] = 1
		}
	}
	if !tc.Binary() {
		x[len(x)-1] = tc.Odd
	}
	return x
}

// Cases mixes small odd sizes, MNIST's 784×500, one row, a few rows and
// 64 rows (which parallel shares with the helper goroutine), and left
// operands that make isBinary false at their very last element.
var Cases = []Case{
	{Rows: 1, V: 13, H: 11, Density: 0.13},
	{Rows: 3, V: 13, H: 11, Density: 0.5},
	{Rows: 64, V: 13, H: 11, Density: 0.13},
	{Rows: 64, V: 13, H: 11, Density: 0.5},
	{Rows: 3, V: 13, H: 11, Density: 0},
	{Rows: 3, V: 13, H: 11, Density: 1},
	{Rows: 1, V: 784, H: 500, Density: 0.5},
	{Rows: 64, V: 784, H: 500, Density: 0.13},
	{Rows: 3, V: 13, H: 11, Density: 0.5, Odd: 0.5},
	{Rows: 64, V: 13, H: 11, Density: 0.5, Odd: float32(math.Copysign(0, -1))},
	{Rows: 1, V: 13, H: 11, Density: 0.13, Odd: -2},
	{Rows: 64, V: 784, H: 500, Density: 0.13, Odd: 0.5},
}

// Normals returns n standard normal float32s.
func Normals(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

// ProductRef returns c + op(x)·w in float64 and the rounding bound of
// each element: TolPerTerm·n·Σ|terms|, with n the number of nonzero
// terms (c counts as one; zero products add exactly). x is rows×V; with
// trans, the product is xᵀ·w for w rows×H (dst V×H), else x·w for w V×H
// (dst rows×H). c may be nil.
func ProductRef(x []float32, rows, V int, w []float32, H int, c []float32, trans bool) (want, bound []float64) {
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
			want[o*H+j], bound[o*H+j] = s, TolPerTerm*float64(n)*abs
		}
	}
	return want, bound
}

// OnesRef returns c + op(x)·w for a binary x as accrows.go states it
// computes it, in float32: start from c (or 0) and add the selected rows
// of w in increasing order.
func OnesRef(x []float32, rows, V int, w []float32, H int, c []float32, trans bool) []float32 {
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

// Check fails t unless every got[i] is within bound[i] of want[i].
func Check(t *testing.T, what string, cols int, got []float32, want, bound []float64) {
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

// CheckBits fails t unless got and want have the same bits.
func CheckBits(t *testing.T, what string, cols int, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s: element %d (row %d, column %d) = %v, want %v bit for bit", what, i, i/cols, i%cols, got[i], want[i])
		}
	}
}

// NaNs returns n NaNs: a destination whose unwritten elements show.
func NaNs(n int) []float32 {
	d := make([]float32, n)
	for i := range d {
		d[i] = float32(math.NaN())
	}
	return d
}
