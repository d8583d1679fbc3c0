package evaluate

import (
	"context"
	"fmt"
	"image"
	"math"
	"math/rand/v2"

	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/internal/rng"
	"gorbm.dev/gorbm/metrics"
	"gorbm.dev/gorbm/train"
	"gorbm.dev/gorbm/viz"
)

// Data are the images a model is evaluated on, for a run seeded with Seed.
type Data struct {
	Seed      uint64
	Test      []float32 // TestN binarized test images, row-major
	TestN     int
	Train     []float32 // the first TrainN (at most train.EvalTrainImages) binarized training images
	TrainN    int
	Marginals []float64 // the training images' pixel marginals: AIS's and completion's base-rate model

	testSet, trainSet *train.Dataset // the sets, with their labels: what Classify reads
}

// NewData binarizes the evaluation images of a run seeded with seed from
// the test set and the training set (train.EvalImages) and computes the
// training set's pixel marginals. trainSet may be nil when only the test
// images are wanted (sample chains started from them): then Metrics,
// LogLikelihood, Classify and Complete cannot run.
func NewData(seed uint64, testSet, trainSet *train.Dataset) (*Data, error) {
	d := &Data{Seed: seed, TestN: testSet.N, testSet: testSet, trainSet: trainSet}
	d.Test, d.Train = train.EvalImages(seed, testSet, trainSet)
	if trainSet == nil {
		return d, nil
	}
	d.TrainN = len(d.Train) / train.Pixels
	var err error
	if d.Marginals, err = metrics.PixelMarginals(trainSet.Images, trainSet.N, train.Pixels); err != nil {
		return nil, err
	}
	return d, nil
}

// Metrics returns m's test metrics (metrics.Evaluate) with the draws of
// the evaluation stream, which starts afresh at each call: the metrics of
// two epochs differ by the model only.
func (d *Data) Metrics(m *graph.Model, p metrics.Progress) (metrics.Report, error) {
	return metrics.Evaluate(m, d.Test, d.TestN, d.Train, d.TrainN, rand.New(rng.NewStream(d.Seed, rng.Eval)), p)
}

// Options set up LogLikelihood: the inverse temperatures (0: the paper's
// schedule, metrics.Schedule), the chains of each AIS run and the test
// images RAISE starts from (0: metrics' defaults).
type Options struct {
	Betas, Chains, RAISEImages int
	Progress                   metrics.Progress
}

// LogLikelihood is the log-likelihood estimate of a model
// (metrics.EstimateLogLikelihood) as metrics.json records it. Bounds that
// are −Inf are null.
type LogLikelihood struct {
	LogZ             float64  `json:"log_z"` // combined
	LogZLow          *float64 `json:"log_z_minus_3sigma"`
	LogZHigh         float64  `json:"log_z_plus_3sigma"`
	Chosen           string   `json:"log_z_from"` // base rate, uniform or bound
	Bounds           Bounds   `json:"log_z_lower_bounds"`
	BaseRate         AISRun   `json:"base_rate"`
	Uniform          AISRun   `json:"uniform"`
	Betas            int      `json:"betas"`
	Chains           int      `json:"chains"`
	TestLogProb      float64  `json:"test_log_prob"`
	TestLogProbBound *float64 `json:"test_log_prob_upper_bound"` // from the best lower bound on log Z; null unless below 0
	TrainLogProb     float64  `json:"train_log_prob"`
	TestImages       int      `json:"test_images"`
	TrainImages      int      `json:"train_images"`
	RAISE            RAISE    `json:"raise"`
	Warnings         []string `json:"warnings"`
	Seconds          float64  `json:"seconds"` // the caller's clock: how long the estimate took
}

// AISRun is one AIS run of a LogLikelihood.
type AISRun struct {
	LogZ     float64  `json:"log_z"`
	LogZLow  *float64 `json:"log_z_minus_3sigma"`
	LogZHigh float64  `json:"log_z_plus_3sigma"`
	LogZBase float64  `json:"log_z_base"`
	ESS      float64  `json:"effective_sample_size"`
	MaxShare float64  `json:"largest_weight_share"`
}

// Bounds are the cheap lower bounds on log Z of a LogLikelihood
// (metrics.LogZBounds): every hidden unit off, every visible unit off, and
// the terms of the distinct test and training images evaluated; Best is
// the largest, named by BestFrom.
type Bounds struct {
	HiddenOff      float64  `json:"hidden_off"`
	VisibleOff     float64  `json:"visible_off"`
	Images         *float64 `json:"images"`
	DistinctImages int      `json:"distinct_images"`
	Best           float64  `json:"best"`
	BestFrom       string   `json:"best_from"`
}

// RAISE is the RAISE bound of a LogLikelihood.
type RAISE struct {
	Images     int     `json:"images"`
	Base       string  `json:"base"`
	LogProb    float64 `json:"log_prob"` // stochastic lower bound on the images' average log p(v)
	StdErr     float64 `json:"std_err"`
	AISLogProb float64 `json:"ais_log_prob"` // AIS's estimate on the same images, the bracket's top
}

// Finite returns &x, or nil for x infinite or NaN (JSON has no −Inf).
func Finite(x float64) *float64 {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return nil
	}
	return &x
}

func newAISRun(r metrics.AISResult) AISRun {
	return AISRun{LogZ: r.LogZ, LogZLow: Finite(r.Low), LogZHigh: r.High, LogZBase: r.LogZBase, ESS: r.ESS, MaxShare: r.MaxShare}
}

// LogLikelihood estimates m's log Z by AIS from both bases, its average
// test and training log-probability, and the RAISE bracket, with the draws
// of the AIS stream. When ctx is cancelled it returns an error wrapping
// ctx.Err().
func (d *Data) LogLikelihood(ctx context.Context, m *graph.Model, o Options) (*LogLikelihood, error) {
	if d.Marginals == nil {
		return nil, fmt.Errorf("evaluate: no training images for the base-rate model")
	}
	betas, err := metrics.Schedule(o.Betas)
	if err != nil {
		return nil, err
	}
	ll, err := metrics.EstimateLogLikelihood(ctx, m, d.Test, d.TestN,
		metrics.LogLikelihoodOptions{Marginals: d.Marginals, Betas: betas, Chains: o.Chains, RAISEImages: o.RAISEImages, BoundImages: d.Train, Progress: o.Progress},
		rng.New(d.Seed, rng.AIS))
	if err != nil {
		return nil, err
	}
	b := ll.Bounds
	best, from := b.Best()
	l := &LogLikelihood{LogZ: ll.LogZ, LogZLow: Finite(ll.LogZLow), LogZHigh: ll.LogZHigh, Chosen: ll.Chosen,
		Bounds:   Bounds{HiddenOff: b.HiddenOff, VisibleOff: b.VisibleOff, Images: Finite(b.Images), DistinctImages: b.DistinctImages, Best: best, BestFrom: from},
		BaseRate: newAISRun(ll.BaseRate), Uniform: newAISRun(ll.Uniform), Betas: len(betas), Chains: ll.BaseRate.Chains,
		TestLogProb: ll.TestLogProb, TestImages: ll.TestImages, TrainImages: d.TrainN,
		RAISE:    RAISE{Images: ll.RAISE.Images, Base: ll.RAISEBase, LogProb: ll.RAISE.LogProb, StdErr: ll.RAISE.StdErr, AISLogProb: ll.RAISEAIS},
		Warnings: ll.Warnings}
	if l.Warnings == nil {
		l.Warnings = []string{}
	}
	if up, ok := ll.TestLogProbUpperBound(); ok {
		l.TestLogProbBound = &up
	}
	if l.TrainLogProb, err = metrics.LogProbability(m, d.Train, d.TrainN, ll.LogZ); err != nil {
		return nil, err
	}
	return l, nil
}

// SampleOptions set up Samples: Chains chains of Steps Gibbs steps, with
// a snapshot every Every steps, started from noise or, FromTest, from the
// first test images.
type SampleOptions struct {
	Chains, Steps, Every int
	FromTest             bool
}

// Frames is the number of snapshots, the picture's rows: the start and one
// every Every steps.
func (o SampleOptions) Frames() int { return o.Steps/o.Every + 1 }

// Samples runs m's sample chains (metrics.SampleChains) with the draws of
// the samples stream of a run seeded with seed and returns their picture:
// a column per chain, a row per snapshot, the start at the top. With
// FromTest, test holds the binarized test images (Data.Test), at least
// Chains of them. When ctx is cancelled it returns an error wrapping
// ctx.Err().
func Samples(ctx context.Context, m *graph.Model, seed uint64, o SampleOptions, test []float32, p metrics.Progress) (image.Image, error) {
	src := rand.New(rng.NewStream(seed, rng.Samples))
	start := make([]float32, o.Chains*train.Pixels)
	if o.FromTest {
		if len(test) < len(start) {
			return nil, fmt.Errorf("evaluate: %d sample chains from %d test images", o.Chains, len(test)/train.Pixels)
		}
		copy(start, test)
	} else {
		metrics.Noise(start, src)
	}
	frames, err := metrics.SampleChains(ctx, m, start, o.Chains, o.Steps, o.Every, src, p)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return viz.Tiles(frames, len(frames)/train.Pixels, 28, 28, o.Chains)
}
