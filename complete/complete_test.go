package complete

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gorbm.dev/gorbm/graph"
)

// counting is a seeded uniform source that counts its draws.
type counting struct {
	r *rand.Rand
	n int
}

func (c *counting) Float32() float32 { c.n++; return c.r.Float32() }

func newCounting(seed uint64) *counting { return &counting{r: rand.New(rand.NewPCG(seed, 1))} }

// tinyModel is a 4×3 model with strong weights, so that what is given
// changes the rest's distribution a lot: pixels 0 and 1 switch hidden unit
// 0, which switches pixels 2 and 3 on; pixel 3 also pulls hidden unit 1,
// which switches pixel 2 off.
func tinyModel(t *testing.T) *graph.Model {
	t.Helper()
	m, err := graph.FromParams(4, 3,
		[]float32{ // Hidden×Visible
			3, 3, 3, 3,
			0, 0, -4, 3,
			1, -1, 0, 0,
		},
		[]float32{-2, -2, -1.5, -2},
		[]float32{-4, -1, 0})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// exactConditional returns p(v_i = 1 | the given pixels of v) for each
// pixel i of m's 2^V images, by enumeration with exp(−F).
func exactConditional(t *testing.T, m *graph.Model, v []float32, given []bool) []float64 {
	t.Helper()
	V := m.Visible()
	all := make([]float32, 0, V<<V)
	for s := 0; s < 1<<V; s++ {
		for i := 0; i < V; i++ {
			all = append(all, float32(s>>i&1))
		}
	}
	f := make([]float32, 1<<V)
	if err := m.FreeEnergies(f, all, 1<<V); err != nil {
		t.Fatal(err)
	}
	on := make([]float64, V)
	var z float64
	for s := 0; s < 1<<V; s++ {
		ok := true
		for i := 0; i < V; i++ {
			if given[i] && all[s*V+i] != v[i] {
				ok = false
			}
		}
		if !ok {
			continue
		}
		p := math.Exp(-float64(f[s]))
		z += p
		for i := 0; i < V; i++ {
			on[i] += p * float64(all[s*V+i])
		}
	}
	for i := range on {
		on[i] /= z
	}
	return on
}

// sampleTol bounds |estimated − exact| conditional probabilities over
// chainRows chains: a frequency's standard error is at most
// √(¼/chainRows) ≈ 0.011, and the Mean estimate (an average of p(v|h))
// is no noisier; 0.05 is more than 4 of them, while clamping the wrong
// pixels or not at all moves the probabilities here by 0.2 or more.
const (
	chainRows = 2000
	sampleTol = 0.05
)

// TestCompleteMatchesExact runs many chains of the same image and compares
// the completed pixels' frequencies and Mean with the exact conditional
// probabilities.
func TestCompleteMatchesExact(t *testing.T) {
	m := tinyModel(t)
	for _, tc := range []struct {
		name  string
		image []float32
		given []bool
	}{
		{"first two on", []float32{1, 1, 0, 0}, []bool{true, true, false, false}},
		{"first two off", []float32{0, 0, 1, 1}, []bool{true, true, false, false}},
		{"last on", []float32{0, 0, 0, 1}, []bool{false, false, false, true}},
		{"one of each", []float32{1, 0, 1, 0}, []bool{true, false, true, false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := make([]float32, 0, chainRows*4)
			for range chainRows {
				v = append(v, tc.image...)
			}
			r, err := Complete(m, v, chainRows, tc.given, 20, newCounting(3))
			if err != nil {
				t.Fatal(err)
			}
			want := exactConditional(t, m, tc.image, tc.given)
			for i, g := range tc.given {
				var freq, mean float64
				for row := 0; row < chainRows; row++ {
					freq += float64(r.Sample[row*4+i])
					mean += float64(r.Mean[row*4+i])
				}
				freq /= chainRows
				mean /= chainRows
				if g {
					if freq != float64(tc.image[i]) || mean != float64(tc.image[i]) {
						t.Errorf("given pixel %d: sample frequency %v, mean %v, want the image's %v", i, freq, mean, tc.image[i])
					}
					continue
				}
				if math.Abs(freq-want[i]) > sampleTol || math.Abs(mean-want[i]) > sampleTol {
					t.Errorf("pixel %d: sample frequency %.3f, mean %.3f, exact p(on | given) %.3f", i, freq, mean, want[i])
				}
			}
		})
	}
}

// TestDraws checks the number of draws the package documentation states.
func TestDraws(t *testing.T) {
	m := tinyModel(t)
	const rows, steps = 3, 5
	v := make([]float32, rows*4)
	src := newCounting(1)
	if _, err := Complete(m, v, rows, []bool{true, false, false, true}, steps, src); err != nil {
		t.Fatal(err)
	}
	if want := steps * rows * (3 + 4); src.n != want {
		t.Errorf("Complete drew %d uniforms, want %d", src.n, want)
	}
	src.n = 0
	if _, err := BaseRate([]float64{0.1, 0.2, 0.3, 0.4}, v, rows, []bool{true, false, false, true}, src); err != nil {
		t.Fatal(err)
	}
	if src.n != rows*4 {
		t.Errorf("BaseRate drew %d uniforms, want %d", src.n, rows*4)
	}
}

// TestBadInput: each mistake is one error, found before any draw.
func TestBadInput(t *testing.T) {
	m := tinyModel(t)
	img := []float32{1, 0, 1, 0}
	half := []bool{true, true, false, false}
	for _, tc := range []struct {
		name  string
		v     []float32
		rows  int
		given []bool
		steps int
		want  string
	}{
		{"a mask for another model", img, 1, []bool{true, false, true}, 10, "mask of 3 pixels for a model of 4"},
		{"an empty mask", img, 1, []bool{false, false, false, false}, 10, "gives no pixel"},
		{"a mask that gives everything", img, 1, []bool{true, true, true, true}, 10, "nothing to complete"},
		{"a grey image", []float32{1, 0.5, 1, 0}, 1, half, 10, "binarize"},
		{"images of another size", []float32{1, 0, 1, 0, 1}, 1, half, 10, "5 values for 1 images of 4"},
		{"no images", nil, 0, half, 10, "0 values for 0 images"},
		{"no steps", img, 1, half, 0, "0 Gibbs steps"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := newCounting(1)
			_, err := Complete(m, tc.v, tc.rows, tc.given, tc.steps, src)
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("Complete: error %v, want one line saying %q", err, tc.want)
			}
			if tc.steps > 0 {
				if _, err := BaseRate(make([]float64, 4), tc.v, tc.rows, tc.given, src); err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("BaseRate: error %v, want one saying %q", err, tc.want)
				}
			}
			if src.n != 0 {
				t.Errorf("%d draws before the error", src.n)
			}
		})
	}
	if _, err := BaseRate([]float64{0, 1, 1.5, 0}, img, 1, half, newCounting(1)); err == nil {
		t.Error("BaseRate with a marginal of 1.5 gave no error")
	}
}

// TestScore checks Score on a hand-made completion of two images.
func TestScore(t *testing.T) {
	given := []bool{true, false, false, true}
	truth := []float32{1, 1, 0, 0, 0, 0, 1, 1}
	r := Result{Rows: 2,
		Sample: []float32{1, 1, 1, 0, 0, 0, 1, 1},         // missing pixels: 1 1 | 0 1: 3 of 4 right
		Mean:   []float32{1, 0.4, 0.2, 0, 0, 0.6, 0.9, 1}} // most probable: 0 0 | 1 1: 2 of 4 right
	s, err := r.Score(truth, given)
	if err != nil {
		t.Fatal(err)
	}
	if s != (Score{Sampled: 0.75, MostProbable: 0.5, Pixels: 4}) {
		t.Errorf("Score = %+v, want sampled 0.75, most probable 0.5 of 4 pixels", s)
	}
}

func TestMasks(t *testing.T) {
	top := TopHalf(4, 3)
	for i, g := range top {
		if g != (i < 6) {
			t.Fatalf("TopHalf(4, 3) = %v, want the first 2 rows of 3", top)
		}
	}
	a, b := RandomHalf(784, rand.New(rand.NewPCG(1, 2))), RandomHalf(784, rand.New(rand.NewPCG(1, 2)))
	c := RandomHalf(784, rand.New(rand.NewPCG(1, 3)))
	count := func(m []bool) (n int) {
		for _, g := range m {
			if g {
				n++
			}
		}
		return n
	}
	if count(a) != 392 || count(c) != 392 {
		t.Errorf("RandomHalf gives %d and %d of 784 pixels, want 392", count(a), count(c))
	}
	same := func(x, y []bool) bool {
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	}
	if !same(a, b) || same(a, c) || same(a, TopHalf(28, 28)) {
		t.Error("RandomHalf is not a function of its seed alone, or not random")
	}
	for _, tc := range []struct{ rows, want int }{{-1, 0}, {0, 0}, {3, 9}, {4, 12}, {5, 12}} {
		if got := count(Top(4, 3, tc.rows)); got != tc.want {
			t.Errorf("Top(4, 3, %d) gives %d pixels, want %d", tc.rows, got, tc.want)
		}
	}
	for _, tc := range []struct{ given, want int }{{-1, 0}, {0, 0}, {100, 100}, {784, 784}, {900, 784}} {
		if got := count(Random(784, tc.given, rand.New(rand.NewPCG(1, 2)))); got != tc.want {
			t.Errorf("Random(784, %d) gives %d pixels, want %d", tc.given, got, tc.want)
		}
	}
}

func TestPicture(t *testing.T) {
	given := TopHalf(2, 2)
	truth := []float32{1, 1, 0, 1, 0, 1, 1, 0}
	r := Result{Rows: 2, Sample: truth, Mean: []float32{1, 1, 0.25, 0.75, 0, 1, 1, 0}}
	img, err := Picture(r, truth, given, 2, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	// Three rows of two 2×2 tiles with viz's 2-pixel padding.
	if b := img.Bounds(); b.Dx() != 2*4+2 || b.Dy() != 3*4+2 {
		t.Fatalf("picture %v, want 10×14", b)
	}
	grey := func(x, y int) uint8 { r, _, _, _ := img.At(x, y).RGBA(); return uint8(r >> 8) }
	byteOf := func(x float32) uint8 { return uint8(x * 255) } // viz truncates
	// Tile (row 0, col 0) starts at (2, 2): its top row given (white), its bottom row unknown.
	if grey(2, 2) != 255 || grey(2, 3) != byteOf(Unknown) {
		t.Errorf("given row: pixels %d, %d; want 255 and %d", grey(2, 2), grey(2, 3), byteOf(Unknown))
	}
	if grey(2, 7) != byteOf(0.25) { // row 1: the Mean
		t.Errorf("completed row: pixel %d, want %d", grey(2, 7), byteOf(0.25))
	}
	if _, err := Picture(r, truth, given, 3, 2, 2); err == nil {
		t.Error("a picture of 3 of 2 images gave no error")
	}
}
