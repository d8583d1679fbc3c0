package graph

import (
	"testing"
	"unsafe"

	"gorbm.dev/gorbm/internal/par"
	"gorbm.dev/gorbm/internal/prodtest"
)

// testPool shares the work of the ops the tests run directly with a
// helper, on two processors at least, as training does.
var testPool *par.Pool

func TestMain(m *testing.M) { prodtest.Main(m, &testPool) }

// sameBits reports whether a and b hold the same float32 bit patterns
// (a byte comparison, so −0 ≠ 0 and NaNs compare by payload).
func sameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 {
		return true
	}
	return string(unsafe.Slice((*byte)(unsafe.Pointer(&a[0])), 4*len(a))) ==
		string(unsafe.Slice((*byte)(unsafe.Pointer(&b[0])), 4*len(b)))
}
