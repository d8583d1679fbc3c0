package par

import (
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// sigmoidJob is σ in place on x, whose result shows any item done twice
// (σ(σ(x))) or not at all; it records the ranges it was run on.
type sigmoidJob struct {
	x      []float64
	mu     sync.Mutex
	ranges [][2]int
	slow   time.Duration // the caller's half sleeps this long first
	panics int           // Run panics on the range starting here (−1: never)
}

func (j *sigmoidJob) Run(lo, hi int) {
	j.mu.Lock()
	j.ranges = append(j.ranges, [2]int{lo, hi})
	j.mu.Unlock()
	if lo == 0 {
		time.Sleep(j.slow)
	}
	if lo == j.panics {
		panic("planted")
	}
	for i := lo; i < hi; i++ {
		j.x[i] = 1 / (1 + math.Exp(-j.x[i]))
	}
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
	if s := helper.state.Load(); s != idle {
		t.Fatalf("helper state %d after the job, want idle", s)
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

// TestDoShares checks that every item of a job is computed exactly once,
// whether the helper takes the second half, the caller claims it back, or
// the helper is held by another caller, and with one processor or two; and
// that one processor, a small job or a switched-off helper run the whole
// job in one call on the caller.
func TestDoShares(t *testing.T) {
	const n = 4000
	src := inputs(n)
	for _, tc := range []struct {
		name     string
		procs    int
		busy     bool // another caller holds the helper
		off      bool // SetEnabled(false)
		minItems int
		oneCall  bool // the whole job in one Run(0, n)
	}{
		{"shared, 2 procs", 2, false, false, 1, false},
		{"1 proc", 1, false, false, 1, true},
		{"helper busy", 2, true, false, 1, true},
		{"switched off", 2, false, true, 1, true},
		{"too small to share", 2, false, false, n, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(tc.procs))
			if tc.busy {
				helper.mu.Lock()
				defer helper.mu.Unlock()
			}
			if tc.off {
				SetEnabled(false)
				defer SetEnabled(true)
			}
			shared := 0
			for round := range 50 { // some rounds find the helper polling, some asleep
				j := newJob(src)
				Do(j, n, tc.minItems)
				j.check(t, src)
				if len(j.ranges) == 2 {
					shared++
				}
				if tc.oneCall && (len(j.ranges) != 1 || j.ranges[0] != [2]int{0, n}) {
					t.Fatalf("round %d: ranges %v, want one call on [0, %d)", round, j.ranges, n)
				}
			}
			t.Logf("%d of 50 rounds in two halves", shared)
		})
	}
}

// TestDoPanics checks that a panic in either half reaches the caller of Do,
// and that the next Do computes every item once: the helper is left idle.
func TestDoPanics(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	const n = 1000
	src := inputs(n)
	for _, tc := range []struct {
		name   string
		panics int
		slow   time.Duration // lets the helper start its half
	}{
		{"caller's half", 0, 0},
		{"caller's half, helper running", 0, 2 * time.Millisecond},
		{"helper's half", n / 2, 2 * time.Millisecond},
		{"second half, claimed back or not", n / 2, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for round := range 10 {
				j := newJob(src)
				j.panics, j.slow = tc.panics, tc.slow
				func() {
					defer func() {
						r := recover()
						if r == nil {
							t.Fatalf("round %d: no panic (ranges %v)", round, j.ranges)
						}
						if s, _ := r.(string); !strings.Contains(s, "planted") {
							t.Fatalf("round %d: panic %v, want the planted one", round, r)
						}
					}()
					Do(j, n, 1)
				}()
				next := newJob(src)
				Do(next, n, 1)
				next.check(t, src)
			}
		})
	}
}
