//go:build !purego

#include "textflag.h"

DATA masktab<>+0(SB)/4, $0xffffffff
DATA masktab<>+4(SB)/4, $0xffffffff
DATA masktab<>+8(SB)/4, $0xffffffff
DATA masktab<>+12(SB)/4, $0xffffffff
DATA masktab<>+16(SB)/4, $0xffffffff
DATA masktab<>+20(SB)/4, $0xffffffff
DATA masktab<>+24(SB)/4, $0xffffffff
DATA masktab<>+28(SB)/4, $0xffffffff
DATA masktab<>+32(SB)/4, $0
DATA masktab<>+36(SB)/4, $0
DATA masktab<>+40(SB)/4, $0
DATA masktab<>+44(SB)/4, $0
DATA masktab<>+48(SB)/4, $0
DATA masktab<>+52(SB)/4, $0
DATA masktab<>+56(SB)/4, $0
DATA masktab<>+60(SB)/4, $0
GLOBL masktab<>(SB), RODATA|NOPTR, $64

// func accRowsAsm(dst, src *float32, n int, off *int32, noff int)
//
// For c < n: dst[c] += src[off[0]+c] + src[off[1]+c] + …, left to right.
// dst is cut into blocks of 64, then 32 floats, each kept in YMM registers
// while the rows are added, and the rest (up to 31 floats) is one block of
// four masked registers.
TEXT ·accRowsAsm(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ off+24(FP), R8
	MOVQ noff+32(FP), R9

b64:
	CMPQ CX, $64
	JLT b32
	VMOVUPS 0(DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS 64(DI), Y2
	VMOVUPS 96(DI), Y3
	VMOVUPS 128(DI), Y4
	VMOVUPS 160(DI), Y5
	VMOVUPS 192(DI), Y6
	VMOVUPS 224(DI), Y7
	XORQ BX, BX
b64loop:
	MOVLQSX (R8)(BX*4), AX
	VADDPS 0(SI)(AX*4), Y0, Y0
	VADDPS 32(SI)(AX*4), Y1, Y1
	VADDPS 64(SI)(AX*4), Y2, Y2
	VADDPS 96(SI)(AX*4), Y3, Y3
	VADDPS 128(SI)(AX*4), Y4, Y4
	VADDPS 160(SI)(AX*4), Y5, Y5
	VADDPS 192(SI)(AX*4), Y6, Y6
	VADDPS 224(SI)(AX*4), Y7, Y7
	INCQ BX
	CMPQ BX, R9
	JLT b64loop
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	VMOVUPS Y4, 128(DI)
	VMOVUPS Y5, 160(DI)
	VMOVUPS Y6, 192(DI)
	VMOVUPS Y7, 224(DI)
	ADDQ $256, DI
	ADDQ $256, SI
	SUBQ $64, CX
	JMP b64

b32:
	CMPQ CX, $32
	JLT rest
	VMOVUPS 0(DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS 64(DI), Y2
	VMOVUPS 96(DI), Y3
	XORQ BX, BX
b32loop:
	MOVLQSX (R8)(BX*4), AX
	VADDPS 0(SI)(AX*4), Y0, Y0
	VADDPS 32(SI)(AX*4), Y1, Y1
	VADDPS 64(SI)(AX*4), Y2, Y2
	VADDPS 96(SI)(AX*4), Y3, Y3
	INCQ BX
	CMPQ BX, R9
	JLT b32loop
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, DI
	ADDQ $128, SI
	SUBQ $32, CX
	JMP b32

rest:
	// 1 to 31 floats left: four groups of 8, each with a mask of its
	// count, min(max(CX−8g, 0), 8) lanes from masktab<>.
	TESTQ CX, CX
	JZ done
	LEAQ masktab<>(SB), R10
	MOVQ CX, R11
	XORQ R12, R12
	CMPQ R11, $0
	CMOVQLT R12, R11
	MOVQ $8, R12
	CMPQ R11, R12
	CMOVQGT R12, R11
	MOVQ $8, R12
	SUBQ R11, R12
	VMOVDQU (R10)(R12*4), Y8
	MOVQ CX, R11
	SUBQ $8, R11
	XORQ R12, R12
	CMPQ R11, $0
	CMOVQLT R12, R11
	MOVQ $8, R12
	CMPQ R11, R12
	CMOVQGT R12, R11
	MOVQ $8, R12
	SUBQ R11, R12
	VMOVDQU (R10)(R12*4), Y9
	MOVQ CX, R11
	SUBQ $16, R11
	XORQ R12, R12
	CMPQ R11, $0
	CMOVQLT R12, R11
	MOVQ $8, R12
	CMPQ R11, R12
	CMOVQGT R12, R11
	MOVQ $8, R12
	SUBQ R11, R12
	VMOVDQU (R10)(R12*4), Y10
	MOVQ CX, R11
	SUBQ $24, R11
	XORQ R12, R12
	CMPQ R11, $0
	CMOVQLT R12, R11
	MOVQ $8, R12
	CMPQ R11, R12
	CMOVQGT R12, R11
	MOVQ $8, R12
	SUBQ R11, R12
	VMOVDQU (R10)(R12*4), Y11
	VMASKMOVPS 0(DI), Y8, Y0
	VMASKMOVPS 32(DI), Y9, Y1
	VMASKMOVPS 64(DI), Y10, Y2
	VMASKMOVPS 96(DI), Y11, Y3
	XORQ BX, BX
restloop:
	MOVLQSX (R8)(BX*4), AX
	LEAQ (SI)(AX*4), R13
	VMASKMOVPS 0(R13), Y8, Y4
	VADDPS Y4, Y0, Y0
	VMASKMOVPS 32(R13), Y9, Y5
	VADDPS Y5, Y1, Y1
	VMASKMOVPS 64(R13), Y10, Y6
	VADDPS Y6, Y2, Y2
	VMASKMOVPS 96(R13), Y11, Y7
	VADDPS Y7, Y3, Y3
	INCQ BX
	CMPQ BX, R9
	JLT restloop
	VMASKMOVPS Y0, Y8, 0(DI)
	VMASKMOVPS Y1, Y9, 32(DI)
	VMASKMOVPS Y2, Y10, 64(DI)
	VMASKMOVPS Y3, Y11, 96(DI)

done:
	VZEROUPPER
	RET
