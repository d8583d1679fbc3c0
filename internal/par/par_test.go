package par

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// sigmoidJob is σ in place on x, whose result shows any item done twice
// (σ(σ(x))) or not at all; it records the ranges it was run on and how
// many of them ran on a helper goroutine.
type sigmoidJob struct {
	x      []float64
	mu     sync.Mutex
	ranges [][2]int
	helped int
	panics int           // Run panics on the range holding this item (−1: never, anyItem: any range)
	onlyOn int           // with panics: 1 panics only on a helper, 2 only on the caller, 0 on either
	pause  time.Duration // each Run sleeps this long first, so that helpers can join
}

func (j *sigmoidJob) Run(lo, hi int) {
	helper := onHelper()
	j.mu.Lock()
	j.ranges = append(j.ranges, [2]int{lo, hi})
	if helper {
		j.helped++
	}
	j.mu.Unlock()
	time.Sleep(j.pause)
	if (j.panics == anyItem || lo <= j.panics && j.panics < hi) && (j.onlyOn == 0 || (j.onlyOn == 1) == helper) {
		panic("planted")
	}
	for i := lo; i < hi; i++ {
		j.x[i] = 1 / (1 + math.Exp(-j.x[i]))
	}
}

// anyItem makes a sigmoidJob panic on any range.
const anyItem = -2

// onHelper reports whether the calling goroutine is one of a pool's
// helpers.
func onHelper() bool {
	buf := make([]byte, 4096)
	return strings.Contains(string(buf[:runtime.Stack(buf, false)]), "par.(*Pool).helper")
}

func newJob(src []float64) *sigmoidJob {
	return &sigmoidJob{x: append([]float64(nil), src...), panics: -1}
}

// check fails t unless every item of j was computed once.
func (j *sigmoidJob) check(t *testing.T, src []float64) {
	t.Helper()
	for i, v := range j.x {
		if want := 1 / (1 + math.Exp(-src[i])); v != want {
			t.Fatalf("item %d is %v, want σ(%v) = %v (ranges %v)", i, v, src[i], want, j.ranges)
		}
	}
}

func inputs(n int) []float64 {
	rng := rand.New(rand.NewPCG(31, 32))
	src := make([]float64, n)
	for i := range src {
		src[i] = rng.NormFloat64() * 3
	}
	return src
}

// TestDoShares checks that every item of a job is computed exactly once
// with one or more helpers, one processor or two; that the chunks are
// shared (some run on helpers) when they can be; and that no helpers, a
// nil or closed pool, one processor, a small job or a pool already in use
// run the whole job in one call on the caller.
func TestDoShares(t *testing.T) {
	const n = 4000
	src := inputs(n)
	for _, tc := range []struct {
		name     string
		helpers  int
		procs    int
		minItems int
		nilPool  bool
		closed   bool
		busy     bool // another caller holds the pool
		oneCall  bool // the whole job in one Run(0, n)
	}{
		{name: "1 helper", helpers: 1, procs: 2, minItems: 1},
		{name: "3 helpers", helpers: 3, procs: 2, minItems: 1},
		{name: "3 helpers, 4 procs", helpers: 3, procs: 4, minItems: 1},
		{name: "uneven chunks", helpers: 1, procs: 2, minItems: 999},
		{name: "no helpers", helpers: 0, procs: 2, minItems: 1, oneCall: true},
		{name: "nil pool", nilPool: true, procs: 2, minItems: 1, oneCall: true},
		{name: "closed", helpers: 1, procs: 2, minItems: 1, closed: true, oneCall: true},
		{name: "1 proc", helpers: 1, procs: 1, minItems: 1, oneCall: true},
		{name: "pool busy", helpers: 1, procs: 2, minItems: 1, busy: true, oneCall: true},
		{name: "too small to share", helpers: 1, procs: 2, minItems: n/2 + 1, oneCall: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(tc.procs))
			var p *Pool
			if !tc.nilPool {
				p = New(tc.helpers)
				defer p.Close()
			}
			if tc.closed {
				p.Close()
			}
			if tc.busy {
				p.mu.Lock()
				defer p.mu.Unlock()
			}
			helped := 0
			for round := range 25 {
				share(p)
				j := newJob(src)
				j.pause = 100 * time.Microsecond
				p.Do(j, n, tc.minItems)
				j.check(t, src)
				helped += j.helped
				if tc.oneCall && (len(j.ranges) != 1 || j.ranges[0] != [2]int{0, n}) {
					t.Fatalf("round %d: ranges %v, want one call on [0, %d)", round, j.ranges, n)
				}
				if want := min(n/tc.minItems, ChunksPerGoroutine*(tc.helpers+1)); !tc.oneCall && len(j.ranges) != want {
					t.Fatalf("round %d: %d chunks, want %d", round, len(j.ranges), want)
				}
			}
			if !tc.oneCall && helped == 0 {
				t.Error("no chunk of 25 jobs ran on a helper")
			}
			t.Logf("%d chunks on helpers in 25 jobs", helped)
		})
	}
}

// TestDoPanics checks that a panic in a chunk, on the caller or a helper,
// reaches the caller of Do, and that the next Do computes every item once.
func TestDoPanics(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	const n = 20000 // long enough for a helper to join
	src := inputs(n)
	p := New(1)
	defer p.Close()
	for _, tc := range []struct {
		name   string
		item   int
		onlyOn int
	}{
		{"first chunk, anywhere", 0, 0},
		{"last chunk, anywhere", n - 1, 0},
		{"on the caller", 0, 2},
		{"on a helper", anyItem, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// 20 rounds, more until a chunk ran where it panics: on a busy
			// machine a helper may wake only after the caller did it all.
			panicked, round := 0, 0
			for ; round < 20 || panicked == 0 && round < 1000; round++ {
				share(p)
				j := newJob(src)
				j.panics, j.onlyOn = tc.item, tc.onlyOn
				j.pause = 50 * time.Microsecond
				func() {
					defer func() {
						r := recover()
						if r == nil {
							return // the chunk ran on the other kind of goroutine
						}
						panicked++
						if s := fmt.Sprint(r); !strings.Contains(s, "planted") {
							t.Fatalf("round %d: panic %v, want the planted one", round, r)
						}
					}()
					p.Do(j, n, 1)
				}()
				if tc.onlyOn == 0 && panicked != round+1 {
					t.Fatalf("round %d: no panic (ranges %v)", round, j.ranges)
				}
				next := newJob(src)
				p.Do(next, n, 1)
				next.check(t, src)
			}
			if panicked == 0 {
				t.Errorf("none of %d rounds panicked", round)
			}
			t.Logf("%d of %d rounds panicked", panicked, round)
		})
	}
}

// stallJob's chunks record that they ran; the first chunk a helper runs
// blocks until release is closed.
type stallJob struct {
	ran     atomic.Int32
	stalled atomic.Bool
	release chan struct{}
}

func (j *stallJob) Run(lo, hi int) {
	if onHelper() && j.stalled.CompareAndSwap(false, true) {
		<-j.release
	}
	j.ran.Add(int32(hi - lo))
}

// TestDoStalledHelper checks that a helper stuck in a chunk (as one the
// system has descheduled) does not keep the caller from running every other
// chunk: the caller waits only for the stuck one.
func TestDoStalledHelper(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	p := New(1)
	defer p.Close()
	const chunks = 2 * ChunksPerGoroutine
	for round := range 20 {
		share(p)
		j := &stallJob{release: make(chan struct{})}
		done := make(chan struct{})
		go func() {
			p.Do(j, chunks, 1)
			close(done)
		}()
		deadline := time.Now().Add(5 * time.Second)
		for !(j.stalled.Load() && j.ran.Load() == chunks-1) { // the test waits, not the pool
			if time.Now().After(deadline) {
				close(j.release)
				<-done
				t.Fatalf("round %d: %d of the %d other chunks ran while a helper was stuck (stuck: %t)", round, j.ran.Load(), chunks-1, j.stalled.Load())
			}
			if !j.stalled.Load() && j.ran.Load() == chunks {
				break // the helper woke after the caller had done it all
			}
			time.Sleep(100 * time.Microsecond)
		}
		select {
		case <-done:
			if j.stalled.Load() {
				t.Fatalf("round %d: Do returned while a helper's chunk was running", round)
			}
		default:
		}
		close(j.release)
		<-done
		if got := j.ran.Load(); got != chunks {
			t.Fatalf("round %d: %d items ran, want %d", round, got, chunks)
		}
	}
}

// share makes p's next Do share its job with the helpers even if a helper
// came late to the last one (on a busy machine), for the tests of how a
// job is shared; a pool the test holds is left alone.
func share(p *Pool) {
	if p != nil && p.mu.TryLock() {
		p.alone = 0
		p.mu.Unlock()
	}
}

// sleepJob's chunks record where they ran; the first chunk a helper runs
// sleeps for pause first, as a helper the system descheduled for a time
// slice while it held a chunk. With a pause, the caller's chunks wait up to
// helperWait for a helper to start one: else, on a slow machine, the caller
// may run every chunk before a helper is up, try after try. Make one with a
// pause by newSleepJob, which makes the channel the helper closes.
type sleepJob struct {
	pause   time.Duration
	slept   atomic.Bool
	started chan struct{} // closed when a helper starts its first chunk
	mu      sync.Mutex
	ranges  [][2]int
	onHelpr int
}

// helperWait bounds how long a caller's chunk of a sleepJob waits for a
// helper: far longer than waking a parked goroutine takes, and far shorter
// than the pause, so that a helper that came is still late.
const helperWait = 5 * time.Millisecond

func newSleepJob(pause time.Duration) *sleepJob {
	return &sleepJob{pause: pause, started: make(chan struct{})}
}

func (j *sleepJob) Run(lo, hi int) {
	helper := onHelper()
	switch {
	case helper && j.pause > 0 && j.slept.CompareAndSwap(false, true):
		close(j.started)
		time.Sleep(j.pause)
	case !helper && j.pause > 0:
		select {
		case <-j.started:
		case <-time.After(helperWait):
		}
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.ranges = append(j.ranges, [2]int{lo, hi})
	if helper {
		j.onHelpr++
	}
}

// TestDoPacing checks the pacing of a busy machine: after a job whose
// helper came late (it sleeps in its chunk, as one the system deschedules
// would), the next minAlone jobs run on the caller alone, in one call;
// then the pool shares again, and a helper late again makes it run twice
// as many alone; jobs shared on time shorten that again; absentRun jobs in
// a row that no helper took part in count as one late helper.
func TestDoPacing(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	const n = 8 * ChunksPerGoroutine
	p := New(1)
	defer p.Close()
	// late shares jobs until a helper ran one of its chunks late, starting
	// each try with the pacing at backoff (a try the helper missed counts
	// as an absence), and returns how many jobs the pool then runs alone.
	// A try no helper comes to takes helperWait per chunk: with 100 tries
	// of 8 chunks, late fails after at most 4 s.
	late := func(backoff int) int {
		t.Helper()
		for range 100 { // a helper may wake only after the caller did it all
			p.mu.Lock()
			p.alone, p.absent, p.backoff = 0, 0, backoff
			p.mu.Unlock()
			j := newSleepJob(50 * time.Millisecond)
			p.Do(j, n, 1)
			if j.slept.Load() {
				return p.alone
			}
		}
		t.Fatal("no helper ran a chunk of 100 jobs")
		return 0
	}
	alone := func(k int) {
		t.Helper()
		for i := range k {
			j := &sleepJob{}
			p.Do(j, n, 1)
			if len(j.ranges) != 1 || j.onHelpr != 0 {
				t.Fatalf("job %d of %d after a late helper: ranges %v, %d on a helper; want one call on the caller", i, k, j.ranges, j.onHelpr)
			}
		}
	}
	if got := late(minAlone); got != minAlone {
		t.Fatalf("after a late helper the pool runs %d jobs alone, want %d", got, minAlone)
	}
	alone(minAlone)
	if got := late(2 * minAlone); got != 2*minAlone {
		t.Fatalf("after a second late helper the pool runs %d jobs alone, want %d", got, 2*minAlone)
	}
	alone(2 * minAlone)
	j := &sleepJob{}
	p.Do(j, n, 1)
	if len(j.ranges) != min(n, ChunksPerGoroutine*2) {
		t.Fatalf("after the jobs alone: ranges %v, want the job shared in %d chunks", j.ranges, min(n, ChunksPerGoroutine*2))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.onTime = 0
	for range onTimeRun {
		p.pace(false, false)
	}
	if p.backoff != 2*minAlone {
		t.Errorf("after %d jobs shared on time the next late helper makes %d jobs alone, want %d", onTimeRun, p.backoff, 2*minAlone)
	}
	// Absent helpers: absentRun in a row make jobs alone, fewer do not.
	p.alone = 0
	for range absentRun - 1 {
		p.pace(false, true)
	}
	p.pace(false, false)
	for range absentRun - 1 {
		p.pace(false, true)
	}
	if p.alone != 0 {
		t.Fatalf("%d absences in a row, twice, make %d jobs alone, want none", absentRun-1, p.alone)
	}
	p.pace(false, true)
	if p.alone != 2*minAlone {
		t.Errorf("%d absences in a row make %d jobs alone, want %d", absentRun, p.alone, 2*minAlone)
	}
}

// TestIdleHelpersSleep checks that between jobs the helpers are parked in
// a channel receive, and that the process uses next to no processor time
// while they are idle (a polling helper would use a whole core).
func TestIdleHelpersSleep(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	const helpers = 3
	p := New(helpers)
	defer p.Close()
	src := inputs(4000)
	for range 20 {
		p.Do(newJob(src), len(src), 1)
	}
	// parked counts the helpers parked in a channel receive, and returns
	// the stacks of the others.
	parked := func() (n int, others []string) {
		buf := make([]byte, 1<<20)
		for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
			if !strings.Contains(g, "par.(*Pool).helper") {
				continue
			}
			if !strings.Contains(strings.SplitN(g, "\n", 2)[0], "[chan receive") {
				others = append(others, g)
				continue
			}
			n++
		}
		return n, others
	}
	// On a busy machine a helper woken for the last job may run only
	// later; the test waits for that, up to settleTimeout.
	n, others := parked()
	for deadline := time.Now().Add(settleTimeout); (n != helpers || others != nil) && time.Now().Before(deadline); n, others = parked() {
		time.Sleep(time.Millisecond)
	}
	for _, g := range others {
		t.Errorf("an idle helper is not parked in a channel receive:\n%s", g)
	}
	if n != helpers {
		t.Errorf("%d helpers parked, want %d", n, helpers)
	}
	// A polling helper would use the whole idle time each try; a try that
	// the runtime or the system takes time in is tried again. idleCPU is
	// what the runtime may use meanwhile (its timers, a collection).
	const idle, tries, idleCPU = 100 * time.Millisecond, 3, 10 * time.Millisecond
	least := time.Duration(math.MaxInt64)
	for range tries {
		before := cpuTime(t)
		time.Sleep(idle)
		if least = min(least, cpuTime(t)-before); least <= idleCPU {
			return
		}
	}
	t.Errorf("the process used %v of processor time in %v with idle helpers (the least of %d tries)", least, idle, tries)
}

// settleTimeout bounds how long a test waits for goroutines to park or
// exit: far longer than a busy machine's scheduling delays.
const settleTimeout = 2 * time.Second

// TestClose checks that Close stops the helpers. Goroutines that have
// just exited may still show in a stack dump for a moment, so the counts
// are read until they settle.
func TestClose(t *testing.T) {
	count := func() int {
		buf := make([]byte, 1<<20)
		return strings.Count(string(buf[:runtime.Stack(buf, true)]), "par.(*Pool).helper(")
	}
	settle := func(want int) int {
		got := count()
		for deadline := time.Now().Add(settleTimeout); got != want && time.Now().Before(deadline); got = count() {
			time.Sleep(time.Millisecond)
		}
		return got
	}
	settle(0)
	p := New(2)
	if got := settle(2); got != 2 {
		t.Fatalf("%d helpers after New(2)", got)
	}
	p.Close()
	p.Close()
	if got := settle(0); got != 0 {
		t.Fatalf("%d helpers after Close", got)
	}
}

// workJob spins through work floating-point steps per item; the first
// chunk a helper runs of every late-th job sleeps for pause first, as a
// helper the system deschedules for a time slice while it holds a chunk.
type workJob struct {
	x     []float64
	work  int
	pause time.Duration
	late  bool
	slept atomic.Bool
}

func (j *workJob) Run(lo, hi int) {
	if j.late && onHelper() && j.slept.CompareAndSwap(false, true) {
		time.Sleep(j.pause)
	}
	for i := lo; i < hi; i++ {
		v := j.x[i]
		for range j.work {
			v = v*0.999 + 0.001
		}
		j.x[i] = v
	}
}

// BenchmarkDoLateHelper measures jobs of about a training step's pieces
// (64 items of about 2 µs) shared with one helper that the system
// deschedules, for 3 ms, in one job of every late (0: never), against the
// same jobs on the caller alone: with pacing, a pool whose helper keeps
// coming late costs little more than the caller alone.
//
//	go test -run XXX -bench DoLateHelper -cpu 2 ./internal/par/
func BenchmarkDoLateHelper(b *testing.B) {
	const items, work, pause = 64, 1000, 3 * time.Millisecond
	for _, late := range []int{0, 50, 10, 2} {
		for _, alone := range []bool{true, false} {
			name := fmt.Sprintf("late=1in%d/shared", late)
			if alone {
				if late > 0 {
					continue
				}
				name = "alone"
			}
			b.Run(name, func(b *testing.B) {
				p := New(1)
				defer p.Close()
				if alone {
					p = nil
				}
				j := &workJob{x: make([]float64, items), work: work, pause: pause}
				for i := range b.N {
					j.late = late > 0 && i%late == 0
					j.slept.Store(false)
					p.Do(j, items, 1)
				}
			})
		}
	}
}
