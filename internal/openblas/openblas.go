//go:build openblas

// Package openblas routes the BLAS calls of gonum's blas32, Gorgonia and
// Gorgonia's tensor to the system's OpenBLAS through gonum's cgo binding,
// with one BLAS thread. Package graph imports it with the build tag
// openblas; it is a package of its own because a cgo package cannot hold
// Go assembly, which graph does.
package openblas

// #cgo LDFLAGS: -lopenblas
// void openblas_set_num_threads(int);
import "C"

import (
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/netlib/blas/netlib"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The training loop is sequential, and OpenBLAS's own threads would
// compete with the Go scheduler for the same cores: one thread.
func init() {
	C.openblas_set_num_threads(1)
	impl := netlib.Implementation{}
	blas32.Use(impl)
	gorgonia.Use(impl)
	tensor.Use(impl)
}
