package main

import (
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"

	"gorbm.dev/gorbm/internal/f32/consts"
)

// The kernels of fastmath.go, eight floats at a time; each line's comment
// is the operation of the Go twin it performs (constants of package
// consts), with no FMA.

// expNeg sets Y2 = e^Y1 for Y1 ≤ 0 (expNeg32; 0 below −87 and for NaN),
// using Y3 to Y7.
func expNeg() {
	c.VCMPPS(U8(cmpGE), tab("vExpMin", 0), Y1, Y7) // y >= ExpMin
	c.VMULPS(tab("vLog2e", 0), Y1, Y3)             // y*Log2e
	c.VADDPS(tab("vShift", 0), Y3, Y3)             // t = … + Shift
	c.VSUBPS(tab("vShift", 0), Y3, Y4)             // nf = t − Shift
	c.VPSUBD(tab("vShift", 0), Y3, Y3)             // n = bits(t) − bits(Shift)
	c.VMULPS(tab("vLn2Hi", 0), Y4, Y5)             // nf*Ln2Hi
	c.VSUBPS(Y5, Y1, Y5)                           // r = y − …
	c.VMULPS(tab("vLn2Lo", 0), Y4, Y4)             // nf*Ln2Lo
	c.VSUBPS(Y4, Y5, Y5)                           // r = r − …
	c.VMULPS(Y5, Y5, Y6)                           // z = r*r
	c.VMULPS(tab("vExpP", 0), Y5, Y4)              // ExpP[0]*r
	c.VADDPS(tab("vExpP", 1), Y4, Y4)              // p = … + ExpP[1]
	for i := 2; i < len(consts.ExpP); i++ {
		c.VMULPS(Y5, Y4, Y4)              // p*r
		c.VADDPS(tab("vExpP", i), Y4, Y4) // p = … + c
	}
	c.VMULPS(Y6, Y4, Y4)                  // p*z
	c.VADDPS(Y5, Y4, Y4)                  // … + r
	c.VADDPS(tab("vOne", 0), Y4, Y4)      // p = … + 1
	c.VPADDD(tab("vExpBias", 0), Y3, Y3)  // n + ExpBias
	c.VPSLLD(U8(consts.MantBits), Y3, Y3) // 2ⁿ
	c.VMULPS(Y3, Y4, Y2)                  // p * 2ⁿ
	c.VANDPS(Y7, Y2, Y2)                  // 0 where !(y >= ExpMin)
}

// sigmoidOf sets Y8 = σ(Y0) from Y2 = e^−|Y0| (sigmoid32): 1/(1+e) for
// Y0 ≥ 0, else e/(1+e); Y15 must be 0. It uses Y3 and Y4.
func sigmoidOf() {
	c.VADDPS(tab("vOne", 0), Y2, Y3)        // 1 + e
	c.VCMPPS(U8(cmpGE), Y15, Y0, Y4)        // x >= 0
	c.VBLENDVPS(Y4, tab("vOne", 0), Y2, Y8) // num = 1 or e
	c.VDIVPS(Y3, Y8, Y8)                    // num / (1 + e)
}

// sigmoid writes sigmoidAsm (sigmoid32 on each element).
func sigmoid() {
	text("sigmoidAsm", "func(dst, src *float32, n int)")
	c.Doc("sigmoidAsm is Sigmoid for n a multiple of 8.")
	sigmoidBody(false)
}

// sigmoidMix writes sigmoidMixAsm: sigmoid32(float32(a·x) + float32(b·y))
// on each element.
func sigmoidMix() {
	text("sigmoidMixAsm", "func(dst, src *float32, n int, y *float32, a, b float32)")
	c.Doc("sigmoidMixAsm is SigmoidMix for n a multiple of 8.")
	sigmoidBody(true)
}

// sigmoidBody writes the body of sigmoidAsm, or with mix that of
// sigmoidMixAsm.
func sigmoidBody(mix bool) {
	c.Pragma("noescape")
	dst, src, n, y := RDI, RSI, RCX, RDX
	c.Load(c.Param("dst"), dst)
	c.Load(c.Param("src"), src)
	c.Load(c.Param("n"), n)
	if mix {
		c.Load(c.Param("y"), y)
		c.VBROADCASTSS(param("a"), Y10)
		c.VBROADCASTSS(param("b"), Y11)
	}
	c.VXORPS(Y15, Y15, Y15)
	c.Label("loop")
	c.CMPQ(n, U32(8))
	c.JLT(LabelRef("done"))
	if mix {
		c.VMULPS(at(src, 0), Y10, Y0) // a·x
		c.VMULPS(at(y, 0), Y11, Y9)   // b·y
		c.VADDPS(Y9, Y0, Y0)          // … + …
		c.ADDQ(U32(ymmBytes), y)
	} else {
		c.VMOVUPS(at(src, 0), Y0)
	}
	c.VORPS(tab("vSign", 0), Y0, Y1) // −|x|
	expNeg()
	sigmoidOf()
	c.VMOVUPS(Y8, at(dst, 0))
	c.ADDQ(U32(ymmBytes), src)
	c.ADDQ(U32(ymmBytes), dst)
	c.SUBQ(U32(8), n)
	c.JMP(LabelRef("loop"))
	c.Label("done")
	c.VZEROUPPER()
	c.RET()
}

// softplus writes softplusAsm (softplusSigmoid32 on each element): σ into
// sig, and softplus, widened to float64, added to lane j mod 8 of the
// running sums (Y13 for lanes 0–3, Y14 for 4–7).
func softplus() {
	text("softplusAsm", "func(sig, z *float32, n int, lanes *[8]float64)")
	c.Doc(
		"softplusAsm is the part of SoftplusSigmoidRow before the tail, for n a",
		"multiple of 8: it sets sig and the eight running sums.",
	)
	softplusBody(false)
}

// softplusScaled writes softplusScaledAsm, softplusAsm on beta·z (one
// rounded product per element).
func softplusScaled() {
	text("softplusScaledAsm", "func(sig, z *float32, n int, lanes *[8]float64, beta float32)")
	c.Doc(
		"softplusScaledAsm is the part of SoftplusSigmoidScaled before the tail,",
		"for n a multiple of 8: it sets sig and the eight running sums.",
	)
	softplusBody(true)
}

// softplusBody writes the body of softplusAsm, or with scaled that of
// softplusScaledAsm.
func softplusBody(scaled bool) {
	c.Pragma("noescape")
	sig, z, n, lanes := RDI, RSI, RCX, RDX
	c.Load(c.Param("sig"), sig)
	c.Load(c.Param("z"), z)
	c.Load(c.Param("n"), n)
	c.Load(c.Param("lanes"), lanes)
	if scaled {
		c.VBROADCASTSS(param("beta"), Y12)
	}
	c.VXORPS(Y15, Y15, Y15)
	c.VXORPD(Y13, Y13, Y13)
	c.VXORPD(Y14, Y14, Y14)
	c.Label("loop")
	c.CMPQ(n, U32(8))
	c.JLT(LabelRef("done"))
	if scaled {
		c.VMULPS(at(z, 0), Y12, Y0) // beta·z
	} else {
		c.VMOVUPS(at(z, 0), Y0)
	}
	c.VORPS(tab("vSign", 0), Y0, Y1) // −|x|
	expNeg()
	sigmoidOf()
	c.VMOVUPS(Y8, at(sig, 0))
	c.VADDPS(tab("vTwo", 0), Y2, Y3)    // 2 + e
	c.VDIVPS(Y3, Y2, Y3)                // s = e / (2 + e)
	c.VMULPS(Y3, Y3, Y4)                // z = s*s
	c.VMULPS(tab("vLog1pQ", 0), Y4, Y5) // Log1pQ[0]*z
	c.VADDPS(tab("vLog1pQ", 1), Y5, Y5) // q = … + Log1pQ[1]
	for i := 2; i < len(consts.Log1pQ); i++ {
		c.VMULPS(Y4, Y5, Y5)                // q*z
		c.VADDPS(tab("vLog1pQ", i), Y5, Y5) // q = … + c
	}
	c.VMULPS(Y4, Y5, Y5)             // q*z
	c.VADDPS(tab("vOne", 0), Y5, Y5) // q = … + 1
	c.VADDPS(Y3, Y3, Y3)             // s + s
	c.VMULPS(Y5, Y3, Y3)             // lp = (s + s) * q
	c.VCMPPS(U8(cmpGT), Y15, Y0, Y6) // x > 0
	c.VANDPS(Y6, Y0, Y6)             // m = x or 0
	c.VADDPS(Y3, Y6, Y6)             // m + lp
	c.VCVTPS2PD(X6, Y7)              // lanes 0–3 as float64
	c.VADDPD(Y7, Y13, Y13)
	c.VEXTRACTF128(U8(1), Y6, X7) // lanes 4–7
	c.VCVTPS2PD(X7, Y7)
	c.VADDPD(Y7, Y14, Y14)
	c.ADDQ(U32(ymmBytes), z)
	c.ADDQ(U32(ymmBytes), sig)
	c.SUBQ(U32(8), n)
	c.JMP(LabelRef("loop"))
	c.Label("done")
	c.VMOVUPD(Y13, at(lanes, 0))
	c.VMOVUPD(Y14, at(lanes, ymmBytes))
	c.VZEROUPPER()
	c.RET()
}
