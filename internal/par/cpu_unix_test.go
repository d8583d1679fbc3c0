//go:build unix

package par

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime returns the processor time (user and system) the process has
// used so far.
func cpuTime(t *testing.T) time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		t.Fatal(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
