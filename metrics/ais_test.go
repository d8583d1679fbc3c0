package metrics

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/internal/rng"
	"gorbm.dev/gorbm/train"
)

// logLikTol bounds every estimator's distance from the exact value on the
// small models: the 0.5 nat. The estimators' bias shrinks as the
// schedule grows (testBetas keeps CI short; the opt-in
// TestLogLikelihoodPaperSchedule runs the paper's), while the failures they
// must expose, a missed mode or a wrong weight, are worth tens of nats.
const logLikTol = 0.5

// handTol bounds AIS and RAISE against a float64 hand computation on a
// 2×1 model: the fields and softplus terms are float32 (softplus within 4
// ulps), a few terms of magnitude 1 each.
const handTol = 1e-5

// The size of the runs on the small models, small enough for CI.
const (
	testBetas  = 1000
	testChains = 30
	testImages = 500 // test images evaluated
	testRAISE  = 30  // of which RAISE uses
)

var mnistTest = sync.OnceValues(func() (*train.Dataset, error) {
	dir, err := train.DataDir()
	if err != nil {
		return nil, err
	}
	return train.LoadSet(filepath.Join(dir, train.TestImages), filepath.Join(dir, train.TestLabels))
})

// testSet returns MNIST's test set: its first images train the small
// models, images 5000 on are their test images.
func testSet(t testing.TB) *train.Dataset {
	t.Helper()
	d, err := mnistTest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// smallModel is a 784×H model with its pixel marginals.
type smallModel struct {
	name string
	m    *graph.Model
	marg []float64
}

// smallModels returns the models of the issue: (a) random weights and
// biases, (b) trained by the script's recipe (graph.New's small weights,
// zero biases, CD-1 at lr 0.1) on 300 images for 2 epochs, which keeps
// the visible biases near 0 and with them the mode of noise images with
// every hidden unit off, and (c) strong biases: a digit-prototype model
// whose visible biases are the data's logits (up to ±4.6).
func smallModels(t testing.TB) []smallModel {
	t.Helper()
	d := testSet(t)
	head := d.Head(300)
	marg, err := PixelMarginals(head.Images, head.N, train.Pixels)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	randn := func(n int, std float64) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(rng.NormFloat64() * std)
		}
		return x
	}
	random, err := graph.FromParams(train.Pixels, 10, randn(10*train.Pixels, 0.1), randn(train.Pixels, 0.3), randn(10, 0.3))
	if err != nil {
		t.Fatal(err)
	}
	src := train.NewSources(1)
	trained, err := graph.New(train.Pixels, 12, src.Init)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := graph.NewTrainer(trained, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if _, err := train.Fit(tr, head, train.Config{Epochs: 2, BatchSize: 64, K: 1}, src, nil); err != nil {
		t.Fatal(err)
	}
	return []smallModel{
		{"random", random, marg},
		{"trained", trained, marg},
		{"strong biases", prototypeModel(t, head, marg, 2), marg},
	}
}

// prototypeModel builds a 784×10 RBM with the structure of a digit model:
// hidden unit j pulls the image towards the mean image of digit j
// (weights scale·(class mean − overall mean), hidden biases −scale),
// visible biases from the pixel marginals clipped to [0.01, 0.99].
func prototypeModel(t testing.TB, d *train.Dataset, marg []float64, scale float64) *graph.Model {
	t.Helper()
	const H = 10
	var sum [H][train.Pixels]float64
	var count [H]float64
	for n := 0; n < d.N; n++ {
		k := d.Labels[n]
		count[k]++
		for i, x := range d.Image(n) {
			sum[k][i] += float64(x) / 255
		}
	}
	w := make([]float32, H*train.Pixels) // script layout, Hidden×Visible
	b := make([]float32, train.Pixels)
	c := make([]float32, H)
	for j := 0; j < H; j++ {
		for i := 0; i < train.Pixels; i++ {
			w[j*train.Pixels+i] = float32(scale * (sum[j][i]/count[j] - marg[i]))
		}
		c[j] = float32(-scale)
	}
	for i, p := range marg {
		p = math.Min(math.Max(p, 0.01), 0.99)
		b[i] = float32(math.Log(p / (1 - p)))
	}
	m, err := graph.FromParams(train.Pixels, H, w, b, c)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// binarizedTest returns n binarized test images from image 5000 on.
func binarizedTest(t testing.TB, n int) []float32 {
	d := testSet(t)
	v := make([]float32, n*train.Pixels)
	train.Binarize(v, d.Images[5000*train.Pixels:(5000+n)*train.Pixels], rand.New(rand.NewPCG(3, 3)))
	return v
}

// exactLogProb returns the average exact log-probability of the rows of v
// whose indices are in rows.
func exactLogProb(t testing.TB, m *graph.Model, v []float32, rows []int, logZ float64) float64 {
	sub := make([]float32, 0, len(rows)*train.Pixels)
	for _, r := range rows {
		sub = append(sub, v[r*train.Pixels:(r+1)*train.Pixels]...)
	}
	lp, err := LogProbability(m, sub, len(rows), logZ)
	if err != nil {
		t.Fatal(err)
	}
	return lp
}

// TestLogLikelihoodMatchesExact checks every estimator against the exact
// log Z and test log-probabilities of the three small models.
func TestLogLikelihoodMatchesExact(t *testing.T) {
	betas, err := Schedule(testBetas)
	if err != nil {
		t.Fatal(err)
	}
	checkLogLikelihood(t, betas, testChains, testRAISE)
}

// TestLogLikelihoodPaperSchedule is TestLogLikelihoodMatchesExact with
// the paper's schedule, 100 chains and 100 RAISE images: about a minute,
// so it runs when GORBM_PAPER_AIS is set (CI's benchmark step sets it).
func TestLogLikelihoodPaperSchedule(t *testing.T) {
	if os.Getenv("GORBM_PAPER_AIS") == "" {
		t.Skip("the paper's schedule takes a minute: set GORBM_PAPER_AIS=1 to run it")
	}
	checkLogLikelihood(t, PaperSchedule(), DefaultChains, DefaultRAISEImages)
}

func checkLogLikelihood(t *testing.T, betas []float64, chains, raise int) {
	v := binarizedTest(t, testImages)
	all := make([]int, testImages)
	for i := range all {
		all[i] = i
	}
	raised := make([]int, raise) // RAISE's images: every (testImages/raise)-th
	for i := range raised {
		raised[i] = i * testImages / raise
	}
	for _, sm := range smallModels(t) {
		t.Run(sm.name, func(t *testing.T) {
			exact, err := ExactLogZ(sm.m)
			if err != nil {
				t.Fatal(err)
			}
			ll, err := EstimateLogLikelihood(context.Background(), sm.m, v, testImages,
				LogLikelihoodOptions{Marginals: sm.marg, Betas: betas, Chains: chains, RAISEImages: raise}, rng.New(11, 12))
			if err != nil {
				t.Fatal(err)
			}
			exactTest := exactLogProb(t, sm.m, v, all, exact)
			exactRaised := exactLogProb(t, sm.m, v, raised, exact)
			t.Logf("exact log Z %.3f, bounds %+v; base rate %+.3f (±3σ %+.3f %+.3f, ESS %.1f), uniform %+.3f (±3σ %+.3f %+.3f, ESS %.1f), combined %+.3f",
				exact, ll.Bounds, ll.BaseRate.LogZ-exact, ll.BaseRate.Low-exact, ll.BaseRate.High-exact, ll.BaseRate.ESS,
				ll.Uniform.LogZ-exact, ll.Uniform.Low-exact, ll.Uniform.High-exact, ll.Uniform.ESS, ll.LogZ-exact)
			t.Logf("test log p exact %.3f, AIS %+.3f; on RAISE's images exact %.3f, bracket [%+.3f, %+.3f]",
				exactTest, ll.TestLogProb-exactTest, exactRaised, ll.RAISE.LogProb-exactRaised, ll.RAISEAIS-exactRaised)
			for _, w := range ll.Warnings {
				t.Logf("warning: %s", w)
			}

			if d := math.Abs(ll.LogZ - exact); d > logLikTol {
				t.Errorf("combined log Z %.3f, exact %.3f: |Δ| = %.3f > %g", ll.LogZ, exact, d, logLikTol)
			}
			// Each base is right, or a warning names it.
			for _, b := range []struct {
				name string
				res  AISResult
			}{{"base-rate", ll.BaseRate}, {"uniform", ll.Uniform}} {
				if d := math.Abs(b.res.LogZ - exact); d > logLikTol && !warned(ll.Warnings, b.name) {
					t.Errorf("%s AIS log Z %.3f is %.3f from the exact %.3f, and no warning names it", b.name, b.res.LogZ, d, exact)
				}
			}
			if d := math.Abs(ll.TestLogProb - exactTest); d > logLikTol {
				t.Errorf("test log-probability %.3f, exact %.3f: |Δ| = %.3f > %g", ll.TestLogProb, exactTest, d, logLikTol)
			}
			if d := math.Abs(ll.RAISE.LogProb - exactRaised); d > logLikTol {
				t.Errorf("RAISE %.3f, exact %.3f on the same images: |Δ| = %.3f > %g", ll.RAISE.LogProb, exactRaised, d, logLikTol)
			}
			// RAISE is a stochastic lower bound: its error, the mean of the
			// images' errors, may be above 0 by chance, by a few of their
			// standard errors.
			errs := make([]float64, raise)
			for i, r := range raised {
				errs[i] = ll.RAISE.LogProbs[i] - exactLogProb(t, sm.m, v, []int{r}, exact)
			}
			slack := 3 * stdErr(errs)
			if top := -meanF(t, sm.m, v, raised) - ll.LogZLow; !(ll.RAISE.LogProb <= exactRaised+slack && exactRaised <= top) {
				t.Errorf("bracket [%.3f (RAISE, %.3f slack), %.3f (AIS −3σ)] does not hold the exact %.3f", ll.RAISE.LogProb, slack, top, exactRaised)
			}
			if best, name := ll.Bounds.Best(); best > exact+boundTol || ll.Bounds.DistinctImages == 0 {
				t.Errorf("best lower bound %.3f (%s, %+v) above the exact log Z %.3f, or no images in it", best, name, ll.Bounds, exact)
			}
		})
	}
}

// stdErr returns the standard error of the mean of x.
func stdErr(x []float64) float64 {
	var m, ss float64
	for _, xi := range x {
		m += xi / float64(len(x))
	}
	for _, xi := range x {
		ss += (xi - m) * (xi - m)
	}
	return math.Sqrt(ss / float64(len(x)-1) / float64(len(x)))
}

// meanF returns the mean free energy of the rows of v in rows.
func meanF(t testing.TB, m *graph.Model, v []float32, rows []int) float64 {
	return -exactLogProb(t, m, v, rows, 0)
}

// warned reports whether a warning mentions s.
func warned(warnings []string, s string) bool {
	for _, w := range warnings {
		if strings.Contains(w, s) {
			return true
		}
	}
	return false
}

// handModel is a 2×1 RBM small enough to anneal by hand.
func handModel(t *testing.T) *graph.Model {
	m, err := graph.FromParams(2, 1, []float32{1, -1}, []float32{0.5, -0.5}, []float32{0.2})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// handLogF is log p*_β(v) of handModel with the base biases bA.
func handLogF(beta float64, v [2]float64, bA [2]float64) float64 {
	w, b, c := [2]float64{1, -1}, [2]float64{0.5, -0.5}, 0.2
	return (1-beta)*(v[0]*bA[0]+v[1]*bA[1]) + beta*(v[0]*b[0]+v[1]*b[1]) + graph.Softplus(beta*(v[0]*w[0]+v[1]*w[1]+c))
}

// handTransition is one Gibbs transition at β with the uniforms uh (one)
// and uv (two).
func handTransition(beta float64, v [2]float64, bA [2]float64, uh float32, uv [2]float32) [2]float64 {
	w, b, c := [2]float64{1, -1}, [2]float64{0.5, -0.5}, 0.2
	var h float64
	if float32(graph.Logistic(beta*(v[0]*w[0]+v[1]*w[1]+c))) > uh {
		h = 1
	}
	var next [2]float64
	for i := range next {
		if float32(graph.Logistic((1-beta)*bA[i]+beta*(h*w[i]+b[i]))) > uv[i] {
			next[i] = 1
		}
	}
	return next
}

// TestAISHandComputed runs AIS with three inverse temperatures on two
// chains with recorded draws and compares each log weight and log Z with
// the same computation in float64, for both bases.
func TestAISHandComputed(t *testing.T) {
	m := handModel(t)
	for _, base := range []struct {
		name string
		bA   [2]float64
	}{{"uniform", [2]float64{}}, {"biased", [2]float64{1.5, -2}}} {
		t.Run(base.name, func(t *testing.T) {
			u := []float32{
				0.3, 0.7, 0.9, 0.1, // initial visible states, 2 chains × 2
				0.2, 0.8, // β = 0.5: hidden, 2 × 1
				0.6, 0.4, 0.1, 0.95, // β = 0.5: visible, 2 × 2
			}
			src := rng.NewDrawn(slices.Clone(u))
			opt := AISOptions{Betas: []float64{0, 0.5, 1}, Chains: 2}
			if base.name != "uniform" {
				opt.Base = base.bA[:]
			}
			got, err := AIS(context.Background(), m, opt, src)
			if err != nil {
				t.Fatal(err)
			}
			if src.Len() != 0 {
				t.Errorf("%d draws left over", src.Len())
			}
			logZA := math.Ln2 + graph.Softplus(base.bA[0]) + graph.Softplus(base.bA[1])
			var want [2]float64
			for r := range want {
				var v [2]float64
				for i := range v {
					if float32(graph.Logistic(float64(float32(base.bA[i])))) > u[2*r+i] {
						v[i] = 1
					}
				}
				want[r] = handLogF(0.5, v, base.bA) - handLogF(0, v, base.bA)
				v = handTransition(0.5, v, base.bA, u[4+r], [2]float32{u[6+2*r], u[7+2*r]})
				want[r] += handLogF(1, v, base.bA) - handLogF(0.5, v, base.bA)
				if d := math.Abs(got.LogWeights[r] - want[r]); d > handTol {
					t.Errorf("chain %d: log weight %v, hand-computed %v", r, got.LogWeights[r], want[r])
				}
			}
			wantZ := logZA + math.Log((math.Exp(want[0])+math.Exp(want[1]))/2)
			if d := math.Abs(got.LogZ - wantZ); d > handTol {
				t.Errorf("log Z %v, hand-computed %v", got.LogZ, wantZ)
			}
			if d := math.Abs(got.LogZBase - logZA); d > handTol {
				t.Errorf("log Z of the base %v, want %v", got.LogZBase, logZA)
			}
		})
	}
}

// TestRAISEHandComputed runs RAISE with three inverse temperatures from
// two images with recorded draws and compares each log weight with the
// same computation in float64.
func TestRAISEHandComputed(t *testing.T) {
	m := handModel(t)
	images := [2][2]float64{{1, 1}, {0, 1}}
	u := []float32{
		0.2, 0.8, // β = 1: hidden, 2 images × 1
		0.6, 0.4, 0.1, 0.95, // β = 1: visible, 2 × 2
		0.5, 0.05, // β = 0.5: hidden
		0.3, 0.7, 0.9, 0.2, // β = 0.5: visible
	}
	src := rng.NewDrawn(slices.Clone(u))
	got, err := RAISE(context.Background(), m, []float32{1, 1, 0, 1}, 2, RAISEOptions{Betas: []float64{0, 0.5, 1}}, src)
	if err != nil {
		t.Fatal(err)
	}
	if src.Len() != 0 {
		t.Errorf("%d draws left over", src.Len())
	}
	var uniform [2]float64
	logZA := 3 * math.Ln2
	var want [2]float64
	for r, v := range images {
		want[r] = handLogF(1, v, uniform)
		v = handTransition(1, v, uniform, u[r], [2]float32{u[2+2*r], u[3+2*r]})
		want[r] += handLogF(0.5, v, uniform) - handLogF(1, v, uniform)
		v = handTransition(0.5, v, uniform, u[6+r], [2]float32{u[8+2*r], u[9+2*r]})
		want[r] += handLogF(0, v, uniform) - handLogF(0.5, v, uniform) - logZA
		if d := math.Abs(got.LogProbs[r] - want[r]); d > handTol {
			t.Errorf("image %d: log weight %v, hand-computed %v", r, got.LogProbs[r], want[r])
		}
	}
	mean := (want[0] + want[1]) / 2
	se := math.Abs(want[0]-want[1]) / 2 // sd/√2 with sd = |Δ|/√2
	if math.Abs(got.LogProb-mean) > handTol || math.Abs(got.StdErr-se) > handTol {
		t.Errorf("RAISE %v ± %v, hand-computed %v ± %v", got.LogProb, got.StdErr, mean, se)
	}
}

// TestAnnealSharing checks that AIS and RAISE give the same bits whether
// the chains are shared between two goroutines or run on one.
func TestAnnealSharing(t *testing.T) {
	rng0 := rand.New(rand.NewPCG(5, 6))
	m, err := graph.New(train.Pixels, 20, rng0)
	if err != nil {
		t.Fatal(err)
	}
	w, b, c := m.Params()
	for i := range w {
		w[i] *= 30 // σ = 0.3: chains that differ
	}
	if err := m.SetParams(w, b, c); err != nil {
		t.Fatal(err)
	}
	betas, _ := Schedule(40)
	v := binarizedTest(t, 64)
	run := func() (AISResult, RAISEResult) {
		a, err := AIS(context.Background(), m, AISOptions{Betas: betas, Chains: 64}, rng.New(1, 1))
		if err != nil {
			t.Fatal(err)
		}
		r, err := RAISE(context.Background(), m, v, 64, RAISEOptions{Betas: betas}, rng.New(1, 2))
		if err != nil {
			t.Fatal(err)
		}
		return a, r
	}
	shared, sharedR := run()
	procs := runtime.GOMAXPROCS(1) // one processor: every job on the caller
	alone, aloneR := run()
	runtime.GOMAXPROCS(procs)
	if !slices.Equal(shared.LogWeights, alone.LogWeights) || !slices.Equal(sharedR.LogProbs, aloneR.LogProbs) {
		t.Error("the log weights differ between two goroutines and one")
	}
	if slices.Equal(shared.LogWeights[:32], shared.LogWeights[32:]) {
		t.Error("the two halves of the chains have the same weights: the test cannot tell a split")
	}
}

// TestAnnealBlockLength checks that the length of the blocks of steps the
// goroutines run between meetings does not change the results.
func TestAnnealBlockLength(t *testing.T) {
	m, err := graph.New(train.Pixels, 20, rand.New(rand.NewPCG(5, 7)))
	if err != nil {
		t.Fatal(err)
	}
	betas, err := Schedule(40)
	if err != nil {
		t.Fatal(err)
	}
	b, err := betas32(betas)
	if err != nil {
		t.Fatal(err)
	}
	run := func(block int) []float64 {
		an, err := newAnnealer(m, nil, 16)
		if err != nil {
			t.Fatal(err)
		}
		defer an.pool.Close()
		an.block = block
		src := rng.New(3, 4)
		an.sampleBase(b[1], src)
		if err := an.anneal(context.Background(), b[1:], src, nil, "AIS"); err != nil {
			t.Fatal(err)
		}
		return an.logw
	}
	want := run(blockSteps)
	for _, block := range []int{1, 5} {
		if got := run(block); !slices.Equal(got, want) {
			t.Errorf("blocks of %d steps give log weights %v, blocks of %d %v", block, got[:3], blockSteps, want[:3])
		}
	}
}

// TestAnnealCancel cancels each long computation from its first progress
// report and checks that it stops there with the context's error.
func TestAnnealCancel(t *testing.T) {
	m := handModel(t)
	betas, _ := Schedule(100)
	for _, tc := range []struct {
		name string
		run  func(ctx context.Context, p Progress) error
	}{
		{"AIS", func(ctx context.Context, p Progress) error {
			_, err := AIS(ctx, m, AISOptions{Betas: betas, Chains: 4, Progress: p}, rng.New(1, 1))
			return err
		}},
		{"RAISE", func(ctx context.Context, p Progress) error {
			_, err := RAISE(ctx, m, []float32{1, 0, 0, 1}, 2, RAISEOptions{Betas: betas, Progress: p}, rng.New(1, 1))
			return err
		}},
		{"EstimateLogLikelihood", func(ctx context.Context, p Progress) error {
			_, err := EstimateLogLikelihood(ctx, m, []float32{1, 0, 0, 1}, 2,
				LogLikelihoodOptions{Marginals: []float64{0.3, 0.6}, Betas: betas, Chains: 4, Progress: p}, rng.New(1, 1))
			return err
		}},
		{"SampleChains", func(ctx context.Context, p Progress) error {
			_, err := SampleChains(ctx, m, []float32{1, 0}, 1, 100, 10, rng.New(1, 1), p)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var calls []int
			err := tc.run(ctx, func(phase string, done, total int) {
				calls = append(calls, done)
				if done >= total {
					t.Errorf("%s: the first report is already the last (%d of %d)", phase, done, total)
				}
				cancel()
			})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("error %v, want one wrapping context.Canceled", err)
			}
			if len(calls) != 1 {
				t.Errorf("progress reported at %v after the cancel: it did not stop at once", calls)
			}
		})
	}
}

// TestAnnealStopsWithinBlock checks that the chains look at the context
// before each step of a block, so that a cancel stops them within a step
// rather than at the end of the block.
func TestAnnealStopsWithinBlock(t *testing.T) {
	m := handModel(t)
	betas, _ := betas32([]float64{0, 0.2, 0.4, 0.6, 0.8, 1})
	for _, cancelled := range []bool{false, true} {
		an, err := newAnnealer(m, nil, 4)
		if err != nil {
			t.Fatal(err)
		}
		defer an.pool.Close()
		an.sampleBase(betas[1], rng.New(1, 1))
		rng.Fill(an.u[an.cur][:4*4*(1+2)], rng.New(1, 2))
		v, logw := slices.Clone(an.v), slices.Clone(an.logw)
		ctx, cancel := context.WithCancel(context.Background())
		if cancelled {
			cancel()
		}
		an.ctx = ctx
		an.runBlock(betas[1:])
		cancel()
		moved := !slices.Equal(an.logw, logw)
		if moved == cancelled {
			t.Errorf("cancelled %v: the block ran %v (states %v → %v)", cancelled, moved, v, an.v)
		}
	}
}

// TestProgressPhases checks that EstimateLogLikelihood reports its three
// runs in order, each increasing to its total.
func TestProgressPhases(t *testing.T) {
	m := handModel(t)
	var phases []string
	last := map[string][2]int{}
	betas, _ := Schedule(40)
	_, err := EstimateLogLikelihood(context.Background(), m, []float32{1, 0, 0, 1, 1, 1}, 3,
		LogLikelihoodOptions{Marginals: []float64{0.3, 0.6}, Betas: betas, Chains: 4, RAISEImages: 2,
			Progress: func(phase string, done, total int) {
				if len(phases) == 0 || phases[len(phases)-1] != phase {
					phases = append(phases, phase)
				}
				if prev, ok := last[phase]; ok && done <= prev[0] || !ok && done != 0 || done > total {
					t.Errorf("%s: %d of %d after %d", phase, done, total, prev[0])
				}
				last[phase] = [2]int{done, total}
			}}, rng.New(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"AIS (base rate)", "AIS (uniform)", "RAISE"}
	if !slices.Equal(phases, want) {
		t.Fatalf("phases %q, want %q", phases, want)
	}
	for p, dt := range last {
		if dt[0] != dt[1] {
			t.Errorf("%s ended at %d of %d", p, dt[0], dt[1])
		}
	}
	if last["AIS (base rate)"][1] != 38 || last["RAISE"][1] != 39 {
		t.Errorf("totals %v: want 38 transitions for AIS (β₁ to β₃₈) and 39 for RAISE (β₃₉ to β₁)", last)
	}
}

func TestSummarizeWeights(t *testing.T) {
	for _, tc := range []struct {
		logw                  []float64
		logMean, logLow, high float64
		ess, share            float64
	}{
		// equal weights: no spread, ESS = n
		{[]float64{2, 2, 2, 2}, 2, 2, 2, 4, 0.25},
		// w = 2, 1, 1, 1: mean 1.25, sd 0.5, se 0.25; ESS 1.25²·4/7·4 = 25/7
		{[]float64{math.Log(2), 0, 0, 0}, math.Log(1.25), math.Log(0.5), math.Log(2), 25.0 / 7, 0.4},
		// w = 4, 1, 1, 1: mean 1.75, sd 1.5, se 0.75: mean − 3se < 0
		{[]float64{math.Log(4), 0, 0, 0}, math.Log(1.75), math.Inf(-1), math.Log(4), 49.0 / 19, 4.0 / 7},
	} {
		w := summarize(tc.logw)
		near := func(a, b float64) bool { return a == b || math.Abs(a-b) < 1e-12 }
		if !near(w.logMean, tc.logMean) || !near(w.logLow, tc.logLow) || !near(w.logHigh, tc.high) || !near(w.ess, tc.ess) || !near(w.maxShare, tc.share) {
			t.Errorf("summarize(%v) = %+v, want mean %v, low %v, high %v, ESS %v, share %v", tc.logw, w, tc.logMean, tc.logLow, tc.high, tc.ess, tc.share)
		}
	}
}

// TestCombineAndWarn checks the combined estimate and each warning on
// made-up results.
func TestCombineAndWarn(t *testing.T) {
	good := func(logZ float64) AISResult {
		return AISResult{LogZ: logZ, Low: logZ - 0.1, High: logZ + 0.1, Chains: 100, ESS: 80, MaxShare: 0.05}
	}
	raise := RAISEResult{LogProb: -101, StdErr: 0.5, Images: 100}
	for _, tc := range []struct {
		name          string
		br, un        AISResult
		bound         float64 // the bound with every hidden unit off
		images        float64 // the images' bound (0: none)
		raiseAIS      float64
		chosen, raise string  // the combined estimate's source, RAISE's base
		logZ          float64 // the combined estimate
		warnings      []string
	}{
		{"agree, same ESS", good(500), good(500.05), 400, 0, -100, "uniform", "uniform", 500.05, nil},
		{"agree, larger ESS", AISResult{LogZ: 500.05, Low: 499.9, High: 500.2, Chains: 100, ESS: 70, MaxShare: 0.05}, good(500), 400, 0, -100, "uniform", "uniform", 500, nil},
		{"base rate missed a mode", good(478), good(513), 400, 0, -100, "uniform", "uniform", 513, []string{"base-rate run (log Z = 478.00) missed"}},
		{"uniform missed a mode", good(530), good(513), 400, 0, -100, "base rate", "base rate", 530, []string{"uniform run (log Z = 513.00) missed"}},
		{"below the bound", good(478), good(513.2), 513.25, 0, -100, "bound", "uniform", 513.25, []string{"disagree", "the combined log Z is the hard lower bound 513.25", "uniform model (log Z = 513.20) is below log Z's hard lower bound 513.25 (every hidden unit off), within its ±3σ", "base-rate model (log Z = 478.00) is below log Z's hard lower bound 513.25 (every hidden unit off) beyond its ±3σ"}},
		{"below the images' bound", good(500), good(500.1), 400, 501, -100, "bound", "uniform", 501, []string{"the combined log Z is the hard lower bound 501.00 (the terms of 9 distinct images)", "uniform model (log Z = 500.10) is below log Z's hard lower bound 501.00 (the terms of 9 distinct images) beyond its ±3σ", "base-rate model (log Z = 500.00) is below"}},
		{"both below the bound", good(478.95), good(479), 513, 0, -100, "bound", "uniform", 513, []string{"base-rate model (log Z = 478.95) is below", "uniform model (log Z = 479.00) is below", "the combined log Z is the hard lower bound 513.00"}},
		{"few chains", AISResult{LogZ: 500.05, Low: 499.9, High: 500.1, Chains: 100, ESS: 3, MaxShare: 0.4}, good(500), 400, 0, -100, "uniform", "uniform", 500, []string{"base-rate model rests on a few chains (effective sample size 3.0 of 100, largest weight 40%)"}},
		{"one chain dominates", good(500), AISResult{LogZ: 500, Low: 499.9, High: 500.1, Chains: 100, ESS: 50, MaxShare: 0.6}, 400, 0, -100, "base rate", "base rate", 500, []string{"uniform model rests on a few chains"}},
		{"RAISE above AIS", good(500), good(500), 400, 0, -103, "base rate", "base rate", 500, []string{"RAISE's lower bound -101.00 (±0.50) is above AIS's estimate -103.00"}},
		{"wide bracket", good(500), good(500), 400, 0, -90, "base rate", "base rate", 500, []string{"11.0 nats wide"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ll := LogLikelihood{BaseRate: tc.br, Uniform: tc.un, RAISE: raise, RAISEAIS: tc.raiseAIS}
			bounds := LogZBounds{HiddenOff: tc.bound, VisibleOff: tc.bound - 1, Images: math.Inf(-1)}
			if tc.images != 0 {
				bounds.Images, bounds.DistinctImages = tc.images, 9
			}
			ll.combine(bounds)
			ll.warn()
			if ll.Chosen != tc.chosen || ll.RAISEBase != tc.raise || ll.LogZ != tc.logZ {
				t.Errorf("log Z %v from %s, RAISE to %s; want %v from %s, RAISE to %s", ll.LogZ, ll.Chosen, ll.RAISEBase, tc.logZ, tc.chosen, tc.raise)
			}
			if !(ll.LogZLow <= ll.LogZ && ll.LogZ <= ll.LogZHigh) || ll.LogZ < max(tc.bound, tc.images) {
				t.Errorf("log Z %v outside its ±3σ [%v, %v] or below the bounds %v, %v", ll.LogZ, ll.LogZLow, ll.LogZHigh, tc.bound, tc.images)
			}
			if len(ll.Warnings) != len(tc.warnings) {
				t.Errorf("%d warnings, want %d: %q", len(ll.Warnings), len(tc.warnings), ll.Warnings)
			}
			for _, s := range tc.warnings {
				if !warned(ll.Warnings, s) {
					t.Errorf("no warning says %q: %q", s, ll.Warnings)
				}
			}
		})
	}
}

func TestAnnealErrors(t *testing.T) {
	m := handModel(t)
	ctx := context.Background()
	src := rng.New(1, 1)
	for _, tc := range []struct {
		name string
		opt  AISOptions
	}{
		{"base of the wrong length", AISOptions{Base: []float64{0}, Betas: []float64{0, 1}}},
		{"NaN base", AISOptions{Base: []float64{0, math.NaN()}, Betas: []float64{0, 1}}},
		{"one chain", AISOptions{Chains: 1, Betas: []float64{0, 1}}},
		{"too many chains", AISOptions{Chains: MaxChains + 1, Betas: []float64{0, 1}}},
		{"not ending at 1", AISOptions{Betas: []float64{0, 0.5}}},
		{"not starting at 0", AISOptions{Betas: []float64{0.1, 1}}},
		{"one β", AISOptions{Betas: []float64{0}}},
		{"decreasing", AISOptions{Betas: []float64{0, 0.6, 0.5, 1}}},
		{"equal in float32", AISOptions{Betas: []float64{0, 0.5, 0.5 + 1e-9, 1}}},
		{"too many β", AISOptions{Betas: make([]float64, MaxBetas+1)}},
	} {
		if _, err := AIS(ctx, m, tc.opt, src); err == nil {
			t.Errorf("AIS with %s gave no error", tc.name)
		}
	}
	for _, tc := range []struct {
		name string
		v    []float32
		rows int
	}{
		{"one image", []float32{1, 0}, 1},
		{"grey image", []float32{1, 0.5, 0, 1}, 2},
		{"short batch", []float32{1, 0, 1}, 2},
	} {
		if _, err := RAISE(ctx, m, tc.v, tc.rows, RAISEOptions{Betas: []float64{0, 1}}, src); err == nil {
			t.Errorf("RAISE on a %s gave no error", tc.name)
		}
	}
	v := []float32{1, 0, 0, 1, 1, 1}
	for _, tc := range []struct {
		name string
		opt  LogLikelihoodOptions
	}{
		{"no marginals", LogLikelihoodOptions{Betas: []float64{0, 1}}},
		{"RAISE on one image", LogLikelihoodOptions{Marginals: []float64{0.5, 0.5}, Betas: []float64{0, 1}, RAISEImages: 1}},
		{"RAISE on more images than the test set", LogLikelihoodOptions{Marginals: []float64{0.5, 0.5}, Betas: []float64{0, 1}, RAISEImages: 4}},
	} {
		if _, err := EstimateLogLikelihood(ctx, m, v, 3, tc.opt, src); err == nil {
			t.Errorf("EstimateLogLikelihood with %s gave no error", tc.name)
		}
	}
	if _, err := Schedule(MaxBetas + 1); err == nil {
		t.Errorf("Schedule(%d) gave no error", MaxBetas+1)
	}
	_ = fmt.Sprint
}
