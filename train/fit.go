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

	// OnBatch, if not nil, is called after each SGD step with the epoch,
	// the number of the batch in it (from 0), the epoch's number of
	// batches and the batch's loss: for progress bars and loss curves. It
	// runs on Fit's goroutine and must not keep Fit waiting long.
	OnBatch func(epoch, batch, batches int, loss float32)
}

// Validate reports the first invalid setting.
func (c Config) Validate() error {
	switch {
	case c.Epochs < 1:
		return fmt.Errorf("epochs %d: use at least 1 epoch", c.Epochs)
	case c.BatchSize < 1:
		return fmt.Errorf("batch %d: use at least 1 image per batch", c.BatchSize)
	case c.K < 1:
		return fmt.Errorf("k %d: use at least 1 Gibbs step", c.K)
	}
	return nil
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
	LastRecon []float32 // its reconstruction, v1 in the script
	LastRows  int

	// Chain is the persistent negative chain (BatchSize×Pixels visible
	// states, or N×Pixels for a batch larger than the N images) when
	// Config.Persistent is set, nil before the first batch.
	Chain []float32

	// Batches and Sum describe an epoch stopped part-way (by a cancelled
	// context): the number of its batches trained and the sum of their
	// losses. FitContext continues that epoch with batch Batches. Both are
	// zero after a completed epoch.
	Batches int
	Sum     float64
}

// ErrDiverged reports a loss that is no longer a finite number or has run
// away past DivergedLoss.
var ErrDiverged = errors.New("training diverged")

// DivergedLoss is the batch loss magnitude taken as divergence. A healthy
// CD loss on MNIST is of order 10 (the script's epochs print −8.3 and −6.7,
// single batches stay within a few hundred). Gorgonia's softplus is
// overflow-safe, so where the script's exp().add(1).log() turns the loss
// into Inf or NaN (with -lr 1e4, say), ours grows linearly with the learning
// rate instead (to ~1e5 at -lr 1e4): this bound catches that.
const DivergedLoss = 1e4

// Fit trains m on d for cfg.Epochs epochs, as the script's loop does, and
// calls onEpoch (if not nil) after each epoch; an error from onEpoch stops
// the run and is returned.
func Fit(m *graph.Model, d *Dataset, cfg Config, src Sources, onEpoch func(Epoch) error) (*Result, error) {
	return FitContext(context.Background(), m, d, cfg, src, nil, onEpoch)
}

// FitContext is Fit with a context and a starting point. If from is not
// nil, training continues after its completed epochs (the random sources
// must be in the state they had then); the returned Result extends it.
// When ctx is cancelled, FitContext finishes the current batch and returns
// the Result so far with an error wrapping ctx.Err(); that batch is its
// LastData. A loss that is NaN,
// ±Inf or beyond ±DivergedLoss stops the run with an error wrapping
// ErrDiverged that names the epoch and batch; the model then holds the
// diverged parameters. After an error other than a cancellation, the
// Result's LastData is the last batch of the last completed epoch.
func FitContext(ctx context.Context, m *graph.Model, d *Dataset, cfg Config, src Sources, from *Result, onEpoch func(Epoch) error) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d.N == 0 {
		return nil, errors.New("train: no training images")
	}
	if m.Visible() != Pixels {
		return nil, fmt.Errorf("train: model has %d visible units, MNIST images %d pixels", m.Visible(), Pixels)
	}
	res := &Result{}
	if from != nil {
		*res = *from
		res.Losses = append([]float64(nil), from.Losses...)
		// The loop writes into these; leave the caller's copies alone.
		res.LastData = append([]float32(nil), from.LastData...)
		res.LastRecon = append([]float32(nil), from.LastRecon...)
		res.Chain = append([]float32(nil), from.Chain...)
	}
	sampler := graph.NewSampler(m)
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
			if ahead {
				pf.start(next)
			}
			loss, err := pf.train(m, &res.Chain)
			if ahead {
				pf.wait()
			}
			if err != nil {
				return res, fmt.Errorf("train: epoch %d, batch %d: %w", epoch, batches, err)
			}
			if !(math.Abs(float64(loss)) <= DivergedLoss) { // also NaN
				return res, fmt.Errorf("%w in epoch %d, batch %d (loss %v): try a smaller learning rate (-lr)", ErrDiverged, epoch, batches, loss)
			}
			sum += float64(loss)
			if cfg.OnBatch != nil {
				cfg.OnBatch(epoch, batches, (d.N+cfg.BatchSize-1)/cfg.BatchSize, loss)
			}
			batches++
			if !ahead { // the epoch's last batch, or the last before a stop
				res.LastData = append(res.LastData[:0], pf.cur.v...)
				res.LastRecon = append(res.LastRecon[:0], pf.v1...)
				res.LastRows = pf.cur.rows
			}
			if next < d.N && !ahead {
				res.Batches, res.Sum = batches, sum
				return res, fmt.Errorf("train: stopped in epoch %d before batch %d: %w", epoch, batches, ctx.Err())
			}
			if ahead {
				pf.swap()
			}
		}
		if err := m.CheckFinite(); err != nil {
			return res, fmt.Errorf("%w in epoch %d, batch %d: %w; try a smaller learning rate (-lr)", ErrDiverged, epoch, batches-1, err)
		}
		e := Epoch{Epoch: epoch, Loss: sum / float64(batches), Batches: batches, Duration: time.Since(start), Result: res}
		res.Losses = append(res.Losses, e.Loss)
		res.Batches, res.Sum = 0, 0
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
	rows int
	v    []float32 // rows×Pixels binarized data: data.bernoulli()
	u    []float32 // the uniforms of sampler.Gibbs
}

func newPrefetcher(d *Dataset, cfg Config, s *graph.Sampler, src Sources) *prefetcher {
	p := &prefetcher{d: d, cfg: cfg, sampler: s, src: src, req: make(chan int), done: make(chan struct{})}
	rows := min(cfg.BatchSize, d.N) // no batch has more rows than the data
	mk := func() *batchDraws {
		return &batchDraws{v: make([]float32, rows*Pixels), u: make([]float32, s.GibbsDraws(rows, cfg.K))}
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
	b.u = b.u[:p.sampler.GibbsDraws(b.rows, p.cfg.K)]
	rng.Fill(b.u, p.src.Sample)
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
// Persistent, from *chain) and the graph's SGD step. It returns the loss.
func (p *prefetcher) train(m *graph.Model, chain *[]float32) (float32, error) {
	b, rows := p.cur, p.cur.rows
	start := b.v
	if p.cfg.Persistent {
		if *chain == nil {
			n := min(p.cfg.BatchSize, p.d.N) // a batch's rows at most
			*chain = make([]float32, n*Pixels)
			for r := 0; r*rows < n; r++ { // the chain starts at the first batch
				copy((*chain)[r*rows*Pixels:], b.v)
			}
		}
		start = (*chain)[:rows*Pixels]
	}
	u := &p.drawn
	u.Reset(b.u)
	batch, err := p.sampler.Gibbs(start, rows, p.cfg.K, u) // v, v1 = model(sample_data)
	if err != nil {
		return 0, err
	}
	if u.Len() != 0 {
		return 0, fmt.Errorf("train: Gibbs left %d of its %d draws", u.Len(), len(b.u))
	}
	p.v1 = batch.Recon
	if p.cfg.Persistent {
		copy(*chain, batch.Recon)
		batch.Data = b.v // the chain started elsewhere; the data is the batch
	}
	return m.Step(batch) // loss.backward(); train_op.step()
}
