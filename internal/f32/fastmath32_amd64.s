//go:build !purego

// The kernels of fastmath32.go, evaluated eight floats at a time with AVX2
// (no FMA: every operation rounds as its Go counterpart does). vconst<>
// holds fastmath32.go's constants (the bits of its Float32frombits calls),
// each repeated 8 times to be a YMM operand: −0 (sign), −87, log₂e,
// 1.5·2²³, ln2 hi and lo, the six exp coefficients, 1, 127 (int32), 2, and
// 1/15, 1/13, …, 1/3, at 32-byte offsets in that order.

#include "textflag.h"

// EXPNEG sets Y2 = e^Y1 for Y1 ≤ 0 (expNeg32; 0 below −87 and for NaN).
// It uses Y3 to Y7.
#define EXPNEG \
	VCMPPS $0x1d, vconst<>+32(SB), Y1, Y7; \
	VMULPS vconst<>+64(SB), Y1, Y3; \
	VADDPS vconst<>+96(SB), Y3, Y3; \
	VSUBPS vconst<>+96(SB), Y3, Y4; \
	VPSUBD vconst<>+96(SB), Y3, Y3; \
	VMULPS vconst<>+128(SB), Y4, Y5; \
	VSUBPS Y5, Y1, Y5; \
	VMULPS vconst<>+160(SB), Y4, Y4; \
	VSUBPS Y4, Y5, Y5; \
	VMULPS Y5, Y5, Y6; \
	VMULPS vconst<>+192(SB), Y5, Y4; \
	VADDPS vconst<>+224(SB), Y4, Y4; \
	VMULPS Y5, Y4, Y4; \
	VADDPS vconst<>+256(SB), Y4, Y4; \
	VMULPS Y5, Y4, Y4; \
	VADDPS vconst<>+288(SB), Y4, Y4; \
	VMULPS Y5, Y4, Y4; \
	VADDPS vconst<>+320(SB), Y4, Y4; \
	VMULPS Y5, Y4, Y4; \
	VADDPS vconst<>+352(SB), Y4, Y4; \
	VMULPS Y6, Y4, Y4; \
	VADDPS Y5, Y4, Y4; \
	VADDPS vconst<>+384(SB), Y4, Y4; \
	VPADDD vconst<>+416(SB), Y3, Y3; \
	VPSLLD $23, Y3, Y3; \
	VMULPS Y3, Y4, Y2; \
	VANDPS Y7, Y2, Y2

// SIGMOID sets Y8 = σ(Y0) from Y2 = e^−|Y0| (sigmoid32): 1/(1+e) for Y0 ≥ 0,
// else e/(1+e); Y15 must be 0. It uses Y3 and Y4.
#define SIGMOID \
	VADDPS vconst<>+384(SB), Y2, Y3; \
	VCMPPS $0x1d, Y15, Y0, Y4; \
	VBLENDVPS Y4, vconst<>+384(SB), Y2, Y8; \
	VDIVPS Y3, Y8, Y8

DATA vconst<>+0(SB)/4, $0x80000000
DATA vconst<>+4(SB)/4, $0x80000000
DATA vconst<>+8(SB)/4, $0x80000000
DATA vconst<>+12(SB)/4, $0x80000000
DATA vconst<>+16(SB)/4, $0x80000000
DATA vconst<>+20(SB)/4, $0x80000000
DATA vconst<>+24(SB)/4, $0x80000000
DATA vconst<>+28(SB)/4, $0x80000000
DATA vconst<>+32(SB)/4, $0xc2ae0000
DATA vconst<>+36(SB)/4, $0xc2ae0000
DATA vconst<>+40(SB)/4, $0xc2ae0000
DATA vconst<>+44(SB)/4, $0xc2ae0000
DATA vconst<>+48(SB)/4, $0xc2ae0000
DATA vconst<>+52(SB)/4, $0xc2ae0000
DATA vconst<>+56(SB)/4, $0xc2ae0000
DATA vconst<>+60(SB)/4, $0xc2ae0000
DATA vconst<>+64(SB)/4, $0x3fb8aa3b
DATA vconst<>+68(SB)/4, $0x3fb8aa3b
DATA vconst<>+72(SB)/4, $0x3fb8aa3b
DATA vconst<>+76(SB)/4, $0x3fb8aa3b
DATA vconst<>+80(SB)/4, $0x3fb8aa3b
DATA vconst<>+84(SB)/4, $0x3fb8aa3b
DATA vconst<>+88(SB)/4, $0x3fb8aa3b
DATA vconst<>+92(SB)/4, $0x3fb8aa3b
DATA vconst<>+96(SB)/4, $0x4b400000
DATA vconst<>+100(SB)/4, $0x4b400000
DATA vconst<>+104(SB)/4, $0x4b400000
DATA vconst<>+108(SB)/4, $0x4b400000
DATA vconst<>+112(SB)/4, $0x4b400000
DATA vconst<>+116(SB)/4, $0x4b400000
DATA vconst<>+120(SB)/4, $0x4b400000
DATA vconst<>+124(SB)/4, $0x4b400000
DATA vconst<>+128(SB)/4, $0x3f318000
DATA vconst<>+132(SB)/4, $0x3f318000
DATA vconst<>+136(SB)/4, $0x3f318000
DATA vconst<>+140(SB)/4, $0x3f318000
DATA vconst<>+144(SB)/4, $0x3f318000
DATA vconst<>+148(SB)/4, $0x3f318000
DATA vconst<>+152(SB)/4, $0x3f318000
DATA vconst<>+156(SB)/4, $0x3f318000
DATA vconst<>+160(SB)/4, $0xb95e8083
DATA vconst<>+164(SB)/4, $0xb95e8083
DATA vconst<>+168(SB)/4, $0xb95e8083
DATA vconst<>+172(SB)/4, $0xb95e8083
DATA vconst<>+176(SB)/4, $0xb95e8083
DATA vconst<>+180(SB)/4, $0xb95e8083
DATA vconst<>+184(SB)/4, $0xb95e8083
DATA vconst<>+188(SB)/4, $0xb95e8083
DATA vconst<>+192(SB)/4, $0x39506967
DATA vconst<>+196(SB)/4, $0x39506967
DATA vconst<>+200(SB)/4, $0x39506967
DATA vconst<>+204(SB)/4, $0x39506967
DATA vconst<>+208(SB)/4, $0x39506967
DATA vconst<>+212(SB)/4, $0x39506967
DATA vconst<>+216(SB)/4, $0x39506967
DATA vconst<>+220(SB)/4, $0x39506967
DATA vconst<>+224(SB)/4, $0x3ab743ce
DATA vconst<>+228(SB)/4, $0x3ab743ce
DATA vconst<>+232(SB)/4, $0x3ab743ce
DATA vconst<>+236(SB)/4, $0x3ab743ce
DATA vconst<>+240(SB)/4, $0x3ab743ce
DATA vconst<>+244(SB)/4, $0x3ab743ce
DATA vconst<>+248(SB)/4, $0x3ab743ce
DATA vconst<>+252(SB)/4, $0x3ab743ce
DATA vconst<>+256(SB)/4, $0x3c088908
DATA vconst<>+260(SB)/4, $0x3c088908
DATA vconst<>+264(SB)/4, $0x3c088908
DATA vconst<>+268(SB)/4, $0x3c088908
DATA vconst<>+272(SB)/4, $0x3c088908
DATA vconst<>+276(SB)/4, $0x3c088908
DATA vconst<>+280(SB)/4, $0x3c088908
DATA vconst<>+284(SB)/4, $0x3c088908
DATA vconst<>+288(SB)/4, $0x3d2aa9c1
DATA vconst<>+292(SB)/4, $0x3d2aa9c1
DATA vconst<>+296(SB)/4, $0x3d2aa9c1
DATA vconst<>+300(SB)/4, $0x3d2aa9c1
DATA vconst<>+304(SB)/4, $0x3d2aa9c1
DATA vconst<>+308(SB)/4, $0x3d2aa9c1
DATA vconst<>+312(SB)/4, $0x3d2aa9c1
DATA vconst<>+316(SB)/4, $0x3d2aa9c1
DATA vconst<>+320(SB)/4, $0x3e2aaaaa
DATA vconst<>+324(SB)/4, $0x3e2aaaaa
DATA vconst<>+328(SB)/4, $0x3e2aaaaa
DATA vconst<>+332(SB)/4, $0x3e2aaaaa
DATA vconst<>+336(SB)/4, $0x3e2aaaaa
DATA vconst<>+340(SB)/4, $0x3e2aaaaa
DATA vconst<>+344(SB)/4, $0x3e2aaaaa
DATA vconst<>+348(SB)/4, $0x3e2aaaaa
DATA vconst<>+352(SB)/4, $0x3f000000
DATA vconst<>+356(SB)/4, $0x3f000000
DATA vconst<>+360(SB)/4, $0x3f000000
DATA vconst<>+364(SB)/4, $0x3f000000
DATA vconst<>+368(SB)/4, $0x3f000000
DATA vconst<>+372(SB)/4, $0x3f000000
DATA vconst<>+376(SB)/4, $0x3f000000
DATA vconst<>+380(SB)/4, $0x3f000000
DATA vconst<>+384(SB)/4, $0x3f800000
DATA vconst<>+388(SB)/4, $0x3f800000
DATA vconst<>+392(SB)/4, $0x3f800000
DATA vconst<>+396(SB)/4, $0x3f800000
DATA vconst<>+400(SB)/4, $0x3f800000
DATA vconst<>+404(SB)/4, $0x3f800000
DATA vconst<>+408(SB)/4, $0x3f800000
DATA vconst<>+412(SB)/4, $0x3f800000
DATA vconst<>+416(SB)/4, $0x0000007f
DATA vconst<>+420(SB)/4, $0x0000007f
DATA vconst<>+424(SB)/4, $0x0000007f
DATA vconst<>+428(SB)/4, $0x0000007f
DATA vconst<>+432(SB)/4, $0x0000007f
DATA vconst<>+436(SB)/4, $0x0000007f
DATA vconst<>+440(SB)/4, $0x0000007f
DATA vconst<>+444(SB)/4, $0x0000007f
DATA vconst<>+448(SB)/4, $0x40000000
DATA vconst<>+452(SB)/4, $0x40000000
DATA vconst<>+456(SB)/4, $0x40000000
DATA vconst<>+460(SB)/4, $0x40000000
DATA vconst<>+464(SB)/4, $0x40000000
DATA vconst<>+468(SB)/4, $0x40000000
DATA vconst<>+472(SB)/4, $0x40000000
DATA vconst<>+476(SB)/4, $0x40000000
DATA vconst<>+480(SB)/4, $0x3d888889
DATA vconst<>+484(SB)/4, $0x3d888889
DATA vconst<>+488(SB)/4, $0x3d888889
DATA vconst<>+492(SB)/4, $0x3d888889
DATA vconst<>+496(SB)/4, $0x3d888889
DATA vconst<>+500(SB)/4, $0x3d888889
DATA vconst<>+504(SB)/4, $0x3d888889
DATA vconst<>+508(SB)/4, $0x3d888889
DATA vconst<>+512(SB)/4, $0x3d9d89d9
DATA vconst<>+516(SB)/4, $0x3d9d89d9
DATA vconst<>+520(SB)/4, $0x3d9d89d9
DATA vconst<>+524(SB)/4, $0x3d9d89d9
DATA vconst<>+528(SB)/4, $0x3d9d89d9
DATA vconst<>+532(SB)/4, $0x3d9d89d9
DATA vconst<>+536(SB)/4, $0x3d9d89d9
DATA vconst<>+540(SB)/4, $0x3d9d89d9
DATA vconst<>+544(SB)/4, $0x3dba2e8c
DATA vconst<>+548(SB)/4, $0x3dba2e8c
DATA vconst<>+552(SB)/4, $0x3dba2e8c
DATA vconst<>+556(SB)/4, $0x3dba2e8c
DATA vconst<>+560(SB)/4, $0x3dba2e8c
DATA vconst<>+564(SB)/4, $0x3dba2e8c
DATA vconst<>+568(SB)/4, $0x3dba2e8c
DATA vconst<>+572(SB)/4, $0x3dba2e8c
DATA vconst<>+576(SB)/4, $0x3de38e39
DATA vconst<>+580(SB)/4, $0x3de38e39
DATA vconst<>+584(SB)/4, $0x3de38e39
DATA vconst<>+588(SB)/4, $0x3de38e39
DATA vconst<>+592(SB)/4, $0x3de38e39
DATA vconst<>+596(SB)/4, $0x3de38e39
DATA vconst<>+600(SB)/4, $0x3de38e39
DATA vconst<>+604(SB)/4, $0x3de38e39
DATA vconst<>+608(SB)/4, $0x3e124925
DATA vconst<>+612(SB)/4, $0x3e124925
DATA vconst<>+616(SB)/4, $0x3e124925
DATA vconst<>+620(SB)/4, $0x3e124925
DATA vconst<>+624(SB)/4, $0x3e124925
DATA vconst<>+628(SB)/4, $0x3e124925
DATA vconst<>+632(SB)/4, $0x3e124925
DATA vconst<>+636(SB)/4, $0x3e124925
DATA vconst<>+640(SB)/4, $0x3e4ccccd
DATA vconst<>+644(SB)/4, $0x3e4ccccd
DATA vconst<>+648(SB)/4, $0x3e4ccccd
DATA vconst<>+652(SB)/4, $0x3e4ccccd
DATA vconst<>+656(SB)/4, $0x3e4ccccd
DATA vconst<>+660(SB)/4, $0x3e4ccccd
DATA vconst<>+664(SB)/4, $0x3e4ccccd
DATA vconst<>+668(SB)/4, $0x3e4ccccd
DATA vconst<>+672(SB)/4, $0x3eaaaaab
DATA vconst<>+676(SB)/4, $0x3eaaaaab
DATA vconst<>+680(SB)/4, $0x3eaaaaab
DATA vconst<>+684(SB)/4, $0x3eaaaaab
DATA vconst<>+688(SB)/4, $0x3eaaaaab
DATA vconst<>+692(SB)/4, $0x3eaaaaab
DATA vconst<>+696(SB)/4, $0x3eaaaaab
DATA vconst<>+700(SB)/4, $0x3eaaaaab
GLOBL vconst<>(SB), RODATA|NOPTR, $704

// func sigmoidAsm(dst, src *float32, n int)
TEXT ·sigmoidAsm(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	VXORPS Y15, Y15, Y15
sigloop:
	CMPQ CX, $8
	JLT sigdone
	VMOVUPS (SI), Y0
	VORPS vconst<>+0(SB), Y0, Y1
	EXPNEG
	SIGMOID
	VMOVUPS Y8, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP sigloop
sigdone:
	VZEROUPPER
	RET

// func softplusAsm(sig, z *float32, n int, lanes *[8]float64)
TEXT ·softplusAsm(SB), NOSPLIT, $0-32
	MOVQ sig+0(FP), DI
	MOVQ z+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ lanes+24(FP), DX
	VXORPS Y15, Y15, Y15
	VXORPD Y13, Y13, Y13
	VXORPD Y14, Y14, Y14
sploop:
	CMPQ CX, $8
	JLT spdone
	VMOVUPS (SI), Y0
	VORPS vconst<>+0(SB), Y0, Y1
	EXPNEG
	SIGMOID
	VMOVUPS Y8, (DI)
	VADDPS vconst<>+448(SB), Y2, Y3
	VDIVPS Y3, Y2, Y3
	VMULPS Y3, Y3, Y4
	VMULPS vconst<>+480(SB), Y4, Y5
	VADDPS vconst<>+512(SB), Y5, Y5
	VMULPS Y4, Y5, Y5
	VADDPS vconst<>+544(SB), Y5, Y5
	VMULPS Y4, Y5, Y5
	VADDPS vconst<>+576(SB), Y5, Y5
	VMULPS Y4, Y5, Y5
	VADDPS vconst<>+608(SB), Y5, Y5
	VMULPS Y4, Y5, Y5
	VADDPS vconst<>+640(SB), Y5, Y5
	VMULPS Y4, Y5, Y5
	VADDPS vconst<>+672(SB), Y5, Y5
	VMULPS Y4, Y5, Y5
	VADDPS vconst<>+384(SB), Y5, Y5
	VADDPS Y3, Y3, Y3
	VMULPS Y5, Y3, Y3
	VCMPPS $0x1e, Y15, Y0, Y6
	VANDPS Y6, Y0, Y6
	VADDPS Y3, Y6, Y6
	VCVTPS2PD X6, Y7
	VADDPD Y7, Y13, Y13
	VEXTRACTF128 $1, Y6, X7
	VCVTPS2PD X7, Y7
	VADDPD Y7, Y14, Y14
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP sploop
spdone:
	VMOVUPD Y13, (DX)
	VMOVUPD Y14, 32(DX)
	VZEROUPPER
	RET
