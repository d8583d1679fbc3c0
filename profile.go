package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
)

// profiled runs f, with a CPU profile written to path when path is not
// empty. The profile goes to a temporary file beside path, renamed when
// complete, so a failed run leaves no half-written profile.
func profiled(path string, f func() error) error {
	if path == "" {
		return f()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".gorbm-profile-*")
	if err != nil {
		return fmt.Errorf("-cpuprofile %s: %w (choose a writable folder)", path, err)
	}
	defer os.Remove(tmp.Name()) // after the rename, a no-op
	if err := pprof.StartCPUProfile(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("-cpuprofile %s: %w", path, err)
	}
	runErr := f()
	pprof.StopCPUProfile()
	if err := tmp.Close(); err != nil && runErr == nil {
		return fmt.Errorf("-cpuprofile %s: %w", path, err)
	}
	if runErr != nil {
		return runErr
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("-cpuprofile %s: %w", path, err)
	}
	return nil
}
