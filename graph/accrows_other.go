//go:build !amd64

package graph

var useAccRowsAsm = false // a variable, so that tests can switch kernels off everywhere

func accRowsAsm(dst, src *float32, n int, off *int32, noff int) {
	panic("graph: no accRows kernel on this architecture")
}

var useTransposeAsm = false

func transposeAsm(dst *float32, dstStride int, src *float32, srcStride int, blocks int) {
	panic("graph: no transpose kernel on this architecture")
}
