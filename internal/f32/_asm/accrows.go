package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// accRows writes accRowsAsm: for c < n, dst[c] += src[off[0]+c] +
// src[off[1]+c] + …, left to right (accRowsGo).
func accRows() {
	text("accRowsAsm", "func(dst, src *float32, n int, off *int32, noff int)")
	c.Doc("accRowsAsm is AccRows for n ≥ 1 and len(off) = noff ≥ 1.")
	rowSums(false)
}

// addSubRows writes addSubRowsAsm: for c < n, dst[c] + src[plus[0]+c] +
// src[plus[1]+c] + … − src[minus[0]+c] − src[minus[1]+c] − …, left to
// right (addSubRowsGo).
func addSubRows() {
	text("addSubRowsAsm", "func(dst, src *float32, n int, plus *int32, nplus int, minus *int32, nminus int)")
	c.Doc("addSubRowsAsm is AddSubRows for n ≥ 1, len(plus) = nplus and len(minus) = nminus.")
	rowSums(true)
}

// rowSums writes the body of accRowsAsm, or with sub that of
// addSubRowsAsm, whose rows of minus are subtracted after those of plus
// are added (either list may be empty). dst is cut into blocks of 64, then
// 32 floats, each kept in YMM registers while the rows are added, and the
// rest (up to 31 floats) is one block of four masked registers.
func rowSums(sub bool) {
	c.Pragma("noescape")
	dst, src, n, off, noff, minus := RDI, RSI, RCX, R8, R9, RDX
	c.Load(c.Param("dst"), dst)
	c.Load(c.Param("src"), src)
	c.Load(c.Param("n"), n)
	if sub {
		c.Load(c.Param("plus"), off)
		c.Load(c.Param("nplus"), noff)
		c.Load(c.Param("minus"), minus)
	} else {
		c.Load(c.Param("off"), off)
		c.Load(c.Param("noff"), noff)
	}

	// rows runs body(RAX) for each offset RAX of the list at list
	// (count: a register or the parameter nminus): a loop that tests at
	// its end for accRows's list, never empty, and at its start for
	// addSubRows's, which may be.
	rows := func(name string, list Register, count Op, body func()) {
		c.XORQ(RBX, RBX)
		if sub {
			c.Label(name)
			c.CMPQ(RBX, count)
			c.JGE(LabelRef(name + "end"))
		} else {
			c.Label(name)
		}
		c.MOVLQSX(idx(list, 0, RBX, 4), RAX)
		body()
		c.INCQ(RBX)
		if sub {
			c.JMP(LabelRef(name))
			c.Label(name + "end")
		} else {
			c.CMPQ(RBX, count)
			c.JLT(LabelRef(name))
		}
	}
	var nminus Op
	if sub {
		nminus = param("nminus")
	}

	// block adds the rows to the next regs·8 floats of dst, kept in
	// Y0, Y1, …, then moves on.
	block := func(name, next string, regs int) {
		c.Label(name)
		c.CMPQ(n, U32(8*regs))
		c.JLT(LabelRef(next))
		for r := range regs {
			c.VMOVUPS(at(dst, r*ymmBytes), Y(r))
		}
		rows(name+"loop", off, noff, func() {
			for r := range regs {
				c.VADDPS(idx(src, r*ymmBytes, RAX, 4), Y(r), Y(r))
			}
		})
		if sub {
			rows(name+"minus", minus, nminus, func() {
				for r := range regs {
					c.VSUBPS(idx(src, r*ymmBytes, RAX, 4), Y(r), Y(r))
				}
			})
		}
		for r := range regs {
			c.VMOVUPS(Y(r), at(dst, r*ymmBytes))
		}
		c.ADDQ(U32(4*8*regs), dst)
		c.ADDQ(U32(4*8*regs), src)
		c.SUBQ(U32(8*regs), n)
		c.JMP(LabelRef(name))
	}
	block("b64", "b32", 8)
	block("b32", "rest", 4)

	c.Label("rest")
	c.Comment(
		"1 to 31 floats left: four groups of 8, each with a mask of its",
		"count, min(max(n−8g, 0), 8) lanes from tailMask.",
	)
	c.TESTQ(n, n)
	c.JZ(LabelRef("done"))
	c.LEAQ(tab("tailMask", 0), R10)
	for g := range 4 {
		c.MOVQ(n, R11)
		if g > 0 {
			c.SUBQ(U8(8*g), R11)
		}
		c.XORQ(R12, R12)
		c.CMPQ(R11, U8(0))
		c.CMOVQLT(R12, R11)
		c.MOVQ(U32(8), R12)
		c.CMPQ(R11, R12)
		c.CMOVQGT(R12, R11)
		c.MOVQ(U32(8), R12)
		c.SUBQ(R11, R12)
		c.VMOVDQU(idx(R10, 0, R12, 4), Y(8+g))
	}
	for g := range 4 {
		c.VMASKMOVPS(at(dst, g*ymmBytes), Y(8+g), Y(g))
	}
	masked := func(op func(...Op)) func() {
		return func() {
			c.LEAQ(idx(src, 0, RAX, 4), R13)
			for g := range 4 {
				c.VMASKMOVPS(at(R13, g*ymmBytes), Y(8+g), Y(4+g))
				op(Y(4+g), Y(g), Y(g))
			}
		}
	}
	rows("restloop", off, noff, masked(c.VADDPS))
	if sub {
		rows("restminus", minus, nminus, masked(c.VSUBPS))
	}
	for g := range 4 {
		c.VMASKMOVPS(Y(g), Y(8+g), at(dst, g*ymmBytes))
	}

	c.Label("done")
	c.VZEROUPPER()
	c.RET()
}

// Y returns the YMM register number i.
func Y(i int) VecPhysical {
	ys := []VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15}
	if i < 0 || i >= len(ys) {
		panic(fmt.Sprintf("no register Y%d", i))
	}
	return ys[i]
}
