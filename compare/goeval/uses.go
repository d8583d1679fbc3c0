package main

import (
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"time"

	"gorbm.dev/gorbm/classify"
	"gorbm.dev/gorbm/complete"
	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/internal/rng"
	"gorbm.dev/gorbm/metrics"
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
// accuracies: the measurements of docs/results-issue21.md.
func classifyCmd(args []string) error {
	fs := flag.NewFlagSet("goeval classify", flag.ExitOnError)
	data := fs.String("data", "", "folder with the MNIST .gz files (default: GoMNIST's)")
	seed := fs.Uint64("seed", 1, "seed of the binarization and the shuffles")
	opt := classify.DefaultOptions()
	fs.IntVar(&opt.Epochs, "epochs", opt.Epochs, "passes over the training images")
	fs.IntVar(&opt.BatchSize, "batch", opt.BatchSize, "images per Adam step")
	fs.Float64Var(&opt.LearnRate, "lr", opt.LearnRate, "Adam's step size")
	fs.Float64Var(&opt.LearnRateFinal, "lr-final", opt.LearnRateFinal, "step size at the last epoch, reached geometrically (0: -lr throughout)")
	fs.Float64Var(&opt.L2, "l2", opt.L2, "weight of ½·‖W‖² in the cost")
	validate := fs.Int("validate", 0, "hold out the last N training images and report the accuracy on them instead of the test set's (for tuning)")
	grey := fs.Bool("grey", false, "use the pixel intensities (pixel/255) instead of one binarization")
	raw := fs.Bool("raw", true, "also classify the raw pixels")
	verbose := fs.Bool("v", false, "print each epoch's mean cost")
	fs.Parse(args)
	if fs.NArg() == 0 && !*raw {
		return errors.New("classify needs -raw or at least one parameter folder (W.npy, v_bias.npy, h_bias.npy)")
	}
	if err := opt.Validate(); err != nil {
		return err
	}
	trainSet, testSet, err := mnist(*data)
	if err != nil {
		return err
	}
	if *validate < 0 || *validate >= trainSet.N {
		return fmt.Errorf("-validate %d: use 0 to %d", *validate, trainSet.N-1)
	}
	var models []namedModel
	for _, dir := range fs.Args() { // every folder read before any training
		m, err := train.LoadParams(dir)
		if err != nil {
			return err
		}
		if m.Visible() != train.Pixels {
			return fmt.Errorf("%s: a model of %d visible units; MNIST images have %d pixels", dir, m.Visible(), train.Pixels)
		}
		models = append(models, namedModel{dir, m})
	}
	images := func(d *train.Dataset, src *rand.Rand) []float32 {
		if *grey {
			return d.Intensities()
		}
		v := make([]float32, len(d.Images))
		train.Binarize(v, d.Images, src)
		return v
	}
	src := rand.New(rng.NewStream(*seed, rng.ClassifyData))
	trainV, testV := images(trainSet, src), images(testSet, src)
	d := classify.Data{Train: trainV, TrainLabels: trainSet.Labels, Test: testV, TestLabels: testSet.Labels, Inputs: train.Pixels}
	against := "test"
	if *validate > 0 {
		n := trainSet.N - *validate
		d = classify.Data{Train: trainV[:n*train.Pixels], TrainLabels: trainSet.Labels[:n],
			Test: trainV[n*train.Pixels:], TestLabels: trainSet.Labels[n:], Inputs: train.Pixels}
		against = fmt.Sprintf("validation (the last %d training images)", *validate)
	}
	fmt.Printf("softmax classifier: %d epochs, batch %d, Adam lr %g → %g, L2 %g; %d training images, %s images %s; seed %d\n",
		opt.Epochs, opt.BatchSize, opt.LearnRate, opt.LearnRateFinal, opt.L2, len(d.TrainLabels), map[bool]string{false: "binarized", true: "grey"}[*grey], against, *seed)
	run := func(name string, d classify.Data) error {
		if *verbose {
			opt.OnEpoch = func(e int, c float64) { fmt.Printf("  epoch %d: mean cost %.4f\n", e, c) }
		}
		start := time.Now()
		r, err := classify.Evaluate(d, opt, rand.New(rng.NewStream(*seed, rng.Classify)))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		fmt.Printf("%s: train %.2f %%, %s %.2f %% (%.0f s)\n", name, 100*r.TrainAccuracy, against, 100*r.TestAccuracy, time.Since(start).Seconds())
		return nil
	}
	if *raw {
		if err := run("raw pixels", d); err != nil {
			return err
		}
	}
	for _, pm := range models {
		start := time.Now()
		f, err := d.Features(pm.m)
		if err != nil {
			return fmt.Errorf("%s: %w", pm.dir, err)
		}
		fmt.Printf("%s: features p(h|v) of %d hidden units in %.1f s\n", pm.dir, f.Inputs, time.Since(start).Seconds())
		if err := run(pm.dir+" p(h|v)", f); err != nil {
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

// completeCmd completes test images given their top half (or a random
// half) with each parameter folder's model and with the base-rate model,
// and prints how many of the missing pixels each gets right.
func completeCmd(args []string) error {
	fs := flag.NewFlagSet("goeval complete", flag.ExitOnError)
	data := fs.String("data", "", "folder with the MNIST .gz files (default: GoMNIST's)")
	seed := fs.Uint64("seed", 1, "the run's -seed: its evaluation images (as -eval) and the completions' streams")
	images := fs.Int("images", 1000, "test images to complete (the first N)")
	steps := fs.Int("steps", 100, "conditional Gibbs steps")
	mask := fs.String("mask", "top", "the given pixels: top (the top half) or random (half of them, drawn with the seed)")
	picture := fs.String("picture", "", "for each folder, write FOLDER/NAME: given, completed and true rows of the first 12 images")
	fs.Parse(args)
	var given []bool
	switch *mask {
	case "top":
		given = complete.TopHalf(28, 28)
	case "random":
		given = complete.RandomHalf(train.Pixels, rand.New(rng.NewStream(*seed, rng.CompleteMask)))
	default:
		return fmt.Errorf("-mask %q: use top or random", *mask)
	}
	if *steps < 1 || *images < 1 || *images > 10000 {
		return fmt.Errorf("-steps %d, -images %d: use at least 1 step and 1 to 10000 images", *steps, *images)
	}
	trainSet, testSet, err := mnist(*data)
	if err != nil {
		return err
	}
	var models []string
	for _, dir := range fs.Args() { // every folder checked before any sampling
		m, err := train.LoadParams(dir)
		if err != nil {
			return err
		}
		if m.Visible() != len(given) {
			return fmt.Errorf("%s: a model of %d visible units; the mask has %d pixels", dir, m.Visible(), len(given))
		}
		models = append(models, dir)
	}
	test, _ := train.EvalImages(*seed, testSet.Head(*images), trainSet.Head(1))
	marg, err := metrics.PixelMarginals(trainSet.Images, trainSet.N, train.Pixels)
	if err != nil {
		return err
	}
	fmt.Printf("completing %d test images given the %s half, %d Gibbs steps, seed %d; missing pixels equal to the truth:\n", *images, *mask, *steps, *seed)
	report := func(name string, r complete.Result, secs float64) error {
		s, err := r.Score(test, given)
		if err != nil {
			return err
		}
		fmt.Printf("  %-40s sampled %.2f %%, most probable %.2f %% (%d pixels, %.1f s)\n", name, 100*s.Sampled, 100*s.MostProbable, s.Pixels, secs)
		return nil
	}
	start := time.Now()
	br, err := complete.BaseRate(marg, test, *images, given, rng.New(*seed, rng.Complete))
	if err != nil {
		return err
	}
	if err := report("base-rate model", br, time.Since(start).Seconds()); err != nil {
		return err
	}
	for _, dir := range models {
		m, err := train.LoadParams(dir)
		if err != nil {
			return err
		}
		start := time.Now()
		r, err := complete.Complete(m, test, *images, given, *steps, rng.New(*seed, rng.Complete))
		if err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
		if err := report(dir, r, time.Since(start).Seconds()); err != nil {
			return err
		}
		if *picture != "" {
			img, err := complete.Picture(r, test, given, min(12, *images), 28, 28)
			if err != nil {
				return err
			}
			if err := viz.WritePNG(filepath.Join(dir, *picture), img); err != nil {
				return err
			}
		}
	}
	return nil
}
