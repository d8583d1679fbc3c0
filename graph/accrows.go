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

// isBinary reports whether every element of x is +0 or 1 (−0, NaN and any
// other value make it false).
func isBinary(x []float32) bool {
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
	n := 0
	for j, v := range x {
		off[n] = int32(j * stride)
		if v != 0 {
			n++
		}
	}
	return n
}

// accRows adds to dst the rows of src at the element offsets off:
// dst[c] += src[off[0]+c] + src[off[1]+c] + …, summed left to right.
// Every off[k]+len(dst) must be at most len(src); the caller guarantees it
// (offsets come from onesOffsets over a matrix of the right size).
func accRows(dst, src []float32, off []int32) {
	if len(off) == 0 || len(dst) == 0 {
		return
	}
	n := len(dst)
	if hi := int(off[len(off)-1]) + n; hi > len(src) || int(off[0]) < 0 {
		panic("graph: accRows offset out of range")
	}
	head := 0
	if useAccRowsAsm {
		head = n &^ 7
		if head > 0 {
			accRowsAsm(&dst[0], &src[0], head, &off[0], len(off))
		}
	}
	if head < n {
		accRowsGo(dst[head:], src[head:], off)
	}
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

// onesJob is a product with a binary matrix x, cut into rows (of dst) that
// the two goroutines of parallel share.
type onesJob struct {
	dst, x, w, c []float32
	off          []int32
	xRows, xCols int // x is xRows×xCols
	wCols        int // w is ·×wCols
}

// onesMinRows is the number of rows of dst below which a product stays on
// the calling goroutine: a row costs one to a few microseconds, a hand-over
// about one.
const onesMinRows = 4

// onesProduct sets dst (rows×H) to c + x·w for a binary x (rows×V), w
// (V×H): each row is c plus the rows of w where x is 1. off is grown to
// rows·V.
func onesProduct(dst, x []float32, rows, V int, w []float32, H int, c []float32, off *[]int32) {
	*off = grow32(*off, rows*V)
	j := onesJob{dst: dst, x: x, w: w, c: c, off: *off, xRows: rows, xCols: V, wCols: H}
	parallel(job{kind: jobOnesRows, o: j}, rows, onesMinRows)
}

func (j *onesJob) rows(lo, hi int) {
	V, H := j.xCols, j.wCols
	for r := lo; r < hi; r++ {
		off := j.off[r*V : (r+1)*V]
		n := onesOffsets(off, j.x[r*V:(r+1)*V], H)
		d := j.dst[r*H : (r+1)*H]
		copy(d, j.c)
		accRows(d, j.w, off[:n])
	}
}

// onesTransProduct sets dst (V×H) to xᵀ·w for a binary x (rows×V) and w
// (rows×H): row i of dst is the sum of the rows r of w with x[r][i] = 1.
// off is grown to V·rows.
func onesTransProduct(dst, x []float32, rows, V int, w []float32, H int, off *[]int32) {
	*off = grow32(*off, rows*V)
	j := onesJob{dst: dst, x: x, w: w, off: *off, xRows: rows, xCols: V, wCols: H}
	parallel(job{kind: jobOnesCols, o: j}, V, onesMinRows)
}

func (j *onesJob) cols(lo, hi int) {
	R, V, H := j.xRows, j.xCols, j.wCols
	for i := lo; i < hi; i++ {
		off := j.off[i*R : (i+1)*R]
		n := 0
		for r := 0; r < R; r++ {
			off[n] = int32(r * H)
			if j.x[r*V+i] != 0 {
				n++
			}
		}
		d := j.dst[i*H : (i+1)*H]
		clear(d)
		accRows(d, j.w, off[:n])
	}
}

// transposeInto sets dst (cols×rows) to the transpose of src (rows×cols).
func transposeInto(dst, src []float32, rows, cols int) {
	j := onesJob{dst: dst, w: src, xRows: rows, wCols: cols}
	parallel(job{kind: jobTranspose, o: j}, (rows+transposeBlock-1)/transposeBlock, 1)
}

// transposeBlock is the number of rows of src transposed together: their
// elements of one column make one contiguous run of dst.
const transposeBlock = 16

// transpose transposes blocks lo to hi−1 of transposeBlock rows of w into dst.
func (j *onesJob) transpose(lo, hi int) {
	R, C := j.xRows, j.wCols
	for b := lo; b < hi; b++ {
		r0, r1 := b*transposeBlock, min((b+1)*transposeBlock, R)
		for c := 0; c < C; c++ {
			d := j.dst[c*R+r0 : c*R+r1]
			for k := range d {
				d[k] = j.w[(r0+k)*C+c]
			}
		}
	}
}

func grow32(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n)
	}
	return s[:n]
}
