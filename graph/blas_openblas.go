//go:build openblas

package graph

// With the build tag openblas every BLAS call of the package (the sampler's
// blas32, the graph's ops and Gorgonia's and tensor's built-in ops) goes to
// the system's OpenBLAS, with one BLAS thread (see internal/openblas).
import _ "gorbm.dev/gorbm/graph/internal/openblas"

// BLAS names the BLAS implementation the package was built with: "openblas"
// with the build tag openblas, else "gonum".
const BLAS = "openblas"

// splitGemm tells gemm to share products between two goroutines itself
// (see gemm.go).
const splitGemm = false
