//go:build !purego

// The kernel of Binarize: AVX2, eight pixels at a time.

#include "textflag.h"

DATA binconst<>+0(SB)/4, $0x437f0000
DATA binconst<>+4(SB)/4, $0x437f0000
DATA binconst<>+8(SB)/4, $0x437f0000
DATA binconst<>+12(SB)/4, $0x437f0000
DATA binconst<>+16(SB)/4, $0x437f0000
DATA binconst<>+20(SB)/4, $0x437f0000
DATA binconst<>+24(SB)/4, $0x437f0000
DATA binconst<>+28(SB)/4, $0x437f0000
DATA binconst<>+32(SB)/4, $0x3f800000
DATA binconst<>+36(SB)/4, $0x3f800000
DATA binconst<>+40(SB)/4, $0x3f800000
DATA binconst<>+44(SB)/4, $0x3f800000
DATA binconst<>+48(SB)/4, $0x3f800000
DATA binconst<>+52(SB)/4, $0x3f800000
DATA binconst<>+56(SB)/4, $0x3f800000
DATA binconst<>+60(SB)/4, $0x3f800000
GLOBL binconst<>(SB), RODATA|NOPTR, $64

// func binarizeAsm(dst *float32, pixels *uint8, n int)
//
// For i < n (a multiple of 8): dst[i] = 1 if dst[i] < float32(pixels[i])/255
// else 0. The division is IEEE division, as in Go.
TEXT ·binarizeAsm(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ pixels+8(FP), SI
	MOVQ n+16(FP), CX
	VMOVUPS binconst<>+0(SB), Y6
	VMOVUPS binconst<>+32(SB), Y7
loop:
	CMPQ CX, $8
	JLT done
	VPMOVZXBD (SI), Y1
	VCVTDQ2PS Y1, Y1
	VDIVPS Y6, Y1, Y1
	VMOVUPS (DI), Y0
	VCMPPS $0x11, Y1, Y0, Y2 // u < x/255
	VANDPS Y7, Y2, Y2
	VMOVUPS Y2, (DI)
	ADDQ $8, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP loop
done:
	VZEROUPPER
	RET
