package main

import (
	"math/bits"

	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The kernels of binary.go, eight floats (or pixels) at a time. Each loops
// while 8 or more are left; the callers pass a multiple of 8.

// isBinary writes isBinaryAsm: are the bits of every element those of +0
// or 1 (isBinaryGo)?
func isBinary() {
	text("isBinaryAsm", "func(x *float32, n int) bool")
	c.Doc("isBinaryAsm is IsBinary for the first n (a multiple of 8) elements.")
	c.Pragma("noescape")
	x, n := RSI, RCX
	c.Load(c.Param("x"), x)
	c.Load(c.Param("n"), n)
	c.VPCMPEQD(Y9, Y9, Y9) // all lanes fine so far
	c.VPXOR(Y8, Y8, Y8)
	c.VMOVDQU(tab("vOne", 0), Y7)
	c.Label("loop")
	c.CMPQ(n, U32(8))
	c.JLT(LabelRef("done"))
	c.VMOVDQU(at(x, 0), Y0)
	c.VPCMPEQD(Y8, Y0, Y1)
	c.VPCMPEQD(Y7, Y0, Y2)
	c.VPOR(Y1, Y2, Y1)
	c.VPAND(Y1, Y9, Y9)
	c.ADDQ(U32(ymmBytes), x)
	c.SUBQ(U32(8), n)
	c.JMP(LabelRef("loop"))
	c.Label("done")
	c.VMOVMSKPS(Y9, EAX)
	c.CMPL(EAX, U32(0xff))
	c.SETEQ(result())
	c.VZEROUPPER()
	c.RET()
}

// onesOffsets writes onesOffsetsAsm (onesOffsetsGo): for each block of 8,
// the offsets j·stride of its lanes, moved to the front by the row of
// compress that the block's mask of nonzeros selects, are stored at the
// count so far; the count grows by the mask's popcount.
func onesOffsets() {
	text("onesOffsetsAsm", "func(off *int32, x *float32, n, stride int) int")
	c.Doc(
		"onesOffsetsAsm is OnesOffsets for the first n (a multiple of 8)",
		"elements; it may write up to 8 offsets past the count it returns, all",
		"within the first n of off.",
	)
	c.Pragma("noescape")
	off, x, n, count := RDI, RSI, RCX, R8
	c.Load(c.Param("off"), off)
	c.Load(c.Param("x"), x)
	c.Load(c.Param("n"), n)
	c.VMOVDQU(tab("vLane", 0), Y2)
	c.VPBROADCASTD(param("stride"), Y4)
	c.VPMULLD(Y4, Y2, Y2)   // j·stride for the 8 lanes
	c.VPSLLD(U8(3), Y4, Y3) // 8·stride
	c.VXORPS(Y6, Y6, Y6)
	c.XORQ(count, count)
	c.LEAQ(tab("compress", 0), R10)
	c.Label("loop")
	c.CMPQ(n, U32(8))
	c.JLT(LabelRef("done"))
	c.VMOVUPS(at(x, 0), Y0)
	c.VCMPPS(U8(cmpNE), Y6, Y0, Y1) // x != 0
	c.VMOVMSKPS(Y1, EAX)
	c.MOVQ(RAX, RBX)
	c.SHLQ(U8(bits.TrailingZeros(ymmBytes)), RBX) // × ymmBytes, the size of a row of compress
	c.VMOVDQU(idx(R10, 0, RBX, 1), Y7)
	c.VPERMD(Y2, Y7, Y8)
	c.VMOVDQU(Y8, idx(off, 0, count, 4))
	c.POPCNTL(EAX, EAX)
	c.ADDQ(RAX, count)
	c.VPADDD(Y3, Y2, Y2)
	c.ADDQ(U32(ymmBytes), x)
	c.SUBQ(U32(8), n)
	c.JMP(LabelRef("loop"))
	c.Label("done")
	c.Store(count, c.ReturnIndex(0))
	c.VZEROUPPER()
	c.RET()
}

// bernoulli writes bernoulliAsm: dst = 1 where p > u, else 0
// (bernoulliGo).
func bernoulli() {
	text("bernoulliAsm", "func(dst, p, u *float32, n int)")
	c.Doc(
		"bernoulliAsm is Bernoulli for the first n (a multiple of 8) elements;",
		"dst may be u.",
	)
	c.Pragma("noescape")
	dst, p, u, n := RDI, RSI, RDX, RCX
	c.Load(c.Param("dst"), dst)
	c.Load(c.Param("p"), p)
	c.Load(c.Param("u"), u)
	c.Load(c.Param("n"), n)
	c.VMOVUPS(tab("vOne", 0), Y7)
	c.Label("loop")
	c.CMPQ(n, U32(8))
	c.JLT(LabelRef("done"))
	c.VMOVUPS(at(u, 0), Y0)
	c.VMOVUPS(at(p, 0), Y1)
	c.VCMPPS(U8(cmpGT), Y0, Y1, Y2) // p > u
	c.VANDPS(Y7, Y2, Y2)
	c.VMOVUPS(Y2, at(dst, 0))
	c.ADDQ(U32(ymmBytes), p)
	c.ADDQ(U32(ymmBytes), dst)
	c.ADDQ(U32(ymmBytes), u)
	c.SUBQ(U32(8), n)
	c.JMP(LabelRef("loop"))
	c.Label("done")
	c.VZEROUPPER()
	c.RET()
}

// binarize writes binarizeAsm: dst = 1 where dst < float32(pixel)/255,
// else 0 (binarizeGo); the division is IEEE division, as in Go.
func binarize() {
	text("binarizeAsm", "func(dst *float32, pixels *uint8, n int)")
	c.Doc("binarizeAsm is Binarize for the first n (a multiple of 8) pixels.")
	c.Pragma("noescape")
	dst, pixels, n := RDI, RSI, RCX
	c.Load(c.Param("dst"), dst)
	c.Load(c.Param("pixels"), pixels)
	c.Load(c.Param("n"), n)
	c.VMOVUPS(tab("vPixelMax", 0), Y6)
	c.VMOVUPS(tab("vOne", 0), Y7)
	c.Label("loop")
	c.CMPQ(n, U32(8))
	c.JLT(LabelRef("done"))
	c.VPMOVZXBD(at(pixels, 0), Y1)
	c.VCVTDQ2PS(Y1, Y1)
	c.VDIVPS(Y6, Y1, Y1)
	c.VMOVUPS(at(dst, 0), Y0)
	c.VCMPPS(U8(cmpLT), Y1, Y0, Y2) // u < x/255
	c.VANDPS(Y7, Y2, Y2)
	c.VMOVUPS(Y2, at(dst, 0))
	c.ADDQ(U32(8), pixels)
	c.ADDQ(U32(ymmBytes), dst)
	c.SUBQ(U32(8), n)
	c.JMP(LabelRef("loop"))
	c.Label("done")
	c.VZEROUPPER()
	c.RET()
}

// bernoulliFlips writes bernoulliFlipsAsm (bernoulliFlipsGo): x = 1 where
// p > u, else 0, as bernoulli; for each block of 8, the offsets j·stride
// of the lanes that went from 0 to 1 (new and not old, old being x != 0)
// are moved to the front by compress and stored at the count so far of
// on, those that went from 1 to 0 at the count of off, as onesOffsets
// stores them; a block without flips stores nothing.
func bernoulliFlips() {
	text("bernoulliFlipsAsm", "func(x, p, u *float32, n int, on, off *int32, stride int) (non, noff int)")
	c.Doc(
		"bernoulliFlipsAsm is BernoulliFlips for the first n (a multiple of 8)",
		"elements; it may write up to 8 offsets past the counts it returns, all",
		"within the first n of on and off.",
	)
	c.Pragma("noescape")
	x, p, u, n, on, off, non, noff := RDI, RSI, RDX, RCX, R8, R9, R12, R13
	c.Load(c.Param("x"), x)
	c.Load(c.Param("p"), p)
	c.Load(c.Param("u"), u)
	c.Load(c.Param("n"), n)
	c.Load(c.Param("on"), on)
	c.Load(c.Param("off"), off)
	c.VMOVDQU(tab("vLane", 0), Y2)
	c.VPBROADCASTD(param("stride"), Y3)
	c.VPMULLD(Y3, Y2, Y2)   // j·stride for the 8 lanes
	c.VPSLLD(U8(3), Y3, Y3) // 8·stride
	c.VXORPS(Y6, Y6, Y6)
	c.VMOVUPS(tab("vOne", 0), Y7)
	c.XORQ(non, non)
	c.XORQ(noff, noff)
	c.LEAQ(tab("compress", 0), R10)
	// store moves the offsets of the lanes set in mask to the front and
	// stores them at list[count], then adds their number to count.
	store := func(mask VecPhysical, list, count Register) {
		c.VMOVMSKPS(mask, EAX)
		c.MOVQ(RAX, RBX)
		c.SHLQ(U8(bits.TrailingZeros(ymmBytes)), RBX) // × ymmBytes, the size of a row of compress
		c.VMOVDQU(idx(R10, 0, RBX, 1), Y11)
		c.VPERMD(Y2, Y11, Y12)
		c.VMOVDQU(Y12, idx(list, 0, count, 4))
		c.POPCNTL(EAX, EAX)
		c.ADDQ(RAX, count)
	}
	c.Label("loop")
	c.CMPQ(n, U32(8))
	c.JLT(LabelRef("done"))
	c.VMOVUPS(at(u, 0), Y0)
	c.VMOVUPS(at(p, 0), Y1)
	c.VCMPPS(U8(cmpGT), Y0, Y1, Y4) // new: p > u
	c.VMOVUPS(at(x, 0), Y5)
	c.VCMPPS(U8(cmpNE), Y6, Y5, Y5) // old: x != 0
	c.VANDPS(Y7, Y4, Y8)
	c.VMOVUPS(Y8, at(x, 0))
	c.VANDNPS(Y4, Y5, Y9)  // new and not old
	c.VANDNPS(Y5, Y4, Y10) // old and not new
	c.VORPS(Y9, Y10, Y11)
	c.VPTEST(Y11, Y11)
	c.JZ(LabelRef("next")) // no flips: nothing to store
	store(Y9, on, non)
	store(Y10, off, noff)
	c.Label("next")
	c.VPADDD(Y3, Y2, Y2)
	c.ADDQ(U32(ymmBytes), x)
	c.ADDQ(U32(ymmBytes), p)
	c.ADDQ(U32(ymmBytes), u)
	c.SUBQ(U32(8), n)
	c.JMP(LabelRef("loop"))
	c.Label("done")
	c.Store(non, c.ReturnIndex(0))
	c.Store(noff, c.ReturnIndex(1))
	c.VZEROUPPER()
	c.RET()
}
