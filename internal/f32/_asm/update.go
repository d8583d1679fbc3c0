package main

import (
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The kernels of update.go, the solvers' element-wise steps: 32 floats at
// a time while 32 are left, then 8 at a time; the callers pass a multiple
// of 8.

// unrolled writes the loop of an element-wise kernel over n floats: body
// handles 8 floats at byte offset off of each array in register r, and
// the arrays' pointers advance past them.
func unrolled(n Register, ptrs []Register, body func(r int, off int)) {
	for _, b := range []struct {
		name  string
		width int // YMM registers per iteration
	}{{"loop32", 4}, {"loop8", 1}} {
		c.Label(b.name)
		c.CMPQ(n, U32(8*b.width))
		next := "loop8"
		if b.width == 1 {
			next = "done"
		}
		c.JLT(LabelRef(next))
		for r := range b.width {
			body(r, r*ymmBytes)
		}
		for _, p := range ptrs {
			c.ADDQ(U32(b.width*ymmBytes), p)
		}
		c.SUBQ(U32(8*b.width), n)
		c.JMP(LabelRef(b.name))
	}
	c.Label("done")
	c.VZEROUPPER()
	c.RET()
}

// scale writes scaleAsm: x = x·s (scaleGo).
func scale() {
	text("scaleAsm", "func(x *float32, n int, s float32)")
	c.Doc("scaleAsm is Scale for the first n (a multiple of 8) elements.")
	c.Pragma("noescape")
	x, n := RDI, RCX
	c.Load(c.Param("x"), x)
	c.Load(c.Param("n"), n)
	c.VBROADCASTSS(param("s"), Y8)
	unrolled(n, []Register{x}, func(r, off int) {
		c.VMULPS(at(x, off), Y8, Y(r))
		c.VMOVUPS(Y(r), at(x, off))
	})
}

// add writes addAsm: dst = dst + x (addGo).
func add() {
	text("addAsm", "func(dst, x *float32, n int)")
	c.Doc("addAsm is Add for the first n (a multiple of 8) elements.")
	c.Pragma("noescape")
	dst, x, n := RDI, RSI, RCX
	c.Load(c.Param("dst"), dst)
	c.Load(c.Param("x"), x)
	c.Load(c.Param("n"), n)
	unrolled(n, []Register{dst, x}, func(r, off int) {
		c.VMOVUPS(at(dst, off), Y(r))
		c.VADDPS(at(x, off), Y(r), Y(r))
		c.VMOVUPS(Y(r), at(dst, off))
	})
}

// momentum writes momentumAsm: c = c·mom + g·negLR, each product rounded
// before the sum, then p = p + c (momentumGo).
func momentum() {
	text("momentumAsm", "func(p, grad, c *float32, n int, negLR, mom float32)")
	c.Doc("momentumAsm is Momentum for the first n (a multiple of 8) elements.")
	c.Pragma("noescape")
	p, g, v, n := RDI, RSI, RDX, RCX
	c.Load(c.Param("p"), p)
	c.Load(c.Param("grad"), g)
	c.Load(c.Param("c"), v)
	c.Load(c.Param("n"), n)
	c.VBROADCASTSS(param("negLR"), Y8)
	c.VBROADCASTSS(param("mom"), Y9)
	unrolled(n, []Register{p, g, v}, func(r, off int) {
		c.VMULPS(at(v, off), Y9, Y(r))   // c·mom
		c.VMULPS(at(g, off), Y8, Y(4+r)) // g·negLR
		c.VADDPS(Y(4+r), Y(r), Y(r))     // the new c
		c.VMOVUPS(Y(r), at(v, off))
		c.VADDPS(at(p, off), Y(r), Y(r)) // p + c
		c.VMOVUPS(Y(r), at(p, off))
	})
}
