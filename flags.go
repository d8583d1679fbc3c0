package main

import (
	"flag"
	"fmt"
	"math"
	"os"

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
}

// parseFlags parses args and exits with status 2 and a one-line message on
// a usage error, before any work is done.
func parseFlags(args []string) options {
	fs := flag.NewFlagSet("gorbm", flag.ExitOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gorbm [flags]\n\nTrains the course's RBM on MNIST like rbm_pytorch.py and writes RBM_out_*.png.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	var o options
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
	fs.Parse(args)

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

func (o options) validate() error {
	if err := o.config.Validate(); err != nil {
		return fmt.Errorf("-%w", err)
	}
	switch {
	case !(o.lr > 0) || math.IsInf(o.lr, 0):
		return fmt.Errorf("-lr %v: use a finite learning rate > 0, e.g. 0.1", o.lr)
	case o.hidden < 1:
		return fmt.Errorf("-hidden %d: use at least 1 hidden unit", o.hidden)
	case o.limit < 0:
		return fmt.Errorf("-limit %d: use 0 (all images) or a positive count", o.limit)
	}
	return nil
}

// checkWritable makes the output folder if needed and checks that a file
// can be created in it, so a bad -out fails before training starts.
func checkWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot create output folder: %w (choose another with -out)", err)
	}
	f, err := os.CreateTemp(dir, ".gorbm-check-*")
	if err != nil {
		return fmt.Errorf("output folder %s is not writable: %w (choose another with -out)", dir, err)
	}
	f.Close()
	return os.Remove(f.Name())
}
