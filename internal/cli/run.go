package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"

	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/internal/atomicfile"
	"gorbm.dev/gorbm/train"
)

// Run does the work of the plan: it takes the locks of -out and
// -checkpoint, clears what killed runs left, trains (or takes the loaded
// model, with -epochs 0), then writes the outputs as one set. When ctx is
// cancelled it stops at the next batch or step, saves a checkpoint, writes
// what is done unless that would replace a finished set of outputs, and
// returns an error wrapping context.Canceled that says where things are.
// It prints to env.Stdout what the script prints, and its messages to
// env.Stderr. A plan runs once: Run lets go of the training images when it
// no longer needs them.
func (p *Plan) Run(ctx context.Context, env Env) error {
	env = env.complete()
	return profiled(p.profile, func() error { return p.work(ctx, env) })
}

func (p *Plan) work(ctx context.Context, env Env) error {
	unlock, err := p.lock()
	if err != nil {
		return err
	}
	defer unlock()
	if err := p.clean(); err != nil {
		return err
	}
	for _, note := range p.notes {
		fmt.Fprintln(env.Stderr, "gorbm:", note)
	}
	rep := newReporter(p, env)
	if p.epochs == 0 {
		return p.finish(ctx, rep, p.loaded, nil)
	}
	if p.start.note != "" {
		fmt.Fprintln(env.Stderr, "gorbm:", p.start.note)
	}
	model, res, err := p.fit(ctx, env, rep)
	switch {
	case model == nil:
		return err
	case err != nil:
		return p.interrupted(rep, model, res, err)
	}
	if rep.trainingDone() {
		// The 47 MB of training images are garbage now: collect them, so
		// that the pictures reuse their memory instead of adding to the
		// peak.
		p.trainFile, p.trainSet = nil, nil
		runtime.GC()
	}
	return p.finish(ctx, rep, model, res)
}

// lock takes the locks of -out and, for a training run, -checkpoint (one
// lock where they are one folder, by identity), then checks that the
// checkpoint folder holds the checkpoint the plan read: another run may
// have written one since.
func (p *Plan) lock() (unlock func(), err error) {
	var unlocks []func()
	unlock = func() {
		for i := len(unlocks) - 1; i >= 0; i-- {
			unlocks[i]()
		}
	}
	dirs := []struct{ path, flag string }{{p.out, "-out"}}
	if p.epochs > 0 {
		dirs = append(dirs, struct{ path, flag string }{p.checkpoint, "-checkpoint"})
	}
	for _, d := range dirs {
		if d.flag == "-checkpoint" && samePath(d.path, p.out) {
			continue // one folder, one lock
		}
		u, err := lockDir(d.path, d.flag)
		if err != nil {
			unlock()
			return nil, err
		}
		unlocks = append(unlocks, u)
	}
	if p.epochs > 0 && !p.start.replace {
		id, err := train.CheckpointID(p.checkpoint)
		if errors.Is(err, train.ErrNoCheckpoint) {
			id, err = "", nil
		}
		if err != nil || id != p.start.seen {
			unlock()
			return nil, fmt.Errorf("the checkpoint in %q changed after this run looked at it (another gorbm wrote it): run again", p.checkpoint)
		}
	}
	return unlock, nil
}

// clean removes what killed runs left: the outputs' temporary files, and
// the checkpoint subfolders and temporary files that the checkpoint
// folder's latest, once verified, supersedes (nothing when it is damaged).
func (p *Plan) clean() error {
	for _, name := range outputNames(true) {
		atomicfile.RemoveTemp(filepath.Join(p.out, name))
	}
	if p.epochs == 0 {
		return nil
	}
	if err := train.RemoveStale(p.checkpoint); err != nil && !errors.Is(err, train.ErrNoCheckpoint) && !errors.Is(err, train.ErrDamaged) {
		return fmt.Errorf("checkpoint folder %s: %w", p.checkpoint, err)
	}
	return nil
}

// interrupted writes the outputs of a run interrupted in training, err:
// the script's pictures and parameters and metrics.json of what was
// trained so far. It writes nothing where -out holds a finished set of
// outputs, or where the checkpoint kept is further along than this run:
// those would be replaced by less.
func (p *Plan) interrupted(rep *reporter, model *graph.Model, res *train.Result, err error) error {
	if p.held == heldFinished || p.start.keep != nil && progressOf(res).before(*p.start.keep) {
		return fmt.Errorf("%w; %s keeps the outputs it had, which this run's, of less, would replace", err, p.out)
	}
	if werr := p.write(func(set *atomicfile.Set) error {
		if err := stageScriptOutputs(set, p.out, model, res); err != nil {
			return err
		}
		return rep.stageMetrics(set) // Finished: false
	}); werr != nil {
		return fmt.Errorf("%w; and writing the outputs failed: %w", err, werr)
	}
	return fmt.Errorf("%w; pictures, parameters and metrics.json of what was trained so far in %s", err, p.out)
}

// finish writes the outputs of a run that trained to the end (res), or of
// a loaded model (res nil): the script's pictures and parameters and the
// report (rep's tasks), as one set. When ctx is cancelled during the
// report, it writes what is done, unless -out holds a finished set that
// this would replace by less.
func (p *Plan) finish(ctx context.Context, rep *reporter, model *graph.Model, res *train.Result) error {
	var notMade error
	err := p.write(func(set *atomicfile.Set) error {
		// The script's outputs and the report read the model and res and
		// write files of their own: they run side by side.
		reported := make(chan error, 1)
		go func() { reported <- rep.finish(ctx, model, res, set) }() // what the model learned
		var err error
		if res != nil {
			// show_and_save("real", make_grid(v)); show_and_save("generated", make_grid(v1)); plt.show()
			err = stageScriptOutputs(set, p.out, model, res)
		}
		rerr := <-reported
		if errors.Is(rerr, context.Canceled) {
			notMade, rerr = rerr, nil // keep what is done
			if p.held == heldFinished {
				return errKeep
			}
		}
		if err == nil {
			err = rerr
		}
		return err // the first of the two, for a one-line message
	})
	again := "run again"
	if p.epochs > 0 {
		again += " with -resume"
	}
	switch {
	case errors.Is(err, errKeep):
		return fmt.Errorf("%w; %s keeps the outputs it had, which this run's, without it, would replace (%s to make them all)", notMade, p.out, again)
	case err == nil && notMade != nil:
		return fmt.Errorf("%w; everything else is written in %s (%s to make the rest)", notMade, p.out, again)
	}
	return err
}

// errKeep stops a write that would replace a finished set by less.
var errKeep = errors.New("keep the finished outputs")

// write stages the files that stage writes into -out, then renames them
// all into place and removes the run's outputs it did not write, which
// belong to an older set: when writing fails (a full disk), none of them
// replaces what -out had, and the error says so.
func (p *Plan) write(stage func(*atomicfile.Set) error) error {
	var set atomicfile.Set
	defer set.Abort()
	if err := stage(&set); err != nil {
		if errors.Is(err, errKeep) {
			return err
		}
		again := "fix that, then run again"
		if p.epochs > 0 {
			again = fmt.Sprintf("the checkpoint in %s is saved: fix that, then run again with -resume to write them", p.checkpoint)
		}
		return fmt.Errorf("%w: none of this run's outputs were written, %s keeps what it had; %s", err, p.out, again)
	}
	all := set.Paths()
	for _, name := range outputNames(p.epochs > 0) {
		if path := filepath.Join(p.out, name); !slices.Contains(all, path) {
			set.Remove(path)
		}
	}
	done, err := set.Commit()
	if err != nil {
		again := "run again"
		if p.epochs > 0 {
			again += " with -resume"
		}
		return fmt.Errorf("%w: written: %s; not written: %s; %s to write them all", err, names(done), names(all[len(done):]), again)
	}
	return nil
}

// names lists the base names of paths.
func names(paths []string) string {
	if len(paths) == 0 {
		return "none"
	}
	var b []string
	for _, p := range paths {
		b = append(b, filepath.Base(p))
	}
	return strings.Join(b, ", ")
}

// errRun marks f's own error inside profiled's write, so that it is
// returned as f returned it, not as an error writing the profile.
type errRun struct{ err error }

func (e errRun) Error() string { return e.err.Error() }

// profiled runs f, with a CPU profile written to path when path is not
// empty (NewPlan checked it): the profile goes to a temporary file beside
// it, renamed over path when f succeeded (atomicfile), so a failed run
// leaves no profile.
func profiled(path string, f func() error) error {
	if path == "" {
		return f()
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
