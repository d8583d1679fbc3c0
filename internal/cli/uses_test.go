package cli

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorbm.dev/gorbm/evaluate"
	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/train"
)

// The tests of -classify and -complete (issue 21): what a trained model is
// good for, from the command, after training and on a saved model, with
// every bad value refused before any work.

// usesArgs are the cheap settings of -classify and -complete: 2 epochs of
// the classifier, 20 test images completed in 5 steps.
var usesArgs = []string{"-classify", "-classify-epochs", "2", "-complete", "-complete-images", "20", "-complete-steps", "5"}

// loadedArgs are the flags of an evaluation of the model saved in dir into
// out, on the training images of a run of testArgs with -limit limit.
func loadedArgs(dir, out string, limit int, extra ...string) []string {
	return append([]string{"-load", dir, "-epochs", "0", "-seed", "7", "-data", testData, "-out", out, "-limit", fmt.Sprint(limit),
		"-sample-steps", "20", "-sample-every", "5"}, extra...)
}

// usesRecord is what metrics.json says of -classify and -complete.
type usesRecord struct {
	Classification *classification      `json:"classification"`
	Completion     *evaluate.Completion `json:"completion"`
	Settings       identity             `json:"settings"`
	Finished       bool                 `json:"finished"`
}

// withoutTimes returns r with its times zeroed: all that may differ between
// two runs of the same model.
func withoutTimes(r usesRecord) usesRecord {
	if c := r.Classification; c != nil {
		raw, f := *c.RawPixels, *c.Features
		raw.Seconds, raw.InputSeconds, f.Seconds, f.InputSeconds = 0, 0, 0, 0
		r.Classification = &classification{&raw, &f}
	}
	if c := r.Completion; c != nil {
		cc := *c
		cc.Seconds = 0
		r.Completion = &cc
	}
	return r
}

// TestClassifyCompleteLoaded trains a tiny model with -classify and
// -complete, then runs both on the saved model with -load DIR -epochs 0:
// the records, the printed lines and RBM_completion.png must be the
// training run's. A rerun without -complete leaves no RBM_completion.png
// of the older set beside its outputs; a training run with -classify alone
// keeps the training images for it.
func TestClassifyCompleteLoaded(t *testing.T) {
	const limit = 64
	trained := filepath.Join(t.TempDir(), "trained")
	stdout, stderr, code := cliRun(t, testArgs(trained, append([]string{"-epochs", "1", "-limit", fmt.Sprint(limit)}, usesArgs...)...)...)
	if code != 0 {
		t.Fatalf("training with -classify -complete: status %d: %s", code, stderr)
	}
	for _, want := range []string{"classification (softmax, 2 epochs of Adam on 64 training images; images binarized afresh each epoch", "raw pixels (784)", "p(h|v) (50)",
		"completion of 20 test images given their top 14 rows, 5 Gibbs steps", "base-rate model", "this model"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the training run printed %q, without %q", stdout, want)
		}
	}
	want := snapshot(t, trained)
	var rec usesRecord
	decode(t, want[fileMetrics], &rec)
	c, k := rec.Classification, rec.Completion
	switch {
	case c == nil || c.RawPixels == nil || c.Features == nil || k == nil:
		t.Fatalf("metrics.json: %s, want a classification and a completion", want[fileMetrics])
	case c.RawPixels.Inputs != train.Pixels || c.Features.Inputs != 50 || c.Features.TrainImages != limit || c.Features.Images != testImages ||
		c.RawPixels.Features || !c.Features.Features || c.Features.Input != "binarized" || c.Features.TestBinarizations != evaluate.TestBinarizations:
		t.Errorf("classification %+v and %+v: want 784 raw and 50 features, binarized, 64 training and 100 test images", *c.RawPixels, *c.Features)
	case !(c.RawPixels.Accuracy > 0.1 && c.RawPixels.Accuracy <= 1) || !(c.Features.Accuracy >= 0 && c.Features.Accuracy <= 1):
		t.Errorf("accuracies %v and %v: want the raw pixels' above chance, both at most 1", c.RawPixels.Accuracy, c.Features.Accuracy)
	case k.Images != 20 || k.Steps != 5 || k.Given != 14 || k.GivenPixels != 392 || k.MissingPixels != 20*392 || k.Mask != "top" ||
		!(k.BaseRate.MostProbable > 0.5 && k.Model.Sampled > 0 && k.Model.Sampled <= 1):
		t.Errorf("completion %+v: want 20 images given their top 14 rows, plausible scores", *k)
	}
	if test := imagesChecksum(mustLoad(t, train.TestImages, train.TestLabels)); rec.Settings["test"] != test {
		t.Errorf("metrics.json's settings %v: want the test images' checksum %s, which the numbers depend on", rec.Settings, test)
	}
	if w, h := pngSize(t, filepath.Join(trained, fileCompletion)); w != evaluate.PictureImages*30+2 || h != 3*30+2 {
		t.Errorf("%s is %d×%d, want %d×%d", fileCompletion, w, h, evaluate.PictureImages*30+2, 3*30+2)
	}

	out := filepath.Join(t.TempDir(), "loaded")
	loadedOut, stderr, code := cliRun(t, loadedArgs(trained, out, limit, usesArgs...)...)
	if code != 0 {
		t.Fatalf("-load -epochs 0 -classify -complete: status %d: %s", code, stderr)
	}
	got := snapshot(t, out)
	var loaded usesRecord
	decode(t, got[fileMetrics], &loaded)
	a, b := withoutTimes(loaded), withoutTimes(rec)
	if ja, jb := fmt.Sprint(*a.Classification.RawPixels, *a.Classification.Features, *a.Completion), fmt.Sprint(*b.Classification.RawPixels, *b.Classification.Features, *b.Completion); ja != jb || !loaded.Finished {
		t.Errorf("the saved model's records\n%s\ndiffer from the training run's\n%s", ja, jb)
	}
	if got[fileCompletion] != want[fileCompletion] {
		t.Errorf("%s differs from the training run's", fileCompletion)
	}
	printed := func(s string) string { // the lines of -classify and -complete, without their times
		var keep []string
		for _, l := range strings.Split(s, "\n") {
			if !strings.HasPrefix(l, "Training loss") {
				keep = append(keep, strings.Split(l, " (")[0])
			}
		}
		return strings.Join(keep, "\n")
	}
	if printed(loadedOut) != printed(stdout) {
		t.Errorf("the saved model's run printed\n%s\nthe training run\n%s", loadedOut, stdout)
	}
	for _, name := range trainingOutputs {
		if _, ok := got[name]; ok {
			t.Errorf("%s written without training", name)
		}
	}

	if _, stderr, code := cliRun(t, loadedArgs(trained, out, limit, "-classify", "-classify-epochs", "1")...); code != 0 {
		t.Fatalf("a rerun without -complete: status %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, fileCompletion)); err == nil {
		t.Errorf("the older set's %s stands beside the new outputs", fileCompletion)
	}

	alone := filepath.Join(t.TempDir(), "alone")
	if _, stderr, code := cliRun(t, testArgs(alone, "-epochs", "1", "-limit", fmt.Sprint(limit), "-classify", "-classify-epochs", "1")...); code != 0 {
		t.Errorf("training with -classify alone: status %d: %s", code, stderr)
	}
}

// TestUsesInterrupted: a run stopped in its classification writes what is
// done (the completion) and says the classification was not made; a rerun
// stopped there keeps the finished set of outputs it would replace.
func TestUsesInterrupted(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "hostile", "load-valid") // 2 hidden units
	out := t.TempDir()
	_, stderr, code := runStoppedAt(t, hookClassify, loadedArgs(dir, out, 64, usesArgs...)...)
	checkFailure(t, stderr, code, exitInterrupted, "interrupted: the classification not made")
	files := snapshot(t, out)
	var rec usesRecord
	decode(t, files[fileMetrics], &rec)
	if _, ok := files[fileCompletion]; !ok || rec.Completion == nil || rec.Classification != nil || rec.Finished {
		t.Errorf("written: %s, a record of %+v: want the completion, no classification, not finished", names(sortedKeys(files)), rec)
	}

	if _, stderr, code := cliRun(t, loadedArgs(dir, out, 64, usesArgs...)...); code != 0 {
		t.Fatalf("status %d: %s", code, stderr)
	}
	before := snapshot(t, out)
	_, stderr, code = runStoppedAt(t, hookClassify, loadedArgs(dir, out, 64, append(usesArgs, "-complete-mask", "random")...)...)
	checkFailure(t, stderr, code, exitInterrupted, "keeps the outputs it had")
	sameSnapshot(t, "-out", before, snapshot(t, out))
}

// TestUsesCheckedFirst covers issue 21's bad input and the new flags'
// values: each is refused before any work, in one line naming the flag or
// file, with nothing written.
func TestUsesCheckedFirst(t *testing.T) {
	valid := filepath.Join("..", "..", "testdata", "hostile", "load-valid")
	load := []string{"-load", valid, "-epochs", "0", "-seed", "7", "-data", testData}
	with := func(extra ...string) []string { return append(append([]string{}, load...), extra...) }
	// otherShape saves a model of 10 visible units.
	otherShape := func(t *testing.T, out string) []string {
		m, err := graph.FromParams(10, 2, make([]float32, 20), make([]float32, 10), make([]float32, 2))
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if err := train.SaveParams(dir, m); err != nil {
			t.Fatal(err)
		}
		return []string{"-load", dir}
	}
	missing := func(t *testing.T, out string) []string {
		dir := t.TempDir()
		copyDir(t, valid, dir)
		os.Remove(filepath.Join(dir, train.FileHBias))
		return []string{"-load", dir}
	}
	notDigit := func(t *testing.T, out string) []string {
		d := filepath.Join(t.TempDir(), "data")
		copyDir(t, testData, d)
		if err := setLabel(filepath.Join(d, train.TrainLabels), 3, 12); err != nil {
			t.Fatal(err)
		}
		return []string{"-data", d}
	}
	runHostile(t, []hostileCase{
		{name: "a model of another shape", alone: true, args: []string{"-epochs", "0", "-data", testData, "-classify", "-complete"}, setup: otherShape, code: 1,
			wants: []string{"10 visible units", "784"}},
		{name: "a missing parameter file", alone: true, args: []string{"-epochs", "0", "-data", testData, "-complete"}, setup: missing, code: 1,
			wants: []string{train.FileHBias, "-load"}},
		{name: "an empty mask", alone: true, args: with("-complete", "-complete-given", "0"), code: 2, wants: []string{"-complete-given 0", "no pixel"}},
		{name: "a mask of less than a row", alone: true, args: with("-complete", "-complete-given", "0.01"), code: 2, wants: []string{"-complete-given 0.01", "no pixel", "0 of the 28 rows"}},
		{name: "a mask of every row", alone: true, args: with("-complete", "-complete-given", "1"), code: 2, wants: []string{"-complete-given 1", "every pixel"}},
		{name: "a random mask of every pixel", alone: true, args: with("-complete", "-complete-mask", "random", "-complete-given", "0.9995"), code: 2,
			wants: []string{"-complete-given 0.9995", "every pixel", "784 pixels"}},
		{name: "a fraction that is not one", alone: true, args: with("-complete", "-complete-given", "NaN"), code: 2, wants: []string{"-complete-given NaN"}},
		{name: "another mask", alone: true, args: with("-complete", "-complete-mask", "left"), code: 2, wants: []string{`-complete-mask "left"`, "top or random"}},
		{name: "more images than the test set", alone: true, args: with("-complete", "-complete-images", "101"), code: 1, wants: []string{"-complete-images 101", "100 images"}},
		{name: "more images than MNIST's test set", alone: true, args: with("-complete", "-complete-images", "20000"), code: 2, wants: []string{"-complete-images 20000"}},
		{name: "steps beyond the bound", alone: true, args: with("-complete", "-complete-steps", "20000"), code: 2, wants: []string{"-complete-steps 20000", "image steps"}},
		{name: "no steps", alone: true, args: with("-complete", "-complete-steps", "0"), code: 2, wants: []string{"-complete-steps 0"}},
		{name: "a mask without -complete", alone: true, args: with("-complete-mask", "random"), code: 2, wants: []string{"-complete-mask without -complete"}},
		{name: "an input without -classify", alone: true, args: with("-classify-input", "grey"), code: 2, wants: []string{"-classify-input without -classify"}},
		{name: "another input", alone: true, args: with("-classify", "-classify-input", "colour"), code: 2, wants: []string{`-classify-input "colour"`}},
		{name: "no classifier epochs", alone: true, args: with("-classify", "-classify-epochs", "0"), code: 2, wants: []string{"-classify-epochs 0"}},
		{name: "classifier epochs beyond the bound", alone: true, args: with("-classify", "-classify-epochs", "100000"), code: 2, wants: []string{"-classify-epochs 100000"}},
		{name: "a label that is not a digit", alone: true, args: with("-classify"), setup: notDigit, code: 1, wants: []string{"-classify", train.TrainLabels, "label 12 of image 3"}},
		{name: "a label that is not a digit, before training", args: []string{"-classify"}, setup: notDigit, code: 1, wants: []string{"label 12 of image 3"}},
	})
}

// mustLoad reads the small MNIST's images and labels.
func mustLoad(t *testing.T, images, labels string) *train.Dataset {
	t.Helper()
	d, err := train.LoadSet(filepath.Join(testData, images), filepath.Join(testData, labels))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// setLabel sets label i of the gzip'd IDX label file path to l.
func setLabel(path string, i int, l byte) error {
	return editGzip(path, func(data []byte) { data[8+i] = l })
}

// TestUsesMemory: the memory estimate counts the classifier's inputs and
// the completions: a model whose features of the 70,000 images do not fit
// is refused naming -classify, and no product overflows.
func TestUsesMemory(t *testing.T) {
	const gb = 1e9
	limit := MemoryLimit{gb, "a test's"}
	p := testPlan(t, t.TempDir(), "-hidden", "500", "-limit", "0", "-classify", "-complete", "-complete-images", "100")
	n := p.need(mnistTrainImages, mnistTestImages)
	n.completeImages = mnistTestImages
	if err := n.check(limit); err != nil {
		t.Errorf("-classify -complete of the default model does not fit in 1 GB: %v", err)
	}
	without := n
	without.classify, without.completeImages = false, 0
	if grew := n.total() - without.total(); grew < 4*70000*(784+500) {
		t.Errorf("-classify and -complete add %d bytes to the estimate, less than the classifier's inputs", grew)
	}
	n.hidden = 5000
	if err := n.check(limit); err == nil || !strings.Contains(err.Error(), "-classify") {
		t.Errorf("the features of 5,000 hidden units in 1 GB: error %v, want one naming -classify", err)
	}
	n = need{trainFile: math.MaxInt, images: math.MaxInt, test: math.MaxInt, hidden: math.MaxInt, classify: true, completeImages: math.MaxInt}
	counted := 0
	for _, c := range n.costs() {
		if strings.HasPrefix(c.flags, "-classify") || strings.HasPrefix(c.flags, "-complete") {
			counted++
			if c.bytes < gb {
				t.Errorf("%s at the largest ints: %d bytes (an overflow)", c.flags, c.bytes)
			}
		}
	}
	if counted != 2 {
		t.Errorf("%d costs of -classify and -complete, want 2", counted)
	}
}
