package metrics

import (
	"context"
	"fmt"
	"math"
	"slices"

	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/internal/f32"
)

// AISOptions sets up an AIS run.
type AISOptions struct {
	// Base holds the visible biases of the base model (Visible values):
	// BaseRate(marginals) for the paper's base-rate model; nil for the
	// uniform model, all biases 0.
	Base []float64
	// Betas are the inverse temperatures, increasing from 0 to 1; nil
	// means PaperSchedule.
	Betas []float64
	// Chains is the number of independent runs, 2 to MaxChains; 0 means
	// DefaultChains.
	Chains int
	// Progress, if not nil, is told of each inverse temperature done
	// (phase "AIS").
	Progress Progress
}

// AISResult is an AIS estimate of log Z, with what says whether to trust
// it.
type AISResult struct {
	LogZ     float64 // log Z estimate: log Z_A + log mean w, nats
	Low      float64 // log(ŵ − 3σ̂) + log Z_A; −Inf when ŵ < 3σ̂
	High     float64 // log(ŵ + 3σ̂) + log Z_A
	LogZBase float64 // log Z_A of the base model
	Chains   int
	Betas    int
	// ESS is the effective sample size of the importance weights,
	// (Σw)²/Σw²: from 1 (one chain carries the estimate) to Chains (all
	// weights equal).
	ESS float64
	// MaxShare is the largest weight's share of their sum.
	MaxShare float64
	// LogWeights are the chains' log importance weights, log w.
	LogWeights []float64
}

// AIS estimates log Z of m by annealed importance sampling from the base
// model opt.Base (see the package documentation). It draws from src, in
// order: the chains' initial visible states (Chains×Visible), then at each
// intermediate β the hidden (Chains×Hidden) and visible (Chains×Visible)
// states, row by row. It uses both cores (package par); the results do not
// depend on how the chains were shared. When ctx is cancelled it stops
// within one β step and returns an error wrapping ctx.Err().
func AIS(ctx context.Context, m *graph.Model, opt AISOptions, src graph.Uniform) (AISResult, error) {
	betas := opt.Betas
	if betas == nil {
		betas = PaperSchedule()
	}
	M := opt.Chains
	if M == 0 {
		M = DefaultChains
	}
	if M < 2 || M > MaxChains {
		return AISResult{}, fmt.Errorf("metrics: AIS with %d chains: use 2 to %d (the bounds need a variance)", M, MaxChains)
	}
	b, err := betas32(betas)
	if err != nil {
		return AISResult{}, err
	}
	an, err := newAnnealer(m, opt.Base, M)
	if err != nil {
		return AISResult{}, err
	}
	defer an.pool.Close()
	if err := ctx.Err(); err != nil {
		return AISResult{}, fmt.Errorf("metrics: AIS not started: %w", err)
	}
	an.sampleBase(b[1], src)
	if err := an.anneal(ctx, b[1:], src, opt.Progress, "AIS"); err != nil {
		return AISResult{}, err
	}
	w := summarize(an.logw)
	res := AISResult{
		LogZ:       an.logZA + w.logMean,
		High:       an.logZA + w.logHigh,
		Low:        an.logZA + w.logLow,
		LogZBase:   an.logZA,
		Chains:     M,
		Betas:      len(b),
		ESS:        w.ess,
		MaxShare:   w.maxShare,
		LogWeights: an.logw,
	}
	return res, nil
}

// weights summarizes log importance weights.
type weights struct {
	logMean         float64 // log mean w
	logLow, logHigh float64 // log(mean ∓ 3·standard error); −Inf when negative
	ess, maxShare   float64
}

func summarize(logw []float64) weights {
	top := slices.Max(logw)
	var s, s2 float64
	for _, x := range logw {
		e := math.Exp(x - top)
		s += e
		s2 += e * e
	}
	n := float64(len(logw))
	mean := s / n
	se := math.Sqrt(math.Max(0, (s2-n*mean*mean)/(n-1))) / math.Sqrt(n)
	w := weights{
		logMean:  top + math.Log(mean),
		logHigh:  top + math.Log(mean+3*se),
		logLow:   math.Inf(-1),
		ess:      s * s / s2,
		maxShare: 1 / s, // the largest weight is e^0 = 1 relative to top
	}
	if mean > 3*se {
		w.logLow = top + math.Log(mean-3*se)
	}
	return w
}

// RAISEOptions sets up a RAISE run.
type RAISEOptions struct {
	// Base holds the visible biases of the base model the reverse chains
	// anneal to; nil for the uniform model (see the package
	// documentation for why that is the conservative choice).
	Base []float64
	// Betas are the inverse temperatures, increasing from 0 to 1, run
	// backwards; nil means PaperSchedule.
	Betas []float64
	// Progress, if not nil, is told of each inverse temperature done
	// (phase "RAISE").
	Progress Progress
}

// RAISEResult is a RAISE estimate: a stochastic lower bound on the
// average log-probability of the images.
type RAISEResult struct {
	LogProb  float64   // mean of the images' log ŵ, nats
	StdErr   float64   // its standard error over the images
	Images   int       // images used, one reverse chain each
	Betas    int       // inverse temperatures
	LogProbs []float64 // each image's log ŵ
}

// RAISE estimates the average log-probability of the rows of v (0/1
// images) by reverse annealed importance sampling (Burda, Grosse and
// Salakhutdinov 2015; see the package documentation): one chain per image
// starts at the image and anneals to the base model. The mean of the log
// weights is a stochastic lower bound on the average log-probability
// under the annealing model, which is the RBM's when the annealing is slow
// enough. It draws from src, at each β from 1 down to β_1, the hidden
// (rows×Hidden) and then the visible (rows×Visible) states, row by row;
// it shares the work between both cores as AIS does, and stops in the
// same way when ctx is cancelled.
func RAISE(ctx context.Context, m *graph.Model, v []float32, rows int, opt RAISEOptions, src graph.Uniform) (RAISEResult, error) {
	if err := check(m, v, rows); err != nil {
		return RAISEResult{}, err
	}
	if rows < 2 || rows > MaxChains {
		return RAISEResult{}, fmt.Errorf("metrics: RAISE on %d images: use 2 to %d (the standard error needs two)", rows, MaxChains)
	}
	if !f32.IsBinary(v) {
		return RAISEResult{}, fmt.Errorf("metrics: RAISE needs 0/1 images: binarize them first (train.Binarize)")
	}
	betas := opt.Betas
	if betas == nil {
		betas = PaperSchedule()
	}
	b, err := betas32(betas)
	if err != nil {
		return RAISEResult{}, err
	}
	an, err := newAnnealer(m, opt.Base, rows)
	if err != nil {
		return RAISEResult{}, err
	}
	defer an.pool.Close()
	if err := ctx.Err(); err != nil {
		return RAISEResult{}, fmt.Errorf("metrics: RAISE not started: %w", err)
	}
	path := slices.Clone(b)
	slices.Reverse(path)
	an.setStates(v, path[0])
	if err := an.anneal(ctx, path, src, opt.Progress, "RAISE"); err != nil {
		return RAISEResult{}, err
	}
	res := RAISEResult{Images: rows, Betas: len(b), LogProbs: an.logw}
	var s float64
	for i := range an.logw {
		an.logw[i] -= an.logZA
		s += an.logw[i]
	}
	n := float64(rows)
	res.LogProb = s / n
	var ss float64
	for _, x := range an.logw {
		ss += (x - res.LogProb) * (x - res.LogProb)
	}
	res.StdErr = math.Sqrt(ss / (n - 1) / n)
	return res, nil
}
