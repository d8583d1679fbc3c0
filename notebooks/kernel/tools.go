//go:build tools

// Package kernel pins the Jupyter kernel used by the notebooks: gophernotes
// v0.7.5 built against a gomacro that can read the Go 1.26 standard library.
// notebooks/setup.sh builds it; nothing here is imported by gorbm itself.
package kernel

import _ "github.com/gopherdata/gophernotes"
