package evaluate

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"gorbm.dev/gorbm/classify"
	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/internal/enum"
	"gorbm.dev/gorbm/internal/f32"
	"gorbm.dev/gorbm/internal/rng"
	"gorbm.dev/gorbm/metrics"
	"gorbm.dev/gorbm/train"
)

// Digits is the number of MNIST's classes.
const Digits = 10

// Input is what the classifier reads of an image.
type Input int

const (
	// Binarized images, as the RBM sees them: the training images are
	// binarized afresh at every epoch (data augmentation), and a test
	// image is classified by the mean of its inputs over
	// TestBinarizations binarizations (for a linear classifier, the mean
	// of their logits).
	Binarized Input = iota
	// Once: every image binarized once.
	Once
	// Grey: the intensities pixel/255, never binarized (for p(h|v), the
	// mean-field input).
	Grey
)

// TestBinarizations is the number of binarizations of a test image whose
// inputs Binarized averages: chosen on a validation split, where 4, 10
// and 20 tie (docs/uses.md).
const TestBinarizations = 10

// maxBinarizations bounds ClassifyOptions.Binarizations.
const maxBinarizations = 1000

var inputNames = []string{Binarized: "binarized", Once: "once", Grey: "grey"}

func (in Input) String() string { return enum.Name(inputNames, in, "Input") }

// ParseInput returns the Input named s: binarized, once or grey.
func ParseInput(s string) (Input, error) {
	if in, ok := enum.Parse[Input](inputNames, s); ok {
		return in, nil
	}
	return 0, fmt.Errorf("evaluate: input %q: use %s", s, enum.Choices(inputNames))
}

// ClassifyOptions set up Classify.
type ClassifyOptions struct {
	Input Input
	// Classifier is the softmax classifier's training
	// (classify.DefaultOptions); Classify sets its Classes, OnEpoch and
	// Refresh.
	Classifier classify.Options
	// Binarizations is the number of binarizations of a test image whose
	// inputs Binarized averages (0: TestBinarizations).
	Binarizations int
	// Validate, if positive, holds out the last Validate training images:
	// the classifier learns from the others and is measured on these
	// instead of the test set (for tuning).
	Validate int
	Progress metrics.Progress
	Now      func() time.Time // the clock of the record's times (nil: time.Now)
}

// Classified is the result of Classify as metrics.json records it.
type Classified struct {
	Features          bool    `json:"features"`           // p(h|v) of the model's hidden units, or the raw pixels
	Inputs            int     `json:"inputs"`             // values per image: the pixels or the hidden units
	Input             string  `json:"input"`              // binarized, once or grey
	TestBinarizations int     `json:"test_binarizations"` // averaged per measured image (1 but for binarized)
	Epochs            int     `json:"epochs"`
	TrainImages       int     `json:"train_images"`
	MeasuredOn        string  `json:"measured_on"` // test, or validation (the last training images)
	Images            int     `json:"images"`      // measured on
	Accuracy          float64 `json:"accuracy"`
	InputSeconds      float64 `json:"input_seconds"` // binarizing and computing the features, every epoch's included
	Seconds           float64 `json:"seconds"`       // in all
}

// Classify trains a softmax classifier (package classify) on the training
// images, as o.Input says, described by m's hidden probabilities p(h|v)
// or, for a nil m, by their raw pixels, and measures its accuracy on the
// test images. Its draws come from the streams rng.ClassifyData (the
// binarizations: the training images' first epoch, then the test images',
// then each later epoch's) and rng.Classify (the classifier's shuffles),
// restarted at each call, so the raw pixels and every model see the same
// images in the same order. When ctx is cancelled it stops after the
// current epoch and returns an error wrapping ctx.Err().
func (d *Data) Classify(ctx context.Context, m *graph.Model, o ClassifyOptions) (*Classified, error) {
	trainSet, testSet := d.trainSet, d.testSet
	if trainSet == nil || testSet == nil {
		return nil, errors.New("evaluate: classification needs the training and the test images")
	}
	values := train.Pixels
	if m != nil {
		if m.Visible() != train.Pixels {
			return nil, fmt.Errorf("evaluate: a model of %d visible units classifying images of %d pixels: %w", m.Visible(), train.Pixels, graph.ErrShape)
		}
		values = m.Hidden()
	}
	if o.Input < Binarized || o.Input > Grey {
		return nil, fmt.Errorf("evaluate: %v: use Binarized, Once or Grey", o.Input)
	}
	if o.Binarizations < 0 || o.Binarizations > maxBinarizations {
		return nil, fmt.Errorf("evaluate: %d test binarizations: use 0 (%d) to %d", o.Binarizations, TestBinarizations, maxBinarizations)
	}
	opt := o.Classifier
	opt.Classes = Digits
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	rec := &Classified{Features: m != nil, Inputs: values, Input: o.Input.String(), TestBinarizations: 1, Epochs: opt.Epochs, MeasuredOn: "test"}
	if o.Validate != 0 {
		if o.Validate < 0 || o.Validate >= trainSet.N {
			return nil, fmt.Errorf("evaluate: %d validation images of %d training images: use 1 to %d", o.Validate, trainSet.N, trainSet.N-1)
		}
		n := trainSet.N - o.Validate
		testSet = &train.Dataset{Images: trainSet.Images[n*train.Pixels : trainSet.N*train.Pixels], Labels: trainSet.Labels[n:trainSet.N], N: o.Validate}
		trainSet = trainSet.Head(n)
		rec.MeasuredOn = "validation"
	}
	for _, set := range []*train.Dataset{trainSet, testSet} {
		if err := CheckLabels(set); err != nil {
			return nil, err
		}
	}
	rec.TrainImages, rec.Images = trainSet.N, testSet.N
	now := o.Now
	if now == nil {
		now = time.Now
	}
	start := now()
	var inputTime time.Duration
	in := inputs{m: m, input: o.Input, src: rand.New(rng.NewStream(d.Seed, rng.ClassifyData))}
	timed := func(dst []float32, set *train.Dataset, binarizations int) {
		t := now()
		in.rows(dst, set, binarizations)
		inputTime += now().Sub(t)
	}
	x := make([]float32, trainSet.N*values)
	timed(x, trainSet, 1)
	test := make([]float32, testSet.N*values)
	if o.Input == Binarized {
		rec.TestBinarizations = TestBinarizations
		if o.Binarizations != 0 {
			rec.TestBinarizations = o.Binarizations
		}
	}
	timed(test, testSet, rec.TestBinarizations)

	phase := "classifier on the raw pixels"
	if m != nil {
		phase = "classifier on p(h|v)"
	}
	opt.OnEpoch = func(e int, _ float64) {
		if o.Progress != nil {
			o.Progress(phase, e+1, opt.Epochs)
		}
	}
	opt.Refresh = func(e int) ([]float32, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if e > 0 && o.Input == Binarized {
			timed(x, trainSet, 1)
		}
		return x, nil
	}
	c, err := classify.Train(x, trainSet.Labels[:trainSet.N], trainSet.N, values, opt, rand.New(rng.NewStream(d.Seed, rng.Classify)))
	if err != nil {
		return nil, err
	}
	if rec.Accuracy, err = c.Accuracy(test, testSet.Labels[:testSet.N], testSet.N); err != nil {
		return nil, err
	}
	rec.InputSeconds, rec.Seconds = inputTime.Seconds(), now().Sub(start).Seconds()
	return rec, nil
}

// CheckLabels checks that every label of set is a digit, 0 to 9.
func CheckLabels(set *train.Dataset) error {
	for i, l := range set.Labels[:set.N] {
		if l >= Digits {
			return fmt.Errorf("label %d of image %d is not a digit 0 to 9: restore the MNIST file", l, i)
		}
	}
	return nil
}

// inputChunk is the number of images inputs.rows describes at once, so
// that its scratch stays a few MB.
const inputChunk = 1000

// inputs describes images as a classifier reads them: binarized with src
// (or grey), then by m's p(h|v) if m is not nil.
type inputs struct {
	m     *graph.Model
	input Input
	src   *rand.Rand

	pixels, features []float32 // a chunk's scratch
}

// rows sets dst to the inputs of set's images (set.N rows), each the mean
// over binarizations binarizations (drawn chunk by chunk, each chunk's
// binarizations in turn) of one binarized image's inputs.
func (in *inputs) rows(dst []float32, set *train.Dataset, binarizations int) {
	values := len(dst) / max(set.N, 1)
	for lo := 0; lo < set.N; lo += inputChunk {
		n := min(inputChunk, set.N-lo)
		out := dst[lo*values : (lo+n)*values]
		pixels := set.Images[lo*train.Pixels : (lo+n)*train.Pixels]
		for b := 0; b < binarizations; b++ {
			x := in.describe(pixels, n)
			if b == 0 {
				copy(out, x)
				continue
			}
			for i, v := range x {
				out[i] += v
			}
		}
		if binarizations > 1 {
			for i := range out {
				out[i] /= float32(binarizations)
			}
		}
	}
}

// describe returns the inputs of n images of pixels, in the scratch.
func (in *inputs) describe(pixels []uint8, n int) []float32 {
	if cap(in.pixels) < len(pixels) {
		in.pixels = make([]float32, len(pixels))
	}
	v := in.pixels[:len(pixels)]
	if in.input == Grey {
		for i, p := range pixels {
			v[i] = f32.Intensity(p)
		}
	} else {
		train.Binarize(v, pixels, in.src)
	}
	if in.m == nil {
		return v
	}
	h := n * in.m.Hidden()
	if cap(in.features) < h {
		in.features = make([]float32, h)
	}
	in.m.HiddenProbabilities(in.features[:h], v, n)
	return in.features[:h]
}
