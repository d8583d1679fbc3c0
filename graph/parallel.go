package graph

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// The machine's second core. The step's pieces that take more than a few
// microseconds are cut in two: the products with a binary operand (by rows,
// accrows.go), σ of long slices, the softplus rows of the graph, the
// transposition of W, the gradient xᵀ·g, the SGD update of W, and dense
// products with the pure-Go BLAS. The calling goroutine does the first
// half and offers the second to one long-lived helper goroutine, which
// keeps polling for work for helperSpin after its last task, yielding its
// processor to other goroutines every few microseconds, before it sleeps: a
// step offers it a piece every few hundred microseconds, and a sleeping
// helper takes tens of microseconds to wake. Measured on the default job
// (medians of 3 to 5 runs on this 2-core machine, at the time of each
// change): one goroutine 4.45 s; sharing only the gradient and the update
// 4.5 s; sharing everything with a helper that sleeps at once 4.75 s;
// sharing everything with the polling helper 3.8–4.0 s.
//
// Each output element is computed by exactly one serial piece of code in a
// fixed order, so the results do not depend on which goroutine computed
// what.

// jobKind says what a job computes.
type jobKind int

const (
	jobGemm      jobKind = iota // tiles of a dense product
	jobOnesRows                 // rows of c + x·w for a binary x (onesJob.rows), also xᵀ·w
	jobSigmoid                  // σ of elements (elemJob)
	jobSoftplus                 // rows of Σ softplus and σ (elemJob)
	jobTranspose                // bands of a transposition (onesJob.transpose)
	jobSolve                    // parts of the parameters' SGD update (step.solve)
)

// job is one piece of work, items lo to hi−1. It is a plain value, so
// handing it over a channel allocates nothing.
type job struct {
	kind   jobKind
	lo, hi int
	g      gemmJob
	o      onesJob
	e      elemJob
	s      *step
}

// elemJob is element-wise work: σ of src into dst (jobSigmoid, items are
// elements), or the row sums of softplus of src (rows of cols) into dst
// with σ into sig (jobSoftplus, items are rows).
type elemJob struct {
	dst, src, sig []float32
	cols          int
}

func (j *job) run() {
	switch j.kind {
	case jobGemm:
		j.g.run(j.lo, j.hi)
	case jobOnesRows:
		j.o.rows(j.lo, j.hi)
	case jobSigmoid:
		sigmoidSlice(j.e.dst[j.lo:j.hi], j.e.src[j.lo:j.hi])
	case jobSoftplus:
		softplusRows(j.e.dst, j.e.sig, j.e.src, j.e.cols, j.lo, j.hi)
	case jobTranspose:
		j.o.transpose(j.lo, j.hi)
	case jobSolve:
		j.s.solve(j.lo, j.hi)
	}
}

// helper is the helper goroutine, started on first use, and the one task
// it can be offered at a time. parallel posts the second half of a job as
// the task and wakes the helper, runs the first half, and then claims the
// second half back if the helper has not started it: so the caller never
// waits for a helper that is slow to wake (or busy with another caller's
// task), only for one that is already computing.
var helper struct {
	once  sync.Once
	mu    sync.Mutex    // held by the caller whose task is posted
	wake  chan struct{} // buffered: a task may be waiting
	state atomic.Int32  // taskIdle, taskPosted, taskTaken, taskDone
	task  job
}

// helperSpin is how long the helper keeps polling after its last task, and
// helperPolls the number of polls between its yields (some microseconds:
// yielding on every poll costs the scheduler's lock, measured 0.15 s more
// on the default job).
const (
	helperSpin  = 2 * time.Millisecond
	helperPolls = 4096
)

const (
	taskIdle int32 = iota
	taskPosted
	taskTaken
	taskDone
)

// parallel runs j on items 0 to n−1: on the calling goroutine alone when n
// is below minItems·2, else with its second half offered to the helper.
func parallel(j job, n, minItems int) {
	if n < 2*minItems || !helper.mu.TryLock() {
		j.lo, j.hi = 0, n
		j.run()
		return
	}
	defer helper.mu.Unlock()
	helper.once.Do(func() {
		helper.wake = make(chan struct{}, 1)
		go func() {
			for range helper.wake {
				last := time.Now()
				for {
					if helper.state.CompareAndSwap(taskPosted, taskTaken) {
						helper.task.run()
						helper.state.Store(taskDone)
						last = time.Now()
					}
					if time.Since(last) > helperSpin {
						break
					}
					// poll for a few microseconds, then let other
					// goroutines (the trainer's prefetch) have the processor
					for k := 0; k < helperPolls && helper.state.Load() != taskPosted; k++ {
					}
					runtime.Gosched()
				}
			}
		}()
	})
	half := n / 2
	helper.task = j
	helper.task.lo, helper.task.hi = half, n
	helper.state.Store(taskPosted)
	select {
	case helper.wake <- struct{}{}:
	default: // a wake-up is already pending
	}
	j.lo, j.hi = 0, half
	j.run()
	if helper.state.CompareAndSwap(taskPosted, taskIdle) { // not started: do it here
		j.lo, j.hi = half, n
		j.run()
		return
	}
	for helper.state.Load() != taskDone {
		runtime.Gosched()
	}
	helper.state.Store(taskIdle)
}

// gemm is blas32.Gemm, c = α·op(a)·op(b) + β·c, for every product of the
// package. With the pure-Go BLAS it cuts c into tiles that gonum multiplies
// serially (fewer than 4 of its 64×64 blocks: 64 rows by at most 192
// columns, an even number of tiles across) and shares them with the helper
// goroutine. With a cgo BLAS (build tag openblas) the product is one call
// on the calling goroutine: one BLAS thread.
func gemm(tA, tB blas.Transpose, alpha float32, a, b blas32.General, beta float32, c blas32.General) {
	if !splitGemm {
		blas32.Gemm(tA, tB, alpha, a, b, beta, c)
		return
	}
	k := a.Cols
	if tA == blas.Trans {
		k = a.Rows
	}
	across := (c.Cols + gemmMaxCols - 1) / gemmMaxCols
	across += across % 2 // even, so that a single row of tiles splits evenly
	g := gemmJob{tA: tA, tB: tB, alpha: alpha, beta: beta, a: a, b: b, c: c, k: k,
		tileC: (c.Cols + across - 1) / across}
	g.tilesC = (c.Cols + g.tileC - 1) / g.tileC
	tiles := (c.Rows + gemmTileRows - 1) / gemmTileRows * g.tilesC
	minTiles := tiles // one goroutine for small products
	if c.Rows*c.Cols*k >= gemmMinParallel {
		minTiles = 1
	}
	parallel(job{kind: jobGemm, g: g}, tiles, minTiles)
}

const (
	// gemmTileRows and gemmMaxCols bound a tile of c to 1×3 of gonum's
	// 64×64 blocks; from 4 blocks on, gonum's Gemm starts goroutines.
	gemmTileRows = 64
	gemmMaxCols  = 3 * 64
	// gemmMinParallel is the size m·n·k below which a product stays on the
	// calling goroutine: handing work over costs about a microsecond.
	gemmMinParallel = 64 * 64 * 64
)

// gemmJob is a product cut into tiles of c, numbered row by row.
type gemmJob struct {
	tA, tB        blas.Transpose
	alpha, beta   float32
	a, b, c       blas32.General
	k             int
	tileC, tilesC int // tile width, tiles across
}

// run multiplies tiles lo to hi−1.
func (j *gemmJob) run(lo, hi int) {
	for t := lo; t < hi; t++ {
		r0, c0 := (t/j.tilesC)*gemmTileRows, (t%j.tilesC)*j.tileC
		r1, c1 := min(r0+gemmTileRows, j.c.Rows), min(c0+j.tileC, j.c.Cols)
		a := j.a
		if j.tA == blas.NoTrans {
			a = blas32.General{Rows: r1 - r0, Cols: j.k, Stride: a.Stride, Data: a.Data[r0*a.Stride:]}
		} else {
			a = blas32.General{Rows: j.k, Cols: r1 - r0, Stride: a.Stride, Data: a.Data[r0:]}
		}
		b := j.b
		if j.tB == blas.NoTrans {
			b = blas32.General{Rows: j.k, Cols: c1 - c0, Stride: b.Stride, Data: b.Data[c0:]}
		} else {
			b = blas32.General{Rows: c1 - c0, Cols: j.k, Stride: b.Stride, Data: b.Data[c0*b.Stride:]}
		}
		c := blas32.General{Rows: r1 - r0, Cols: c1 - c0, Stride: j.c.Stride, Data: j.c.Data[r0*j.c.Stride+c0:]}
		blas32.Gemm(j.tA, j.tB, j.alpha, a, b, j.beta, c)
	}
}
