package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/pprof"

	"gorbm.dev/gorbm/internal/atomicfile"
)

// errRun marks f's own error inside profiled's write, so that it is
// returned as f returned it, not as an error writing the profile.
type errRun struct{ err error }

func (e errRun) Error() string { return e.err.Error() }

// profiled runs f, with a CPU profile written to path when path is not
// empty. Before f runs, path must not be a folder or anything but a file,
// and its folder must take a file: the profile goes to a temporary file
// there, renamed over path when f succeeded (atomicfile), so a failed run
// leaves no profile and the check cannot come too late.
func profiled(path string, f func() error) error {
	if path == "" {
		return f()
	}
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return usageError{fmt.Errorf("-cpuprofile %s is not a file (%v): name a file to write", path, st.Mode().Type())}
	}
	err := atomicfile.Write(path, func(w io.Writer) error {
		if err := pprof.StartCPUProfile(w); err != nil {
			return err
		}
		runErr := f()
		pprof.StopCPUProfile()
		if runErr != nil {
			return errRun{runErr}
		}
		return nil
	})
	var r errRun
	switch {
	case errors.As(err, &r):
		return r.err
	case err != nil:
		return fmt.Errorf("-cpuprofile: %w (choose a writable folder)", err)
	}
	return nil
}
