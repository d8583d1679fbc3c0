package graph

import "math"

// Products with a 0/1 operand. Every product of CD training has one: the
// data batch is a Bernoulli sample of the pixel intensities, and the
// hidden and reconstructed units are Bernoulli samples too. x·W for a
// binary row x is the sum of the rows of W where x is 1, so for MNIST's
// batches (about 13 % of pixels set) it costs a seventh of the
// multiply-adds of a dense product. The sums are taken in a fixed order
// (increasing index, starting from the bias or 0), so the result does not
// depend on how the work is shared between goroutines, and the assembly
// kernel and the pure-Go one give the same bits.

// binaryOne is the bit pattern of float32 1.
const binaryOne = 0x3F800000

// onesFit reports whether the other operand of a product with a binary
// matrix, of n elements, can be indexed by the int32 offsets of accRows.
func onesFit(n int) bool { return n <= math.MaxInt32 }

// isBinary reports whether every element of x is +0 or 1 (−0, NaN and any
// other value make it false).
func isBinary(x []float32) bool {
	if useBinaryAsm && len(x) >= 8 {
		head := len(x) &^ 7
		if !isBinaryAsm(&x[0], head) {
			return false
		}
		x = x[head:]
	}
	var bad uint64
	for _, v := range x {
		b := uint64(math.Float32bits(v))
		bad |= b * (b ^ binaryOne) // 0 only for b = 0 or b = 1.0's bits
	}
	return bad == 0
}

// onesOffsets writes to off, for each element of the binary row x that is
// 1, its index times stride, and returns the number written. off needs
// len(x) elements.
func onesOffsets(off []int32, x []float32, stride int) int {
	off = off[:len(x)]
	n, head := 0, 0
	if useBinaryAsm && len(x) >= 8 {
		head = len(x) &^ 7
		n = onesOffsetsAsm(&off[0], &x[0], head, stride)
	}
	for j := head; j < len(x); j++ {
		v := x[j]
		off[n] = int32(j * stride)
		if v != 0 {
			n++
		}
	}
	return n
}

// accRows adds to dst the rows of src at the element offsets off:
// dst[c] += src[off[0]+c] + src[off[1]+c] + …, summed left to right.
// Every offset must satisfy 0 ≤ off[k] and off[k]+len(dst) ≤ len(src):
// accRows checks them all (a pass over off, short beside the sums) before
// the assembly kernel reads src, and panics if one does not.
func accRows(dst, src []float32, off []int32) {
	if len(off) == 0 || len(dst) == 0 {
		return
	}
	n := len(dst)
	for _, o := range off {
		if o < 0 || int(o)+n > len(src) {
			panic("graph: accRows offset out of range")
		}
	}
	if useAccRowsAsm {
		accRowsAsm(&dst[0], &src[0], n, &off[0], len(off))
		return
	}
	accRowsGo(dst, src, off)
}

// accRowsGo is accRows in Go, element by element in the same order as the
// assembly kernel.
func accRowsGo(dst, src []float32, off []int32) {
	n := len(dst)
	for _, o := range off {
		row := src[o : int(o)+n]
		for c, x := range row {
			dst[c] += x
		}
	}
}

// onesJob is a product with a binary matrix x (or, for transpose, a
// matrix w to transpose), done in ranges of rows of dst.
type onesJob struct {
	dst, x, w, c []float32
	off          []int32
	xRows, xCols int // x is xRows×xCols
	wCols        int // w is ·×wCols
}

// onesMinRows is the number of rows of x·w below which it stays on one
// goroutine (a row of MNIST's costs about 3 µs, a hand-over well under 1).
const onesMinRows = 16

// onesProduct sets dst (rows×H) to c + x·w for a binary x (rows×V), w
// (V×H): each row is c plus the rows of w where x is 1. off is grown to
// rows·V.
func onesProduct(dst, x []float32, rows, V int, w []float32, H int, c []float32, off *[]int32) {
	*off = grow(*off, rows*V)
	j := onesJob{dst: dst, x: x, w: w, c: c, off: *off, xRows: rows, xCols: V, wCols: H}
	parallel(job{kind: jobOnesRows, o: j}, rows, onesMinRows)
}

// rows sets rows lo to hi−1 of dst to c (or 0 if c is nil) plus the rows
// of w where the same row of x is 1.
func (j *onesJob) rows(lo, hi int) {
	V, H := j.xCols, j.wCols
	for r := lo; r < hi; r++ {
		off := j.off[r*V : (r+1)*V]
		n := onesOffsets(off, j.x[r*V:(r+1)*V], H)
		d := j.dst[r*H : (r+1)*H]
		if j.c != nil {
			copy(d, j.c)
		} else {
			clear(d)
		}
		accRows(d, j.w, off[:n])
	}
}

// onesTransProduct sets dst (V×H) to xᵀ·w for a binary x (rows×V) and w
// (rows×H): row i of dst is the sum of the rows r of w with x[r][i] = 1.
// x is transposed into xt first, so that each column is read as a row;
// off and xt are grown to V·rows.
func onesTransProduct(dst, x []float32, rows, V int, w []float32, H int, off *[]int32, xt *[]float32) {
	*off = grow(*off, rows*V)
	*xt = grow(*xt, rows*V)
	transposeInto(*xt, x, rows, V)
	j := onesJob{dst: dst, x: *xt, w: w, off: *off, xRows: V, xCols: rows, wCols: H}
	parallel(job{kind: jobOnesRows, o: j}, V, onesMinCols)
}

// onesMinCols is the number of rows of xᵀ·w below which it stays on one
// goroutine (a row costs about half a microsecond for MNIST's batches).
const onesMinCols = 64

// grow returns s with length n, reallocated (contents lost) if its
// capacity is smaller.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
