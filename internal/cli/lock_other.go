//go:build !unix

package cli

import (
	"errors"
	"os"
)

var errWouldBlock = errors.New("locked")

// flock does nothing where flock(2) does not exist: runs on the same
// folder are not detected there.
func flock(f *os.File) error { return nil }

// openLock opens path for reading and writing, made if needed; lockDir
// has refused a symbolic link just before.
func openLock(path string) (*os.File, error) { return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644) }

// links is 1: the number of names of a file is not known here.
func links(fi os.FileInfo) uint64 { return 1 }
