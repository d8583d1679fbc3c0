package par

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Job is work on a range of items, lo to hi−1. Do calls Run on disjoint
// ranges, possibly on several goroutines at once.
type Job interface {
	Run(lo, hi int)
}

// ChunksPerGoroutine is how many chunks Do cuts a shared job into per
// goroutine that may work on it: with more chunks than goroutines, a
// helper that starts late, or that the system deschedules, leaves the
// chunks it has not claimed to the others.
const ChunksPerGoroutine = 4

// maxChunks bounds the chunks of a job: a chunk number fits the 16 bits
// the claim word gives it.
const maxChunks = 1 << 12

// Pool is a caller's set of helper goroutines. The zero Pool and a nil
// *Pool have no helpers: Do runs every job on the calling goroutine.
type Pool struct {
	helpers int
	mu      sync.Mutex    // held by the Do whose job the helpers may take
	wake    chan struct{} // a token per helper to wake; closed by Close
	exited  sync.WaitGroup

	// claim is the current job's claim word: generation<<32 | next<<16 |
	// chunks. A goroutine claims chunk next by raising next with a
	// compare-and-swap; next ≥ chunks means none is left. The generation
	// changes with every job, so that a claim read for one job cannot
	// succeed on the next.
	claim atomic.Uint64
	// pending counts the current job's chunks not finished; whoever
	// brings it to zero finished the job, and a helper that does so sends
	// on done for the caller.
	pending atomic.Int64
	done    chan struct{}

	// The current job, set before its claim word is published and left
	// alone until every chunk has finished.
	job Job
	n   int

	panicMu sync.Mutex
	panic   any // what a helper's chunk panicked with, first one only

	// The pacing, read and written under mu: alone is the number of the
	// next jobs Do runs on the caller alone, because a helper came late to
	// the last shared one or missed several; backoff is how many to run
	// alone after the next miss, doubled at each one and halved after
	// onTimeRun jobs shared on time (onTime counts them); absent counts the
	// shared jobs in a row that no helper took part in.
	alone, backoff, onTime, absent int
}

// Pacing: a helper is late when the caller, done with its own chunks,
// waits for the helpers' chunks longer than lateChunks of its own chunks
// (on average) plus lateSlack; the helpers are absent when the caller ran
// every chunk of a job of at least two chunks per goroutine that took it
// longer than absentJob (far longer than waking a helper takes; a shorter
// job may be done before a helper is up, and says nothing). After a late
// helper, or absentRun absences in a row, Do runs the next backoff jobs on
// the caller alone, backoff from minAlone to maxAlone.
const (
	lateChunks = 2
	lateSlack  = 50 * time.Microsecond
	minAlone   = 8
	maxAlone   = 1024
	onTimeRun  = 64
	absentRun  = 4
	absentJob  = 100 * time.Microsecond
)

// New returns a pool of helpers goroutines (none for helpers < 1). They
// start now and sleep, blocked on a channel, whenever there is no job;
// Close stops them.
func New(helpers int) *Pool {
	p := &Pool{helpers: max(helpers, 0), backoff: minAlone}
	if p.helpers == 0 {
		return p
	}
	p.wake = make(chan struct{}, p.helpers)
	p.done = make(chan struct{}, 1)
	p.exited.Add(p.helpers)
	for range p.helpers {
		go p.helper()
	}
	return p
}

// Helpers returns the number of helper goroutines; 0 for a nil pool.
func (p *Pool) Helpers() int {
	if p == nil {
		return 0
	}
	return p.helpers
}

// Close stops the helpers and waits for them to exit. After Close, Do runs
// every job on the calling goroutine. Close must not be called while a Do
// is running; a second Close does nothing.
func (p *Pool) Close() {
	if p == nil || p.helpers == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.wake != nil {
		close(p.wake)
		p.exited.Wait()
		p.wake = nil
	}
}

// helper runs chunks of the posted jobs. Between jobs it is parked in the
// receive from wake: it uses no processor.
func (p *Pool) helper() {
	defer p.exited.Done()
	for range p.wake {
		for {
			c, chunks, ok := p.claimChunk()
			if !ok {
				break
			}
			if p.runHelperChunk(c, chunks) {
				p.done <- struct{}{}
			}
		}
	}
}

// Do runs j on the items 0 to n−1. It runs the whole job on the calling
// goroutine, in one call j.Run(0, n), when p has no helpers (or is nil or
// closed), GOMAXPROCS is 1, n is below 2·minItems, or another Do of p is
// using the helpers. Else it cuts the items into chunks of at least
// minItems (ChunksPerGoroutine per goroutine at most), wakes helpers, and
// runs chunks itself until none is left to claim; then it waits only for
// the chunks that helpers are running.
func (p *Pool) Do(j Job, n, minItems int) {
	minItems = max(minItems, 1)
	if p == nil || p.helpers == 0 || n < 2*minItems || runtime.GOMAXPROCS(0) < 2 || !p.mu.TryLock() {
		j.Run(0, n)
		return
	}
	if p.wake == nil { // closed
		p.mu.Unlock()
		j.Run(0, n)
		return
	}
	if p.alone > 0 { // helpers came late or missed lately
		p.alone--
		p.mu.Unlock()
		j.Run(0, n)
		return
	}
	defer p.mu.Unlock()
	chunks := min(n/minItems, ChunksPerGoroutine*(p.helpers+1), maxChunks)
	p.job, p.n = j, n
	p.pending.Store(int64(chunks))
	gen := p.claim.Load()>>32 + 1
	p.claim.Store(gen<<32 | uint64(chunks))
	for range min(p.helpers, chunks-1) {
		select {
		case p.wake <- struct{}{}:
		default: // every helper has a wake-up pending already
		}
	}

	finished := false // whether this goroutine finished the job's last chunk
	running := false  // whether a chunk of the caller's is running
	defer func() {
		if running {
			// The caller's chunk panicked: count it as finished, hand out
			// no more chunks and wait for those running; the panic then
			// goes on.
			finished = p.pending.Add(-1) == 0
			if p.stop() {
				finished = true
			}
			if !finished {
				<-p.done
			}
			p.job, p.panic = nil, nil
		}
	}()
	start, mine := time.Now(), 0
	for {
		c, chunks, ok := p.claimChunk()
		if !ok {
			break
		}
		running = true
		p.job.Run(c*p.n/chunks, (c+1)*p.n/chunks)
		running = false
		mine++
		if p.pending.Add(-1) == 0 {
			finished = true
		}
	}
	if !finished {
		ran := time.Now()
		<-p.done
		if mine > 0 {
			p.pace(time.Since(ran) > lateChunks*ran.Sub(start)/time.Duration(mine)+lateSlack, false)
		}
	} else if mine < chunks {
		p.pace(false, false)
	} else if chunks >= 2*(p.helpers+1) && time.Since(start) > absentJob {
		p.pace(false, true) // a long job, and no helper got to it
	}
	p.job = nil
	if r := p.panic; r != nil {
		p.panic = nil
		panic(fmt.Sprintf("par: a helper's part of a job panicked: %v", r))
	}
}

// pace takes note of how the helpers did on the job just shared: late
// (one held a chunk the caller had to wait for), absent (the caller ran
// every chunk: no helper got to run), or on time. On a busy machine the
// system deschedules a helper that holds a chunk for a time slice, and the
// caller, done with its own, waits for it; or the helpers do not get a
// processor at all, and waking them only takes processor time from the
// caller. Either is likely to go on, so after a late helper, or absentRun
// absences in a row, the next jobs run on the caller alone, and as long as
// that goes on, for longer and longer. Jobs shared on time shorten that
// again.
func (p *Pool) pace(late, absent bool) {
	switch {
	case absent:
		if p.absent++; p.absent < absentRun {
			return
		}
	case !late:
		p.absent = 0
		if p.onTime++; p.onTime >= onTimeRun {
			p.backoff = max(p.backoff/2, minAlone)
			p.onTime = 0
		}
		return
	}
	p.alone = p.backoff
	p.backoff = min(2*p.backoff, maxAlone)
	p.onTime, p.absent = 0, 0
}

// claimChunk claims the next chunk of the current job, if one is left.
func (p *Pool) claimChunk() (c, chunks int, ok bool) {
	for {
		w := p.claim.Load()
		next, chunks := int(w>>16&0xffff), int(w&0xffff)
		if next >= chunks {
			return 0, 0, false
		}
		if p.claim.CompareAndSwap(w, w+1<<16) {
			return next, chunks, true
		}
	}
}

// runHelperChunk runs chunk c on a helper and reports whether it was the
// job's last to finish. A panic is recovered, kept for the caller, and
// stops the job: no more chunks are handed out.
func (p *Pool) runHelperChunk(c, chunks int) (last bool) {
	defer func() {
		if r := recover(); r != nil {
			p.panicMu.Lock()
			if p.panic == nil {
				p.panic = r
			}
			p.panicMu.Unlock()
			p.stop() // this chunk is still pending: stop cannot finish the job
		}
		last = p.pending.Add(-1) == 0
	}()
	p.job.Run(c*p.n/chunks, (c+1)*p.n/chunks)
	return false
}

// stop claims every chunk not yet claimed, counting them as finished, so
// that no more of the job runs; it reports whether that finished the job.
func (p *Pool) stop() bool {
	for {
		w := p.claim.Load()
		next, chunks := w>>16&0xffff, w&0xffff
		if next >= chunks {
			return false
		}
		if p.claim.CompareAndSwap(w, w&^(0xffff<<16)|chunks<<16) {
			return p.pending.Add(-int64(chunks-next)) == 0
		}
	}
}
