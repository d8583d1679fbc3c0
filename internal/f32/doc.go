// Package f32 holds the float32 kernels behind the fast cost graph, the
// sampler and the annealing of package metrics: sums of selected rows of
// a matrix (and sums minus other rows), the positions of the ones of a 0/1
// row, the 0/1 check, Bernoulli's comparison (also with the positions of
// the units it flipped), the binarization of 8-bit pixels, σ and
// softplus (also of a mix of two rows, and of a scaled row), the
// transposition of 8-row bands, and the solvers' element-wise steps
// (scaling, adding, the momentum update) and the centered passes' sums.
//
// # Same bits everywhere
//
// Each kernel has an AVX2 version in assembly (amd64, without the build tag
// purego) and a Go twin that performs the same float32 operations in the
// same order. The Go twins convert every product to float32 before it is
// added, so that no compiler fuses a multiply and an add into one rounding
// (Go spec, "Arithmetic operators"; amd64 with GOAMD64=v3, arm64 and others
// do fuse). The tests compare kernel and twin bit for bit; so the results
// are the same with and without AVX2, under GOAMD64=v1 or v3, with
// -tags purego (the Go twins only, on any machine) and on other
// architectures. _asm/check.sh also compiles the twins for the fusing
// architectures and fails if a fused multiply-add appears.
//
// # Generated assembly
//
// kernels_amd64.s and its Go declarations kernels_amd64.go are written by
// the avo program in _asm (its own module, so this one does not depend on
// avo; it imports package consts from this module through a replace
// directive); do not edit them. After changing the program or package
// consts, run
//
//	go generate ./internal/f32
//
// (it needs only Go: the first run downloads avo through the module proxy)
// and commit both files; _asm/check.sh, run by CI, fails if they differ
// from what the program writes.
//
// No constant is typed twice. The Go twins compute with the constants of
// package consts (internal/f32/consts), and the generator writes the tables
// the kernels read (each constant in eight lanes, and the table of
// OnesOffsets, the set bits of every 8-bit mask, computed from its
// definition) from consts.Tables. TestKernelTables reads the tables of the
// assembly and fails if one differs from consts.Tables, as it would after a
// constant changed in Go without go generate; the bit-for-bit tests check
// the operations.
//
// # Conventions
//
// Slices are row-major. A 0/1 value is +0 or 1 exactly; −0, NaN and any
// other value are not. Functions that take offsets check them before the
// kernel reads memory, and panic on one out of range (a programming error,
// never input data); AccRowsChecked alone leaves the check to its caller,
// which makes the offsets itself.
package f32

//go:generate go run -C _asm . -out ../kernels_amd64.s -stubs ../kernels_amd64.go -pkg f32
