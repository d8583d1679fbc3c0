package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// Main runs the command with args in env, in its three steps: Parse reads
// the flags, NewPlan checks them and everything they name, Plan.Run does
// the work, stopping at the first SIGINT, SIGTERM or SIGHUP. It returns
// the exit status (ExitCode); every error is one line on env.Stderr.
func Main(args []string, env Env) int {
	env = env.complete()
	f, err := Parse(args, env.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var p *Plan
	if err == nil {
		p, err = NewPlan(f, env)
	}
	if err == nil {
		ctx, stop := interruptible(env.Stderr) // Ctrl-C: checkpoint, what is done, exit 130
		err = p.Run(ctx, env)
		stop()
	}
	env.Progress.Clear()
	if err != nil {
		fmt.Fprintln(env.Stderr, "gorbm:", oneLine(err))
	}
	return ExitCode(err)
}

// gcPercent replaces GOGC's default of 100. The live heap is mostly the
// MNIST data, all but free of pointers, and training allocates little per
// step, so collecting at 1.1× the live heap instead of 2× costs a few cheap
// collections per run and keeps the peak resident memory low (README,
// "Speed").
const gcPercent = 10

// TuneGC sets the garbage collector for the command's process: gcPercent,
// unless GOGC is set.
func TuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}

// interruptible returns a context that the first SIGINT, SIGTERM or SIGHUP
// (a closed terminal) cancels: training then stops after the current
// batch and saves, the report's long parts stop early, and what is done
// is written. A second signal exits at once with status 130. stop restores
// the default handling.
func interruptible(stderr io.Writer) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		var s os.Signal
		select {
		case s = <-sig:
		case <-done:
			return
		}
		fmt.Fprintf(stderr, "gorbm: %v: stopping after the current step, then saving what is done (interrupt again to quit at once)\n", s)
		cancel()
		select {
		case <-sig:
			fmt.Fprintln(stderr, "gorbm: interrupted again: quitting without saving")
			os.Exit(exitInterrupted)
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sig)
		close(done)
		cancel()
	}
}
