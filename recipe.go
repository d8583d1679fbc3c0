package main

import (
	"flag"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/metrics"
	"gorbm.dev/gorbm/train"
)

// trainingFlags are the flags of training beyond the script: momentum,
// weight decay, schedules, the data-dependent initialisation, persistent
// chains of their own and centering. All are off by default, so that the
// default job stays the script's.
type trainingFlags struct {
	recipe                string
	momentum, momentumIni float64
	momentumEpochs        int
	weightDecay           float64
	lrFinal               float64
	lrDecay               string
	lrDecayFrom           int
	initVBias             string
	centered              bool
	offsetRate            float64
}

func addTrainingFlags(fs *flag.FlagSet, o *options) {
	t := &o.training
	fs.StringVar(&t.recipe, "recipe", "", "a named set of the training flags below ("+strings.Join(recipeNames(), ", ")+"); flags given on the command line win")
	fs.Float64Var(&t.momentum, "momentum", 0, "momentum of Gorgonia's Momentum solver (0: plain SGD, the script's)")
	fs.Float64Var(&t.momentumIni, "momentum-initial", -1, "momentum for the first -momentum-epochs epochs (-1: -momentum throughout)")
	fs.IntVar(&t.momentumEpochs, "momentum-epochs", 0, "epochs at -momentum-initial before -momentum")
	fs.Float64Var(&t.weightDecay, "weight-decay", 0, "L2 weight decay on W: ½·wd·‖W‖² added to the cost graph")
	fs.Float64Var(&t.lrFinal, "lr-final", 0, "learning rate at the end of the run, reached by -lr-decay from epoch -lr-decay-from (0: -lr throughout)")
	fs.StringVar(&t.lrDecay, "lr-decay", "linear", "shape of the learning-rate schedule: linear, geometric or step")
	fs.IntVar(&t.lrDecayFrom, "lr-decay-from", 0, "epoch at which the learning rate starts to move to -lr-final")
	fs.StringVar(&t.initVBias, "init-vbias", "zero", "initial visible biases: zero (the script's) or data (log(p/(1−p)) of the training pixels' means)")
	fs.IntVar(&o.config.Chains, "chains", 0, "persistent chains with -pcd, advanced every batch whatever its size (0: one per image of the batch)")
	fs.BoolVar(&t.centered, "centered", false, "train the centered RBM (Melchior et al. 2016): offsets μ (pixel means) and λ (0.5) moved by -offset-rate; the saved parameters are the plain RBM's")
	fs.Float64Var(&t.offsetRate, "offset-rate", 0.01, "with -centered, rate of the moving average of the offsets towards each batch's means")
}

// recipes are the named presets of -recipe: flag values, as on the command
// line. See the README's "Training recipes" for what each gives.
var recipes = map[string]map[string]string{
	// PyDeep's big MNIST RBM (MelJan/PyDeep, examples/RBM_MNIST_big.py):
	// a centered RBM trained by PCD-1 with 100 chains, batches of 100,
	// lr 0.01 without momentum, 200 epochs, offsets moved at 0.01.
	"pydeep": {
		"epochs": "200", "batch": "100", "lr": "0.01", "k": "1", "pcd": "true", "chains": "100",
		"centered": "true", "offset-rate": "0.01", "init-vbias": "data",
	},
	// best: what we found best within 15 minutes of training (README,
	// "Training recipes").
	"best": {
		"epochs": "200", "batch": "100", "lr": "0.04", "k": "1", "pcd": "true", "chains": "100",
		"centered": "true", "offset-rate": "0.01", "init-vbias": "data", "momentum": "0.5",
		"lr-final": "0.0002", "lr-decay": "geometric", "lr-decay-from": "50",
	},
}

func recipeNames() []string {
	var names []string
	for n := range recipes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// resolveTraining applies -recipe to the flags fs was not given, then turns
// the training flags into o.config's schedules and o.init.
func (o *options) resolveTraining(fs *flag.FlagSet) error {
	t := &o.training
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if t.recipe != "" {
		preset, ok := recipes[t.recipe]
		if !ok {
			return fmt.Errorf("-recipe %q: use one of %s", t.recipe, strings.Join(recipeNames(), ", "))
		}
		for _, name := range sortedKeys(preset) {
			if !given[name] {
				if err := fs.Set(name, preset[name]); err != nil {
					return fmt.Errorf("-recipe %s: -%s %s: %w", t.recipe, name, preset[name], err)
				}
			}
		}
	}
	switch {
	case given["offset-rate"] && !t.centered:
		return fmt.Errorf("-offset-rate %v without -centered: the offsets belong to the centered RBM; add -centered", t.offsetRate)
	case (given["momentum-initial"] || given["momentum-epochs"]) && t.momentum == 0:
		return fmt.Errorf("-momentum-initial or -momentum-epochs without -momentum: say the momentum after them, e.g. -momentum 0.9")
	case (given["lr-decay"] || given["lr-decay-from"]) && t.lrFinal == 0:
		return fmt.Errorf("-lr-decay or -lr-decay-from without -lr-final: say where the learning rate goes, e.g. -lr-final 0.001")
	}
	return o.applyTraining()
}

// applyTraining sets o.config's schedules, weight decay and offset rate and
// o.init from the training flags.
func (o *options) applyTraining() error {
	t := o.training
	o.config.LearnRate, o.config.Momentum = train.Schedule{}, train.Schedule{}
	if t.lrFinal != 0 {
		shape, err := train.ParseShape(t.lrDecay)
		if err != nil {
			return fmt.Errorf("-lr-decay: %w", err)
		}
		o.config.LearnRate = train.Schedule{Start: o.lr, End: t.lrFinal, From: t.lrDecayFrom, Shape: shape}
	}
	if t.momentum != 0 || t.momentumIni > 0 {
		start := t.momentum
		if t.momentumIni >= 0 && t.momentumEpochs > 0 {
			start = t.momentumIni
		}
		o.config.Momentum = train.Schedule{Start: start, End: t.momentum, From: t.momentumEpochs, Shape: train.ShapeStep}
	}
	o.config.WeightDecay = t.weightDecay
	o.config.Centered, o.config.OffsetRate = t.centered, 0
	if t.centered {
		o.config.OffsetRate = t.offsetRate
	}
	switch t.initVBias {
	case "zero", "":
		o.init.VisibleBias = false
	case "data":
		o.init.VisibleBias = true
	default:
		return fmt.Errorf("-init-vbias %q: use zero or data", t.initVBias)
	}
	o.init.Centered = t.centered
	switch {
	case t.momentumEpochs < 0:
		return fmt.Errorf("-momentum-epochs %d: use 0 or more", t.momentumEpochs)
	case t.lrDecayFrom < 0:
		return fmt.Errorf("-lr-decay-from %d: use 0 or more", t.lrDecayFrom)
	}
	return nil
}

func sortedKeys(m map[string]string) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// trainingSettings adds the training flags that differ from the script's
// to a checkpoint's settings, so that -resume refuses other ones.
func (o options) trainingSettings(s map[string]string) {
	c := o.config
	if c.Chains != 0 {
		s["chains"] = strconv.Itoa(c.Chains)
	}
	if c.LearnRate.Set() {
		s["lr-schedule"] = c.LearnRate.String()
	}
	if c.Momentum.Set() {
		s["momentum"] = c.Momentum.String()
	}
	if c.WeightDecay != 0 {
		s["weight-decay"] = strconv.FormatFloat(c.WeightDecay, 'g', -1, 64)
	}
	if o.init.VisibleBias {
		s["init-vbias"] = "data"
	}
	if o.init.Centered {
		s["centered"] = "true"
		s["offset-rate"] = strconv.FormatFloat(c.OffsetRate, 'g', -1, 64)
	}
}

// initModel gives a fresh model (or one read with -load) and its trainer
// the data-dependent initialisation the flags ask for: the visible biases
// from the training pixels' means, the centered model's offsets. A loaded
// model keeps its biases; only its offsets are set.
func initModel(o options, t *graph.Trainer, d *train.Dataset) error {
	m := t.Model()
	if !o.init.VisibleBias && !o.init.Centered {
		return nil
	}
	p, err := metrics.PixelMarginals(d.Images, d.N, train.Pixels)
	if err != nil {
		return err
	}
	init := o.init
	if o.load != "" {
		init.VisibleBias = false
		if init.Centered {
			vb, hb := make([]float32, m.Visible()), make([]float32, m.Hidden())
			_, b, c := m.Params()
			copy(vb, b)
			copy(hb, c)
			if err := init.Apply(t, p); err != nil {
				return err
			}
			w, _, _ := m.Params()
			return m.SetParams(w, vb, hb) // the loaded biases, now with offsets
		}
		return nil
	}
	return init.Apply(t, p)
}
