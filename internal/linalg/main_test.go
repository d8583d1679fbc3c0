package linalg

import (
	"os"
	"runtime"
	"testing"

	"gorbm.dev/gorbm/internal/par"
)

// pool is the tests' pool: the products are checked shared with a helper
// (on two processors at least), as training runs them.
var pool *par.Pool

func TestMain(m *testing.M) {
	if runtime.GOMAXPROCS(0) < 2 {
		runtime.GOMAXPROCS(2)
	}
	pool = par.New(1)
	code := m.Run()
	pool.Close()
	os.Exit(code)
}
