package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	prog "gorbm.dev/gorbm/internal/progress"
	"gorbm.dev/gorbm/train"
)

// Env is what the command takes from the process around it; NewPlan and
// Run read the world only through it and the paths the flags name. A nil
// field gets its default: output nowhere, no progress bars, the real
// clock, memory and MNIST folder, no hook.
type Env struct {
	Stdout io.Writer // the script's lines and the tables (os.Stdout)
	Stderr io.Writer // messages (os.Stderr, through the progress bar)

	Progress *prog.Bar                     // the progress bars; nil draws none
	Now      func() time.Time              // the clock: how long AIS took (time.Now)
	Memory   func() MemoryLimit            // the memory a run may use (AvailableMemory)
	DataDir  func() (string, error)        // the MNIST folder when -data is not given (train.DataDir)
	Hook     func(context.Context, string) // called at named points of a run, for tests (below); nil: none
}

// The points of a run where Env.Hook is called: after a training batch
// ("batch 1.2": epoch 1, batch 2), after an epoch's checkpoint ("epoch 1"),
// before the sample chains ("samples"), the completion ("complete"), the
// classification ("classify") and AIS ("ais").
const (
	hookBatch    = "batch %d.%d"
	hookEpoch    = "epoch %d"
	hookSamples  = "samples"
	hookComplete = "complete"
	hookClassify = "classify"
	hookAIS      = "ais"
)

// OSEnv is the Env of the gorbm process: its standard output and error,
// and progress bars when the standard error is a terminal.
func OSEnv() Env {
	e := Env{Stdout: os.Stdout, Stderr: os.Stderr, Progress: prog.New(os.Stderr)}
	if e.Progress != nil {
		e.Stderr = e.Progress // messages erase the bar first
	}
	return e
}

// complete returns e with its nil fields set to their defaults.
func (e Env) complete() Env {
	if e.Stdout == nil {
		e.Stdout = io.Discard
	}
	if e.Stderr == nil {
		e.Stderr = io.Discard
	}
	if e.Now == nil {
		e.Now = time.Now
	}
	if e.Memory == nil {
		e.Memory = AvailableMemory
	}
	if e.DataDir == nil {
		e.DataDir = train.DataDir
	}
	return e
}

// hook calls e.Hook, if any, at the point format and args name.
func (e Env) hook(ctx context.Context, format string, args ...any) {
	if e.Hook != nil {
		e.Hook(ctx, fmt.Sprintf(format, args...))
	}
}
