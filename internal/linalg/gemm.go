package linalg

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"gorbm.dev/gorbm/internal/par"
)

// Gemm is blas32.Gemm, c = α·op(a)·op(b) + β·c. With the pure-Go BLAS it
// cuts c into tiles that gonum multiplies serially (fewer than 4 of its
// 64×64 blocks: 64 rows by at most 192 columns, an even number of tiles
// across) and shares them with the helpers of p. With OpenBLAS (build
// tag openblas) the product is one call on the calling goroutine: one BLAS
// thread.
func Gemm(p *par.Pool, tA, tB blas.Transpose, alpha float32, a, b blas32.General, beta float32, c blas32.General) {
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
	p.Do(&g, tiles, minTiles)
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

// Run multiplies tiles lo to hi−1.
func (j *gemmJob) Run(lo, hi int) {
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
