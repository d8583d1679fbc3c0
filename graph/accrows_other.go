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

var useBinaryAsm = false

func isBinaryAsm(x *float32, n int) bool                       { panic("graph: no kernel") }
func onesOffsetsAsm(off *int32, x *float32, n, stride int) int { panic("graph: no kernel") }
func bernoulliAsm(dst, p, u *float32, n int)                   { panic("graph: no kernel") }
