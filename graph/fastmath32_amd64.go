package graph

import "golang.org/x/sys/cpu"

// useFastMathAsm selects the AVX2 kernels of fastmath32_amd64.s.
var useFastMathAsm = cpu.X86.HasAVX2

// sigmoidAsm is sigmoidSlice for n a multiple of 8.
//
//go:noescape
func sigmoidAsm(dst, src *float32, n int)

// softplusAsm is the part of softplusSigmoidRow before the tail, for n a
// multiple of 8: it sets sig and the eight running sums.
//
//go:noescape
func softplusAsm(sig, z *float32, n int, lanes *[8]float64)
