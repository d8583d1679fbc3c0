package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"gorbm.dev/gorbm/classify"
	"gorbm.dev/gorbm/evaluate"
	"gorbm.dev/gorbm/metrics"
	"gorbm.dev/gorbm/train"
)

// Flags are the command line: every flag's value, the script's values by
// default, after -recipe has set the flags of its preset that were not
// given. Parse makes them from the arguments; NewPlan checks them.
type Flags struct {
	epochs, batch, k, hidden, limit int
	lr                              float64
	seed                            uint64
	data, out, load, checkpoint     string
	resume, restart, pcd            bool
	cpuProfile                      string
	graph                           string

	// Training beyond the script (see addTrainingFlags).
	recipe                string
	momentum, momentumIni float64
	momentumEpochs        int
	weightDecay           float64
	lrFinal               float64
	lrDecay               string
	lrDecayFrom           int
	initVBias             string
	chains                int
	centered              bool
	offsetRate            float64

	// What the run reports beyond the script (see addReportFlags).
	eval, ais                             bool
	aisBetas, aisChains, raiseImages      int
	sampleChains, sampleSteps, sampleEach int
	sampleFrom                            string
	classify, complete                    bool
	classifyInput, completeMask           string
	classifyEpochs                        int
	completeGiven                         float64
	completeImages, completeSteps         int

	given map[string]bool // the flags on the command line, not those -recipe set
}

// The bounds of the step counts, so that no flag asks for work without end.
const (
	// maxEpochs bounds -epochs, also so that a checkpoint's state, which
	// holds a loss and a history record per epoch, stays far below what
	// train.LoadCheckpoint reads.
	maxEpochs = 100_000
	// maxK bounds -k: CD-1000 is far beyond any use, and an epoch of it on
	// MNIST takes hours.
	maxK = 1000
	// maxChainSteps bounds -sample-chains × -sample-steps, and
	// -complete-images × -complete-steps: about a quarter of an hour of
	// sampling for 500 hidden units.
	maxChainSteps = 10_000_000
	// maxClassifyEpochs bounds -classify-epochs: an epoch of the
	// classifier on the 60,000 images takes a second or two, and 20 are
	// enough (docs/uses.md).
	maxClassifyEpochs = 1000
)

// Parse reads the command line args. A mistake gives an error for which
// ExitCode is 2, with a one-line message naming the flag and the fix; -h
// gives flag.ErrHelp after printing the flags to help.
func Parse(args []string, help io.Writer) (Flags, error) {
	var f Flags
	fs := f.flagSet()
	fs.SetOutput(io.Discard) // our own one-line message instead of the flag package's and the usage
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(help)
			fs.Usage()
			return f, err
		}
		return f, usagef("%w (gorbm -h lists the flags)", err)
	}
	if fs.NArg() > 0 {
		return f, usagef("unexpected argument %q: gorbm takes only flags, and stops reading them at the first word that is not one (%s would be ignored); remove it, or put a flag name before it", fs.Arg(0), strings.Join(fs.Args(), " "))
	}
	f.given = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.given[fl.Name] = true })
	if f.recipe != "" {
		preset, ok := recipes[f.recipe]
		if !ok {
			return f, usagef("-recipe %q: use one of %s", f.recipe, strings.Join(recipeNames(), ", "))
		}
		for _, name := range sortedKeys(preset) {
			if !f.given[name] {
				if err := fs.Set(name, preset[name]); err != nil {
					return f, usagef("-recipe %s: -%s %s: %w", f.recipe, name, preset[name], err)
				}
			}
		}
	}
	return f, nil
}

// flagSet registers the flags on f, which sets f to the defaults: the one
// place they are written.
func (f *Flags) flagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("gorbm", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gorbm [flags]\n\nTrains the course's RBM on MNIST like rbm_pytorch.py and writes RBM_out_*.png;\nwith -load DIR -epochs 0, evaluates the model saved in DIR instead: its test metrics,\nsamples, classifier on its features (-classify) and digits completed (-complete).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	fs.IntVar(&f.epochs, "epochs", 2, fmt.Sprintf("passes over the training data (1 to %d; 0 with -load: no training, the loaded model is evaluated and sampled: -eval, -ais, -classify, -complete, RBM_samples.png, RBM_filters.png)", maxEpochs))
	fs.IntVar(&f.batch, "batch", 64, "images per SGD step")
	fs.Float64Var(&f.lr, "lr", 0.1, "SGD learning rate")
	fs.IntVar(&f.k, "k", 1, fmt.Sprintf("Gibbs steps per reconstruction (CD-k, at most %d)", maxK))
	fs.IntVar(&f.hidden, "hidden", 500, "hidden units")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the random streams (one each for initialisation, binarization, sampling and evaluation)")
	fs.StringVar(&f.data, "data", "", "folder with the four MNIST .gz files (default: the ones GoMNIST ships)")
	fs.StringVar(&f.out, "out", ".", "output folder for the pictures")
	fs.IntVar(&f.limit, "limit", 0, "train on the first N training images only (0: all 60,000)")
	fs.StringVar(&f.load, "load", "", "start from the parameters saved in this folder (W.npy, v_bias.npy, h_bias.npy) instead of a fresh initialisation")
	fs.StringVar(&f.checkpoint, "checkpoint", "", "folder of the checkpoint saved after each epoch and on Ctrl-C (default: 'checkpoint' inside -out)")
	fs.BoolVar(&f.resume, "resume", false, "continue from the checkpoint (same flags; -epochs may be raised unless a learning-rate schedule spans it); with all epochs done, write the outputs again")
	fs.BoolVar(&f.restart, "restart", false, "start afresh even when the checkpoint folder holds another run's checkpoint, which this run's first checkpoint replaces")
	fs.BoolVar(&f.pcd, "pcd", false, "persistent contrastive divergence (Tieleman 2008): the negative chain continues from the previous batch's instead of the data")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to this file (read it with 'go tool pprof'); not an input, an output or a checkpoint file")
	fs.StringVar(&f.graph, "graph", "fast", "cost graph: fast (fused float32 ops) or textbook (the script's free_energy in Gorgonia's stock ops, slower); the same model, but float32 rounds differently in each, which flips a few samples: after the default 2 epochs the losses differ by about 1e-3 and the weights by 4e-3 on average")
	f.addTrainingFlags(fs)
	f.addReportFlags(fs)
	return fs
}

// addTrainingFlags registers the flags of training beyond the script:
// momentum, weight decay, schedules, the data-dependent initialisation,
// persistent chains of their own and centering. All are off by default,
// so that the default job stays the script's.
func (f *Flags) addTrainingFlags(fs *flag.FlagSet) {
	fs.StringVar(&f.recipe, "recipe", "", "a named set of the training flags below ("+strings.Join(recipeNames(), ", ")+"); flags given on the command line win")
	fs.Float64Var(&f.momentum, "momentum", 0, "momentum of Gorgonia's Momentum solver (0: plain SGD, the script's)")
	fs.Float64Var(&f.momentumIni, "momentum-initial", 0, "with -momentum and -momentum-epochs: the momentum of the first -momentum-epochs epochs")
	fs.IntVar(&f.momentumEpochs, "momentum-epochs", 0, "with -momentum-initial: the epochs at -momentum-initial before -momentum")
	fs.Float64Var(&f.weightDecay, "weight-decay", 0, "L2 weight decay on W: ½·wd·‖W‖² added to the cost graph")
	fs.Float64Var(&f.lrFinal, "lr-final", 0, "learning rate at the end of the run, reached by -lr-decay from epoch -lr-decay-from (0: -lr throughout)")
	fs.StringVar(&f.lrDecay, "lr-decay", "linear", "shape of the learning-rate schedule: linear, geometric or step")
	fs.IntVar(&f.lrDecayFrom, "lr-decay-from", 0, "epoch at which the learning rate starts to move to -lr-final (before -epochs)")
	fs.StringVar(&f.initVBias, "init-vbias", "zero", "initial visible biases: zero (the script's) or data (log(p/(1−p)) of the training pixels' means)")
	fs.IntVar(&f.chains, "chains", 0, fmt.Sprintf("persistent chains with -pcd, advanced every batch whatever its size (0: one per image of the batch; at most %d)", train.MaxImages))
	fs.BoolVar(&f.centered, "centered", false, "train the centered RBM (Melchior et al. 2016): offsets μ (pixel means) and λ (0.5) moved by -offset-rate; the saved parameters are the plain RBM's")
	fs.Float64Var(&f.offsetRate, "offset-rate", 0.01, "with -centered, rate of the moving average of the offsets towards each batch's means")
}

// addReportFlags registers the flags of what the run reports beyond the
// script.
func (f *Flags) addReportFlags(fs *flag.FlagSet) {
	fs.BoolVar(&f.eval, "eval", false, "after each epoch (with -epochs 0: once), print and record test-set metrics (reconstruction error, free energies, pseudo-log-likelihood) in metrics.json")
	fs.BoolVar(&f.ais, "ais", false, "at the end, estimate log Z by annealed importance sampling from two base models and bracket the average test log-probability between reverse AIS (RAISE) and AIS")
	fs.IntVar(&f.aisBetas, "ais-betas", 0, fmt.Sprintf("with -ais: inverse temperatures of AIS and RAISE (0: the paper's 14,501, or 4 to %d; fewer is faster and rougher)", metrics.MaxBetas))
	fs.IntVar(&f.aisChains, "ais-chains", metrics.DefaultChains, fmt.Sprintf("with -ais: chains of each AIS run (2 to %d)", metrics.MaxChains))
	fs.IntVar(&f.raiseImages, "raise-images", metrics.DefaultRAISEImages, "with -ais: test images RAISE starts from, one reverse chain each, evenly spaced through the test set")
	fs.IntVar(&f.sampleChains, "sample-chains", 8, fmt.Sprintf("Gibbs chains drawn in RBM_samples.png (one column each, at most %d)", metrics.MaxChains))
	fs.IntVar(&f.sampleSteps, "sample-steps", 1000, fmt.Sprintf("Gibbs steps of the sample chains (at most %d chain steps in all: -sample-chains × -sample-steps)", maxChainSteps))
	fs.IntVar(&f.sampleEach, "sample-every", 100, "steps between the snapshots in RBM_samples.png (one row each)")
	fs.StringVar(&f.sampleFrom, "sample-from", "noise", "start of the sample chains: noise or test (the first test images)")
	fs.BoolVar(&f.classify, "classify", false, "at the end, train a softmax classifier (Gorgonia, Adam) on the training images' raw pixels and on the model's p(h|v), print both test accuracies and times, and record them in metrics.json")
	fs.StringVar(&f.classifyInput, "classify-input", "binarized", "with -classify: what the classifier reads of an image: binarized (as the RBM sees it: afresh each epoch, a test image's inputs averaged over 10 binarizations; the best on a validation split, docs/uses.md), once (binarized once) or grey (pixel/255)")
	fs.IntVar(&f.classifyEpochs, "classify-epochs", classify.DefaultOptions().Epochs, fmt.Sprintf("with -classify: the classifier's passes over the training images (1 to %d)", maxClassifyEpochs))
	fs.BoolVar(&f.complete, "complete", false, "at the end, complete test images given some of their pixels by Gibbs sampling the rest, print the fraction of completed pixels equal to the truth against the base-rate model's, and write RBM_completion.png (given, completed, truth)")
	fs.StringVar(&f.completeMask, "complete-mask", "top", "with -complete: the given pixels: top (the top rows) or random (pixels drawn from the seed, the same for every image)")
	fs.Float64Var(&f.completeGiven, "complete-given", 0.5, "with -complete: the fraction of the rows (top) or pixels (random) given, rounded to whole ones; some must be given and some left")
	fs.IntVar(&f.completeImages, "complete-images", 1000, fmt.Sprintf("with -complete: test images completed (the first N, at most the test set's; the picture shows %d)", evaluate.PictureImages))
	fs.IntVar(&f.completeSteps, "complete-steps", 100, fmt.Sprintf("with -complete: Gibbs steps of each completion (at most %d in all: -complete-images × -complete-steps)", maxChainSteps))
}

// recipes are the named presets of -recipe: flag values, as on the command
// line. See docs/recipes.md for what each gives.
var recipes = map[string]map[string]string{
	// PyDeep's big MNIST RBM (MelJan/PyDeep, examples/RBM_MNIST_big.py):
	// a centered RBM trained by PCD-1 with 100 chains, batches of 100,
	// lr 0.01 without momentum, 200 epochs, offsets moved at 0.01.
	"pydeep": {
		"epochs": "200", "batch": "100", "lr": "0.01", "k": "1", "pcd": "true", "chains": "100",
		"centered": "true", "offset-rate": "0.01", "init-vbias": "data",
	},
	// best: the best model we found in the fewest epochs (docs/recipes.md;
	// docs/experiments.md, run 22).
	"best": {
		"epochs": "120", "batch": "100", "lr": "0.06", "k": "1", "pcd": "true", "chains": "100",
		"centered": "true", "offset-rate": "0.01", "init-vbias": "data", "momentum": "0.5",
		"lr-final": "0.00002", "lr-decay": "geometric", "lr-decay-from": "40",
	},
}

func recipeNames() []string { return sortedKeys(recipes) }

func sortedKeys[V any](m map[string]V) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
