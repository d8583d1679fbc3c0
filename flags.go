package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"

	"gorbm.dev/gorbm/graph"
	prog "gorbm.dev/gorbm/internal/progress"
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
	restart    bool   // start afresh even over another run's checkpoint
	cpuProfile string // file for a CPU profile of the run (runtime/pprof)

	training   trainingFlags                         // momentum, schedules, centering, -recipe (recipe.go)
	init       train.InitOptions                     // the data-dependent initialisation they ask for
	report     reportOptions                         // -eval, -ais, sample chains (report.go)
	progress   *prog.Bar                             // progress bars on a terminal (set by main), or nil
	afterEpoch func(*graph.Model, train.Epoch) error // set by runContext: the reporter's per-epoch hook
	set        map[string]bool                       // the flags given on the command line
}

// maxEpochs bounds -epochs so that a checkpoint's state, which holds a loss
// and a history record per epoch, stays far below what LoadCheckpoint reads.
const maxEpochs = 100_000

// usageError is a mistake in the command line: status 2, before any work.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// parseFlags parses and checks args. A mistake gives a usageError with a
// one-line message naming the flag and the fix; -h gives flag.ErrHelp
// after printing the flags to stderr.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flagSet(&o)
	fs.SetOutput(io.Discard) // our own one-line message instead of the flag package's and the usage
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stderr)
			fs.Usage()
			return o, err
		}
		return o, usageError{fmt.Errorf("%w (gorbm -h lists the flags)", err)}
	}
	if fs.NArg() > 0 {
		return o, usageError{fmt.Errorf("unexpected argument %q: gorbm takes only flags, and stops reading them at the first word that is not one (%s would be ignored); remove it, or put a flag name before it", fs.Arg(0), strings.Join(fs.Args(), " "))}
	}
	o.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
	if err := o.resolveTraining(fs); err != nil { // -recipe and the training flags (recipe.go)
		return o, usageError{err}
	}
	if o.checkpoint == "" {
		o.checkpoint = defaultCheckpoint(o.out)
	}
	if err := o.validate(); err != nil {
		return o, usageError{err}
	}
	return o, nil
}

// flagSet registers the flags on o, which sets o to the defaults: the one
// place they are written, for the command and its tests alike.
func flagSet(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("gorbm", flag.ContinueOnError)
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
	fs.BoolVar(&o.resume, "resume", false, "continue from the checkpoint (same flags; -epochs may be raised); with all epochs done, write the outputs again")
	fs.BoolVar(&o.restart, "restart", false, "start afresh even when the checkpoint folder holds another run's checkpoint, which this run's first checkpoint replaces")
	fs.BoolVar(&o.config.Persistent, "pcd", false, "persistent contrastive divergence (Tieleman 2008): the negative chain continues from the previous batch's instead of the data")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to this file (read it with 'go tool pprof')")
	fs.StringVar(&o.graph, "graph", "fast", "cost graph: fast (fused float32 ops) or textbook (the script's free_energy in Gorgonia's stock ops); both train the same model")
	addTrainingFlags(fs, o)
	addReportFlags(fs, &o.report)
	return fs
}

// validate checks the flags on their own and together, and the memory the
// run will need (limits.go), before anything is read or written.
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
	case float32(o.lr) == 0 || math.IsInf(float64(float32(o.lr)), 0):
		return fmt.Errorf("-lr %v: the model computes in float32, where this learning rate is %v: use one between %.3g and %.3g", o.lr, float32(o.lr), math.SmallestNonzeroFloat32, math.MaxFloat32)
	case o.hidden < 1:
		return fmt.Errorf("-hidden %d: use at least 1 hidden unit", o.hidden)
	case o.hidden > maxHidden:
		return fmt.Errorf("-hidden %d: use at most %d (the model holds at most 2^31 weights)", o.hidden, maxHidden)
	case o.config.BatchSize > train.MaxImages:
		return fmt.Errorf("-batch %d: use at most %d, more images than a data file holds", o.config.BatchSize, train.MaxImages)
	case o.config.Epochs > maxEpochs:
		return fmt.Errorf("-epochs %d: use at most %d (each epoch adds to the checkpoint)", o.config.Epochs, maxEpochs)
	case o.limit < 0:
		return fmt.Errorf("-limit %d: use 0 (all images) or a positive count", o.limit)
	case o.resume && o.load != "":
		return fmt.Errorf("-resume with -load %s: the checkpoint has the parameters; use one of the two", o.load)
	case o.resume && o.restart:
		return errors.New("-resume with -restart: continue the checkpoint or start afresh, not both")
	case o.out == "":
		return errors.New("-out is empty: name a folder, e.g. -out .")
	case o.checkpoint == "":
		return errors.New("-checkpoint is empty: name a folder, or leave the flag out for 'checkpoint' inside -out")
	}
	return o.checkMemory(o.sizes(mnistTrainImages, mnistTestImages), availableMemory())
}
