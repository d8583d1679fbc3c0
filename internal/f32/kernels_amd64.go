//go:build !purego

package f32

import "golang.org/x/sys/cpu"

// useAsm selects the AVX2 kernels; tests switch it off to run the Go twins.
var useAsm = cpu.X86.HasAVX2 && cpu.X86.HasPOPCNT

// accRowsAsm is AccRows for n ≥ 1 and len(off) = noff ≥ 1.
//
//go:noescape
func accRowsAsm(dst, src *float32, n int, off *int32, noff int)

// transposeAsm transposes 8 rows of src, 8·blocks long, into 8·blocks rows
// of dst, 8 long; strides in floats.
//
//go:noescape
func transposeAsm(dst *float32, dstStride int, src *float32, srcStride int, blocks int)

// isBinaryAsm is IsBinary for the first n (a multiple of 8) elements.
//
//go:noescape
func isBinaryAsm(x *float32, n int) bool

// onesOffsetsAsm is OnesOffsets for the first n (a multiple of 8)
// elements; it may write up to 8 offsets past the count it returns, all
// within the first n of off.
//
//go:noescape
func onesOffsetsAsm(off *int32, x *float32, n, stride int) int

// bernoulliAsm is Bernoulli for the first n (a multiple of 8) elements;
// dst may be u.
//
//go:noescape
func bernoulliAsm(dst, p, u *float32, n int)

// binarizeAsm is Binarize for the first n (a multiple of 8) pixels.
//
//go:noescape
func binarizeAsm(dst *float32, pixels *uint8, n int)

// sigmoidAsm is Sigmoid for n a multiple of 8.
//
//go:noescape
func sigmoidAsm(dst, src *float32, n int)

// softplusAsm is the part of SoftplusSigmoidRow before the tail, for n a
// multiple of 8: it sets sig and the eight running sums.
//
//go:noescape
func softplusAsm(sig, z *float32, n int, lanes *[8]float64)
