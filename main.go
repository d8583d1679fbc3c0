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
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"

	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/train"
	"gorbm.dev/gorbm/viz"
)

// gcPercent replaces GOGC's default of 100. The live heap is the MNIST
// data (47 MB) plus about 10 MB, all but free of pointers; training itself
// allocates almost nothing (2.6 kB a step), so collecting at 1.1× the live
// heap instead of 2× costs a few cheap collections per run (no measurable
// time), and keeps the peak resident memory, heap plus the binary, the
// runtime and (with -tags openblas) OpenBLAS's buffers, under 100 MB.
// GOGC, if set, wins.
const gcPercent = 10

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	o := parseFlags(os.Args[1:])
	ctx, stop := interruptible(os.Stderr) // Ctrl-C: checkpoint, pictures, exit 130
	err := profiled(o.cpuProfile, func() error { return runContext(ctx, o, os.Stdout) })
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gorbm:", err)
		os.Exit(exitCode(err))
	}
}

// run is the script's job; it prints the script's lines to stdout.
func run(o options, stdout io.Writer) error {
	return runContext(context.Background(), o, stdout)
}

// runContext is run stopping, with a checkpoint, when ctx is cancelled.
func runContext(ctx context.Context, o options, stdout io.Writer) error {
	if err := checkWritable(o.out, "-out"); err != nil {
		return err
	}
	// train_loader: MNIST from the files GoMNIST ships, pixels / 255.
	trainSet, err := train.LoadSet(filepath.Join(o.data, train.TrainImages), filepath.Join(o.data, train.TrainLabels))
	if err != nil {
		return err
	}
	trainSet = trainSet.Head(o.limit)
	testSet := func() (*train.Dataset, error) { // test_loader, read when a report needs it
		return train.LoadSet(filepath.Join(o.data, train.TestImages), filepath.Join(o.data, train.TestLabels))
	}

	// model = RBM(k=1); train_op = optim.SGD(model.parameters(), 0.1)
	// for epoch in range(2): ... (with checkpoints, -resume and Ctrl-C, see survive.go)
	src := train.NewSources(o.seed)
	rep := newReporter(o, trainSet, testSet, stdout) // -eval, -ais, metrics.json, RBM_samples/filters/loss.png (report.go)
	o.afterEpoch = rep.epoch
	model, res, err := fitSurviving(ctx, o, trainSet, src, stdout)
	if err != nil {
		return err
	}
	if rep.trainingDone() {
		// The 47 MB of training images are garbage now: collect them, so
		// that the pictures reuse their memory instead of adding to the
		// peak.
		trainSet = nil
		runtime.GC()
	}

	// The script's outputs and the report read the model and res and write
	// files of their own: they run side by side.
	reported := make(chan error, 1)
	go func() { reported <- rep.finish(model, res) }() // what the model learned
	// show_and_save("real", make_grid(v)); show_and_save("generated", make_grid(v1)); plt.show()
	err = savePictures(o.out, res)
	if err == nil {
		err = train.SaveParams(o.out, model) // W.npy, v_bias.npy, h_bias.npy
	}
	if rerr := <-reported; err == nil {
		err = rerr
	}
	return err // the first of the two, for a one-line message
}

// newModel initialises the model as the script does, or reads it from -load.
func newModel(o options, src train.Sources) (*graph.Model, error) {
	if o.load == "" {
		return graph.New(train.Pixels, o.hidden, o.lr, src.Init)
	}
	m, err := train.LoadParams(o.load, o.lr)
	if err != nil {
		return nil, err
	}
	if m.Visible() != train.Pixels {
		return nil, fmt.Errorf("-load %s: the model has %d visible units, MNIST needs %d", o.load, m.Visible(), train.Pixels)
	}
	return m, nil
}

// savePictures writes the script's two grids and, in place of its window,
// the figure with both.
func savePictures(dir string, res *train.Result) error {
	var grids []image.Image
	for _, p := range []struct {
		id     string
		pixels []float32
	}{{"real", res.LastData}, {"generated", res.LastRecon}} {
		grid, err := viz.Grid(p.pixels, res.LastRows, 28, 28)
		if err != nil {
			return err
		}
		if err := viz.WritePNG(filepath.Join(dir, "RBM_out_"+p.id+".png"), grid); err != nil {
			return err
		}
		grids = append(grids, grid)
	}
	fig, err := viz.Figure(grids, []string{"real", "generated"})
	if err != nil {
		return err
	}
	return viz.WritePNG(filepath.Join(dir, "RBM_out_figure.png"), fig)
}
