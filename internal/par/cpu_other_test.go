//go:build !unix

package par

import (
	"testing"
	"time"
)

// cpuTime: this system's processor time is not read here; the parked
// helpers' stacks are still checked.
func cpuTime(t *testing.T) time.Duration {
	t.Skip("no getrusage: the idle processor time is checked on unix systems")
	return 0
}
