package linalg

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"gorbm.dev/gorbm/internal/f32"
	"gorbm.dev/gorbm/internal/par"
)

// Scratch holds a caller's buffers for products: the offsets of the ones
// of a 0/1 operand, their counts per row, and a transposed operand. The
// zero value is ready.
type Scratch struct {
	off    []int32
	n      []int
	binary []bool
	xt     []float32
}

// OffsetsLen returns the number of offsets the scratch holds (for tests of
// which path a product took).
func (s *Scratch) OffsetsLen() int { return len(s.off) }

// onesFit reports whether the other operand of a product with a 0/1
// matrix, of n elements, can be indexed by the int32 offsets of AccRows.
func onesFit(n int) bool { return n <= math.MaxInt32 }

// Then, when not nil, is called by Affine and AffineTrans for each block
// of the output once it is final: row r, columns c0 to c1−1, on the
// goroutine that computed it, while it is in that goroutine's cache. The
// blocks are disjoint and cover the output; several may be handed to
// Then at once on different goroutines.
type Then func(r, c0, c1 int)

// Affine sets dst (rows×H) to x·w + c for x (rows×V), w (V×H) and c (H
// values, or nil for 0), sharing the work with p's helpers, and calls
// then on its blocks. A 0/1 x is summed by rows (see the package
// documentation); any other x takes one GEMM with β = 1 on copies of c.
func Affine(p *par.Pool, dst, x []float32, rows, V int, w []float32, H int, c []float32, s *Scratch, then Then) {
	x, dst = x[:rows*V], dst[:rows*H]
	if onesFit(V*H) && s.onesOffsets(p, x, rows, V, H) {
		onesProduct(p, dst, rows, V, w, H, c, s, then)
		return
	}
	fillRows(dst, c, rows, H)
	Gemm(p, blas.NoTrans, blas.NoTrans, 1,
		blas32.General{Rows: rows, Cols: V, Stride: V, Data: x},
		blas32.General{Rows: V, Cols: H, Stride: H, Data: w},
		1, blas32.General{Rows: rows, Cols: H, Stride: H, Data: dst})
	thenRows(p, then, rows, H)
}

// thenRows calls then on every row of a rows×cols output, sharing the rows
// with p's helpers.
func thenRows(p *par.Pool, then Then, rows, cols int) {
	if then != nil {
		p.Do(thenJob{then, cols}, rows, onesMinRows)
	}
}

type thenJob struct {
	then Then
	cols int
}

func (j thenJob) Run(lo, hi int) {
	for r := lo; r < hi; r++ {
		j.then(r, 0, j.cols)
	}
}

// AffineTrans sets dst (rows×V) to x·wᵀ + c for x (rows×H), w (V×H) and c
// (V values), where wt is w transposed (H×V): a 0/1 x adds up rows of wt,
// any other x takes one GEMM with w. It calls then on the output's blocks.
func AffineTrans(p *par.Pool, dst, x []float32, rows, H int, w, wt []float32, V int, c []float32, s *Scratch, then Then) {
	x, dst = x[:rows*H], dst[:rows*V]
	if onesFit(V*H) && s.onesOffsets(p, x, rows, H, V) {
		onesProduct(p, dst, rows, H, wt, V, c, s, then)
		return
	}
	fillRows(dst, c, rows, V)
	Gemm(p, blas.NoTrans, blas.Trans, 1,
		blas32.General{Rows: rows, Cols: H, Stride: H, Data: x},
		blas32.General{Rows: V, Cols: H, Stride: H, Data: w},
		1, blas32.General{Rows: rows, Cols: V, Stride: V, Data: dst})
	thenRows(p, then, rows, V)
}

// fillRows copies c into each of the rows of dst (·×cols), or zeroes them
// for a nil c.
func fillRows(dst, c []float32, rows, cols int) {
	for r := 0; r < rows; r++ {
		if c == nil {
			clear(dst[r*cols : (r+1)*cols])
		} else {
			copy(dst[r*cols:(r+1)*cols], c)
		}
	}
}

// onesJob is c + x·w for a 0/1 x, computed by ranges of rows of dst. With
// xT set (xCols×xTCols), x is its transpose, which each range makes for its
// own rows before it sums them (rows lo to hi−1 of x are columns lo to
// hi−1 of xT).
type onesJob struct {
	dst, x, w, c []float32
	xT           []float32
	off          []int32
	xCols, wCols int // x is ·×xCols, w is ·×wCols
	xTCols       int
	then         Then
}

// Run sets rows lo to hi−1 of dst to c (or 0) plus the rows of w where the
// same row of x is 1.
func (j *onesJob) Run(lo, hi int) {
	V, H := j.xCols, j.wCols
	for r0 := 0; j.xT != nil && r0 < V; r0 += 8 { // 8 rows of xT at a time
		f32.TransposeBand(j.x[lo*V+r0:], V, j.xT[r0*j.xTCols+lo:], j.xTCols, min(8, V-r0), hi-lo)
	}
	for r := lo; r < hi; r++ {
		off := j.off[r*V : (r+1)*V]
		n := f32.OnesOffsets(off, j.x[r*V:(r+1)*V], H)
		d := j.dst[r*H : (r+1)*H]
		if j.c != nil {
			copy(d, j.c)
		} else {
			clear(d)
		}
		f32.AccRowsChecked(d, j.w, off[:n]) // OnesTransProduct checked the shapes
		if j.then != nil {
			j.then(r, 0, H)
		}
	}
}

// onesMinCols is the number of rows of xᵀ·g below which it stays on one
// goroutine (a row is well under a microsecond for MNIST's batches).
const onesMinCols = 64

// onesBand is the width of the column bands of x·w: the kernel's widest
// block (64 floats in eight registers), 256 bytes of each row of w.
const onesBand = 64

// onesBandJob is c + x·w for a 0/1 x, computed by bands of onesBand
// columns of dst, each for all the rows: a band reads the same columns of
// w for every row, 256 bytes of each of its rows, so that the goroutine
// working on it finds them in its cache, where rows of dst, shared out,
// would each read all of w. Every element is the same sum in the same
// order either way.
type onesBandJob struct {
	dst, w, c []float32
	off       []int32 // row r's offsets in off[r·xCols:], n[r] of them
	n         []int
	rows      int
	xCols     int // x is rows×xCols
	wCols     int // w is ·×wCols, dst rows×wCols
	then      Then
}

// Run sets bands lo to hi−1 of dst.
func (j *onesBandJob) Run(lo, hi int) {
	V, H := j.xCols, j.wCols
	for b := lo; b < hi; b++ {
		c0 := b * onesBand
		c1 := min(c0+onesBand, H)
		w := j.w[c0:]
		for r := 0; r < j.rows; r++ {
			d := j.dst[r*H+c0 : r*H+c1]
			if j.c != nil {
				copy(d, j.c[c0:c1])
			} else {
				clear(d)
			}
			f32.AccRowsChecked(d, w, j.off[r*V:r*V+j.n[r]]) // onesProduct checked the offsets
			if j.then != nil {
				j.then(r, c0, c1)
			}
		}
	}
}

// onesOffsets writes to s the offsets (times stride) of the ones of each
// row of x (rows×V), rows shared with p's helpers, and reports whether x
// is 0/1: the first phase of a product with a 0/1 x (onesProduct).
func (s *Scratch) onesOffsets(p *par.Pool, x []float32, rows, V, stride int) bool {
	s.off = grow(s.off, rows*V)
	s.n = grow(s.n, rows)
	s.binary = grow(s.binary, rows)
	p.Do(offsetsJob{s: s, x: x, cols: V, stride: stride}, rows, onesMinRows)
	for _, b := range s.binary {
		if !b {
			s.off = s.off[:0] // not a product of a 0/1 operand
			return false
		}
	}
	return true
}

// offsetsJob checks that rows of x (·×cols) are 0/1 and writes the offsets
// of their ones into s.
type offsetsJob struct {
	s            *Scratch
	x            []float32
	cols, stride int
}

func (j offsetsJob) Run(lo, hi int) {
	for r := lo; r < hi; r++ {
		row := j.x[r*j.cols : (r+1)*j.cols]
		if j.s.binary[r] = f32.IsBinary(row); j.s.binary[r] {
			j.s.n[r] = f32.OnesOffsets(j.s.off[r*j.cols:(r+1)*j.cols], row, j.stride)
		}
	}
}

// onesProduct sets dst (rows×H) to c + x·w for a 0/1 x (rows×V), w (V×H),
// from the offsets of its rows' ones in s (onesOffsets): by column bands,
// shared with p's helpers.
func onesProduct(p *par.Pool, dst []float32, rows, V int, w []float32, H int, c []float32, s *Scratch, then Then) {
	// The offsets are i·H for rows i < V of w, so each band's sums read
	// inside w when w holds V×H values (AccRowsChecked does not check).
	if len(w) < V*H || len(dst) < rows*H || c != nil && len(c) < H {
		panic("linalg: product operands shorter than their shapes")
	}
	bands := (H + onesBand - 1) / onesBand
	minBands := 1
	if rows < onesMinRows {
		minBands = bands // too little to share
	}
	p.Do(&onesBandJob{dst: dst, w: w, c: c, off: s.off, n: s.n, rows: rows, xCols: V, wCols: H, then: then}, bands, minBands)
}

// onesMinRows is the number of rows of x·w below which a product stays on
// one goroutine: a row of MNIST's takes a few microseconds, a hand-over
// about as long.
const onesMinRows = 16

// OnesTransProduct sets dst (V×H) to xᵀ·g for a 0/1 x (rows×V) and g
// (rows×H): row i of dst is the sum of the rows r of g with x[r][i] = 1.
// Each range of dst's rows shared out transposes its columns of x first,
// so that each column is read as a row. It calls then on each row of dst
// once it is final. It reports false, leaving dst
// alone, when x is not 0/1.
func OnesTransProduct(p *par.Pool, dst, x []float32, rows, V int, g []float32, H int, s *Scratch, then Then) bool {
	x = x[:rows*V]
	if !onesFit(rows*H) || !f32.IsBinary(x) {
		return false
	}
	// The offsets are r·H for rows r of g, so the sums read inside g when
	// it holds rows×H values (AccRowsChecked does not check).
	if len(g) < rows*H || len(dst) < V*H {
		panic("linalg: product operands shorter than their shapes")
	}
	s.off = grow(s.off, rows*V)
	s.xt = grow(s.xt, rows*V)
	// Each range of the job transposes its columns of x itself.
	p.Do(&onesJob{dst: dst, x: s.xt, xT: x, xTCols: V, w: g, off: s.off, xCols: rows, wCols: H, then: then}, V, onesMinCols)
	return true
}

// grow returns s with length n, reallocated (contents lost) if its
// capacity is smaller.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
