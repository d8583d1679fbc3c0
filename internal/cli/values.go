package cli

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"gorbm.dev/gorbm/classify"
	"gorbm.dev/gorbm/evaluate"
	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/metrics"
	"gorbm.dev/gorbm/train"
)

// maxHidden is the most hidden units graph.New accepts for MNIST's 784
// visible units: 2^31 weights.
const maxHidden = math.MaxInt32 / train.Pixels

// settings are the flags' values, checked alone and together: what the run
// trains (nothing with -epochs 0) and how, and what it reports.
type settings struct {
	epochs int          // 0: no training, the loaded model is evaluated
	config train.Config // the loop's settings (Epochs is epochs)
	init   train.InitOptions
	graph  graph.Graph
	lr     float64
	hidden int // before -load's model gives its own
	seed   uint64
	limit  int
	recipe string
	report reporting
	notes  []string // values set by -recipe that this run does without, and why
}

// reporting is what a run reports beyond the script.
type reporting struct {
	eval, ais                        bool
	aisBetas, aisChains, raiseImages int
	samples                          evaluate.SampleOptions
	classify                         bool
	classifier                       evaluate.ClassifyOptions
	complete                         bool
	completion                       evaluate.CompleteOptions
}

// needsTrain reports whether the report reads the training images, and
// names the flags that make it.
func (r reporting) needsTrain() (bool, string) {
	var f []string
	for _, x := range []struct {
		on   bool
		flag string
	}{{r.eval, "-eval"}, {r.ais, "-ais"}, {r.classify, "-classify"}, {r.complete, "-complete"}} {
		if x.on {
			f = append(f, x.flag)
		}
	}
	return f != nil, strings.Join(f, " and ")
}

// needsTest reports whether the report reads the test set, and names the
// flags that make it.
func (r reporting) needsTest() (bool, string) {
	var f []string
	if r.eval {
		f = append(f, "-eval")
	}
	if r.ais {
		f = append(f, "-ais")
	}
	if r.samples.FromTest {
		f = append(f, "-sample-from test")
	}
	if r.classify {
		f = append(f, "-classify")
	}
	if r.complete {
		f = append(f, "-complete")
	}
	return f != nil, strings.Join(f, " and ")
}

// trainingOnly are the flags that only training reads: with -epochs 0
// they would be ignored, so they are refused.
var trainingOnly = []string{"batch", "lr", "k", "hidden", "pcd", "chains", "graph", "checkpoint", "resume", "restart", "recipe",
	"momentum", "momentum-initial", "momentum-epochs", "weight-decay", "lr-final", "lr-decay", "lr-decay-from", "init-vbias", "centered", "offset-rate"}

// check checks every value alone and together, without reading anything,
// and returns the settings they make. Its errors name the flag and the fix.
func (f Flags) check() (settings, error) {
	s := settings{epochs: f.epochs, lr: f.lr, hidden: f.hidden, seed: f.seed, limit: f.limit, recipe: f.recipe}
	var err error
	if s.graph, err = graph.ParseGraph(f.graph); err != nil {
		return s, fmt.Errorf("-graph %s: use fast or textbook", f.graph)
	}
	switch {
	case f.given["out"] && f.out == "":
		return s, errors.New("-out is empty: name a folder, e.g. -out .")
	case f.given["checkpoint"] && f.checkpoint == "":
		return s, errors.New("-checkpoint is empty: name a folder, or leave the flag out for 'checkpoint' inside -out")
	case f.resume && f.restart:
		return s, errors.New("-resume with -restart: continue the checkpoint or start afresh, not both")
	case f.resume && f.load != "":
		return s, fmt.Errorf("-resume with -load %s: the checkpoint has the parameters; use one of the two", f.load)
	case f.epochs < 0 || f.epochs > maxEpochs:
		return s, fmt.Errorf("-epochs %d: use 1 to %d (each epoch adds to the checkpoint), or 0 with -load to evaluate the loaded model", f.epochs, maxEpochs)
	case f.epochs == 0 && f.load == "":
		return s, errors.New("-epochs 0 without -load: no training needs a model to evaluate; name its folder with -load, or train for 1 epoch or more")
	case f.hidden < 1 || f.hidden > maxHidden:
		return s, fmt.Errorf("-hidden %d: use 1 to %d (the model holds at most 2^31 weights)", f.hidden, maxHidden)
	case f.limit < 0:
		return s, fmt.Errorf("-limit %d: use 0 (all images) or a positive count", f.limit)
	}
	if err := train.Constant(f.lr).Validate("LearnRate", 0, math.MaxFloat32, true); err != nil {
		return s, f.settingError(err)
	}
	if f.epochs == 0 {
		for _, name := range trainingOnly {
			if f.given[name] {
				return s, fmt.Errorf("-%s with -epochs 0: there is no training, the loaded model is evaluated as it is; drop -%s", name, name)
			}
		}
	} else if err := f.checkTraining(&s); err != nil {
		return s, err
	}
	if err := f.checkReport(&s); err != nil {
		return s, err
	}
	if reads, _ := s.report.needsTrain(); f.epochs == 0 && f.given["limit"] && !reads {
		return s, errors.New("-limit with -epochs 0 and none of -eval, -ais, -classify, -complete: nothing reads the training images; drop -limit")
	}
	return s, nil
}

// checkTraining checks the training flags and sets s's loop settings,
// schedules and initialisation.
func (f Flags) checkTraining(s *settings) error {
	c := &s.config
	c.Epochs, c.BatchSize, c.K, c.Persistent, c.Chains = f.epochs, f.batch, f.k, f.pcd, f.chains
	switch {
	case f.given["offset-rate"] && !f.centered:
		return fmt.Errorf("-offset-rate %v without -centered: the offsets belong to the centered RBM; add -centered", f.offsetRate)
	case (f.given["momentum-initial"] || f.given["momentum-epochs"]) && f.momentum == 0:
		return errors.New("-momentum-initial or -momentum-epochs without -momentum: say the momentum after them, e.g. -momentum 0.9")
	case f.given["momentum-initial"] != f.given["momentum-epochs"]:
		return fmt.Errorf("-momentum-initial without -momentum-epochs, or the other way round: a first momentum needs its epochs, e.g. -momentum-initial 0.5 -momentum-epochs 5")
	case (f.given["lr-decay"] || f.given["lr-decay-from"]) && f.lrFinal == 0:
		return errors.New("-lr-decay or -lr-decay-from without -lr-final: say where the learning rate goes, e.g. -lr-final 0.001")
	case f.k > maxK:
		return fmt.Errorf("-k %d: use 1 to %d Gibbs steps", f.k, maxK)
	case f.load != "" && f.initVBias == "data":
		return fmt.Errorf("-init-vbias data with -load %s: the loaded model keeps its visible biases; drop -init-vbias", f.load)
	}
	// A schedule must start changing before the run ends: one the command
	// line asks for is refused; -recipe's, for a run shorter than the
	// recipe's, is dropped, and the run says so.
	lrFinal := f.lrFinal
	if lrFinal != 0 && (f.lrDecayFrom < 0 || f.lrDecayFrom >= f.epochs) {
		if f.given["lr-final"] || f.given["lr-decay"] || f.given["lr-decay-from"] || f.lrDecayFrom < 0 {
			return fmt.Errorf("-lr-decay-from %d with -epochs %d: use 0 to %d, so that the learning rate moves before the run ends", f.lrDecayFrom, f.epochs, f.epochs-1)
		}
		lrFinal = 0
		s.notes = append(s.notes, fmt.Sprintf("-recipe %s decays the learning rate from epoch %d (-lr-decay-from), beyond -epochs %d: it stays at -lr %v", f.recipe, f.lrDecayFrom, f.epochs, f.lr))
	}
	if f.given["momentum-epochs"] && (f.momentumEpochs < 1 || f.momentumEpochs >= f.epochs) {
		return fmt.Errorf("-momentum-epochs %d with -epochs %d: use 1 to %d, so that -momentum is reached before the run ends", f.momentumEpochs, f.epochs, f.epochs-1)
	}
	if lrFinal != 0 {
		shape, err := train.ParseShape(f.lrDecay)
		if err != nil {
			return fmt.Errorf("-lr-decay %q: use linear, geometric or step", f.lrDecay)
		}
		c.LearnRate = train.Schedule{Start: f.lr, End: lrFinal, From: f.lrDecayFrom, Shape: shape}
	}
	if f.momentum != 0 {
		c.Momentum = train.Constant(f.momentum)
		if f.given["momentum-initial"] {
			c.Momentum = train.Schedule{Start: f.momentumIni, End: f.momentum, From: f.momentumEpochs, Shape: train.ShapeStep}
		}
	}
	c.WeightDecay = f.weightDecay
	c.Centered = f.centered
	if f.centered {
		c.OffsetRate = f.offsetRate
	}
	switch f.initVBias {
	case "zero":
	case "data":
		s.init.VisibleBias = true
	default:
		return fmt.Errorf("-init-vbias %q: use zero or data", f.initVBias)
	}
	s.init.Centered = f.centered
	if err := c.Validate(); err != nil {
		return f.settingError(err)
	}
	// Weight decay alone moves W by −lr·wd·W a step (with momentum μ, a
	// heavy ball on the quadratic ½·wd·‖W‖²): W grows without bound once
	// lr·wd reaches 2·(1+μ), whatever the data does.
	lrMax, muMin := f.lr, 0.0
	if c.LearnRate.Set() {
		lrMax = c.LearnRate.Max()
	}
	if c.Momentum.Set() {
		muMin = c.Momentum.Min()
	}
	if limit := 2 * (1 + muMin) / lrMax; c.WeightDecay >= limit {
		return fmt.Errorf("-weight-decay %v with a learning rate of %v: the decay alone makes W grow without bound from lr·wd = %v on; use less than %.3g", c.WeightDecay, lrMax, 2*(1+muMin), limit)
	}
	return nil
}

// checkReport checks the flags of the report and sets s.report.
func (f Flags) checkReport(s *settings) error {
	r := &s.report
	r.eval, r.ais, r.aisBetas, r.aisChains, r.raiseImages = f.eval, f.ais, f.aisBetas, f.aisChains, f.raiseImages
	r.samples = evaluate.SampleOptions{Chains: f.sampleChains, Steps: f.sampleSteps, Every: f.sampleEach, FromTest: f.sampleFrom == "test"}
	if !f.ais {
		for _, name := range []string{"ais-betas", "ais-chains", "raise-images"} {
			if f.given[name] {
				return fmt.Errorf("-%s without -ais: it sets up the AIS estimate; add -ais, or drop -%s", name, name)
			}
		}
	}
	switch {
	case f.aisBetas != 0 && (f.aisBetas < 4 || f.aisBetas > metrics.MaxBetas):
		return fmt.Errorf("-ais-betas %d: use 0 (the paper's schedule) or 4 to %d", f.aisBetas, metrics.MaxBetas)
	case f.aisChains < 2 || f.aisChains > metrics.MaxChains:
		return fmt.Errorf("-ais-chains %d: use 2 to %d (the bounds need a variance)", f.aisChains, metrics.MaxChains)
	case f.raiseImages < 2 || f.raiseImages > mnistTestImages:
		return fmt.Errorf("-raise-images %d: use 2 to %d, the test set's images (the standard error needs two)", f.raiseImages, mnistTestImages)
	case f.sampleChains < 1 || f.sampleChains > metrics.MaxChains:
		return fmt.Errorf("-sample-chains %d: use 1 to %d", f.sampleChains, metrics.MaxChains)
	case f.sampleSteps < 1 || f.sampleSteps > maxChainSteps/f.sampleChains:
		return fmt.Errorf("-sample-steps %d with -sample-chains %d: use 1 to %d (at most %d chain steps in all)", f.sampleSteps, f.sampleChains, maxChainSteps/f.sampleChains, maxChainSteps)
	case f.sampleEach < 1 || f.sampleEach > f.sampleSteps:
		return fmt.Errorf("-sample-every %d: use 1 to -sample-steps (%d)", f.sampleEach, f.sampleSteps)
	case f.sampleFrom != "noise" && f.sampleFrom != "test":
		return fmt.Errorf("-sample-from %q: use noise or test", f.sampleFrom)
	case r.samples.Frames() > metrics.MaxSampleValues/(f.sampleChains*train.Pixels):
		return fmt.Errorf("-sample-chains %d with %d snapshots (-sample-steps/-sample-every): more than %d values; take fewer snapshots or chains", f.sampleChains, r.samples.Frames(), metrics.MaxSampleValues)
	}
	if err := f.checkClassify(r); err != nil {
		return err
	}
	return f.checkComplete(r)
}

// checkClassify checks the flags of -classify and sets r's.
func (f Flags) checkClassify(r *reporting) error {
	if !f.classify {
		for _, name := range []string{"classify-input", "classify-epochs"} {
			if f.given[name] {
				return fmt.Errorf("-%s without -classify: it sets up the classifier; add -classify, or drop -%s", name, name)
			}
		}
	}
	in, err := evaluate.ParseInput(f.classifyInput)
	if err != nil {
		return fmt.Errorf("-classify-input %q: use binarized, once or grey", f.classifyInput)
	}
	if f.classifyEpochs < 1 || f.classifyEpochs > maxClassifyEpochs {
		return fmt.Errorf("-classify-epochs %d: use 1 to %d", f.classifyEpochs, maxClassifyEpochs)
	}
	opt := classify.DefaultOptions()
	opt.Epochs = f.classifyEpochs
	r.classify, r.classifier = f.classify, evaluate.ClassifyOptions{Input: in, Classifier: opt}
	return nil
}

// checkComplete checks the flags of -complete and sets r's.
func (f Flags) checkComplete(r *reporting) error {
	if !f.complete {
		for _, name := range []string{"complete-mask", "complete-given", "complete-images", "complete-steps"} {
			if f.given[name] {
				return fmt.Errorf("-%s without -complete: it sets up the completion; add -complete, or drop -%s", name, name)
			}
		}
	}
	mask, err := evaluate.ParseMask(f.completeMask)
	if err != nil {
		return fmt.Errorf("-complete-mask %q: use top or random", f.completeMask)
	}
	o := evaluate.CompleteOptions{Mask: mask, Given: f.completeGiven, Images: f.completeImages, Steps: f.completeSteps}
	n, of := o.Count()
	switch {
	case n < 0:
		return fmt.Errorf("-complete-given %v: use a fraction between 0 and 1 of the %d %s", f.completeGiven, of, o.Unit())
	case n == 0:
		return fmt.Errorf("-complete-given %v with -complete-mask %s gives no pixel (0 of the %d %s): nothing to complete from; give at least %.3g", f.completeGiven, mask, of, o.Unit(), 0.5/float64(of))
	case n == of:
		return fmt.Errorf("-complete-given %v with -complete-mask %s gives every pixel (all %d %s): nothing to complete; give at most %.3g", f.completeGiven, mask, of, o.Unit(), 1-0.5/float64(of))
	case f.completeImages < 1 || f.completeImages > mnistTestImages:
		return fmt.Errorf("-complete-images %d: use 1 to %d, the test set's images", f.completeImages, mnistTestImages)
	case f.completeSteps < 1 || f.completeSteps > maxChainSteps/f.completeImages:
		return fmt.Errorf("-complete-steps %d with -complete-images %d: use 1 to %d (at most %d image steps in all)", f.completeSteps, f.completeImages, maxChainSteps/f.completeImages, maxChainSteps)
	}
	r.complete, r.completion = f.complete, o
	return nil
}

// flagOf names the flag of a train.Config field.
func (f Flags) flagOf(field string) string {
	switch field {
	case "Momentum.Start":
		if f.given["momentum-initial"] {
			return "-momentum-initial"
		}
		return "-momentum"
	case "Epochs":
		return "-epochs"
	case "BatchSize":
		return "-batch"
	case "K":
		return "-k"
	case "Persistent":
		return "-pcd"
	case "Chains":
		return "-chains"
	case "WeightDecay":
		return "-weight-decay"
	case "Centered":
		return "-centered"
	case "OffsetRate":
		return "-offset-rate"
	case "LearnRate.Start":
		return "-lr"
	case "LearnRate.End":
		return "-lr-final"
	case "LearnRate.From":
		return "-lr-decay-from"
	case "LearnRate.Shape":
		return "-lr-decay"
	case "Momentum.End", "Momentum.Shape":
		return "-momentum"
	case "Momentum.From":
		return "-momentum-epochs"
	}
	return "Config." + field
}

// settingError turns a *train.SettingError into a message about the
// flags; other errors pass as they are.
func (f Flags) settingError(err error) error {
	var se *train.SettingError
	if !errors.As(err, &se) {
		return err
	}
	name := f.flagOf(se.Field)
	if se.Needs != "" {
		needs := f.flagOf(se.Needs)
		return fmt.Errorf("%s %v without %s: add %s, or drop %s", name, se.Value, needs, needs, name)
	}
	return fmt.Errorf("%s %v: use %s", name, se.Value, se.Use)
}

// need returns the sizes a run of s allocates for, on files of trainFile
// training and test test images (those it reads).
func (s settings) need(trainFile, test int) need {
	r := s.report
	evalData, _ := r.needsTest()
	if reads, _ := r.needsTrain(); s.epochs == 0 && !reads {
		trainFile = 0 // not read
	}
	if !evalData {
		test = 0
	}
	images := trainFile
	if s.limit > 0 && s.limit < trainFile {
		images = s.limit
	}
	c := s.config
	n := need{trainFile: trainFile, images: images, test: test, hidden: s.hidden, training: s.epochs > 0,
		batch: c.BatchSize, k: c.K, pcd: c.Persistent, chains: c.Chains, evalData: evalData,
		ais: r.ais, aisChains: r.aisChains, raiseImages: r.raiseImages, aisBetas: r.aisBetas,
		sampleChains: r.samples.Chains, sampleFrames: r.samples.Frames(), classify: r.classify}
	if r.complete {
		n.completeImages = r.completion.Images
	}
	return n
}
