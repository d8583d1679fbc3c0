package train

import "golang.org/x/sys/cpu"

// useBinarizeAsm selects the AVX2 kernel of binarize_amd64.s.
var useBinarizeAsm = cpu.X86.HasAVX2

// binarizeAsm is Binarize's comparison for the first n (a multiple of 8)
// pixels, with the uniforms already in dst.
//
//go:noescape
func binarizeAsm(dst *float32, pixels *uint8, n int)
