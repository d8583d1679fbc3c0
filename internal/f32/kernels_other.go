//go:build !amd64 || purego

package f32

// useAsm is false: the Go twins run. A variable, as on amd64, so that the
// tests build everywhere.
var useAsm = false

func accRowsAsm(dst, src *float32, n int, off *int32, noff int) { panic("f32: no kernel") }
func addSubRowsAsm(dst, src *float32, n int, plus *int32, nplus int, minus *int32, nminus int) {
	panic("f32: no kernel")
}
func transposeAsm(dst *float32, dstStride int, src *float32, srcStride int, blocks int) {
	panic("f32: no kernel")
}
func isBinaryAsm(x *float32, n int) bool                       { panic("f32: no kernel") }
func onesOffsetsAsm(off *int32, x *float32, n, stride int) int { panic("f32: no kernel") }
func bernoulliAsm(dst, p, u *float32, n int)                   { panic("f32: no kernel") }
func bernoulliFlipsAsm(x, p, u *float32, n int, on, off *int32, stride int) (non, noff int) {
	panic("f32: no kernel")
}
func binarizeAsm(dst *float32, pixels *uint8, n int)                   { panic("f32: no kernel") }
func sigmoidAsm(dst, src *float32, n int)                              { panic("f32: no kernel") }
func sigmoidMixAsm(dst, src *float32, n int, y *float32, a, b float32) { panic("f32: no kernel") }
func softplusScaledAsm(sig, z *float32, n int, lanes *[8]float64, beta float32) {
	panic("f32: no kernel")
}
func softplusAsm(sig, z *float32, n int, lanes *[8]float64)              { panic("f32: no kernel") }
func scaleAsm(x *float32, n int, s float32)                              { panic("f32: no kernel") }
func addAsm(dst, x *float32, n int)                                      { panic("f32: no kernel") }
func momentumAsm(p, grad, c *float32, n int, negLR, mom float32)         { panic("f32: no kernel") }
func accF64Asm(dst *float64, src *float32, n int)                        { panic("f32: no kernel") }
func dotAxpyAsm(x, y, acc *float32, n int, a float32, lanes *[8]float32) { panic("f32: no kernel") }
func subScaleAsm(dst, x, y *float32, n int, a float32)                   { panic("f32: no kernel") }
