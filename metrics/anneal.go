package metrics

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/internal/f32"
	"gorbm.dev/gorbm/internal/linalg"
	"gorbm.dev/gorbm/internal/par"
	"gorbm.dev/gorbm/internal/rng"
)

// BaseRateClip keeps the base-rate model's pixel probabilities inside
// [BaseRateClip, 1−BaseRateClip]: pixels that are never (or always) on in
// the training data would otherwise get infinite biases. Any base model
// gives an unbiased estimate of Z; this choice only affects its variance.
const BaseRateClip = 1e-3

// DefaultChains is the paper's number of AIS runs.
const DefaultChains = 100

// MaxChains and MaxBetas bound an annealing run's size: each chain holds
// about 4·(4·Visible + 7·Hidden) bytes of state and uniforms, so MaxChains
// keeps a 784×500 model's chains under 300 MB; MaxBetas is 69 times the
// paper's schedule, hours of work at the paper's 100 chains.
const (
	MaxChains = 10000
	MaxBetas  = 1000000
)

// PaperSchedule returns the inverse temperatures of Salakhutdinov and
// Murray (2008): 0 to 0.5 in steps of 1e-3, to 0.9 in steps of 1e-4, to 1
// in steps of 1e-5; 14,501 values from 0 to 1.
func PaperSchedule() []float64 { return schedule(500, 4000, 10000) }

// Schedule returns n inverse temperatures from 0 to 1 in the paper's three
// linear segments (to 0.5, 0.9 and 1), with the paper's share of the steps
// in each. n = 0 gives PaperSchedule; otherwise n must be between 4 and
// MaxBetas.
func Schedule(n int) ([]float64, error) {
	if n == 0 {
		return PaperSchedule(), nil
	}
	if n < 4 || n > MaxBetas {
		return nil, fmt.Errorf("metrics: AIS with %d inverse temperatures: use 4 to %d (or 0 for the paper's 14,501)", n, MaxBetas)
	}
	steps := n - 1
	n1 := max(1, int(math.Round(float64(steps)*500/14500)))
	n2 := max(1, int(math.Round(float64(steps)*4000/14500)))
	return schedule(n1, n2, steps-n1-n2), nil
}

func schedule(n1, n2, n3 int) []float64 {
	b := make([]float64, 0, n1+n2+n3+1)
	for _, seg := range []struct {
		from, to float64
		n        int
	}{{0, 0.5, n1}, {0.5, 0.9, n2}, {0.9, 1, n3}} {
		for i := 0; i < seg.n; i++ {
			b = append(b, seg.from+(seg.to-seg.from)*float64(i)/float64(seg.n))
		}
	}
	return append(b, 1)
}

// BaseRate returns the visible biases logit(p_i) of the paper's base-rate
// model for the training data's pixel marginals p (see Marginals and
// PixelMarginals), each clipped to [BaseRateClip, 1−BaseRateClip].
func BaseRate(marginals []float64) []float64 {
	b := make([]float64, len(marginals))
	for i, p := range marginals {
		p = math.Min(math.Max(p, BaseRateClip), 1-BaseRateClip)
		if math.IsNaN(p) {
			p = 0.5
		}
		b[i] = math.Log(p) - math.Log1p(-p)
	}
	return b
}

// betas32 checks an annealing schedule and rounds it to float32, the
// precision of the fields it multiplies; every use of β_k (the transition
// and both weight terms) then sees the same value, so the run is exact AIS
// for the rounded schedule.
func betas32(betas []float64) ([]float32, error) {
	switch {
	case len(betas) < 2 || betas[0] != 0 || betas[len(betas)-1] != 1:
		return nil, fmt.Errorf("metrics: annealing inverse temperatures must run from 0 to 1 (%d given)", len(betas))
	case len(betas) > MaxBetas:
		return nil, fmt.Errorf("metrics: %d annealing inverse temperatures: use at most %d", len(betas), MaxBetas)
	}
	b := make([]float32, len(betas))
	for k, x := range betas {
		b[k] = float32(x)
		if k > 0 && !(b[k] > b[k-1]) {
			return nil, fmt.Errorf("metrics: annealing inverse temperatures must increase, in float32 too (β[%d] = %v after %v)", k, x, betas[k-1])
		}
	}
	return b, nil
}

// annealer runs n chains of the block Gibbs sampler on the path of
// distributions p*_β between a base model with visible biases b_A (no
// weights, hidden biases 0) and the model (see the package documentation),
// and accumulates each chain's log importance weight.
//
// The chains are independent, so the cores share them: two workers take
// the chains one at a time and run each through a block of up to
// blockSteps steps, and the goroutines meet once a block. The uniforms of
// a block are drawn beforehand, on one goroutine, in the documented order
// (step by step, all chains' hidden then visible states), so that the
// results do not depend on how the chains were shared.
type annealer struct {
	pool     *par.Pool // the annealer's helper; close it when done
	V, H, H2 int       // H2 = H+2: the hidden fields, then v·b and v·b_A
	wAug     []float32 // V×H2: each row of W (V×H), then b_i and b_A,i
	wt       []float32 // W as H×V (the script's layout)
	cAug     []float32 // c, 0, 0
	b, bA    []float32 // visible and base biases
	logZA    float64   // log Z of the base model

	n       int
	v, pv   []float32 // n×V: states, visible probabilities
	h, ph   []float32 // n×H: hidden states, σ(β·a)
	junk    []float32 // n×H: the σ nobody reads
	a       fields    // of v: v·W + c, v·b, v·b_A (n×H2)
	g       fields    // of h: h·Wᵀ + b (n×V)
	logw    []float64 // n log weights
	job     job       // what Run does
	to      float32   // the start's weight term: log f_to
	path    []float32 // a block's steps: transitions at path[0…len−2]
	block   int       // steps per block, at most blockSteps
	ctx     context.Context
	scratch sync.Pool // *flips, one per goroutine in a block

	// The uniforms: u[cur] are this block's (per step n×H, then n×V),
	// u[1−cur] the next block's, drawn from src during this block by the
	// goroutine of worker 0 before it takes chains (the draws are in order
	// on one goroutine whatever the split).
	u    [2][]float32
	cur  int
	src  graph.Uniform
	next int // steps of the next block, to draw during this one

	taken atomic.Int64 // chains of the current job handed out so far
}

// blockSteps is the most steps the goroutines run between two meetings:
// each meeting costs a hand-over, and one that waits for a goroutine the
// system has descheduled costs a time slice. blockUniforms bounds a
// block's uniforms (two blocks' are held), so many chains make shorter
// blocks.
const (
	blockSteps    = 16
	blockUniforms = 1 << 21 // 8 MB
)

// newAnnealer returns an annealer of n chains of m from the base biases
// bA (nil: all 0, the uniform base).
func newAnnealer(m *graph.Model, bA []float64, n int) (*annealer, error) {
	V, H := m.Visible(), m.Hidden()
	switch {
	case bA != nil && len(bA) != V:
		return nil, fmt.Errorf("metrics: %d base biases for %d visible units", len(bA), V)
	case n < 1 || n > MaxChains:
		return nil, fmt.Errorf("metrics: %d annealing chains: use 1 to %d", n, MaxChains)
	}
	if V > math.MaxInt32/(H+2) {
		return nil, fmt.Errorf("metrics: a %d×%d model is too large to anneal: its offsets must fit in 32 bits", V, H)
	}
	wt, b, c := m.Params()
	an := &annealer{pool: par.New(min(1, runtime.GOMAXPROCS(0)-1)), V: V, H: H, H2: H + 2, wt: wt, b: b, n: n,
		wAug: make([]float32, V*(H+2)), cAug: make([]float32, H+2),
		bA: make([]float32, V), logZA: float64(H) * math.Ln2}
	w := make([]float32, V*H)
	linalg.Transpose(nil, w, wt, H, V)
	copy(an.cAug, c)
	for i := 0; i < V; i++ {
		if bA != nil {
			x := bA[i]
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("metrics: base bias %d is %v: use finite biases", i, x)
			}
			an.bA[i] = float32(x)
		}
		row := an.wAug[i*an.H2 : (i+1)*an.H2]
		copy(row, w[i*H:(i+1)*H])
		row[H], row[H+1] = b[i], an.bA[i]
		an.logZA += graph.Softplus(float64(an.bA[i]))
	}
	an.v, an.pv = make([]float32, n*V), make([]float32, n*V)
	an.h, an.ph, an.junk = make([]float32, n*H), make([]float32, n*H), make([]float32, n*H)
	an.a = newFields(n, an.wAug, an.cAug)
	an.g = newFields(n, wt, b)
	an.block = min(blockSteps, max(1, blockUniforms/(n*(H+V))))
	an.u = [2][]float32{make([]float32, an.block*n*(H+V)), make([]float32, an.block*n*(H+V))}
	an.logw = make([]float64, n)
	an.scratch.New = func() any { return &flips{on: make([]int32, max(V, H)), off: make([]int32, max(V, H))} }
	return an, nil
}

// fields are the products x·M + c of the 0/1 states x of the chains, one
// row of cols values per chain, kept up to date as the states change:
// when a few units flip, their rows of M are added (0 → 1) or subtracted
// (1 → 0); when as many flip as the state has ones, or after driftRows
// rows taken in and out, the product is summed afresh from c and the rows
// of the ones in increasing index (package linalg's order).
type fields struct {
	m, c  []float32 // M (one row of cols values per unit) and c
	cols  int
	x     []float32 // n×cols
	ones  []int     // the ones of each chain's state
	since []int     // rows added or subtracted since the last fresh sum
}

// driftRows is the number of rows a chain's fields take in and out
// between two fresh sums. Each adds at most half a float32 ulp of the
// running value, so the fields stay within (driftRows + units)·2⁻²⁴ of the
// largest partial sum of a fresh product (fieldDriftTol in the tests);
// a fresh sum of the ones' rows every driftRows rows adds ones/driftRows
// to the work of the flips.
const driftRows = 4096

func newFields(n int, m, c []float32) fields {
	cols := len(c)
	return fields{m: m, c: c, cols: cols, x: make([]float32, n*cols), ones: make([]int, n), since: make([]int, n)}
}

// row returns chain r's fields.
func (f *fields) row(r int) []float32 { return f.x[r*f.cols : (r+1)*f.cols] }

// set sums chain r's fields afresh for its state x, with buf (len(x)
// offsets) as scratch.
func (f *fields) set(r int, x []float32, buf []int32) {
	n := f32.OnesOffsets(buf, x, f.cols)
	d := f.row(r)
	copy(d, f.c)
	f32.AccRows(d, f.m, buf[:n])
	f.ones[r], f.since[r] = n, 0
}

// update brings chain r's fields up to date with its state x after the
// units at the offsets on went from 0 to 1 and those at off from 1 to 0:
// by their rows, or afresh when that is as cheap or the drift bound is
// reached (then on is overwritten).
func (f *fields) update(r int, x []float32, on, off []int32) {
	flips := len(on) + len(off)
	if flips == 0 {
		return
	}
	f.ones[r] += len(on) - len(off)
	if flips < f.ones[r] && f.since[r]+flips <= driftRows {
		f32.AddSubRows(f.row(r), f.m, on, off)
		f.since[r] += flips
		return
	}
	f.set(r, x, on[:cap(on)])
}

// flips is a goroutine's scratch: the offsets of the units of a state
// that went from 0 to 1 and from 1 to 0.
type flips struct{ on, off []int32 }

// job is what the annealer's Run does to each chain.
type job int

const (
	// steps: Gibbs transitions at path[0], …, path[len−2], each followed
	// by the weight terms log f_path[s+1] − log f_path[s] of the new state.
	steps job = iota
	// baseSample: an exact sample of the base model, v ~ σ(b_A), then
	// log f_to − log f_0.
	baseSample
	// given: the states were set; add log f_to.
	given
)

// annealMinWork is the work, in units of V·(H+8) (the products plus the
// elementwise passes of one chain's step), below which a block stays on
// one goroutine: about 30 µs per step, where handing half to the helper
// costs about one.
const annealMinWork = 1 << 16

// run runs the current job on every chain: two workers (package par's
// items), each taking the next chain not yet taken until none is left,
// so that a goroutine that finishes early, or is not scheduled at all,
// leaves no chains waiting; one worker when each would get fewer than
// max(2, annealMinWork/(V·(H+8))) chains.
func (an *annealer) run() {
	an.taken.Store(0)
	workers := 1
	if an.n >= 2*max(2, annealMinWork/(an.V*(an.H+8))) {
		workers = 2
	}
	an.pool.Do(an, workers, 1)
}

// sampleBase sets the chains to exact samples of the base model, drawing
// n×V uniforms, and starts their weights at log f_to − log f_0.
func (an *annealer) sampleBase(to float32, src graph.Uniform) {
	rng.Fill(an.u[an.cur][:an.n*an.V], src)
	an.job, an.to = baseSample, to
	an.run()
}

// setStates sets the chains to the 0/1 rows v and starts their weights at
// log f_to(v).
func (an *annealer) setStates(v []float32, to float32) {
	copy(an.v, v)
	an.job, an.to = given, to
	an.run()
}

// runBlock runs the steps of path (transitions at path[0…len−2]) on every
// chain, with the uniforms in u[cur]; with next > 0 it draws the next
// block's uniforms meanwhile.
func (an *annealer) runBlock(path []float32) {
	an.job, an.path = steps, path
	an.run()
	an.cur = 1 - an.cur
}

// Run runs workers lo to hi−1 (par.Job): worker 0 first draws the next
// block's uniforms if there is one; then each takes chains one at a time.
// Which goroutine runs a chain changes nothing in its results.
func (an *annealer) Run(lo, hi int) {
	if lo == 0 && an.job == steps && an.next > 0 {
		rng.Fill(an.u[1-an.cur][:an.next*an.n*(an.H+an.V)], an.src)
	}
	s := an.scratch.Get().(*flips)
	defer an.scratch.Put(s)
	for {
		r := int(an.taken.Add(1)) - 1
		if r >= an.n {
			return
		}
		switch an.job {
		case steps:
			// The chain through the block's steps, so that its state
			// stays in cache from one step to the next.
			for k := 0; k < len(an.path)-1 && an.ctx.Err() == nil; k++ {
				an.step(r, k, s)
			}
		case baseSample:
			an.sampleBaseChains(r, r+1)
			an.start(r, r+1, s)
			an.weigh(r, r+1, 0, an.to, true)
		case given:
			an.start(r, r+1, s)
			an.weigh(r, r+1, 0, an.to, false)
		}
	}
}

// sampleBaseChains sets chains lo to hi−1 to v ~ σ(b_A).
func (an *annealer) sampleBaseChains(lo, hi int) {
	V := an.V
	for r := lo; r < hi; r++ {
		f32.Sigmoid(an.pv[r*V:(r+1)*V], an.bA)
	}
	f32.Bernoulli(an.v[lo*V:hi*V], an.pv[lo*V:hi*V], an.u[an.cur][lo*V:hi*V])
}

// start sums the fields of chains lo to hi−1 afresh for their visible
// states, with every hidden unit off.
func (an *annealer) start(lo, hi int, s *flips) {
	V, H := an.V, an.H
	for r := lo; r < hi; r++ {
		an.a.set(r, an.v[r*V:(r+1)*V], s.on)
		clear(an.h[r*H : (r+1)*H])
		an.g.set(r, an.h[r*H:(r+1)*H], s.on)
	}
}

// step runs step k of the block on chain r: h ~ σ(β·a) (ph holds σ(β·a)),
// then v ~ σ(β·(h·Wᵀ + b) + (1−β)·b_A), with β = path[k], and the weight
// terms of the new state. The fields follow the units that flipped.
func (an *annealer) step(r, k int, s *flips) {
	V, H := an.V, an.H
	beta := an.path[k]
	u := an.u[an.cur][k*an.n*(H+V):]
	h := an.h[r*H : (r+1)*H]
	non, noff := f32.BernoulliFlips(h, an.ph[r*H:(r+1)*H], u[r*H:(r+1)*H], s.on, s.off, V)
	an.g.update(r, h, s.on[:non], s.off[:noff])
	pv := an.pv[r*V : (r+1)*V]
	f32.SigmoidMix(pv, an.g.row(r), an.bA, beta, 1-beta)
	v := an.v[r*V : (r+1)*V]
	uv := u[an.n*H+r*V : an.n*H+(r+1)*V]
	non, noff = f32.BernoulliFlips(v, pv, uv, s.on, s.off, an.H2)
	an.a.update(r, v, s.on[:non], s.off[:noff])
	an.weigh(r, r+1, beta, an.path[k+1], true)
}

// weigh adds log f_to − log f_from (only log f_to without sub) of their
// fields to the weights of chains lo to hi−1; ph is left at σ(to·a), the
// hidden probabilities of the next transition.
func (an *annealer) weigh(lo, hi int, from, to float32, sub bool) {
	H := an.H
	for r := lo; r < hi; r++ {
		d := an.logf(r, to, an.ph[r*H:(r+1)*H])
		if sub {
			d -= an.logf(r, from, an.junk[r*H:(r+1)*H])
		}
		an.logw[r] += d
	}
}

// logf returns log p*_β(v) of chain r from its fields, and sets sig to
// σ(β·a), the hidden probabilities of a transition at β.
func (an *annealer) logf(r int, beta float32, sig []float32) float64 {
	H := an.H
	a := an.a.row(r)
	bd := float64(beta)
	t := float64((1-bd)*float64(a[H+1])) + float64(bd*float64(a[H])) // rounded: no FMA
	if beta == 0 {
		for j := range sig {
			sig[j] = 0.5
		}
		return t + float64(H)*math.Ln2
	}
	return t + f32.SoftplusSigmoidScaled(sig, a[:H], beta)
}

// anneal runs the transitions at path[0], …, path[len−2], each with n×H
// then n×V uniforms from src, after each adding the weight terms of
// path[i+1]. It reports each block of steps to p, and stops within a step
// with ctx's error when it is cancelled.
func (an *annealer) anneal(ctx context.Context, path []float32, src graph.Uniform, p Progress, phase string) error {
	total := len(path) - 1
	if total == 0 {
		return nil
	}
	an.src, an.ctx = src, ctx
	defer func() { an.src, an.ctx, an.next = nil, nil, 0 }()
	per := an.n * (an.H + an.V)
	p.report(phase, 0, total)
	rng.Fill(an.u[an.cur][:min(an.block, total)*per], src)
	for i := 0; i < total; i += an.block {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("metrics: %s stopped after %d of %d steps: %w", phase, i, total, err)
		}
		end := min(i+an.block, total)
		an.next = min(an.block, total-end)
		an.runBlock(path[i : end+1])
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("metrics: %s stopped in the steps %d to %d of %d: %w", phase, i+1, end, total, err)
		}
		p.report(phase, end, total)
	}
	return nil
}
