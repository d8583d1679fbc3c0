//go:build !unix

package main

import (
	"errors"
	"os"
)

var errWouldBlock = errors.New("locked")

// flock does nothing where flock(2) does not exist: runs on the same
// folder are not detected there.
func flock(f *os.File) error { return nil }
