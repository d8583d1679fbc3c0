//go:build !openblas

package graph

// BLAS names the BLAS implementation the package was built with: "openblas"
// with the build tag openblas, else "gonum", gonum's pure-Go BLAS, which
// needs no system library.
const BLAS = "gonum"

// splitGemm tells gemm to share products between two goroutines itself
// (see gemm.go).
const splitGemm = true
