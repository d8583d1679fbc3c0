package cli

import (
	"context"
	"os"
	"strings"
	"syscall"
)

// The tests run the command as a separate process by running their own
// binary with asCommand set in the environment: TestMain then runs Main
// instead of the tests (no build needed), with the hook below.
const asCommand = "GORBM_TEST_AS_COMMAND"

// peakEnv names a file into which the command writes its peak resident
// memory (VmHWM, in kB) when it ends. The rusage of a child is no use for
// that: Linux carries the parent's high-water mark into a child started by
// vfork and exec.
const peakEnv = "GORBM_TEST_PEAK"

// writePeak writes this process's VmHWM into the file peakEnv names.
func writePeak() {
	path := os.Getenv(peakEnv)
	if path == "" {
		return
	}
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) == 3 && f[0] == "VmHWM:" {
			os.WriteFile(path, []byte(f[1]), 0o644)
		}
	}
}

// signalEnv names the signals and the point of the test hook:
// "SIGNALS@point", for example "SIGINT@batch 1.2" or
// "SIGINT,SIGTERM@samples".
const signalEnv = "GORBM_TEST_SIGNAL"

// signalHook returns the Env.Hook that makes the run send itself the
// signals of signalEnv, in turn, through the kernel as a user's would
// arrive, at that point of the run, or nil. After the first it waits
// until the run has seen it, so the run stops at a known point instead of
// wherever a signal sent from outside happens to land.
func signalHook() func(context.Context, string) {
	names, point, ok := strings.Cut(os.Getenv(signalEnv), "@")
	if !ok {
		return nil
	}
	signals := map[string]syscall.Signal{"SIGINT": syscall.SIGINT, "SIGTERM": syscall.SIGTERM, "SIGHUP": syscall.SIGHUP}
	return func(ctx context.Context, at string) {
		if at != point {
			return
		}
		for i, name := range strings.Split(names, ",") {
			syscall.Kill(os.Getpid(), signals[name])
			if i == 0 {
				<-ctx.Done()
			}
		}
		if strings.Contains(names, ",") {
			select {} // the second signal ends the process
		}
	}
}
