package f32

// AccRows adds to dst the rows of src at the element offsets off:
// dst[c] += src[off[0]+c] + src[off[1]+c] + …, summed left to right. Every
// offset must satisfy 0 ≤ off[k] and off[k]+len(dst) ≤ len(src): AccRows
// checks them all (a pass over off, short beside the sums) before the
// kernel reads src, and panics if one does not.
func AccRows(dst, src []float32, off []int32) {
	if len(off) == 0 || len(dst) == 0 {
		return
	}
	checkOffsets(len(dst), len(src), off)
	if useAsm {
		accRowsAsm(&dst[0], &src[0], len(dst), &off[0], len(off))
		return
	}
	accRowsGo(dst, src, off)
}

// AccRowsChecked is AccRows for offsets the caller has checked: every
// off[k] ≥ 0 and off[k]+len(dst) ≤ len(src). internal/linalg makes the
// offsets with OnesOffsets and checks them once for all the column bands of
// a product, where AccRows would check them once per band.
func AccRowsChecked(dst, src []float32, off []int32) {
	if len(off) == 0 || len(dst) == 0 {
		return
	}
	if useAsm {
		accRowsAsm(&dst[0], &src[0], len(dst), &off[0], len(off))
		return
	}
	accRowsGo(dst, src, off)
}

// accRowsGo is AccRows in Go, element by element in the same order as the
// kernel.
func accRowsGo(dst, src []float32, off []int32) {
	n := len(dst)
	for _, o := range off {
		row := src[o : int(o)+n]
		for c, x := range row {
			dst[c] += x
		}
	}
}

// AddSubRows adds to dst the rows of src at the element offsets plus and
// subtracts those at minus: dst[c] += src[plus[0]+c] + src[plus[1]+c] + …
// − src[minus[0]+c] − src[minus[1]+c] − …, left to right. The offsets
// must satisfy what AccRows requires; AddSubRows checks them in the same
// way.
func AddSubRows(dst, src []float32, plus, minus []int32) {
	if len(plus)+len(minus) == 0 || len(dst) == 0 {
		return
	}
	checkOffsets(len(dst), len(src), plus)
	checkOffsets(len(dst), len(src), minus)
	if useAsm {
		addSubRowsAsm(&dst[0], &src[0], len(dst), first(plus), len(plus), first(minus), len(minus))
		return
	}
	addSubRowsGo(dst, src, plus, minus)
}

// first returns &off[0], or nil for an empty off.
func first(off []int32) *int32 {
	if len(off) == 0 {
		return nil
	}
	return &off[0]
}

// addSubRowsGo is AddSubRows in Go, element by element in the same order
// as the kernel.
func addSubRowsGo(dst, src []float32, plus, minus []int32) {
	accRowsGo(dst, src, plus)
	n := len(dst)
	for _, o := range minus {
		row := src[o : int(o)+n]
		for c, x := range row {
			dst[c] -= x
		}
	}
}

// checkOffsets panics unless every row src[o : o+n] of the offsets is
// inside src, of length m.
func checkOffsets(n, m int, off []int32) {
	for _, o := range off {
		if o < 0 || int(o)+n > m {
			panic("f32: AccRows offset out of range")
		}
	}
}

// TransposeBand sets dst[c·dstStride + r] = src[r·srcStride + c] for the
// rows r < rows ≤ 8 of a band of src and its columns c < cols: a band of 8
// rows goes through the kernel 8 columns at a time.
func TransposeBand(dst []float32, dstStride int, src []float32, srcStride, rows, cols int) {
	if rows < 1 || cols < 1 {
		return
	}
	if rows > 8 || len(src) < (rows-1)*srcStride+cols || len(dst) < (cols-1)*dstStride+rows {
		panic("f32: TransposeBand out of range")
	}
	c0 := 0
	if useAsm && rows == 8 && cols >= 8 {
		c0 = cols &^ 7
		transposeAsm(&dst[0], dstStride, &src[0], srcStride, c0/8)
	}
	transposeGo(dst, dstStride, src, srcStride, rows, c0, cols)
}

// transposeGo is TransposeBand's element loop for the columns c0 to cols−1.
func transposeGo(dst []float32, dstStride int, src []float32, srcStride, rows, c0, cols int) {
	for c := c0; c < cols; c++ {
		d := dst[c*dstStride : c*dstStride+rows]
		for r := range d {
			d[r] = src[r*srcStride+c]
		}
	}
}
