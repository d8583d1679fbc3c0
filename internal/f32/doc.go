// Package f32 holds the float32 kernels behind the fast cost graph and the
// sampler: sums of selected rows of a matrix, the positions of the ones of
// a 0/1 row, the 0/1 check, Bernoulli's comparison, the binarization of
// 8-bit pixels, σ and softplus, and the transposition of 8-row bands.
//
// # Same bits everywhere
//
// Each kernel has an AVX2 version in assembly (amd64, without the build tag
// purego) and a Go twin that performs the same float32 operations in the
// same order. The Go twins convert every product to float32 before it is added, so that no
// compiler fuses a multiply and an add into one rounding (Go spec,
// "Arithmetic operators"; amd64 with GOAMD64=v3 and arm64 do fuse). The
// tests compare kernel and twin bit for bit; so the results are the same
// with and without AVX2, under GOAMD64=v1 or v3, with -tags purego and on
// other architectures.
//
// # Conventions
//
// Slices are row-major. A 0/1 value is +0 or 1 exactly; −0, NaN and any
// other value are not. Functions that take offsets check them before the
// kernel reads memory, and panic on one out of range (a programming error,
// never input data).
package f32
