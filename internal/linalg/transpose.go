package linalg

import (
	"gorbm.dev/gorbm/internal/f32"
	"gorbm.dev/gorbm/internal/par"
)

// Transpose sets dst (cols×rows) to the transpose of src (rows×cols), in
// bands of 8 rows of src, shared with p's helpers.
func Transpose(p *par.Pool, dst, src []float32, rows, cols int) {
	p.Do(&transposeJob{dst: dst, src: src, rows: rows, cols: cols}, (rows+transposeBand-1)/transposeBand, transposeMinBands)
}

// transposeBand is the number of rows of src in a band: the kernel
// transposes 8×8 blocks.
const transposeBand = 8

// transposeMinBands is the number of bands below which a transposition
// stays on one goroutine.
const transposeMinBands = 8

type transposeJob struct {
	dst, src   []float32
	rows, cols int
}

// Run transposes bands lo to hi−1.
func (j *transposeJob) Run(lo, hi int) {
	for b := lo; b < hi; b++ {
		r0, r1 := b*transposeBand, min((b+1)*transposeBand, j.rows)
		f32.TransposeBand(j.dst[r0:], j.rows, j.src[r0*j.cols:], j.cols, r1-r0, j.cols)
	}
}
