//go:build !openblas

package linalg

// splitGemm tells Gemm to cut products into tiles and share them with the
// pool's helpers; gonum's BLAS computes each tile serially.
const splitGemm = true
