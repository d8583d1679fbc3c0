package evaluate

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"gorbm.dev/gorbm/classify"
	"gorbm.dev/gorbm/complete"
	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/internal/rng"
	"gorbm.dev/gorbm/train"
)

// blocks returns n images of digit-like classes: image i has label i%10
// and the pixels of band i%10 (rows 2l to 2l+1) on, at the value on, the
// rest off. With on = 255 every binarization of an image is the image.
func blocks(n int, on uint8) *train.Dataset {
	d := &train.Dataset{Images: make([]uint8, n*train.Pixels), Labels: make([]uint8, n), N: n}
	for i := 0; i < n; i++ {
		l := i % Digits
		d.Labels[i] = uint8(l)
		img := d.Image(i)
		for p := 2 * l * 28; p < (2*l+2)*28; p++ {
			img[p] = on
		}
	}
	return d
}

// smallModel is a seeded RBM of hidden units with weights of unit spread.
func smallModel(t *testing.T, hidden int) *graph.Model {
	t.Helper()
	src := rand.New(rand.NewPCG(3, 4))
	w := make([]float32, hidden*train.Pixels)
	for i := range w {
		w[i] = float32(src.NormFloat64())
	}
	m, err := graph.FromParams(train.Pixels, hidden, w, make([]float32, train.Pixels), make([]float32, hidden))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestClassifyInputs classifies images of 0 and 255 only, which every
// binarization leaves as they are: each of the three inputs must then give
// a perfect raw-pixel classifier; a cancelled context stops
// it, and a model of another shape, labels that are not digits and a
// validation split beyond the images are refused.
func TestClassifyInputs(t *testing.T) {
	set := blocks(200, 255)
	d, err := NewData(1, set, set)
	if err != nil {
		t.Fatal(err)
	}
	opt := ClassifyOptions{Classifier: classify.Options{Epochs: 3, BatchSize: 20, LearnRate: 0.05}}
	for _, in := range []Input{Binarized, Once, Grey} {
		opt.Input = in
		r, err := d.Classify(context.Background(), nil, opt)
		if err != nil {
			t.Fatal(err)
		}
		if r.Accuracy != 1 || r.Images != 200 || r.TrainImages != 200 || r.MeasuredOn != "test" || r.Input != in.String() {
			t.Errorf("%v: %+v, want a perfect classifier of 200 test images", in, r)
		}
		if want := map[Input]int{Binarized: TestBinarizations}[in]; r.TestBinarizations != max(want, 1) {
			t.Errorf("%v: %d test binarizations, want %d", in, r.TestBinarizations, max(want, 1))
		}
	}
	opt.Validate = 50
	r, err := d.Classify(context.Background(), smallModel(t, 5), opt)
	if err != nil {
		t.Fatal(err)
	}
	if r.MeasuredOn != "validation" || r.Images != 50 || r.TrainImages != 150 || r.Inputs != 5 || !r.Features {
		t.Errorf("a validation split: %+v, want 5 features, 150 training and 50 validation images", r)
	}
	opt.Validate = 0

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := d.Classify(ctx, nil, opt); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled classification: error %v, want context.Canceled", err)
	}
	other, err := graph.FromParams(10, 2, make([]float32, 20), make([]float32, 10), make([]float32, 2))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Classify(context.Background(), other, opt); !errors.Is(err, graph.ErrShape) {
		t.Errorf("a model of 10 visible units: error %v, want graph.ErrShape", err)
	}
	bad := blocks(20, 255)
	bad.Labels[7] = 10
	if bd, err := NewData(1, bad, bad); err != nil {
		t.Fatal(err)
	} else if _, err := bd.Classify(context.Background(), nil, opt); err == nil {
		t.Error("a label 10 accepted")
	}
	opt.Validate = 200
	if _, err := d.Classify(context.Background(), nil, opt); err == nil {
		t.Error("a validation split of every training image accepted")
	}
}

// featureTol bounds the difference between the mean of k identical
// float32 values and the value: k float32 additions and a division.
const featureTol = 1e-6

// TestInputRows checks the inputs chunk by chunk against classify.Features
// on the whole set (grey images, more than a chunk of them), and that the
// mean over binarizations of an image of 0 and 255 only is the image.
func TestInputRows(t *testing.T) {
	set := blocks(inputChunk+7, 200)
	m := smallModel(t, 3)
	got := make([]float32, set.N*3)
	(&inputs{m: m, input: Grey}).rows(got, set, 1)
	want, err := classify.Features(m, set.Intensities(), set.N)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Error("the grey inputs differ from classify.Features of the intensities")
	}
	sharp := blocks(30, 255)
	got = make([]float32, sharp.N*3)
	(&inputs{m: m, input: Binarized, src: rand.New(rand.NewPCG(1, 2))}).rows(got, sharp, TestBinarizations)
	want, err = classify.Features(m, sharp.Intensities(), sharp.N)
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if d := got[i] - want[i]; d > featureTol || d < -featureTol {
			t.Fatalf("feature %d: the mean over %d binarizations is %v, the image's %v", i, TestBinarizations, got[i], want[i])
		}
	}
}

// TestComplete checks Complete against complete.Complete in one call over
// more than a chunk of images (the same draws), the masks' counts, and
// its refusals: a mask that gives nothing or everything, more images
// than the test set, no training images, a cancelled context.
func TestComplete(t *testing.T) {
	set := blocks(complete.ChunkRows+3, 255)
	d, err := NewData(2, set, set)
	if err != nil {
		t.Fatal(err)
	}
	m := smallModel(t, 4)
	o := CompleteOptions{Mask: Top, Given: 0.5, Images: set.N, Steps: 2}
	rec, img, err := d.Complete(context.Background(), m, o)
	if err != nil {
		t.Fatal(err)
	}
	given := complete.TopHalf(28, 28)
	whole, err := complete.Complete(m, d.Test, set.N, given, 2, rng.New(2, rng.Complete))
	if err != nil {
		t.Fatal(err)
	}
	s, err := whole.Score(d.Test, given)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Model != (CompletionScore{s.Sampled, s.MostProbable}) || rec.MissingPixels != s.Pixels {
		t.Errorf("chunk by chunk: %+v, in one call: %+v", rec.Model, s)
	}
	if rec.Given != 14 || rec.GivenPixels != 392 || rec.Images != set.N || rec.Mask != "top" {
		t.Errorf("record %+v: want the top 14 rows, 392 pixels", rec)
	}
	if b := img.Bounds(); b.Dx() != PictureImages*30+2 || b.Dy() != 3*30+2 {
		t.Errorf("picture %v, want %d×%d", b, PictureImages*30+2, 3*30+2)
	}
	o.Mask, o.Given, o.Images = Random, 0.25, 10
	if rec, _, err = d.Complete(context.Background(), m, o); err != nil || rec.Given != 196 || rec.GivenPixels != 196 {
		t.Errorf("a random quarter: %+v, %v; want 196 pixels", rec, err)
	}
	for _, tc := range []struct {
		name string
		o    CompleteOptions
		want error
	}{
		{"nothing given", CompleteOptions{Mask: Top, Given: 0.01, Images: 1, Steps: 1}, complete.ErrMask},
		{"everything given", CompleteOptions{Mask: Random, Given: 1, Images: 1, Steps: 1}, complete.ErrMask},
		{"more images than the test set", CompleteOptions{Mask: Top, Given: 0.5, Images: set.N + 1, Steps: 1}, nil},
		{"a fraction above 1", CompleteOptions{Mask: Top, Given: 1.5, Images: 1, Steps: 1}, nil},
	} {
		if _, _, err := d.Complete(context.Background(), m, tc.o); err == nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: error %v, want one (%v)", tc.name, err, tc.want)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := d.Complete(ctx, m, CompleteOptions{Mask: Top, Given: 0.5, Images: 1, Steps: 1}); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled completion: error %v, want context.Canceled", err)
	}
	testOnly, err := NewData(2, set, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := testOnly.Complete(context.Background(), m, CompleteOptions{Mask: Top, Given: 0.5, Images: 1, Steps: 1}); err == nil {
		t.Error("a completion without training images for the base-rate model")
	}
}
