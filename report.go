package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"time"

	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/internal/atomicfile"
	prog "gorbm.dev/gorbm/internal/progress"
	"gorbm.dev/gorbm/internal/rng"
	"gorbm.dev/gorbm/metrics"
	"gorbm.dev/gorbm/train"
	"gorbm.dev/gorbm/viz"
)

// reportOptions are the flags of what the run reports beyond the script.
type reportOptions struct {
	eval                    bool
	ais                     bool
	aisBetas, aisChains     int
	raiseImages             int
	sampleChains            int
	sampleSteps, sampleEach int
	sampleFrom              string
}

// defaultReport holds the defaults of the report flags.
var defaultReport = reportOptions{aisChains: metrics.DefaultChains, raiseImages: metrics.DefaultRAISEImages, sampleChains: 8, sampleSteps: 1000, sampleEach: 100, sampleFrom: "noise"}

func addReportFlags(fs *flag.FlagSet, r *reportOptions) {
	d := defaultReport
	fs.BoolVar(&r.eval, "eval", false, "after each epoch, print and record test-set metrics (reconstruction error, free energies, pseudo-log-likelihood) in metrics.json")
	fs.BoolVar(&r.ais, "ais", false, "at the end, estimate log Z by annealed importance sampling from two base models and bracket the average test log-probability between reverse AIS (RAISE) and AIS")
	fs.IntVar(&r.aisBetas, "ais-betas", 0, "inverse temperatures of AIS and RAISE (0: the paper's 14,501; fewer is faster and rougher)")
	fs.IntVar(&r.aisChains, "ais-chains", d.aisChains, "chains of each AIS run")
	fs.IntVar(&r.raiseImages, "raise-images", d.raiseImages, "test images RAISE starts from, one reverse chain each, evenly spaced through the test set")
	fs.IntVar(&r.sampleChains, "sample-chains", d.sampleChains, "Gibbs chains drawn in RBM_samples.png (one column each)")
	fs.IntVar(&r.sampleSteps, "sample-steps", d.sampleSteps, "Gibbs steps of the sample chains")
	fs.IntVar(&r.sampleEach, "sample-every", d.sampleEach, "steps between the snapshots in RBM_samples.png (one row each)")
	fs.StringVar(&r.sampleFrom, "sample-from", d.sampleFrom, "start of the sample chains: noise or test (the first test images)")
}

// testFlags names the flags that need the test set, or "".
func (r reportOptions) testFlags() string {
	var f []string
	if r.eval {
		f = append(f, "-eval")
	}
	if r.ais {
		f = append(f, "-ais")
	}
	if r.sampleFrom == "test" {
		f = append(f, "-sample-from test")
	}
	return strings.Join(f, " and ")
}

func (r reportOptions) validate() error {
	switch {
	case r.aisBetas != 0 && (r.aisBetas < 4 || r.aisBetas > metrics.MaxBetas):
		return fmt.Errorf("-ais-betas %d: use 0 (the paper's schedule) or 4 to %d", r.aisBetas, metrics.MaxBetas)
	case r.aisChains < 2 || r.aisChains > metrics.MaxChains:
		return fmt.Errorf("-ais-chains %d: use 2 to %d (the bounds need a variance)", r.aisChains, metrics.MaxChains)
	case r.raiseImages < 2 || r.raiseImages > mnistTestImages:
		return fmt.Errorf("-raise-images %d: use 2 to %d, the test set's images (the standard error needs two)", r.raiseImages, mnistTestImages)
	case r.sampleChains < 1:
		return fmt.Errorf("-sample-chains %d: use at least 1", r.sampleChains)
	case r.sampleSteps < 1:
		return fmt.Errorf("-sample-steps %d: use at least 1", r.sampleSteps)
	case r.sampleEach < 1 || r.sampleEach > r.sampleSteps:
		return fmt.Errorf("-sample-every %d: use 1 to -sample-steps (%d)", r.sampleEach, r.sampleSteps)
	case r.sampleFrom != "noise" && r.sampleFrom != "test":
		return fmt.Errorf("-sample-from %q: use noise or test", r.sampleFrom)
	}
	return nil
}

// epochRecord is one epoch in metrics.json.
type epochRecord struct {
	Epoch int     `json:"epoch"`
	Loss  float64 `json:"loss"`
	*metrics.Report
}

// aisRecord is the log-likelihood estimate in metrics.json (see
// metrics.LogLikelihood). Bounds that are −Inf are null.
type aisRecord struct {
	LogZ             float64     `json:"log_z"` // combined
	LogZLow          *float64    `json:"log_z_minus_3sigma"`
	LogZHigh         float64     `json:"log_z_plus_3sigma"`
	Chosen           string      `json:"log_z_from"` // base rate, uniform or bound
	LogZAllOff       float64     `json:"log_z_lower_bound_hidden_off"`
	BaseRate         aisRun      `json:"base_rate"`
	Uniform          aisRun      `json:"uniform"`
	Betas            int         `json:"betas"`
	Chains           int         `json:"chains"`
	TestLogProb      float64     `json:"test_log_prob"`
	TestLogProbBound float64     `json:"test_log_prob_upper_bound"` // from the hard lower bound on log Z
	TrainLogProb     float64     `json:"train_log_prob"`
	TestImages       int         `json:"test_images"`
	TrainImages      int         `json:"train_images"`
	RAISE            raiseRecord `json:"raise"`
	Warnings         []string    `json:"warnings"`
	Seconds          float64     `json:"seconds"`
}

// aisRun is one AIS run in metrics.json.
type aisRun struct {
	LogZ     float64  `json:"log_z"`
	LogZLow  *float64 `json:"log_z_minus_3sigma"`
	LogZHigh float64  `json:"log_z_plus_3sigma"`
	LogZBase float64  `json:"log_z_base"`
	ESS      float64  `json:"effective_sample_size"`
	MaxShare float64  `json:"largest_weight_share"`
}

// raiseRecord is the RAISE bound in metrics.json.
type raiseRecord struct {
	Images     int     `json:"images"`
	Base       string  `json:"base"`
	LogProb    float64 `json:"log_prob"` // stochastic lower bound on the images' average log p(v)
	StdErr     float64 `json:"std_err"`
	AISLogProb float64 `json:"ais_log_prob"` // AIS's estimate on the same images, the bracket's top
}

// finite returns &x, or nil for an infinite x (JSON has no −Inf).
func finite(x float64) *float64 {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return nil
	}
	return &x
}

func newAISRun(r metrics.AISResult) aisRun {
	return aisRun{LogZ: r.LogZ, LogZLow: finite(r.Low), LogZHigh: r.High, LogZBase: r.LogZBase, ESS: r.ESS, MaxShare: r.MaxShare}
}

// reporter records each epoch, prints the -eval table and writes
// metrics.json and the three pictures of what the model learned.
type reporter struct {
	bar          *prog.Bar // progress bars on a terminal, or nil
	o            reportOptions
	out          string
	seed         uint64
	stdout       io.Writer
	trainSet     *train.Dataset
	testSet      *train.Dataset    // the test set, read when the report needs it
	testN        int               // its number of images
	test, trainV []float32         // binarized, made on first use
	Epochs       []epochRecord     `json:"epochs"` // every epoch, across resumes (the checkpoint keeps them)
	AIS          *aisRecord        `json:"ais,omitempty"`
	header       bool              // the -eval table header was printed
	Settings     map[string]string `json:"settings"`
	batches      int               // per epoch, for the loss curve's grain
}

// newReporter returns the reporter of a run on trainSet with settings (the
// checkpoint's, in metrics.json for the record); testSet is nil
// unless -eval, -ais or -sample-from test need it, so the default job does
// not keep it in memory.
func newReporter(o options, trainSet, testSet *train.Dataset, settings map[string]string, stdout io.Writer) *reporter {
	run := o.config.Run(o.hidden, trainSet.N)
	return &reporter{bar: o.progress, o: o.report, out: o.out, seed: o.seed, stdout: stdout, trainSet: trainSet, testSet: testSet,
		batches: run.Batches(), Settings: flagSettings(run, settings)}
}

// progress returns the bar's Update as a metrics.Progress, or nil.
func (r *reporter) progress() metrics.Progress {
	if r.bar == nil {
		return nil
	}
	return r.bar.Update
}

// onBatch shows the training's progress (train.Config.OnBatch).
func (r *reporter) onBatch(epoch, batch, batches int, _ float32) {
	r.bar.Update(fmt.Sprintf("training epoch %d", epoch), batch+1, batches)
}

// data binarizes the evaluation images once (train.EvalImages).
func (r *reporter) data() error {
	if r.test != nil {
		return nil
	}
	r.testN = r.testSet.N
	r.test, r.trainV = train.EvalImages(r.seed, r.testSet, r.trainSet)
	return nil
}

// epoch records epoch e of m and evaluates it with -eval. The record goes
// into the checkpoint; metrics.json is written with the other outputs.
func (r *reporter) epoch(m *graph.Model, e train.Epoch) error {
	rec := epochRecord{Epoch: e.Epoch, Loss: e.Loss}
	if r.o.eval {
		if err := r.data(); err != nil {
			return err
		}
		rep, err := metrics.Evaluate(m, r.test, r.testN, r.trainV, len(r.trainV)/train.Pixels,
			rand.New(rng.NewStream(r.seed, rng.Eval)), r.progress())
		if err != nil {
			return fmt.Errorf("-eval: %w", err)
		}
		rec.Report = &rep
		if !r.header {
			fmt.Fprintf(r.stdout, "%5s %9s %17s %10s %10s %7s %11s\n", "epoch", "loss", "recon MSE (test)", "F (train)", "F (test)", "F gap", "PLL (test)")
			r.header = true
		}
		fmt.Fprintf(r.stdout, "%5d %9.4f %17.4f %10.2f %10.2f %7.2f %11.2f\n", e.Epoch, e.Loss, rep.ReconstructionError,
			rep.FreeEnergyTrain, rep.FreeEnergyTest, rep.FreeEnergyTest-rep.FreeEnergyTrain, rep.PseudoLogLikelihood)
	}
	r.Epochs = append(r.Epochs, rec)
	return nil
}

// stageMetrics stages metrics.json.
func (r *reporter) stageMetrics(set *atomicfile.Set) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("metrics.json: %w", err)
	}
	return set.WriteFile(filepath.Join(r.out, "metrics.json"), append(b, '\n'))
}

// trainingDone drops the reporter's hold on the training set unless what
// is left to report reads it (-ais's pixel marginals, or the binarized
// training images of -sample-from test when they are not made yet), and
// reports whether it did.
func (r *reporter) trainingDone() bool {
	if r.o.ais || r.o.sampleFrom == "test" && r.test == nil {
		return false
	}
	r.trainSet = nil
	return true
}

// finish stages RBM_filters.png and RBM_loss.png, runs the sample chains
// (RBM_samples.png) and, with -ais, AIS, then stages metrics.json. When ctx
// is cancelled during the chains or AIS, it stages the rest and returns an
// error wrapping context.Canceled that names what was not made.
func (r *reporter) finish(ctx context.Context, m *graph.Model, res *train.Result, set *atomicfile.Set) error {
	w, _, _ := m.Params()
	n := min(100, m.Hidden())
	filters, err := viz.Filters(w[:n*train.Pixels], n, 28, 28)
	if err != nil {
		return err
	}
	if err := stagePNG(set, filepath.Join(r.out, "RBM_filters.png"), filters); err != nil {
		return err
	}
	if err := r.lossPlot(res, set); err != nil {
		return err
	}
	var notMade []string
	if testHook != nil {
		testHook(ctx, "samples")
	}
	if err := r.samples(ctx, m, set); errors.Is(err, context.Canceled) {
		notMade = append(notMade, "RBM_samples.png")
	} else if err != nil {
		return err
	}
	if r.o.ais {
		if testHook != nil {
			testHook(ctx, "ais")
		}
		if err := r.runAIS(ctx, m); errors.Is(err, context.Canceled) {
			notMade = append(notMade, "the AIS estimate")
		} else if err != nil {
			return err
		}
	}
	if err := r.stageMetrics(set); err != nil {
		return err
	}
	if notMade != nil {
		return interruption(fmt.Sprintf("interrupted: %s not made", strings.Join(notMade, " and ")), ctx.Err())
	}
	return nil
}

// runAIS estimates the log-likelihood (metrics.EstimateLogLikelihood),
// records and prints it; when ctx is cancelled it returns an error
// wrapping context.Canceled.
func (r *reporter) runAIS(ctx context.Context, m *graph.Model) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := r.data(); err != nil {
		return err
	}
	if r.o.raiseImages > r.testN {
		return fmt.Errorf("-raise-images %d: the test set has %d images; use at most that", r.o.raiseImages, r.testN)
	}
	betas, err := metrics.Schedule(r.o.aisBetas)
	if err != nil {
		return fmt.Errorf("-ais-betas: %w", err)
	}
	marg, err := metrics.PixelMarginals(r.trainSet.Images, r.trainSet.N, train.Pixels)
	if err != nil {
		return err
	}
	start := time.Now()
	ll, err := metrics.EstimateLogLikelihood(ctx, m, r.test, r.testN,
		metrics.LogLikelihoodOptions{Marginals: marg, Betas: betas, Chains: r.o.aisChains, RAISEImages: r.o.raiseImages, Progress: r.progress()},
		rng.New(r.seed, rng.AIS))
	if err != nil {
		return fmt.Errorf("-ais: %w", err)
	}
	rec := &aisRecord{LogZ: ll.LogZ, LogZLow: finite(ll.LogZLow), LogZHigh: ll.LogZHigh, Chosen: ll.Chosen, LogZAllOff: ll.LogZLowerBound,
		BaseRate: newAISRun(ll.BaseRate), Uniform: newAISRun(ll.Uniform), Betas: len(betas), Chains: ll.BaseRate.Chains,
		TestLogProb: ll.TestLogProb, TestLogProbBound: ll.TestLogProbBound, TestImages: ll.TestImages, TrainImages: len(r.trainV) / train.Pixels,
		RAISE:    raiseRecord{Images: ll.RAISE.Images, Base: ll.RAISEBase, LogProb: ll.RAISE.LogProb, StdErr: ll.RAISE.StdErr, AISLogProb: ll.RAISEAIS},
		Warnings: ll.Warnings, Seconds: time.Since(start).Seconds()}
	if rec.Warnings == nil {
		rec.Warnings = []string{}
	}
	if rec.TrainLogProb, err = metrics.LogProbability(m, r.trainV, rec.TrainImages, ll.LogZ); err != nil {
		return err
	}
	r.AIS = rec
	r.printAIS(rec)
	return nil
}

// printAIS prints the log-likelihood: both AIS runs, the combined log Z and
// its bound, the test log-probability, the RAISE bracket and the warnings.
func (r *reporter) printAIS(a *aisRecord) {
	w := r.stdout
	bound := func(p *float64) string {
		if p == nil {
			return "-Inf"
		}
		return fmt.Sprintf("%.2f", *p)
	}
	fmt.Fprintf(w, "AIS (%d betas, %d chains each, %.0f s): log Z\n", a.Betas, a.Chains, a.Seconds)
	fmt.Fprintf(w, "  %-34s %9s %9s %9s %7s %8s\n", "", "estimate", "-3 sigma", "+3 sigma", "ESS", "top w")
	for _, run := range []struct {
		name string
		r    aisRun
	}{{"from the base-rate model", a.BaseRate}, {"from the uniform model", a.Uniform}} {
		fmt.Fprintf(w, "  %-34s %9.2f %9s %9.2f %7.1f %7.0f%%\n", run.name, run.r.LogZ, bound(run.r.LogZLow), run.r.LogZHigh, run.r.ESS, 100*run.r.MaxShare)
	}
	fmt.Fprintf(w, "  %-34s %9.2f %9s %9.2f\n", "combined ("+a.Chosen+")", a.LogZ, bound(a.LogZLow), a.LogZHigh)
	fmt.Fprintf(w, "  %-34s %9.2f\n", "hard lower bound (all hidden off)", a.LogZAllOff)
	fmt.Fprintf(w, "average log p(v): test %.2f nats (at most %.2f), train %.2f\n", a.TestLogProb, a.TestLogProbBound, a.TrainLogProb)
	fmt.Fprintf(w, "RAISE on %d test images (to the %s model): %.2f ± %.2f nats; bracket on those images [%.2f, %.2f]\n",
		a.RAISE.Images, a.RAISE.Base, a.RAISE.LogProb, a.RAISE.StdErr, a.RAISE.LogProb, a.RAISE.AISLogProb)
	for _, warning := range a.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warning)
	}
}

// samples runs the persistent chains and stages RBM_samples.png: a column
// per chain, a row per snapshot, the start at the top. When ctx is
// cancelled it returns an error wrapping context.Canceled.
func (r *reporter) samples(ctx context.Context, m *graph.Model, set *atomicfile.Set) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	src := rand.New(rng.NewStream(r.seed, rng.Samples))
	c := r.o.sampleChains
	start := make([]float32, c*train.Pixels)
	if r.o.sampleFrom == "test" { // runContext checked that there are c test images
		if err := r.data(); err != nil {
			return err
		}
		copy(start, r.test)
	} else {
		metrics.Noise(start, src)
	}
	frames, err := metrics.SampleChains(ctx, m, start, c, r.o.sampleSteps, r.o.sampleEach, src, r.progress())
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	img, err := viz.Tiles(frames, len(frames)/train.Pixels, 28, 28, c)
	if err != nil {
		return err
	}
	return stagePNG(set, filepath.Join(r.out, "RBM_samples.png"), img)
}

// The moving average of the loss curve in RBM_loss.png spans
// smoothingEpochs of an epoch, or smoothingRun of the run if that is
// longer: a tenth of an epoch (the curve's grain) shows the changes within
// an epoch of a short run; a hundredth of a long run keeps its line as
// thin as the trend.
const (
	smoothingEpochs = 0.1
	smoothingRun    = 0.01
)

// smoothCurve returns the moving average of a loss curve (train.Result's
// Curve, parts parts an epoch) over the last span epochs (fewer parts at
// the start), with the positions of its points in epochs trained, and
// span: smoothingEpochs, or smoothingRun of the epochs if that is more.
func smoothCurve(curve []float64, parts int) (avg, at []float64, span float64) {
	if len(curve) == 0 || parts < 1 {
		return nil, nil, 0
	}
	epochs := float64(len(curve)) / float64(parts)
	span = math.Max(smoothingEpochs, smoothingRun*math.Ceil(epochs))
	window := max(1, int(math.Round(span*float64(parts))))
	var sum float64
	for i, l := range curve {
		sum += l
		if i >= window {
			sum -= curve[i-window]
		}
		avg = append(avg, sum/float64(min(i+1, window)))
		at = append(at, float64(i+1)/float64(parts))
	}
	return avg, at, span
}

// lossPlot stages RBM_loss.png: the loss curve (train.Result's tenths of
// epochs, as a moving average) with the epoch means, and with -eval the
// test metrics after each epoch.
func (r *reporter) lossPlot(res *train.Result, set *atomicfile.Set) error {
	mid := make([]float64, len(res.Losses)) // an epoch's mean sits in its middle
	for e := range mid {
		mid[e] = float64(e) + 0.5
	}
	lines := []viz.Series{{Name: "epoch mean", Values: res.Losses, X: mid}}
	if avg, at, span := smoothCurve(res.Curve, train.CurveParts(r.batches)); avg != nil {
		lines = append([]viz.Series{{Name: fmt.Sprintf("batches (moving mean over %g epochs)", span), Values: avg, X: at}}, lines...)
	}
	const trained = "epochs trained"
	panels := []viz.Panel{{Title: "Training loss (mean F(data) − F(negative samples) per batch)", YLabel: "loss", XLabel: trained, Lines: lines}}
	var recon, fTrain, fTest, pll, at []float64
	for _, e := range r.Epochs {
		if e.Report == nil {
			continue
		}
		recon = append(recon, e.ReconstructionError)
		fTrain = append(fTrain, e.FreeEnergyTrain)
		fTest = append(fTest, e.FreeEnergyTest)
		pll = append(pll, e.PseudoLogLikelihood)
		at = append(at, float64(e.Epoch+1))
	}
	if len(recon) > 0 {
		panels = append(panels,
			viz.Panel{Title: "Mean free energy", YLabel: "F(v)", XLabel: trained, Lines: []viz.Series{{Name: "train", Values: fTrain, X: at}, {Name: "test", Values: fTest, X: at}}},
			viz.Panel{Title: "Reconstruction error (test)", YLabel: "MSE", XLabel: trained, Lines: []viz.Series{{Name: "test", Values: recon, X: at}}},
			viz.Panel{Title: "Pseudo-log-likelihood (test)", YLabel: "nats", XLabel: trained, Lines: []viz.Series{{Name: "test", Values: pll, X: at}}})
	}
	img, err := viz.Curves(panels)
	if err != nil {
		return err
	}
	return stagePNG(set, filepath.Join(r.out, "RBM_loss.png"), img)
}
