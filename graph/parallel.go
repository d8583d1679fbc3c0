package graph

import (
	"os"
	"runtime"
	"strings"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// The machine's second core for dense products with the pure-Go BLAS (of
// inputs that are not 0/1, see accrows.go): they are cut in two, one half
// done by the calling goroutine and the other by one long-lived helper
// goroutine. This is the work sharing gonum's parallel Gemm does, without
// the channels and goroutines it allocates on every call. Each output
// element is computed by exactly one serial piece of code in a fixed
// order, so the results do not depend on which goroutine computed what.
// The training step's own work (products with a 0/1 operand, σ, softplus)
// is too short to share: handing half of it over and waking the helper
// cost more than they save (measured: 6.2 s for the default job on one
// goroutine, 6.4–6.6 s shared).

// jobKind says what a job computes.
type jobKind int

const (
	jobGemm     jobKind = iota // tiles of a dense product
	jobOnesRows                // rows of a product with a binary x (onesJob.rows)
	jobOnesCols                // rows of xᵀ·w for a binary x (onesJob.cols)
	jobSolve                   // parts of the parameters' SGD update (step.solve)
)

// job is one piece of work, items lo to hi−1. It is a plain value, so
// handing it over a channel allocates nothing.
type job struct {
	kind   jobKind
	lo, hi int
	g      gemmJob
	o      onesJob
	s      *step
}

func (j *job) run() {
	switch j.kind {
	case jobGemm:
		j.g.run(j.lo, j.hi)
	case jobOnesRows:
		j.o.rows(j.lo, j.hi)
	case jobOnesCols:
		j.o.cols(j.lo, j.hi)
	case jobSolve:
		j.s.solve(j.lo, j.hi)
	}
}

// helper is the helper goroutine, started on first use. Concurrent callers
// (samplers in several goroutines) queue for it: it takes a job only after
// the done of the previous one was received, and only the goroutine whose
// job is in flight waits on done.
var helper struct {
	once sync.Once
	jobs chan job
	done chan struct{}
}

// parallel runs j on items 0 to n−1: on the calling goroutine alone when n
// is below minItems·2, else half on the helper goroutine.
func parallel(j job, n, minItems int) {
	if n < 2*minItems {
		j.lo, j.hi = 0, n
		j.run()
		return
	}
	helper.once.Do(func() {
		helper.jobs = make(chan job)
		helper.done = make(chan struct{})
		go func() {
			for j := range helper.jobs {
				j.run()
				helper.done <- struct{}{}
			}
		}()
	})
	half := n / 2
	j.lo, j.hi = half, n
	helper.jobs <- j
	if splitOn("yield") {
		runtime.Gosched()
	}
	j.lo, j.hi = 0, half
	j.run()
	<-helper.done
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

var splitMode = os.Getenv("GORBM_SPLIT")

func splitOn(what string) bool { return strings.Contains(splitMode, what) }
