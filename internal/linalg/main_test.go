package linalg

import (
	"testing"

	"gorbm.dev/gorbm/internal/par"
	"gorbm.dev/gorbm/internal/prodtest"
)

// pool is the tests' pool: the products are checked shared with a helper
// (on two processors at least), as training runs them.
var pool *par.Pool

func TestMain(m *testing.M) { prodtest.Main(m, &pool) }
