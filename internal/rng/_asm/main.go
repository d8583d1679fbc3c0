// Command _asm writes the AVX-512 kernel of package rng with avo: the
// assembly (pcg_amd64.s) and its Go declaration (pcg_amd64.go). go
// generate runs it (see internal/rng/doc.go):
//
//	go run -C _asm . -out ../pcg_amd64.s -stubs ../pcg_amd64.go -pkg rng
//
// The kernel runs math/rand/v2's PCG on 16 states at once and gives the
// Float32 values of the Go code (Rand.FillFloat32's loop): every operation
// is on integers, exact, and the conversion of a 24-bit integer to float32
// and its scaling by 2⁻²⁴ are exact too. The generator's constants come
// from package rng at run time (the kernel's second argument): the
// multiplier and increment of a stride of 16 steps, the output function's
// multiplier and the scale. The immediates left are the output function's
// shifts, the 32-bit halves of the 128-bit product, and sizes.
//
// The registers are physical, so that each line can be checked against
// the Go code.
package main

import (
	"flag"
	"os"

	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

var c = build.NewContext()

func main() {
	fs := flag.NewFlagSet(os.Args[0], flag.ExitOnError) // build's own flags sit on flag.CommandLine
	flags := build.NewFlags(fs)
	fs.Parse(os.Args[1:])
	c.ConstraintExpr("!purego")
	pcgFill()
	os.Exit(build.Main(flags.Config(), c))
}

// The layout of the kernel's arguments, in 8-byte words: the state array
// holds the high halves of the 16 states, then the low halves; the
// constants array the stride's multiplier (high, low), increment (high,
// low), the high 32 bits of the multiplier's low half, the output
// function's multiplier, 1, the 32-bit mask, and the scale 2⁻²⁴ (float32
// bits in the low half).
const (
	kMulHi = iota
	kMulLo
	kIncHi
	kIncLo
	kMulLo32
	kCheap
	kOne
	kMask32
	kScale
)

// Registers: the states of lanes 0–7 (group 0) and 8–15 (group 1), high
// and low halves; the constants, broadcast; temporaries per group.
var (
	hi      = [2]VecPhysical{Z0, Z2}
	lo      = [2]VecPhysical{Z1, Z3}
	mulHi   = Z16
	mulLo   = Z17
	incHi   = Z18
	incLo   = Z19
	mulLo32 = Z20
	cheap   = Z21
	one     = Z22
	mask32  = Z23
	scale   = Y24
	tmp     = [2][7]VecPhysical{{Z4, Z5, Z6, Z7, Z8, Z9, Z10}, {Z11, Z12, Z13, Z14, Z15, Z25, Z26}}
	carry   = [2]OpmaskPhysical{K1, K2}
)

// pcgFill writes pcgFillAsm.
func pcgFill() {
	c.Function("pcgFillAsm")
	c.Attributes(attr.NOSPLIT)
	c.SignatureExpr("func(dst *float32, n int, states *[32]uint64, k *[9]uint64)")
	c.Doc(
		"pcgFillAsm sets dst[0:n] (n a positive multiple of 16) to the Float32",
		"values of the PCG states in states and those that follow them 16",
		"steps at a time (the stride's constants in k, see Rand.FillFloat32);",
		"states is left holding the last 16 states used.",
	)
	c.Pragma("noescape")
	dst, n, st, k := RDI, RCX, RSI, R8
	c.Load(c.Param("dst"), dst)
	c.Load(c.Param("n"), n)
	c.Load(c.Param("states"), st)
	c.Load(c.Param("k"), k)
	for g := range 2 {
		c.VMOVDQU64(Mem{Base: st, Disp: 64 * g}, hi[g])
		c.VMOVDQU64(Mem{Base: st, Disp: 128 + 64*g}, lo[g])
	}
	for _, b := range []struct {
		reg VecPhysical
		k   int
	}{{mulHi, kMulHi}, {mulLo, kMulLo}, {incHi, kIncHi}, {incLo, kIncLo}, {mulLo32, kMulLo32}, {cheap, kCheap}, {one, kOne}, {mask32, kMask32}} {
		c.VPBROADCASTQ(Mem{Base: k, Disp: 8 * b.k}, b.reg)
	}
	c.VBROADCASTSS(Mem{Base: k, Disp: 8 * kScale}, scale)

	c.Label("loop")
	for g := range 2 {
		output(g, Mem{Base: dst, Disp: 32 * g})
	}
	c.ADDQ(U32(64), dst)
	c.SUBQ(U32(16), n)
	c.JEQ(LabelRef("done"))
	for g := range 2 {
		advance(g)
	}
	c.JMP(LabelRef("loop"))

	c.Label("done")
	for g := range 2 {
		c.VMOVDQU64(hi[g], Mem{Base: st, Disp: 64 * g})
		c.VMOVDQU64(lo[g], Mem{Base: st, Disp: 128 + 64*g})
	}
	c.VZEROUPPER()
	c.RET()
}

// output stores the Float32 values of group g's states at m (pcgFloat32):
// the DXSM output x, then the low 24 bits of its high half over 2²⁴.
func output(g int, m Mem) {
	x, t := tmp[g][0], tmp[g][1]
	c.VPSRLQ(U8(32), hi[g], x)
	c.VPXORQ(hi[g], x, x) // hi ^ hi>>32
	c.VPMULLQ(cheap, x, x)
	c.VPSRLQ(U8(48), x, t)
	c.VPXORQ(t, x, x) // x ^= x>>48
	c.VPORQ(one, lo[g], t)
	c.VPMULLQ(t, x, x) // x *= lo|1
	c.VPSLLQ(U8(8), x, x)
	c.VPSRLQ(U8(40), x, x) // uint32(x>>32)<<8>>8
	y := x.AsY()
	c.VCVTUQQ2PS(x, y)
	c.VMULPS(scale, y, y)
	c.VMOVUPS(y, m)
}

// advance moves group g's states 16 steps on (pcgStep with the stride's
// constants): lo' = lo·mulLo + incLo, hi' = hi·mulLo + lo·mulHi + the high
// half of lo·mulLo + incHi + the carry of lo'.
func advance(g int) {
	t := tmp[g]
	prodLo, sum, loHi, p00, p01, p10, m := t[0], t[1], t[2], t[3], t[4], t[5], t[6]
	c.VPMULLQ(mulLo, lo[g], prodLo) // low half of lo·mulLo
	c.VPMULLQ(mulLo, hi[g], sum)
	c.VPMULLQ(mulHi, lo[g], loHi)
	c.VPADDQ(loHi, sum, sum) // hi·mulLo + lo·mulHi
	// The high half of lo·mulLo from the four 32×32-bit products.
	c.VPSRLQ(U8(32), lo[g], loHi)
	c.VPMULUDQ(mulLo, lo[g], p00)
	c.VPMULUDQ(mulLo32, lo[g], p01)
	c.VPMULUDQ(mulLo, loHi, p10)
	c.VPMULUDQ(mulLo32, loHi, loHi) // p11
	c.VPSRLQ(U8(32), p00, p00)
	c.VPANDQ(mask32, p01, m)
	c.VPADDQ(m, p00, p00)
	c.VPANDQ(mask32, p10, m)
	c.VPADDQ(m, p00, p00) // the middle column, below 2³⁴
	c.VPSRLQ(U8(32), p00, p00)
	c.VPSRLQ(U8(32), p01, p01)
	c.VPSRLQ(U8(32), p10, p10)
	c.VPADDQ(p01, loHi, loHi)
	c.VPADDQ(p10, loHi, loHi)
	c.VPADDQ(p00, loHi, loHi) // the high half
	c.VPADDQ(loHi, sum, sum)
	c.VPADDQ(incLo, prodLo, lo[g])
	c.VPCMPUQ(U8(1), incLo, lo[g], carry[g]) // lo' < incLo: the sum wrapped
	c.VPADDQ(incHi, sum, hi[g])
	c.VPADDQ(one, hi[g], carry[g], hi[g])
}
