//go:build openblas

package linalg

// With the build tag openblas every BLAS call of the program (blas32,
// Gorgonia's and tensor's built-in ops) goes to the system's OpenBLAS, with
// one BLAS thread (see internal/openblas).
import _ "gorbm.dev/gorbm/internal/openblas"

// splitGemm is false: OpenBLAS gets each product whole, on the calling
// goroutine.
const splitGemm = false
