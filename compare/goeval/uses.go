package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"time"

	"gorbm.dev/gorbm/classify"
	"gorbm.dev/gorbm/evaluate"
	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/train"
	"gorbm.dev/gorbm/viz"
)

// mnist loads the training and test sets from data, or GoMNIST's folder.
func mnist(data string) (trainSet, testSet *train.Dataset, err error) {
	if data == "" {
		if data, err = train.DataDir(); err != nil {
			return nil, nil, err
		}
	}
	return train.Load(data)
}

// classifyCmd trains the softmax classifier on raw pixels and on each
// parameter folder's hidden probabilities p(h|v), and prints their
// accuracies (evaluate.Data.Classify, as gorbm -classify): the
// measurements of docs/uses.md.
func classifyCmd(args []string) error {
	fs := flag.NewFlagSet("goeval classify", flag.ExitOnError)
	data := fs.String("data", "", "folder with the MNIST .gz files (default: GoMNIST's)")
	seed := fs.Uint64("seed", 1, "seed of the binarizations and the shuffles")
	opt := classify.DefaultOptions()
	fs.IntVar(&opt.Epochs, "epochs", opt.Epochs, "passes over the training images")
	fs.IntVar(&opt.BatchSize, "batch", opt.BatchSize, "images per Adam step")
	fs.Float64Var(&opt.LearnRate, "lr", opt.LearnRate, "Adam's step size")
	fs.Float64Var(&opt.LearnRateFinal, "lr-final", opt.LearnRateFinal, "step size at the last epoch, reached geometrically (0: -lr throughout)")
	fs.Float64Var(&opt.L2, "l2", opt.L2, "weight of ½·‖W‖² in the cost")
	validate := fs.Int("validate", 0, "hold out the last N training images and report the accuracy on them instead of the test set's (for tuning)")
	input := fs.String("input", "binarized", "what the classifier reads of an image: binarized (afresh each epoch; a test image's inputs averaged over 10 binarizations), once (binarized once) or grey (pixel/255)")
	binarizations := fs.Int("test-binarizations", 0, "with -input binarized: the binarizations of a test image whose inputs are averaged (0: 10)")
	raw := fs.Bool("raw", true, "also classify the raw pixels")
	fs.Parse(args)
	if fs.NArg() == 0 && !*raw {
		return errors.New("classify needs -raw or at least one parameter folder (W.npy, v_bias.npy, h_bias.npy)")
	}
	in, err := evaluate.ParseInput(*input)
	if err != nil {
		return err
	}
	if err := opt.Validate(); err != nil {
		return err
	}
	models, err := loadModels(fs.Args()) // every folder read before any training
	if err != nil {
		return err
	}
	trainSet, testSet, err := mnist(*data)
	if err != nil {
		return err
	}
	if *validate < 0 || *validate >= trainSet.N {
		return fmt.Errorf("-validate %d: use 0 to %d", *validate, trainSet.N-1)
	}
	d, err := evaluate.NewData(*seed, testSet, trainSet)
	if err != nil {
		return err
	}
	o := evaluate.ClassifyOptions{Input: in, Classifier: opt, Validate: *validate, Binarizations: *binarizations}
	fmt.Printf("softmax classifier: %d epochs, batch %d, Adam lr %g → %g, L2 %g; input %s; seed %d\n",
		opt.Epochs, opt.BatchSize, opt.LearnRate, opt.LearnRateFinal, opt.L2, in, *seed)
	run := func(name string, m *graph.Model) error {
		r, err := d.Classify(context.Background(), m, o)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		fmt.Printf("%s: %s accuracy %.2f %% (%d training images, %d measured", name, r.MeasuredOn, 100*r.Accuracy, r.TrainImages, r.Images)
		if r.TestBinarizations > 1 {
			fmt.Printf(", %d binarizations each", r.TestBinarizations)
		}
		fmt.Printf("; inputs %.1f s, %.0f s in all)\n", r.InputSeconds, r.Seconds)
		return nil
	}
	if *raw {
		if err := run("raw pixels", nil); err != nil {
			return err
		}
	}
	for _, pm := range models {
		if err := run(pm.dir+" p(h|v)", pm.m); err != nil {
			return err
		}
	}
	return nil
}

// namedModel is a model read from a parameter folder.
type namedModel struct {
	dir string
	m   *graph.Model
}

// loadModels reads the parameter folders dirs, each a model of MNIST's
// images.
func loadModels(dirs []string) ([]namedModel, error) {
	var models []namedModel
	for _, dir := range dirs {
		m, err := train.LoadParams(dir)
		if err != nil {
			return nil, err
		}
		if m.Visible() != train.Pixels {
			return nil, fmt.Errorf("%s: a model of %d visible units; MNIST images have %d pixels", dir, m.Visible(), train.Pixels)
		}
		models = append(models, namedModel{dir, m})
	}
	return models, nil
}

// completeCmd completes test images given their top rows (or random
// pixels) with each parameter folder's model and with the base-rate model
// (evaluate.Data.Complete, as gorbm -complete), and prints how many of the
// missing pixels each gets right.
func completeCmd(args []string) error {
	fs := flag.NewFlagSet("goeval complete", flag.ExitOnError)
	data := fs.String("data", "", "folder with the MNIST .gz files (default: GoMNIST's)")
	seed := fs.Uint64("seed", 1, "the run's -seed: its evaluation images (as -eval) and the completions' streams")
	images := fs.Int("images", 1000, "test images to complete (the first N)")
	steps := fs.Int("steps", 100, "conditional Gibbs steps")
	mask := fs.String("mask", "top", "the given pixels: top (the top rows) or random (pixels drawn with the seed)")
	given := fs.Float64("given", 0.5, "the fraction of the rows (top) or pixels (random) given")
	picture := fs.String("picture", "", "for each folder, write FOLDER/NAME: given, completed and true rows of the first 12 images")
	fs.Parse(args)
	k, err := evaluate.ParseMask(*mask)
	if err != nil {
		return err
	}
	o := evaluate.CompleteOptions{Mask: k, Given: *given, Images: *images, Steps: *steps}
	if n, of := o.Count(); n <= 0 || n >= of {
		return fmt.Errorf("-given %v gives %d of the %d %s: give some and leave some to complete", *given, n, of, o.Unit())
	}
	if *steps < 1 || *images < 1 {
		return fmt.Errorf("-steps %d, -images %d: use at least 1 of each", *steps, *images)
	}
	if fs.NArg() == 0 {
		return errors.New("complete needs at least one parameter folder (W.npy, v_bias.npy, h_bias.npy)")
	}
	models, err := loadModels(fs.Args()) // every folder checked before any sampling
	if err != nil {
		return err
	}
	trainSet, testSet, err := mnist(*data)
	if err != nil {
		return err
	}
	d, err := evaluate.NewData(*seed, testSet, trainSet)
	if err != nil {
		return err
	}
	n, _ := o.Count()
	fmt.Printf("completing %d test images given %d %s (%s), %d Gibbs steps, seed %d; missing pixels equal to the truth:\n", *images, n, o.Unit(), k, *steps, *seed)
	report := func(name string, s evaluate.CompletionScore, secs string) {
		fmt.Printf("  %-40s sampled %.2f %%, most probable %.2f %%%s\n", name, 100*s.Sampled, 100*s.MostProbable, secs)
	}
	for i, pm := range models {
		start := time.Now()
		r, img, err := d.Complete(context.Background(), pm.m, o)
		if err != nil {
			return fmt.Errorf("%s: %w", pm.dir, err)
		}
		if i == 0 {
			report("base-rate model", r.BaseRate, "")
		}
		report(pm.dir, r.Model, fmt.Sprintf(" (%d pixels, %.1f s)", r.MissingPixels, time.Since(start).Seconds()))
		if *picture != "" {
			if err := viz.WritePNG(filepath.Join(pm.dir, *picture), img); err != nil {
				return err
			}
		}
	}
	return nil
}
