package par

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Job is work on a range of items, lo to hi−1. Do calls Run on disjoint
// ranges, possibly on two goroutines at once.
type Job interface {
	Run(lo, hi int)
}

// enabled switches the helper on and off (SetEnabled).
var enabled atomic.Bool

func init() { enabled.Store(true) }

// SetEnabled switches the helper goroutine on (the default) or off. Off,
// every Do runs its whole job on the calling goroutine: for a library user
// who runs several models side by side, or wants one core only.
func SetEnabled(on bool) { enabled.Store(on) }

// Enabled reports whether Do shares work with the helper.
func Enabled() bool { return enabled.Load() }

// helper is the helper goroutine and the one task it can be offered at a
// time. mu is held by the caller whose task is posted.
var helper struct {
	once  sync.Once
	mu    sync.Mutex
	wake  chan struct{} // buffered: a wake-up may be pending
	state atomic.Int32  // idle, posted, taken, done
	task  Job
	lo    int
	hi    int
	panic any // what the task's Run panicked with, set before done
}

const (
	idle int32 = iota
	posted
	taken
	done
)

// spin is how long the helper keeps polling after its last task, and polls
// the number of polls between its yields.
const (
	spin  = 2 * time.Millisecond
	polls = 4096
)

// Do runs j on the items 0 to n−1: on the calling goroutine alone when n is
// below 2·minItems, the helper is off or busy, or there is one processor;
// else with the second half offered to the helper.
func Do(j Job, n, minItems int) {
	if n < 2*minItems || n < 2 || !enabled.Load() || runtime.GOMAXPROCS(0) < 2 || !helper.mu.TryLock() {
		j.Run(0, n)
		return
	}
	helper.once.Do(start)
	half := n / 2
	helper.task, helper.lo, helper.hi = j, half, n
	helper.state.Store(posted)
	select {
	case helper.wake <- struct{}{}:
	default: // a wake-up is already pending
	}
	finished := false
	defer func() {
		if !finished { // the caller's half panicked: settle the helper's first
			settle()
		}
		helper.mu.Unlock()
	}()
	j.Run(0, half)
	finished = true
	if helper.state.CompareAndSwap(posted, idle) { // not started: do it here
		helper.task = nil
		j.Run(half, n)
		return
	}
	if p := settle(); p != nil {
		panic(fmt.Sprintf("par: the helper's half of a job panicked: %v", p))
	}
}

// settle makes the posted task idle: it claims it back if the helper has
// not started it, else waits for the helper to finish. It returns what the
// helper's Run panicked with, if it did.
func settle() any {
	if !helper.state.CompareAndSwap(posted, idle) {
		for helper.state.Load() != done {
			runtime.Gosched()
		}
	}
	p := helper.panic
	helper.task, helper.panic = nil, nil
	helper.state.Store(idle)
	return p
}

// start starts the helper goroutine.
func start() {
	helper.wake = make(chan struct{}, 1)
	go func() {
		for range helper.wake {
			last := time.Now()
			for {
				if helper.state.CompareAndSwap(posted, taken) {
					helper.panic = runTask()
					helper.state.Store(done)
					last = time.Now()
				}
				if time.Since(last) > spin || runtime.GOMAXPROCS(0) < 2 || !enabled.Load() {
					break
				}
				// poll for a few microseconds, then let other goroutines
				// have the processor
				for k := 0; k < polls && helper.state.Load() != posted; k++ {
				}
				runtime.Gosched()
			}
		}
	}()
}

// runTask runs the posted task and returns what it panicked with, or nil.
func runTask() (p any) {
	defer func() { p = recover() }()
	helper.task.Run(helper.lo, helper.hi)
	return nil
}
