package graph

import "golang.org/x/sys/cpu"

// useAccRowsAsm selects the AVX2 kernel of accrows_amd64.s.
var useAccRowsAsm = cpu.X86.HasAVX2

// accRowsAsm is accRows for n a multiple of 8 and len(off) = noff ≥ 1.
//
//go:noescape
func accRowsAsm(dst, src *float32, n int, off *int32, noff int)
