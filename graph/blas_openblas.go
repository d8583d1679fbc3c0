//go:build openblas

package graph

// #cgo LDFLAGS: -lopenblas
// void openblas_set_num_threads(int);
import "C"

import (
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/netlib/blas/netlib"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BLAS names the BLAS implementation the package was built with: "openblas"
// with the build tag openblas, else "gonum".
const BLAS = "openblas"

// With the build tag openblas every BLAS call of the package (the sampler's
// blas32, the graph's ops and Gorgonia's and tensor's built-in ops) goes to
// the system's OpenBLAS through gonum's cgo binding, with one BLAS thread:
// the training loop is sequential, and OpenBLAS's own threads would compete
// with the Go scheduler for the same cores.
func init() {
	C.openblas_set_num_threads(1)
	impl := netlib.Implementation{}
	blas32.Use(impl)
	gorgonia.Use(impl)
	tensor.Use(impl)
}

// splitGemm tells gemm to share products between two goroutines itself
// (see gemm.go).
const splitGemm = false
