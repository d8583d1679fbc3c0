package main

import (
	"flag"
	"fmt"
	"math"
	"os"

	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/train"
)

// options are the command's flags; the defaults are the script's values.
type options struct {
	config train.Config
	lr     float64
	hidden int
	seed   uint64
	data   string
	out    string
	limit  int
	load   string
	graph  string // the cost graph: fast or textbook (graph.ParseGraph)

	checkpoint string // folder of the checkpoint saved after each epoch
	resume     bool   // continue from the checkpoint
	cpuProfile string // file for a CPU profile of the run (runtime/pprof)

	report     reportOptions                         // -eval, -ais, sample chains (report.go)
	afterEpoch func(*graph.Model, train.Epoch) error // set by runContext: the reporter's per-epoch hook
}

// parseFlags parses args and exits with status 2 and a one-line message on
// a usage error, before any work is done.
func parseFlags(args []string) options {
	var o options
	fs := flagSet(&o)
	fs.Parse(args)
	if o.checkpoint == "" {
		o.checkpoint = defaultCheckpoint(o.out)
	}

	if err := o.validate(); err != nil {
		fmt.Fprintln(os.Stderr, "gorbm:", err)
		fmt.Fprintln(os.Stderr, "Run 'gorbm -h' for the flags.")
		os.Exit(2)
	}
	if o.data == "" {
		dir, err := train.DataDir()
		if err != nil {
			fmt.Fprintln(os.Stderr, "gorbm:", err)
			os.Exit(1)
		}
		o.data = dir
	}
	return o
}

// flagSet registers the flags on o, which sets o to the defaults: the one
// place they are written, for the command and its tests alike.
func flagSet(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("gorbm", flag.ExitOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gorbm [flags]\n\nTrains the course's RBM on MNIST like rbm_pytorch.py and writes RBM_out_*.png.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	fs.IntVar(&o.config.Epochs, "epochs", 2, "passes over the training data")
	fs.IntVar(&o.config.BatchSize, "batch", 64, "images per SGD step")
	fs.Float64Var(&o.lr, "lr", 0.1, "SGD learning rate")
	fs.IntVar(&o.config.K, "k", 1, "Gibbs steps per reconstruction (CD-k)")
	fs.IntVar(&o.hidden, "hidden", 500, "hidden units")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the random streams (initialisation, binarization, sampling)")
	fs.StringVar(&o.data, "data", "", "folder with the four MNIST .gz files (default: the ones GoMNIST ships)")
	fs.StringVar(&o.out, "out", ".", "output folder for the pictures")
	fs.IntVar(&o.limit, "limit", 0, "train on the first N training images only (0: all 60,000)")
	fs.StringVar(&o.load, "load", "", "start from the parameters saved in this folder (W.npy, v_bias.npy, h_bias.npy) instead of a fresh initialisation")
	fs.StringVar(&o.checkpoint, "checkpoint", "", "folder of the checkpoint saved after each epoch and on Ctrl-C (default: 'checkpoint' inside -out)")
	fs.BoolVar(&o.resume, "resume", false, "continue from the checkpoint (same flags; -epochs may be raised)")
	fs.BoolVar(&o.config.Persistent, "pcd", false, "persistent contrastive divergence (Tieleman 2008): the negative chain continues from the previous batch's instead of the data")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to this file (read it with 'go tool pprof')")
	fs.StringVar(&o.graph, "graph", "fast", "cost graph: fast (fused float32 ops) or textbook (the script's free_energy in Gorgonia's stock ops); both train the same model")
	addReportFlags(fs, &o.report)
	return fs
}

func (o options) validate() error {
	if err := o.config.Validate(); err != nil {
		return fmt.Errorf("-%w", err)
	}
	if err := o.report.validate(); err != nil {
		return err
	}
	if _, err := graph.ParseGraph(o.graph); err != nil {
		return fmt.Errorf("-graph %s: use fast or textbook", o.graph)
	}
	switch {
	case !(o.lr > 0) || math.IsInf(o.lr, 0):
		return fmt.Errorf("-lr %v: use a finite learning rate > 0, e.g. 0.1", o.lr)
	case o.hidden < 1:
		return fmt.Errorf("-hidden %d: use at least 1 hidden unit", o.hidden)
	case o.limit < 0:
		return fmt.Errorf("-limit %d: use 0 (all images) or a positive count", o.limit)
	case o.resume && o.load != "":
		return fmt.Errorf("-resume with -load %s: the checkpoint has the parameters; use one of the two", o.load)
	}
	return nil
}

// checkWritable makes the folder of flag (-out, -checkpoint) if needed and
// checks that a file can be created in it, so a bad folder fails before
// training starts.
func checkWritable(dir, flag string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot create %s folder: %w (choose another with %s)", flag, err, flag)
	}
	f, err := os.CreateTemp(dir, ".gorbm-check-*")
	if err != nil {
		return fmt.Errorf("%s folder %s is not writable: %w (choose another with %s)", flag, dir, err, flag)
	}
	f.Close()
	return os.Remove(f.Name())
}
