package graph

// transposeInto sets dst (cols×rows) to the transpose of src (rows×cols),
// in bands of transposeBlock rows of src, shared with the helper goroutine
// from 2·transposeMinBands bands on.
func transposeInto(dst, src []float32, rows, cols int) {
	j := onesJob{dst: dst, w: src, xRows: rows, wCols: cols}
	parallel(job{kind: jobTranspose, o: j}, (rows+transposeBlock-1)/transposeBlock, transposeMinBands)
}

// transposeBlock is the number of rows of src in a band: the AVX2 kernel
// transposes 8×8 blocks.
const transposeBlock = 8

// transposeMinBands: 8 bands of MNIST's 500 columns take a few microseconds.
const transposeMinBands = 8

// transpose transposes bands lo to hi−1 of w into dst: with the kernel the
// 8×8 blocks of a full band, then element by element whatever is left.
func (j *onesJob) transpose(lo, hi int) {
	R, C := j.xRows, j.wCols
	for b := lo; b < hi; b++ {
		r0, r1 := b*transposeBlock, min((b+1)*transposeBlock, R)
		c0 := 0
		if useTransposeAsm && r1-r0 == 8 && C >= 8 {
			c0 = C &^ 7
			transposeAsm(&j.dst[r0], R, &j.w[r0*C], C, c0/8)
		}
		for c := c0; c < C; c++ {
			d := j.dst[c*R+r0 : c*R+r1]
			for k := range d {
				d[k] = j.w[(r0+k)*C+c]
			}
		}
	}
}
