package main

import (
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// transpose writes transposeAsm: it transposes 8 rows of src, blocks·8
// floats long, into blocks·8 rows of dst, 8 floats each (transposeGo): an
// 8×8 block at a time in YMM registers (unpack, shuffle, then swap of
// 128-bit halves). Strides are in floats.
func transpose() {
	text("transposeAsm", "func(dst *float32, dstStride int, src *float32, srcStride int, blocks int)")
	c.Doc(
		"transposeAsm transposes 8 rows of src, 8·blocks long, into 8·blocks rows",
		"of dst, 8 long; strides in floats.",
	)
	c.Pragma("noescape")
	dst, dstStride, src, srcStride, blocks := RDI, R8, RSI, R9, RCX
	c.Load(c.Param("dst"), dst)
	c.Load(c.Param("dstStride"), dstStride)
	c.SHLQ(U8(2), dstStride)
	c.Load(c.Param("src"), src)
	c.Load(c.Param("srcStride"), srcStride)
	c.SHLQ(U8(2), srcStride)
	c.Load(c.Param("blocks"), blocks)
	c.LEAQ(idx(srcStride, 0, srcStride, 2), R10) // 3·srcStride
	c.LEAQ(idx(dstStride, 0, dstStride, 2), R11) // 3·dstStride

	// rows4 addresses four rows from base: base, +stride, +2·stride,
	// +3·stride (three3 = 3·stride).
	rows4 := func(base, stride, three3 Register) [4]Mem {
		return [4]Mem{at(base, 0), idx(base, 0, stride, 1), idx(base, 0, stride, 2), idx(base, 0, three3, 1)}
	}

	c.Label("loop")
	c.TESTQ(blocks, blocks)
	c.JZ(LabelRef("done"))
	c.MOVQ(src, RAX)
	for i, m := range rows4(RAX, srcStride, R10) {
		c.VMOVUPS(m, Y(i))
	}
	c.LEAQ(idx(RAX, 0, srcStride, 4), RAX)
	for i, m := range rows4(RAX, srcStride, R10) {
		c.VMOVUPS(m, Y(4+i))
	}
	for p := range 4 { // rows 2p and 2p+1, interleaved
		c.VUNPCKLPS(Y(2*p+1), Y(2*p), Y(8+2*p))
		c.VUNPCKHPS(Y(2*p+1), Y(2*p), Y(9+2*p))
	}
	for h := range 2 { // rows 0–3, then 4–7
		for i := range 2 {
			c.VSHUFPS(U8(0x44), Y(10+4*h+i), Y(8+4*h+i), Y(4*h+2*i))
			c.VSHUFPS(U8(0xEE), Y(10+4*h+i), Y(8+4*h+i), Y(4*h+2*i+1))
		}
	}
	for i := range 4 { // low halves, then high halves
		c.VPERM2F128(U8(0x20), Y(4+i), Y(i), Y(8+i))
	}
	for i := range 4 {
		c.VPERM2F128(U8(0x31), Y(4+i), Y(i), Y(12+i))
	}
	c.MOVQ(dst, RBX)
	for i, m := range rows4(RBX, dstStride, R11) {
		c.VMOVUPS(Y(8+i), m)
	}
	c.LEAQ(idx(RBX, 0, dstStride, 4), RBX)
	for i, m := range rows4(RBX, dstStride, R11) {
		c.VMOVUPS(Y(12+i), m)
	}
	c.ADDQ(U32(ymmBytes), src)             // next 8 columns of src
	c.LEAQ(idx(dst, 0, dstStride, 8), dst) // next 8 rows of dst
	c.DECQ(blocks)
	c.JMP(LabelRef("loop"))

	c.Label("done")
	c.VZEROUPPER()
	c.RET()
}
