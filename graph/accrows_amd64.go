package graph

import "golang.org/x/sys/cpu"

// useAccRowsAsm selects the AVX2 kernel of accrows_amd64.s.
var useAccRowsAsm = cpu.X86.HasAVX2

// accRowsAsm is accRows for n ≥ 1 and len(off) = noff ≥ 1.
//
//go:noescape
func accRowsAsm(dst, src *float32, n int, off *int32, noff int)

// useTransposeAsm selects the AVX2 kernel of transpose_amd64.s.
var useTransposeAsm = cpu.X86.HasAVX2

// transposeAsm transposes 8 rows of src, 8·blocks long, into 8·blocks rows
// of dst, 8 long; strides in floats.
//
//go:noescape
func transposeAsm(dst *float32, dstStride int, src *float32, srcStride int, blocks int)

// useBinaryAsm selects the AVX2 kernels of binary_amd64.s.
var useBinaryAsm = cpu.X86.HasAVX2 && cpu.X86.HasPOPCNT

// isBinaryAsm is isBinary for the first n (a multiple of 8) elements.
//
//go:noescape
func isBinaryAsm(x *float32, n int) bool

// onesOffsetsAsm is onesOffsets for the first n (a multiple of 8)
// elements; it may write up to 8 offsets past the count it returns, all
// within the first n of off.
//
//go:noescape
func onesOffsetsAsm(off *int32, x *float32, n, stride int) int

// bernoulliAsm sets dst[i] = 1 if p[i] > u[i] else 0 for the first n (a
// multiple of 8) elements; dst may be u.
//
//go:noescape
func bernoulliAsm(dst, p, u *float32, n int)
