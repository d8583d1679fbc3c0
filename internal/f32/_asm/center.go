package main

import (
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The kernels of center.go, for the centered model's passes: 8 floats at a
// time; the callers pass a multiple of 8.

// accF64 writes accF64Asm: dst = dst + float64(src), element by element
// (accF64Go).
func accF64() {
	text("accF64Asm", "func(dst *float64, src *float32, n int)")
	c.Doc("accF64Asm is AccF64 for the first n (a multiple of 8) elements.")
	c.Pragma("noescape")
	dst, src, n := RDI, RSI, RCX
	c.Load(c.Param("dst"), dst)
	c.Load(c.Param("src"), src)
	c.Load(c.Param("n"), n)
	c.Label("loop")
	c.CMPQ(n, U32(8))
	c.JLT(LabelRef("done"))
	c.VCVTPS2PD(at(src, 0), Y0)  // src[0:4] widened
	c.VCVTPS2PD(at(src, 16), Y1) // src[4:8]
	c.VADDPD(at(dst, 0), Y0, Y0)
	c.VADDPD(at(dst, 32), Y1, Y1)
	c.VMOVUPD(Y0, at(dst, 0))
	c.VMOVUPD(Y1, at(dst, 32))
	c.ADDQ(U32(ymmBytes), src)
	c.ADDQ(U32(2*ymmBytes), dst)
	c.SUBQ(U32(8), n)
	c.JMP(LabelRef("loop"))
	c.Label("done")
	c.VZEROUPPER()
	c.RET()
}

// dotAxpy writes dotAxpyAsm (dotAxpyGo): lanes[j] = Σ x[k]·y[k] over the
// elements k ≡ j mod 8, each product rounded before its add, and
// acc[k] = acc[k] + a·x[k], in one pass over x.
func dotAxpy() {
	text("dotAxpyAsm", "func(x, y, acc *float32, n int, a float32, lanes *[8]float32)")
	c.Doc(
		"dotAxpyAsm is the part of DotAxpy before the tail, for n a multiple",
		"of 8: it sets the eight lanes of the dot product and updates acc.",
	)
	c.Pragma("noescape")
	x, y, acc, n, lanes := RSI, RDX, RDI, RCX, R8
	c.Load(c.Param("x"), x)
	c.Load(c.Param("y"), y)
	c.Load(c.Param("acc"), acc)
	c.Load(c.Param("n"), n)
	c.Load(c.Param("lanes"), lanes)
	c.VBROADCASTSS(param("a"), Y8)
	c.VXORPS(Y9, Y9, Y9)
	c.Label("loop")
	c.CMPQ(n, U32(8))
	c.JLT(LabelRef("done"))
	c.VMOVUPS(at(x, 0), Y0)
	c.VMULPS(at(y, 0), Y0, Y1) // x·y
	c.VADDPS(Y1, Y9, Y9)       // lanes += …
	c.VMULPS(Y8, Y0, Y2)       // a·x
	c.VADDPS(at(acc, 0), Y2, Y2)
	c.VMOVUPS(Y2, at(acc, 0)) // acc += …
	c.ADDQ(U32(ymmBytes), x)
	c.ADDQ(U32(ymmBytes), y)
	c.ADDQ(U32(ymmBytes), acc)
	c.SUBQ(U32(8), n)
	c.JMP(LabelRef("loop"))
	c.Label("done")
	c.VMOVUPS(Y9, at(lanes, 0))
	c.VZEROUPPER()
	c.RET()
}

// subScale writes subScaleAsm: dst = (x − y)·a, element by element
// (subScaleGo).
func subScale() {
	text("subScaleAsm", "func(dst, x, y *float32, n int, a float32)")
	c.Doc("subScaleAsm is SubScale for the first n (a multiple of 8) elements.")
	c.Pragma("noescape")
	dst, x, y, n := RDI, RSI, RDX, RCX
	c.Load(c.Param("dst"), dst)
	c.Load(c.Param("x"), x)
	c.Load(c.Param("y"), y)
	c.Load(c.Param("n"), n)
	c.VBROADCASTSS(param("a"), Y8)
	unrolled(n, []Register{dst, x, y}, func(r, off int) {
		c.VMOVUPS(at(x, off), Y(r))
		c.VSUBPS(at(y, off), Y(r), Y(r)) // x − y
		c.VMULPS(Y8, Y(r), Y(r))         // (x − y)·a
		c.VMOVUPS(Y(r), at(dst, off))
	})
}
