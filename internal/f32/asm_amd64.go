//go:build !purego

package f32

import "golang.org/x/sys/cpu"

// useAsm selects the AVX2 kernels; tests switch it off to run the Go twins.
var useAsm = cpu.X86.HasAVX2 && cpu.X86.HasPOPCNT
