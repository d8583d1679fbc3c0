//go:build !unix

package train

import "time"

// cpuTime: this system's processor time is not read here.
func cpuTime() (time.Duration, bool) { return 0, false }
