package metrics

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gorbm.dev/gorbm/graph"
)

// boundTol bounds |bound − its brute-force definition| on the tiny models.
// The closed forms are float64 sums of softplus terms (a few ulps); the
// images' bound sums exp(−F) with F rounded to float32 by FreeEnergies:
// ε ≈ 6e-8 of |F| ≤ 100 here, 6e-6 nats, with room to spare.
const boundTol = 1e-4

// bruteTerms returns log Σ exp(−E(v, h)) over the joint states for which
// keep(v, h) is true, v and h given as bit masks; w is Hidden×Visible.
func bruteTerms(V, H int, w, b, c []float64, keep func(v, h int) bool) float64 {
	var z float64
	for vs := 0; vs < 1<<V; vs++ {
		for hs := 0; hs < 1<<H; hs++ {
			if !keep(vs, hs) {
				continue
			}
			var negE float64
			for i := 0; i < V; i++ {
				vi := float64(vs >> i & 1)
				negE += vi * b[i]
				for j := 0; j < H; j++ {
					negE += vi * float64(hs>>j&1) * w[j*V+i]
				}
			}
			for j := 0; j < H; j++ {
				negE += float64(hs>>j&1) * c[j]
			}
			z += math.Exp(negE)
		}
	}
	return math.Log(z)
}

// imageRows returns the 0/1 rows of the visible states in masks.
func imageRows(V int, masks []int) []float32 {
	v := make([]float32, 0, V*len(masks))
	for _, m := range masks {
		for i := 0; i < V; i++ {
			v = append(v, float32(m>>i&1))
		}
	}
	return v
}

// TestLogZLowerBounds checks each bound against its definition, a part of
// Z's sum computed by brute force over the joint states, and against the
// exact log Z, on tiny models where each bound in turn is the best: the
// images are given with repeats, and only their distinct states count.
func TestLogZLowerBounds(t *testing.T) {
	const V, H = 5, 3
	rng := rand.New(rand.NewPCG(11, 12))
	randn := func(n int, mean, std float64) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = mean + rng.NormFloat64()*std
		}
		return x
	}
	for _, tc := range []struct {
		name    string
		w, b, c []float64
		images  [][]int // batches of visible states, as masks
		best    string  // the name Best gives
	}{
		// Strong visible biases, weak weights: the hidden-off terms dominate.
		{"visible biases", randn(V*H, 0, 0.1), randn(V, 3, 0.5), randn(H, -3, 0.5), [][]int{{0, 1}}, "every hidden unit off"},
		// Strong hidden biases, negative visible biases: the visible-off terms.
		{"hidden biases", randn(V*H, 0, 0.1), randn(V, -3, 0.5), randn(H, 3, 0.5), [][]int{{1, 2, 1}}, "every visible unit off"},
		// Strong weights: a few images carry most of Z.
		{"images", randn(V*H, 0, 3), randn(V, 0, 1), randn(H, 0, 1), [][]int{{31, 0, 31, 7}, {7, 24, 5, 6, 9, 10, 12, 17, 18, 20, 3}}, "the terms of 13 distinct images"},
		// Every state once, and again: the images' bound is log Z itself.
		{"every image", randn(V*H, 0, 1), randn(V, 0, 1), randn(H, 0, 1), [][]int{allStates(V), allStates(V)}, "the terms of 32 distinct images"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, b, c := f64(tc.w), f64(tc.b), f64(tc.c)
			m, err := graph.FromParams(V, H, toF32(w), toF32(b), toF32(c))
			if err != nil {
				t.Fatal(err)
			}
			var batches [][]float32
			in := map[int]bool{}
			for _, masks := range tc.images {
				batches = append(batches, imageRows(V, masks))
				for _, s := range masks {
					in[s] = true
				}
			}
			got, err := LogZLowerBounds(m, batches...)
			if err != nil {
				t.Fatal(err)
			}
			exact, err := ExactLogZ(m)
			if err != nil {
				t.Fatal(err)
			}
			for _, bd := range []struct {
				name      string
				got, want float64
			}{
				{"all hidden off", got.HiddenOff, bruteTerms(V, H, w, b, c, func(_, h int) bool { return h == 0 })},
				{"all visible off", got.VisibleOff, bruteTerms(V, H, w, b, c, func(v, _ int) bool { return v == 0 })},
				{"images", got.Images, bruteTerms(V, H, w, b, c, func(v, _ int) bool { return in[v] })},
			} {
				if math.Abs(bd.got-bd.want) > boundTol {
					t.Errorf("%s: %.6f, brute force %.6f", bd.name, bd.got, bd.want)
				}
				if bd.got > exact+boundTol {
					t.Errorf("%s: %.6f is above the exact log Z %.6f", bd.name, bd.got, exact)
				}
			}
			if got.DistinctImages != len(in) {
				t.Errorf("%d distinct images, want %d", got.DistinctImages, len(in))
			}
			best, name := got.Best()
			if name != tc.best || best != max(got.HiddenOff, got.VisibleOff, got.Images) {
				t.Errorf("Best = %.4f (%s); want the largest of %+v, %s", best, name, got, tc.best)
			}
			if len(in) == 1<<V && math.Abs(got.Images-exact) > boundTol {
				t.Errorf("the images' bound over every state is %.6f, the exact log Z %.6f", got.Images, exact)
			}
		})
	}
}

func allStates(V int) []int {
	s := make([]int, 1<<V)
	for i := range s {
		s[i] = i
	}
	return s
}

func TestLogZLowerBoundsErrors(t *testing.T) {
	m, err := graph.FromParams(2, 1, []float32{1, -1}, []float32{0.5, 0}, []float32{0.2})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		v    []float32
		want string
	}{
		{"a grey image", []float32{1, 0.5}, "0/1 images"},
		{"half a row", []float32{1, 0, 1}, "not rows of 2"},
	} {
		if _, err := LogZLowerBounds(m, tc.v); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.want)
		}
	}
	b, err := LogZLowerBounds(m)
	if err != nil || !math.IsInf(b.Images, -1) || b.DistinctImages != 0 {
		t.Errorf("no images: %+v, %v; want an images' bound of −Inf", b, err)
	}
}

// TestTestLogProbUpperBound: an upper bound on an average log-probability
// says something only below 0.
func TestTestLogProbUpperBound(t *testing.T) {
	for _, tc := range []struct {
		bound float64
		ok    bool
	}{{-84.8, true}, {633.82, false}, {0, false}} {
		ll := LogLikelihood{TestLogProbBound: tc.bound}
		if got, ok := ll.TestLogProbUpperBound(); got != tc.bound || ok != tc.ok {
			t.Errorf("bound %v: got %v, %v; want %v, %v", tc.bound, got, ok, tc.bound, tc.ok)
		}
	}
}
