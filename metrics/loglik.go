package metrics

import (
	"context"
	"fmt"
	"math"

	"gorbm.dev/gorbm/graph"
)

// DefaultRAISEImages is the number of test images RAISE uses unless told
// otherwise: one reverse chain each, so with the paper's schedule it costs
// what one AIS run of DefaultChains chains costs.
const DefaultRAISEImages = 100

// Thresholds of the warnings of EstimateLogLikelihood.
const (
	// MinESSFraction: an AIS run whose effective sample size is below this
	// fraction of its chains rests on a few of them; its ±3σ, computed
	// from those few, understates the error.
	MinESSFraction = 0.1
	// MaxWeightShare: a single chain carrying more than this share of the
	// weights is the same warning in its extreme form.
	MaxWeightShare = 0.5
	// WideBracket is the width, in nats, of a [RAISE, AIS] bracket worth a
	// warning: the true value may be anywhere inside it.
	WideBracket = 5.0
)

// LogLikelihoodOptions sets up EstimateLogLikelihood.
type LogLikelihoodOptions struct {
	// Marginals are the training data's pixel marginals (Visible values in
	// [0, 1], see Marginals and PixelMarginals) for the base-rate model.
	Marginals []float64
	// Betas are the inverse temperatures of the three runs; nil means
	// PaperSchedule.
	Betas []float64
	// Chains is the number of chains of each AIS run; 0 means
	// DefaultChains.
	Chains int
	// RAISEImages is the number of test images RAISE uses, evenly spaced
	// through the test set, 2 to the test set's size; 0 means
	// min(DefaultRAISEImages, test images).
	RAISEImages int
	// Progress, if not nil, is told of each inverse temperature of the
	// three runs, phases "AIS (base rate)", "AIS (uniform)" and "RAISE".
	Progress Progress
	// BoundImages, optional, are other 0/1 images the run evaluates (such
	// as the training images whose log-probability it reports), rows of
	// Visible values: their terms join the test images' in the lower
	// bound on log Z (LogZLowerBounds).
	BoundImages []float32
}

// LogLikelihood is the log-likelihood of a model on a test set from the
// estimators of the package documentation, with what says how far to
// trust it.
type LogLikelihood struct {
	BaseRate AISResult // AIS from the base-rate model
	Uniform  AISResult // AIS from the uniform model
	// LogZ, LogZLow and LogZHigh are the combined estimate and its ±3σ
	// (see the package documentation): when the two runs disagree, those
	// of the higher; when they agree, those of the one with the larger
	// effective sample size; the hard lower bound when the chosen one is
	// below it. Chosen says which: "base rate", "uniform" or "bound".
	LogZ, LogZLow, LogZHigh float64
	Chosen                  string
	// Bounds are log Z's cheap lower bounds on the model, the test images
	// and the BoundImages (LogZLowerBounds); the combined estimate is
	// never below the best of them, Bounds.Best().
	Bounds LogZBounds

	TestImages     int
	TestFreeEnergy float64 // mean F(v) over the test images
	// TestLogProb is the average test log-probability −TestFreeEnergy −
	// LogZ, TestLogProbBound its upper bound −TestFreeEnergy − the best
	// lower bound on log Z (see TestLogProbUpperBound).
	TestLogProb, TestLogProbBound float64

	// RAISE ran on RAISE.Images evenly spaced test images, annealing to
	// the base named RAISEBase, the AIS run chosen for LogZ;
	// RAISEAIS is the combined AIS estimate of their average
	// log-probability, the top of the bracket [RAISE.LogProb, RAISEAIS].
	RAISE     RAISEResult
	RAISEBase string
	RAISEAIS  float64

	// Warnings say, with advice, what makes the numbers untrustworthy;
	// none when nothing does.
	Warnings []string
}

// EstimateLogLikelihood estimates log Z of m by AIS from the base-rate
// and the uniform model, combines them, and brackets the average test
// log-probability of the rows of test (0/1 images) between RAISE, run to
// the base of the AIS run it chose, and AIS (see the package
// documentation). It draws from src the base-rate run's variates, then
// the uniform run's, then RAISE's, each in the order its function
// documents. When ctx is cancelled it stops within one β step with an
// error wrapping ctx.Err().
func EstimateLogLikelihood(ctx context.Context, m *graph.Model, test []float32, rows int, opt LogLikelihoodOptions, src graph.Uniform) (LogLikelihood, error) {
	var ll LogLikelihood
	if err := check(m, test, rows); err != nil {
		return ll, err
	}
	if len(opt.Marginals) != m.Visible() {
		return ll, fmt.Errorf("metrics: %d pixel marginals for the base-rate model of %d visible units", len(opt.Marginals), m.Visible())
	}
	n := opt.RAISEImages
	if n == 0 {
		n = min(DefaultRAISEImages, rows)
	}
	if n < 2 || n > rows {
		return ll, fmt.Errorf("metrics: RAISE on %d of %d test images: use 2 to %d", n, rows, rows)
	}
	bounds, err := LogZLowerBounds(m, test, opt.BoundImages) // checks the images before the long runs
	if err != nil {
		return ll, err
	}
	phase := func(name string) Progress {
		if opt.Progress == nil {
			return nil
		}
		return func(_ string, done, total int) { opt.Progress(name, done, total) }
	}
	baseRate := BaseRate(opt.Marginals)
	ais := AISOptions{Base: baseRate, Betas: opt.Betas, Chains: opt.Chains, Progress: phase("AIS (base rate)")}
	if ll.BaseRate, err = AIS(ctx, m, ais, src); err != nil {
		return ll, err
	}
	ais.Base, ais.Progress = nil, phase("AIS (uniform)")
	if ll.Uniform, err = AIS(ctx, m, ais, src); err != nil {
		return ll, err
	}
	ll.combine(bounds)

	// RAISE on every (rows/n)-th image.
	V := m.Visible()
	sub := make([]float32, n*V)
	for i := 0; i < n; i++ {
		r := i * rows / n
		copy(sub[i*V:(i+1)*V], test[r*V:(r+1)*V])
	}
	raise := RAISEOptions{Betas: opt.Betas, Progress: phase("RAISE")}
	if ll.RAISEBase == "base rate" {
		raise.Base = baseRate
	}
	if ll.RAISE, err = RAISE(ctx, m, sub, n, raise, src); err != nil {
		return ll, err
	}

	ll.TestImages = rows
	if ll.TestFreeEnergy, err = MeanFreeEnergy(m, test, rows); err != nil {
		return ll, err
	}
	ll.TestLogProb = -ll.TestFreeEnergy - ll.LogZ
	best, _ := ll.Bounds.Best()
	ll.TestLogProbBound = -ll.TestFreeEnergy - best
	fSub, err := MeanFreeEnergy(m, sub, n)
	if err != nil {
		return ll, err
	}
	ll.RAISEAIS = -fSub - ll.LogZ
	ll.warn()
	return ll, nil
}

// TestLogProbUpperBound returns TestLogProbBound and whether it says
// anything: an average log-probability of 0/1 images is at most 0, so an
// upper bound at or above 0 does not.
func (ll LogLikelihood) TestLogProbUpperBound() (float64, bool) {
	return ll.TestLogProbBound, ll.TestLogProbBound < 0
}

// combine sets the combined estimate from the two AIS runs and the
// bounds, and RAISE's base: when the runs agree (their ±3σ overlap), the
// one with the larger effective sample size; when they disagree, the
// higher; the best bound when that is higher still.
func (ll *LogLikelihood) combine(bounds LogZBounds) {
	br, un := ll.BaseRate, ll.Uniform
	best, name := br, "base rate"
	agree := !(br.High < un.Low || un.High < br.Low)
	if agree && un.ESS > br.ESS || (!agree || un.ESS == br.ESS) && un.LogZ > br.LogZ {
		best, name = un, "uniform"
	}
	ll.LogZ, ll.LogZLow, ll.LogZHigh, ll.Chosen = best.LogZ, best.Low, best.High, name
	ll.RAISEBase = name
	ll.Bounds = bounds
	if bound, _ := bounds.Best(); best.LogZ < bound {
		ll.LogZ, ll.LogZLow, ll.LogZHigh, ll.Chosen = bound, bound, max(bound, best.High), "bound"
	}
}

// warn fills Warnings.
func (ll *LogLikelihood) warn() {
	add := func(format string, a ...any) { ll.Warnings = append(ll.Warnings, fmt.Sprintf(format, a...)) }
	br, un := ll.BaseRate, ll.Uniform
	bound, boundName := ll.Bounds.Best()
	bases := []struct {
		name string
		res  AISResult
	}{{"base-rate", br}, {"uniform", un}}
	for _, b := range bases {
		switch {
		case b.res.High < bound:
			add("AIS from the %s model (log Z = %.2f) is below log Z's hard lower bound %.2f (%s) beyond its ±3σ: it missed probability mass that those terms alone hold",
				b.name, b.res.LogZ, bound, boundName)
		case b.res.LogZ < bound:
			add("AIS from the %s model (log Z = %.2f) is below log Z's hard lower bound %.2f (%s), within its ±3σ: the bound is the better estimate",
				b.name, b.res.LogZ, bound, boundName)
		}
	}
	if ll.Chosen == "bound" {
		add("the combined log Z is the hard lower bound %.2f (%s), so the test log-probability %.2f is an upper bound; anneal more slowly (more inverse temperatures) for an estimate",
			bound, boundName, ll.TestLogProb)
	}
	if br.High < un.Low || un.High < br.Low {
		low, lowName := br, "base-rate"
		if un.LogZ < br.LogZ {
			low, lowName = un, "uniform"
		}
		add("the base-rate and uniform AIS estimates disagree by %.2f nats, beyond their ±3σ: the %s run (log Z = %.2f) missed probability mass the other found, and the combined estimate takes the higher; anneal more slowly (more inverse temperatures) until they agree",
			math.Abs(br.LogZ-un.LogZ), lowName, low.LogZ)
	}
	for _, b := range bases {
		if b.res.ESS < MinESSFraction*float64(b.res.Chains) || b.res.MaxShare > MaxWeightShare {
			add("AIS from the %s model rests on a few chains (effective sample size %.1f of %d, largest weight %.0f%%): its ±3σ understates the error; use more inverse temperatures or more chains",
				b.name, b.res.ESS, b.res.Chains, 100*b.res.MaxShare)
		}
	}
	lo, hi := ll.RAISE.LogProb, ll.RAISEAIS
	switch {
	case lo-3*ll.RAISE.StdErr > hi:
		add("RAISE's lower bound %.2f (±%.2f) is above AIS's estimate %.2f on the same images: AIS's log Z is too high or RAISE's annealing too short; use more inverse temperatures",
			lo, ll.RAISE.StdErr, hi)
	case hi-lo > WideBracket:
		add("the average test log-probability lies in a bracket %.1f nats wide, [%.2f (RAISE), %.2f (AIS)]: anneal more slowly (more inverse temperatures) to narrow it",
			hi-lo, lo, hi)
	}
}
