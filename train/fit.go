package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/internal/f32"
	"gorbm.dev/gorbm/internal/rng"
)

// Sources are the random streams of a run: Init for the initial weights,
// Binarize for the data's Bernoulli draws, Sample for Gibbs sampling.
type Sources struct {
	Init     graph.Normal
	Binarize graph.Uniform
	Sample   graph.Uniform

	// pcg are the generators behind the streams when NewSources made
	// them, so that MarshalBinary can capture their state.
	pcg []*rand.PCG
}

// NewSources returns the three streams of a run seeded with seed, one per
// purpose.
func NewSources(seed uint64) Sources {
	pcg := []*rand.PCG{rng.NewStream(seed, rng.Init), rng.NewStream(seed, rng.Binarize), rng.NewStream(seed, rng.Sample)}
	return Sources{Init: rng.NewRand(pcg[0]), Binarize: rng.NewRand(pcg[1]), Sample: rng.NewRand(pcg[2]), pcg: pcg}
}

// Binarize sets dst[i] = 1 if u < pixels[i]/255 else 0 with a fresh uniform u
// per pixel from src: torch's bernoulli on ToTensor's values.
func Binarize(dst []float32, pixels []uint8, src graph.Uniform) {
	dst = dst[:len(pixels)]
	rng.Fill(dst, src)
	f32.Binarize(dst, pixels)
}

// EvalTrainImages is how many training images EvalImages binarizes: enough
// to compare their mean free energy with the test set's.
const EvalTrainImages = 10000

// EvalImages binarizes the evaluation images of a run seeded with seed: all
// of test, then the first EvalTrainImages of trainSet (fewer if it is
// smaller; none if it is nil), from one stream. The CLI's -eval and -ais
// and compare/goeval read the same images for the same seed.
func EvalImages(seed uint64, test, trainSet *Dataset) (testV, trainV []float32) {
	src := rand.New(rng.NewStream(seed, rng.EvalData))
	testV = make([]float32, test.N*Pixels)
	Binarize(testV, test.Images, src)
	if trainSet == nil {
		return testV, nil
	}
	n := min(EvalTrainImages, trainSet.N)
	trainV = make([]float32, n*Pixels)
	Binarize(trainV, trainSet.Images[:n*Pixels], src)
	return testV, trainV
}

// Config holds the training loop's settings; the zero values of Epochs,
// BatchSize and K are invalid.
type Config struct {
	Epochs    int // passes over the data (the script: 2)
	BatchSize int // images per SGD step (the script: 64)
	K         int // Gibbs steps per reconstruction (the script: 1)

	// Persistent selects persistent contrastive divergence (Tieleman 2008):
	// the negative chain continues from the previous batch's chain instead of
	// restarting at the data. The graph is the same; only v_recon changes.
	// The script's behaviour is false.
	Persistent bool

	// Chains is the number of persistent chains (with Persistent), all
	// advanced K Gibbs steps at every batch and used as its negative
	// samples whatever the batch's size. 0 ties them to the batch: one
	// chain per image of the batch, and a shorter last batch advances only
	// its first chains. They start at the first batch's images, repeated.
	Chains int

	// LearnRate and Momentum, if set, give the solver's learning rate and
	// momentum at every batch (graph.Trainer.SetLearnRate, SetMomentum):
	// schedules such as a decay to a final rate, or Hinton's momentum of
	// 0.5 for the first epochs and 0.9 after. Unset, the trainer keeps its
	// own (the script: lr 0.1, no momentum).
	LearnRate, Momentum Schedule

	// WeightDecay is the L2 weight decay on W (graph.Trainer.SetWeightDecay);
	// 0 leaves the trainer's.
	WeightDecay float64

	// Centered says that the model is trained as a centered RBM
	// (graph.Trainer.SetOffsets, InitOptions), whose offsets are part of the
	// training state: the Result and checkpoints carry them. OffsetRate is
	// the rate of the moving average that moves them towards each batch's
	// means (graph.Trainer.MoveOffsets) before its step; 0 keeps them fixed.
	Centered   bool
	OffsetRate float64

	// OnBatch, if not nil, is called after each SGD step with the epoch,
	// the number of the batch in it (from 0), the epoch's number of
	// batches and the batch's loss: for progress bars and loss curves. It
	// runs on Fit's goroutine and must not keep Fit waiting long.
	OnBatch func(epoch, batch, batches int, loss float32)
}

// A SettingError reports a Config setting out of range, or one that needs
// another: Field names it as in Config ("BatchSize", or "LearnRate.End" for
// a schedule's), Use says what to use instead, and Needs names the field it
// needs, when that is the problem. Callers such as a command line map the
// fields to their own names.
type SettingError struct {
	Field string
	Value any
	Use   string
	Needs string
}

func (e *SettingError) Error() string {
	if e.Needs != "" {
		return fmt.Sprintf("train: Config.%s %v needs Config.%s", e.Field, e.Value, e.Needs)
	}
	return fmt.Sprintf("train: Config.%s %v: use %s", e.Field, e.Value, e.Use)
}

// Validate reports the first invalid setting as a *SettingError.
func (c Config) Validate() error {
	bad := func(field string, value any, use string) error {
		return &SettingError{Field: field, Value: value, Use: use}
	}
	switch {
	case c.Epochs < 1:
		return bad("Epochs", c.Epochs, "at least 1 epoch")
	case c.BatchSize < 1 || c.BatchSize > MaxImages:
		return bad("BatchSize", c.BatchSize, fmt.Sprintf("1 to %d images per batch", MaxImages))
	case c.K < 1:
		return bad("K", c.K, "at least 1 Gibbs step")
	case c.Chains < 0 || c.Chains > MaxImages:
		return bad("Chains", c.Chains, fmt.Sprintf("0 (one per image of the batch) to %d", MaxImages))
	case c.Chains > 0 && !c.Persistent:
		return &SettingError{Field: "Chains", Value: c.Chains, Needs: "Persistent"}
	case !(c.WeightDecay >= 0) || math.IsInf(c.WeightDecay, 0):
		return bad("WeightDecay", c.WeightDecay, "a finite number ≥ 0, e.g. 1e-4")
	case !(c.OffsetRate >= 0 && c.OffsetRate <= 1):
		return bad("OffsetRate", c.OffsetRate, "a number in [0, 1], e.g. 0.01")
	case c.OffsetRate > 0 && !c.Centered:
		return &SettingError{Field: "OffsetRate", Value: c.OffsetRate, Needs: "Centered"}
	}
	if c.LearnRate.Set() {
		if err := c.LearnRate.Validate("LearnRate", 0, math.MaxFloat32, true); err != nil {
			return err
		}
	}
	if c.Momentum.Set() {
		if err := c.Momentum.Validate("Momentum", 0, math.Nextafter(1, 0), false); err != nil {
			return err
		}
	}
	return nil
}

// chainRows returns the number of persistent chains a batch of rows images
// advances.
func (c Config) chainRows(rows int) int {
	if c.Chains > 0 {
		return c.Chains
	}
	return rows
}

// Epoch is what Fit reports after each pass over the data.
type Epoch struct {
	Epoch    int           // 0-based, as the script prints it
	Loss     float64       // mean of the batch losses, the script's np.mean(loss_)
	Batches  int           // number of SGD steps
	Duration time.Duration // wall time of the epoch

	// Result is the run so far, with this epoch's loss appended; it is
	// valid during the onEpoch call (for a checkpoint) and must not be kept.
	Result *Result
}

// Result is where a run stands: the losses of the completed epochs and the
// last batch trained with its reconstruction, which the script turns into
// its two pictures. FitContext can continue from a Result.
type Result struct {
	Losses    []float64 // mean loss of each completed epoch
	LastData  []float32 // LastRows×Pixels binarized data of the last batch
	LastRecon []float32 // its negative samples: the reconstruction, v1 in the script, or with Config.Chains the chains
	LastRows  int

	// Chain is the persistent negative chain (BatchSize×Pixels visible
	// states, or N×Pixels for a batch larger than the N images, or
	// Config.Chains×Pixels) when Config.Persistent is set, nil before the
	// first batch.
	Chain []float32

	// Offsets are a centered model's offsets μ (Pixels) and λ (hidden
	// units), Velocity the momentum solver's velocities of W (script
	// layout), v_bias and h_bias: the model's training state beyond its
	// parameters, nil when it has none. FitContext restores them from the
	// Result it continues.
	Offsets  [2][]float32
	Velocity [3][]float32

	// Curve is the loss curve at a finer grain than Losses: the mean loss
	// of each part of each epoch, CurveParts(batches) parts an epoch, in
	// order, for the parts completed; CurveSum and CurveN are the sum and
	// number of the batch losses of the part under way. It survives
	// checkpoints, so that a plot of it is the same for a run continued
	// from one.
	Curve    []float64
	CurveSum float64
	CurveN   int

	// Batches and Sum describe an epoch stopped part-way (by a cancelled
	// context): the number of its batches trained and the sum of their
	// losses. FitContext continues that epoch with batch Batches. Both are
	// zero after a completed epoch.
	Batches int
	Sum     float64
}

// ErrDiverged reports a loss that is no longer a finite number or has run
// away past DivergedLoss; FitContext's error is a *DivergedError.
var ErrDiverged = errors.New("training diverged")

// A DivergedError says where training diverged: the epoch and the batch
// (from 0), and the batch's loss, computed before its step, or the
// parameters' first value that is not finite, found after the epoch's
// last step (Params).
type DivergedError struct {
	Epoch, Batch int
	Loss         float64
	Params       error
}

func (e *DivergedError) Error() string {
	if e.Params != nil {
		return fmt.Sprintf("%v in epoch %d, batch %d: %v", ErrDiverged, e.Epoch, e.Batch, e.Params)
	}
	return fmt.Sprintf("%v in epoch %d, batch %d (loss %v)", ErrDiverged, e.Epoch, e.Batch, e.Loss)
}

// Unwrap returns ErrDiverged.
func (e *DivergedError) Unwrap() error { return ErrDiverged }

// DivergedLoss is the batch loss magnitude taken as divergence. A healthy
// CD loss on MNIST is of order 10 (the script's epochs print −8.3 and −6.7,
// single batches stay within a few hundred). Gorgonia's softplus is
// overflow-safe, so where the script's exp().add(1).log() turns the loss
// into Inf or NaN (with -lr 1e4, say), ours grows linearly with the learning
// rate instead (to ~1e5 at -lr 1e4): this bound catches that.
const DivergedLoss = 1e4

// Fit trains t's model on d for cfg.Epochs epochs, as the script's loop
// does, and calls onEpoch (if not nil) after each epoch; an error from
// onEpoch stops the run and is returned. The sampling and the steps share
// their work with t's pool.
func Fit(t *graph.Trainer, d *Dataset, cfg Config, src Sources, onEpoch func(Epoch) error) (*Result, error) {
	return FitContext(context.Background(), t, d, cfg, src, nil, onEpoch)
}

// FitContext is Fit with a context and a starting point. If from is not
// nil, training continues after its completed epochs (the random sources
// must be in the state they had then); the returned Result extends it.
// When ctx is cancelled, FitContext finishes the current batch and returns
// the Result so far with an error wrapping ctx.Err(); that batch is its
// LastData. A loss that is NaN, ±Inf or beyond ±DivergedLoss stops the run
// with a *DivergedError; the model then holds the diverged parameters.
// After an error other than a cancellation, the Result's LastData is the
// last batch of the last completed epoch.
func FitContext(ctx context.Context, t *graph.Trainer, d *Dataset, cfg Config, src Sources, from *Result, onEpoch func(Epoch) error) (*Result, error) {
	m := t.Model()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d.N == 0 {
		return nil, errors.New("train: no training images")
	}
	if m.Visible() != Pixels {
		return nil, fmt.Errorf("train: model has %d visible units, MNIST images %d pixels", m.Visible(), Pixels)
	}
	if mu, _ := t.Offsets(); cfg.Centered && mu == nil && (from == nil || from.Offsets[0] == nil) {
		return nil, errors.New("train: a centered run on a trainer without offsets: set them first (graph.Trainer.SetOffsets, InitOptions)")
	}
	res := &Result{}
	if from != nil {
		*res = *from
		res.Losses = append([]float64(nil), from.Losses...)
		// The loop writes into these; leave the caller's copies alone.
		res.LastData = append([]float32(nil), from.LastData...)
		res.LastRecon = append([]float32(nil), from.LastRecon...)
		res.Chain = append([]float32(nil), from.Chain...)
		res.Curve = append([]float64(nil), from.Curve...)
	}
	perEpoch := (d.N + cfg.BatchSize - 1) / cfg.BatchSize
	if err := configure(t, cfg, from, len(res.Losses), res.Batches, perEpoch); err != nil {
		return nil, err
	}
	sampler := graph.NewSampler(m, t.Pool())
	pf := newPrefetcher(d, cfg, sampler, src)
	defer pf.close()
	for epoch := len(res.Losses); epoch < cfg.Epochs; epoch++ {
		start := time.Now()
		sum, batches := res.Sum, res.Batches // non-zero when continuing a stopped epoch
		lo := batches * cfg.BatchSize
		if err := ctx.Err(); err != nil && lo < d.N {
			return res, fmt.Errorf("train: stopped in epoch %d before batch %d: %w", epoch, batches, err)
		}
		if lo < d.N {
			pf.draw(lo) // the epoch's first batch, on this goroutine
		}
		for ; lo < d.N; lo += cfg.BatchSize {
			// The next batch's draws are made on the second goroutine while
			// this one trains, unless the context is done: then this batch
			// is the last, and the streams stay where it leaves them.
			next := lo + cfg.BatchSize
			ahead := next < d.N && ctx.Err() == nil
			if err := schedule(t, cfg, epoch, batches, perEpoch); err != nil {
				return res, err
			}
			drawNext := -1
			if ahead {
				drawNext = next
			}
			loss, err := pf.train(t, &res.Chain, drawNext)
			if ahead {
				pf.wait()
			}
			if err != nil {
				return res, fmt.Errorf("train: epoch %d, batch %d: %w", epoch, batches, err)
			}
			if !(math.Abs(float64(loss)) <= DivergedLoss) { // also NaN
				return res, &DivergedError{Epoch: epoch, Batch: batches, Loss: float64(loss)}
			}
			sum += float64(loss)
			res.addToCurve(batches, perEpoch, loss)
			if cfg.OnBatch != nil {
				cfg.OnBatch(epoch, batches, perEpoch, loss)
			}
			batches++
			if !ahead { // the epoch's last batch, or the last before a stop
				res.LastData = append(res.LastData[:0], pf.cur.v...)
				res.LastRecon = append(res.LastRecon[:0], pf.v1...)
				res.LastRows = pf.cur.rows
			}
			if next < d.N && !ahead {
				res.Batches, res.Sum = batches, sum
				if err := keepState(t, cfg, res); err != nil {
					return res, err
				}
				return res, fmt.Errorf("train: stopped in epoch %d before batch %d: %w", epoch, batches, ctx.Err())
			}
			if ahead {
				pf.swap()
			}
		}
		if err := m.CheckFinite(); err != nil {
			return res, &DivergedError{Epoch: epoch, Batch: batches - 1, Loss: math.NaN(), Params: err}
		}
		e := Epoch{Epoch: epoch, Loss: sum / float64(batches), Batches: batches, Duration: time.Since(start), Result: res}
		res.Losses = append(res.Losses, e.Loss)
		res.Batches, res.Sum = 0, 0
		if err := keepState(t, cfg, res); err != nil {
			return res, err
		}
		if onEpoch != nil {
			if err := onEpoch(e); err != nil {
				return res, err
			}
		}
	}
	return res, nil
}

// prefetcher holds a batch's random draws, the binarized data and the
// uniforms of its Gibbs chain, and makes the next batch's on a second
// goroutine while the current one trains. The draws come from the Binarize
// and Sample streams in the order the script's loop makes them, so the
// results are those of drawing in the loop; the loop only draws ahead
// within an epoch and when it will train that batch, so the streams'
// state at a checkpoint is the state after the last trained batch.
type prefetcher struct {
	d        *Dataset
	cfg      Config
	sampler  *graph.Sampler
	src      Sources
	cur, nxt *batchDraws
	v1       []float32 // the current batch's reconstruction
	drawn    rng.Drawn
	req      chan int // first image of the batch to draw into nxt
	done     chan struct{}
}

// batchDraws are one batch's draws.
type batchDraws struct {
	rows    int
	v       []float32 // rows×Pixels binarized data: data.bernoulli()
	u       []float32 // the uniforms of sampler.Gibbs it uses
	skipped int       // then those it passes over, skipped in the stream
}

func newPrefetcher(d *Dataset, cfg Config, s *graph.Sampler, src Sources) *prefetcher {
	p := &prefetcher{d: d, cfg: cfg, sampler: s, src: src, req: make(chan int), done: make(chan struct{})}
	rows := min(cfg.BatchSize, d.N) // no batch has more rows than the data
	mk := func() *batchDraws {
		return &batchDraws{v: make([]float32, rows*Pixels), u: make([]float32, s.GibbsDraws(p.negRows(rows), cfg.K))}
	}
	p.cur, p.nxt = mk(), mk()
	go func() {
		for lo := range p.req {
			p.fill(p.nxt, lo)
			p.done <- struct{}{}
		}
	}()
	return p
}

// fill makes the draws of the batch starting at image lo.
func (p *prefetcher) fill(b *batchDraws, lo int) {
	b.rows = min(p.cfg.BatchSize, p.d.N-lo)
	b.v = b.v[:b.rows*Pixels]
	Binarize(b.v, p.d.Images[lo*Pixels:(lo+b.rows)*Pixels], p.src.Binarize)
	neg := p.negRows(b.rows)
	b.skipped = p.sampler.GibbsSkipped(neg)
	b.u = b.u[:p.sampler.GibbsDraws(neg, p.cfg.K)-b.skipped]
	rng.Fill(b.u, p.src.Sample)
	rng.Skip(b.skipped, p.src.Sample)
}

// negRows returns the number of negative samples of a batch of rows
// images: a reconstruction each, or the persistent chains.
func (p *prefetcher) negRows(rows int) int {
	if p.cfg.Persistent {
		return p.cfg.chainRows(rows)
	}
	return rows
}

// draw makes the draws of the batch starting at lo into cur, on this goroutine.
func (p *prefetcher) draw(lo int) { p.fill(p.cur, lo) }

// start begins the draws of the batch starting at lo into nxt; wait waits
// for them; swap makes them current.
func (p *prefetcher) start(lo int) { p.req <- lo }
func (p *prefetcher) wait()        { <-p.done }
func (p *prefetcher) swap()        { p.cur, p.nxt = p.nxt, p.cur }
func (p *prefetcher) close()       { close(p.req) }

// train runs the current batch: the Gibbs chain from the data (or, with
// Persistent, from *chain), the offsets' move of a centered model, and the
// graph's step. It returns the loss. With next ≥ 0 it starts the draws of
// the batch at image next once the chain is done, so that they run beside
// the step rather than take a processor from the chain's helpers; the
// caller then waits for them.
func (p *prefetcher) train(t *graph.Trainer, chain *[]float32, next int) (float32, error) {
	b, rows := p.cur, p.cur.rows
	u := &p.drawn
	u.ResetSkipped(b.u, b.skipped)
	var batch graph.Batch
	var err error
	if p.cfg.Persistent {
		n := p.cfg.chainRows(min(p.cfg.BatchSize, p.d.N)) // a batch's rows at most, or the chains
		if *chain == nil {
			*chain = make([]float32, n*Pixels)
			for r := 0; r < n; r += rows { // the chains start at the first batch
				copy((*chain)[r*Pixels:], b.v)
			}
		}
		n = p.cfg.chainRows(rows)
		batch, err = p.sampler.Persistent(b.v, rows, (*chain)[:n*Pixels], n, p.cfg.K, u)
	} else {
		batch, err = p.sampler.Gibbs(b.v, rows, p.cfg.K, u) // v, v1 = model(sample_data)
	}
	if next >= 0 {
		p.start(next)
	}
	if err != nil {
		return 0, err
	}
	if u.Len() != 0 {
		return 0, fmt.Errorf("train: Gibbs left %d of its %d draws", u.Len(), len(b.u)+b.skipped)
	}
	p.v1 = batch.Recon
	if p.cfg.Persistent {
		switch {
		case &batch.Recon[0] == &(*chain)[0]: // advanced in place
		case len(batch.Recon) == len(*chain):
			*chain = batch.Recon // the sampler's buffer: the next start, without a copy
		default:
			copy(*chain, batch.Recon)
		}
	}
	if p.cfg.OffsetRate > 0 {
		if err := t.MoveOffsets(batch, p.cfg.OffsetRate); err != nil {
			return 0, err
		}
	}
	return t.Step(batch) // loss.backward(); train_op.step()
}

// configure gives t the settings of cfg that hold for the whole run, the
// schedules' values at the run's start (epoch, batch of perEpoch), and,
// when continuing from a Result, its offsets and velocities.
func configure(t *graph.Trainer, cfg Config, from *Result, epoch, batch, perEpoch int) error {
	if err := t.SetWeightDecay(cfg.WeightDecay); err != nil {
		return err
	}
	if err := schedule(t, cfg, epoch, batch, perEpoch); err != nil {
		return err
	}
	if from == nil {
		return nil
	}
	if from.Offsets[0] != nil {
		if err := t.SetOffsets(from.Offsets[0], from.Offsets[1]); err != nil {
			return fmt.Errorf("train: restoring the offsets: %w", err)
		}
	}
	if v := from.Velocity; v[0] != nil {
		if err := t.SetVelocity(v[0], v[1], v[2]); err != nil {
			return fmt.Errorf("train: restoring the velocities: %w", err)
		}
	}
	return nil
}

// schedule sets the learning rate and momentum of batch batch of perEpoch
// in epoch epoch, for the schedules that are set.
func schedule(t *graph.Trainer, cfg Config, epoch, batch, perEpoch int) error {
	if cfg.LearnRate.Set() {
		if err := t.SetLearnRate(cfg.LearnRate.At(epoch, batch, perEpoch, cfg.Epochs)); err != nil {
			return err
		}
	}
	if cfg.Momentum.Set() {
		if err := t.SetMomentum(cfg.Momentum.At(epoch, batch, perEpoch, cfg.Epochs)); err != nil {
			return err
		}
	}
	return nil
}

// CurveParts is the number of parts of an epoch of batches batches in
// Result.Curve: tenths, or single batches for an epoch of fewer than ten.
func CurveParts(batches int) int { return min(10, batches) }

// curvePart returns the part of the epoch that batch (of batches) is in.
func curvePart(batch, batches int) int { return batch * CurveParts(batches) / batches }

// addToCurve adds the loss of batch (of batches in the epoch) to the curve,
// closing its part after the part's last batch.
func (r *Result) addToCurve(batch, batches int, loss float32) {
	r.CurveSum += float64(loss)
	r.CurveN++
	if batch+1 == batches || curvePart(batch+1, batches) != curvePart(batch, batches) {
		r.Curve = append(r.Curve, r.CurveSum/float64(r.CurveN))
		r.CurveSum, r.CurveN = 0, 0
	}
}

// keepState copies the trainer's offsets (Centered) and, with a momentum
// schedule, its velocities into res.
func keepState(t *graph.Trainer, cfg Config, res *Result) error {
	res.Offsets, res.Velocity = [2][]float32{}, [3][]float32{}
	if cfg.Centered {
		mu, lambda := t.Offsets()
		res.Offsets = [2][]float32{mu, lambda}
	}
	if cfg.Momentum.Set() {
		w, vb, hb := t.Velocity()
		res.Velocity = [3][]float32{w, vb, hb}
	}
	return nil
}
