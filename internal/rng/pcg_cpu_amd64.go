//go:build !purego

package rng

import "golang.org/x/sys/cpu"

// useAVX512 selects the AVX-512 kernel of FillFloat32 (64-bit multiplies
// need AVX512DQ); tests switch it off to run the Go code.
var useAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ
