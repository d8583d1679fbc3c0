#include "textflag.h"

// func accRowsAsm(dst, src *float32, n int, off *int32, noff int)
//
// For c < n (a multiple of 8): dst[c] += src[off[0]+c] + src[off[1]+c] + …,
// left to right. dst is cut into blocks of 64, then 32, then 8 floats, each
// kept in YMM registers while the rows are added.
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
	JLT b8
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

b8:
	CMPQ CX, $8
	JLT done
	VMOVUPS 0(DI), Y0
	XORQ BX, BX
b8loop:
	MOVLQSX (R8)(BX*4), AX
	VADDPS 0(SI)(AX*4), Y0, Y0
	INCQ BX
	CMPQ BX, R9
	JLT b8loop
	VMOVUPS Y0, 0(DI)
	ADDQ $32, DI
	ADDQ $32, SI
	SUBQ $8, CX
	JMP b8

done:
	VZEROUPPER
	RET
