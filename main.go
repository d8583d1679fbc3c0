// Command gorbm trains the course's restricted Boltzmann machine on MNIST,
// as the PyTorch script rbm_pytorch.py does, on a Gorgonia graph.
//
//	go run .            # the script's job: 2 epochs, batches of 64, CD-1, 500 hidden units
//	go run . -h         # the flags
//
// It prints the script's line per epoch and writes RBM_out_real.png,
// RBM_out_generated.png and RBM_out_figure.png into the -out folder, with
// the trained parameters as W.npy, v_bias.npy and h_bias.npy.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"

	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/internal/atomicfile"
	prog "gorbm.dev/gorbm/internal/progress"
	"gorbm.dev/gorbm/train"
	"gorbm.dev/gorbm/viz"
)

// gcPercent replaces GOGC's default of 100. The live heap is mostly the
// MNIST data, all but free of pointers, and training allocates little per
// step, so collecting at 1.1× the live heap instead of 2× costs a few cheap
// collections per run and keeps the peak resident memory low (README,
// "Speed"). GOGC, if set, wins.
const gcPercent = 10

func main() {
	tuneGC()
	os.Exit(cli(os.Args[1:], os.Stdout, os.Stderr))
}

// tuneGC sets gcPercent unless GOGC is set.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}

// cli runs the command with args and returns its exit status: 0, 1 for a
// failed run, 2 for a mistake in the flags (found before any work), 130
// after an interruption. Every error is one line on stderr.
func cli(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err == nil {
		if f, ok := stderr.(*os.File); ok {
			o.progress = prog.New(f) // bars on a terminal, nothing otherwise
		}
		if o.progress != nil {
			stderr = o.progress // messages erase the bar first
		}
		ctx, stop := interruptible(stderr) // Ctrl-C: checkpoint, what is done, exit 130
		err = profiled(o.cpuProfile, func() error { return runContext(ctx, o, stdout, stderr) })
		stop()
		o.progress.Clear()
	}
	if err != nil {
		fmt.Fprintln(stderr, "gorbm:", oneLine(err))
		return exitCode(err)
	}
	return 0
}

// oneLine keeps a message on one line, whatever the errors it wraps say.
func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }

// run is the script's job; it prints the script's lines to stdout.
func run(o options, stdout io.Writer) error {
	return runContext(context.Background(), o, stdout, io.Discard)
}

// Output names: the script's, then the report's.
var (
	scriptOutputs = []string{"RBM_out_real.png", "RBM_out_generated.png", "RBM_out_figure.png", train.FileW, train.FileVBias, train.FileHBias}
	reportOutputs = []string{"metrics.json", "RBM_samples.png", "RBM_filters.png", "RBM_loss.png"}
)

// runContext is run stopping, with a checkpoint, when ctx is cancelled.
// Everything the run reads or writes is checked before training starts.
func runContext(ctx context.Context, o options, stdout, stderr io.Writer) error {
	if o.checkpoint == "" { // options not made by parseFlags
		o.checkpoint = defaultCheckpoint(o.out)
	}
	if o.data == "" {
		dir, err := train.DataDir()
		if err != nil {
			return err
		}
		o.data = dir
	}
	// -out and -checkpoint: made, this run's alone, cleared of the
	// temporary files of runs that were killed.
	for _, dir := range []struct{ path, flag string }{{o.out, "-out"}, {o.checkpoint, "-checkpoint"}} {
		if dir.flag == "-checkpoint" && filepath.Clean(o.checkpoint) == filepath.Clean(o.out) {
			continue // one folder, one lock
		}
		unlock, err := lockDir(dir.path, dir.flag)
		if err != nil {
			return err
		}
		defer unlock()
	}
	for _, name := range append(scriptOutputs, reportOutputs...) {
		atomicfile.RemoveTemp(filepath.Join(o.out, name))
	}
	if err := train.RemoveStale(o.checkpoint); err != nil && !errors.Is(err, train.ErrNoCheckpoint) && !errors.Is(err, train.ErrDamaged) {
		return fmt.Errorf("checkpoint folder %s: %w", o.checkpoint, err)
	}

	// train_loader: MNIST from the files GoMNIST ships, pixels / 255.
	full, err := train.LoadSet(filepath.Join(o.data, train.TrainImages), filepath.Join(o.data, train.TrainLabels))
	if err != nil {
		return err
	}
	trainSet := full.Head(o.limit)
	var testSet *train.Dataset // test_loader, read when a report needs it
	if flags := o.report.testFlags(); flags != "" {
		if testSet, err = train.LoadSet(filepath.Join(o.data, train.TestImages), filepath.Join(o.data, train.TestLabels)); err != nil {
			return fmt.Errorf("%s needs the test set: %w", flags, err)
		}
		if c := o.report.sampleChains; o.report.sampleFrom == "test" && c > testSet.N {
			return fmt.Errorf("-sample-chains %d with -sample-from test: only %d test images to start from; use fewer chains", c, testSet.N)
		}
	}
	var loaded *graph.Model
	if o.load != "" {
		if loaded, err = loadModel(&o, full.N); err != nil {
			return err
		}
	}
	sizes := o.sizes(full.N, 0)
	if testSet != nil {
		sizes.test = testSet.N
	}
	if err := o.checkMemory(sizes, availableMemory()); err != nil {
		return err
	}

	// model = RBM(k=1); train_op = optim.SGD(model.parameters(), 0.1)
	src := train.NewSources(o.seed)
	settings := o.settings(full, loaded)
	s, err := begin(o, o.config.Run(o.hidden, trainSet.N), settings, loaded, src, stderr)
	if err != nil {
		return err
	}

	// for epoch in range(2): ... (with checkpoints, -resume and Ctrl-C, see survive.go)
	rep := newReporter(o, trainSet, testSet, settings, stdout) // -eval, -ais, metrics.json, RBM_samples/filters/loss.png (report.go)
	rep.Epochs = s.history
	o.afterEpoch = rep.epoch
	if o.progress != nil {
		o.config.OnBatch = rep.onBatch
	}
	model, res, err := fitSurviving(ctx, o, trainSet, src, s, settings, func() []epochRecord { return rep.Epochs }, stdout)
	if model == nil {
		return err
	}
	if err != nil { // interrupted: what was trained so far
		if werr := writeOutputs(o, func(set *atomicfile.Set) error {
			if err := stageScriptOutputs(set, o.out, model, res); err != nil {
				return err
			}
			return rep.stageMetrics(set)
		}); werr != nil {
			return fmt.Errorf("%w; and writing the outputs failed: %w", err, werr)
		}
		return fmt.Errorf("%w; pictures, parameters and metrics.json of what was trained so far in %s", err, o.out)
	}
	if rep.trainingDone() {
		// The 47 MB of training images are garbage now: collect them, so
		// that the pictures reuse their memory instead of adding to the
		// peak.
		full, trainSet = nil, nil
		runtime.GC()
	}
	return finish(ctx, o, rep, model, res)
}

// loadModel reads -load's parameters, after checking that W.npy's size
// leaves the run within memory; o.hidden becomes the model's.
func loadModel(o *options, trainFile int) (*graph.Model, error) {
	if st, err := os.Stat(filepath.Join(o.load, train.FileW)); err == nil {
		sizes := o.sizes(trainFile, 0)
		sizes.hidden = int(min(st.Size()/(4*train.Pixels), maxHidden))
		if err := o.checkMemory(sizes, availableMemory()); err != nil {
			return nil, fmt.Errorf("-load %s: %w", o.load, err)
		}
	}
	m, err := train.LoadParams(o.load)
	switch {
	case errors.Is(err, train.ErrNotFinite):
		return nil, fmt.Errorf("-load: %w: these parameters cannot be trained further; load another folder", err)
	case err != nil:
		return nil, fmt.Errorf("-load: %w (-load needs a folder with %s, %s and %s as numpy.save or gorbm writes them)", err, train.FileW, train.FileVBias, train.FileHBias)
	case m.Visible() != train.Pixels:
		return nil, fmt.Errorf("-load %s: the model has %d visible units, MNIST needs %d", o.load, m.Visible(), train.Pixels)
	case o.set["hidden"] && o.hidden != m.Hidden():
		return nil, fmt.Errorf("-hidden %d with -load %s, a model of %d hidden units: drop -hidden", o.hidden, o.load, m.Hidden())
	}
	o.hidden = m.Hidden()
	return m, nil
}

// finish writes the outputs of a run that trained to the end: the script's
// pictures and parameters, and the report (report.go), as one set.
func finish(ctx context.Context, o options, rep *reporter, model *graph.Model, res *train.Result) error {
	var notMade error
	err := writeOutputs(o, func(set *atomicfile.Set) error {
		// The script's outputs and the report read the model and res and
		// write files of their own: they run side by side.
		reported := make(chan error, 1)
		go func() { reported <- rep.finish(ctx, model, res, set) }() // what the model learned
		// show_and_save("real", make_grid(v)); show_and_save("generated", make_grid(v1)); plt.show()
		err := stageScriptOutputs(set, o.out, model, res)
		rerr := <-reported
		if errors.Is(rerr, context.Canceled) {
			notMade, rerr = rerr, nil // keep what is done
		}
		if err == nil {
			err = rerr
		}
		return err // the first of the two, for a one-line message
	})
	if err == nil && notMade != nil {
		return fmt.Errorf("%w; everything else is written in %s (run again with -resume to make the rest)", notMade, o.out)
	}
	return err
}

// writeOutputs stages the files that stage writes into -out, then renames
// them all into place: when writing fails (a full disk), none of them
// replaces what -out had, and the error says so.
func writeOutputs(o options, stage func(*atomicfile.Set) error) error {
	var set atomicfile.Set
	defer set.Abort()
	if err := stage(&set); err != nil {
		return fmt.Errorf("%w: none of this run's outputs were written, %s keeps what it had; the checkpoint in %s is saved: fix that, then run again with -resume to write them",
			err, o.out, o.checkpoint)
	}
	all := set.Paths()
	done, err := set.Commit()
	if err != nil {
		return fmt.Errorf("%w: written: %s; not written: %s; run again with -resume to write them all", err, names(done), names(all[len(done):]))
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

// stageScriptOutputs stages the script's two grids, the figure with both
// in place of its window, and the parameters.
func stageScriptOutputs(set *atomicfile.Set, dir string, m *graph.Model, res *train.Result) error {
	var grids []image.Image
	for _, p := range []struct {
		id     string
		pixels []float32
	}{{"real", res.LastData}, {"generated", res.LastRecon}} {
		grid, err := viz.Grid(p.pixels, len(p.pixels)/train.Pixels, 28, 28) // the negative samples may be chains of their own (-chains), not LastRows
		if err != nil {
			return err
		}
		if err := stagePNG(set, filepath.Join(dir, "RBM_out_"+p.id+".png"), grid); err != nil {
			return err
		}
		grids = append(grids, grid)
	}
	fig, err := viz.Figure(grids, []string{"real", "generated"})
	if err != nil {
		return err
	}
	if err := stagePNG(set, filepath.Join(dir, "RBM_out_figure.png"), fig); err != nil {
		return err
	}
	for _, f := range train.ParamFiles(m) { // W.npy, v_bias.npy, h_bias.npy
		if err := set.Write(filepath.Join(dir, f.Name), f.Write); err != nil {
			return err
		}
	}
	return nil
}

// stagePNG stages img as the PNG file path.
func stagePNG(set *atomicfile.Set, path string, img image.Image) error {
	b, err := viz.EncodePNG(img)
	if err != nil {
		return err
	}
	return set.WriteFile(path, b)
}
