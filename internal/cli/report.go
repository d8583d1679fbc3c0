package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"strings"

	"gorbm.dev/gorbm/classify"
	"gorbm.dev/gorbm/evaluate"
	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/internal/atomicfile"
	"gorbm.dev/gorbm/metrics"
	"gorbm.dev/gorbm/train"
)

// reporter keeps metrics.json's record, prints the -eval table and the AIS
// estimate, and does what the run does with the model at its end (tasks),
// all through package evaluate.
type reporter struct {
	env      Env
	out      string
	seed     uint64
	report   reporting
	batches  int            // per epoch, for the loss curve's grain
	trainSet *train.Dataset // the training images used, until the report is done with them
	testSet  *train.Dataset // the test set, read when the report needs it
	data     *evaluate.Data // the evaluation images, made on first use
	header   bool           // the -eval table's header was printed
	rec      record
}

// newReporter returns the reporter of p's run, with the history of the
// checkpoint it continues. metrics.json's settings are the run's identity
// and, where a training run's report reads the test set without -eval
// (whose identity names it), the test images' checksum: the report's
// numbers depend on them, the checkpoint does not.
func newReporter(p *Plan, env Env) *reporter {
	settings := p.id
	if test, _ := p.report.needsTest(); test && settings["test"] == "" && settings["eval"] == "" {
		settings = maps.Clone(settings)
		settings["test"] = imagesChecksum(p.testSet)
	}
	r := &reporter{env: env, out: p.out, seed: p.seed, report: p.report, trainSet: p.trainSet, testSet: p.testSet,
		rec: record{Epochs: p.start.history, Settings: settings}}
	if p.epochs > 0 {
		r.batches = p.run().Batches()
	}
	return r
}

// progress returns the progress bar's Update as a metrics.Progress, or nil.
func (r *reporter) progress() metrics.Progress {
	if r.env.Progress == nil {
		return nil
	}
	return r.env.Progress.Update
}

// onBatch shows the training's progress (train.Config.OnBatch).
func (r *reporter) onBatch(epoch, batch, batches int, _ float32) {
	r.env.Progress.Update(fmt.Sprintf("training epoch %d", epoch), batch+1, batches)
}

// evalData returns the evaluation images, made once.
func (r *reporter) evalData() (*evaluate.Data, error) {
	if r.data == nil {
		d, err := evaluate.NewData(r.seed, r.testSet, r.trainSet)
		if err != nil {
			return nil, err
		}
		r.data = d
	}
	return r.data, nil
}

// epoch records epoch e of m, and evaluates it with -eval. The record goes
// into the checkpoint; metrics.json is written with the other outputs.
func (r *reporter) epoch(m *graph.Model, e train.Epoch) error {
	rec := epochRecord{Epoch: e.Epoch, Loss: e.Loss}
	if r.report.eval {
		rep, err := r.metrics(m)
		if err != nil {
			return err
		}
		rec.Report = &rep
		r.printMetrics(&e, rep)
	}
	r.rec.Epochs = append(r.rec.Epochs, rec)
	return nil
}

// metrics returns m's test metrics.
func (r *reporter) metrics(m *graph.Model) (metrics.Report, error) {
	d, err := r.evalData()
	if err != nil {
		return metrics.Report{}, err
	}
	rep, err := d.Metrics(m, r.progress())
	if err != nil {
		return rep, fmt.Errorf("-eval: %w", err)
	}
	return rep, nil
}

// printMetrics prints a row of the -eval table: epoch e's, or the loaded
// model's for a nil e.
func (r *reporter) printMetrics(e *train.Epoch, rep metrics.Report) {
	w := r.env.Stdout
	if !r.header {
		if e != nil {
			fmt.Fprintf(w, "%5s %9s ", "epoch", "loss")
		}
		fmt.Fprintf(w, "%17s %10s %10s %7s %11s\n", "recon MSE (test)", "F (train)", "F (test)", "F gap", "PLL (test)")
		r.header = true
	}
	if e != nil {
		fmt.Fprintf(w, "%5d %9.4f ", e.Epoch, e.Loss)
	}
	fmt.Fprintf(w, "%17.4f %10.2f %10.2f %7.2f %11.2f\n", rep.ReconstructionError,
		rep.FreeEnergyTrain, rep.FreeEnergyTest, rep.FreeEnergyTest-rep.FreeEnergyTrain, rep.PseudoLogLikelihood)
}

// history is the record of the epochs so far, for a checkpoint.
func (r *reporter) history() (json.RawMessage, error) { return json.Marshal(r.rec.Epochs) }

// trainingDone drops the reporter's hold on the training images unless
// what is left to report reads them (-classify), or reads images made
// from them and has not made those yet (-ais, -sample-from test,
// -complete), and reports whether it did.
func (r *reporter) trainingDone() bool {
	if r.report.classify || r.data == nil && (r.report.ais || r.report.samples.FromTest || r.report.complete) {
		return false
	}
	r.trainSet = nil
	return true
}

// A task is one thing a run does with its model at the end, for its
// outputs: a picture staged into the set, an estimate recorded in
// metrics.json. A task that stops because ctx was cancelled returns an
// error wrapping context.Canceled; the run then names it as not made.
type task struct {
	name string // what it makes, for the message that it was not made
	run  func(ctx context.Context, m *graph.Model, set *atomicfile.Set) error
}

// tasks are what the run does with the model m at its end, in order: the
// filters, the loss curve of a training run (res), the test metrics of a
// loaded model (-epochs 0 -eval), the sample chains, the completion
// (-complete), the classification (-classify), the log-likelihood
// (-ais). Further uses of a trained model are tasks to add here, with
// their flags in settings.reporting.
func (r *reporter) tasks(res *train.Result) []task {
	t := []task{{fileFilters, func(_ context.Context, m *graph.Model, set *atomicfile.Set) error {
		img, err := filtersPicture(m)
		if err != nil {
			return err
		}
		return stagePNG(set, filepath.Join(r.out, fileFilters), img)
	}}}
	if res != nil {
		t = append(t, task{fileLoss, func(_ context.Context, _ *graph.Model, set *atomicfile.Set) error {
			img, err := lossPicture(res, r.batches, r.rec.Epochs)
			if err != nil {
				return err
			}
			return stagePNG(set, filepath.Join(r.out, fileLoss), img)
		}})
	} else if r.report.eval {
		t = append(t, task{"the test metrics", func(_ context.Context, m *graph.Model, _ *atomicfile.Set) error {
			rep, err := r.metrics(m)
			if err != nil {
				return err
			}
			r.rec.Eval = &rep
			r.printMetrics(nil, rep)
			return nil
		}})
	}
	t = append(t, task{fileSamples, r.samples})
	if r.report.complete {
		t = append(t, task{fileCompletion, r.completion})
	}
	if r.report.classify {
		t = append(t, task{"the classification", r.classification})
	}
	if r.report.ais {
		t = append(t, task{"the AIS estimate", r.logLikelihood})
	}
	return t
}

// finish runs the tasks on m, then stages metrics.json. When ctx is
// cancelled during a task that stops early, it runs the rest that do not
// wait on ctx and returns an error wrapping context.Canceled that names
// what was not made.
func (r *reporter) finish(ctx context.Context, m *graph.Model, res *train.Result, set *atomicfile.Set) error {
	var notMade []string
	for _, t := range r.tasks(res) {
		if err := t.run(ctx, m, set); errors.Is(err, context.Canceled) {
			notMade = append(notMade, t.name)
		} else if err != nil {
			return err
		}
	}
	r.rec.Finished = notMade == nil
	if err := r.stageMetrics(set); err != nil {
		return err
	}
	if notMade != nil {
		return interruption(fmt.Sprintf("interrupted: %s not made", strings.Join(notMade, " and ")), ctx.Err())
	}
	return nil
}

// stageMetrics stages metrics.json.
func (r *reporter) stageMetrics(set *atomicfile.Set) error {
	b, err := json.MarshalIndent(r.rec, "", "  ")
	if err != nil {
		return fmt.Errorf("%s: %w", fileMetrics, err)
	}
	return set.WriteFile(filepath.Join(r.out, fileMetrics), append(b, '\n'))
}

// samples runs the sample chains and stages RBM_samples.png.
func (r *reporter) samples(ctx context.Context, m *graph.Model, set *atomicfile.Set) error {
	r.env.hook(ctx, hookSamples)
	if err := ctx.Err(); err != nil {
		return err
	}
	var test []float32
	if r.report.samples.FromTest {
		d, err := r.evalData()
		if err != nil {
			return err
		}
		test = d.Test
	}
	img, err := evaluate.Samples(ctx, m, r.seed, r.report.samples, test, r.progress())
	if err != nil {
		return err
	}
	return stagePNG(set, filepath.Join(r.out, fileSamples), img)
}

// completion completes test images with m, records and prints the scores
// and stages RBM_completion.png.
func (r *reporter) completion(ctx context.Context, m *graph.Model, set *atomicfile.Set) error {
	r.env.hook(ctx, hookComplete)
	if err := ctx.Err(); err != nil {
		return err
	}
	d, err := r.evalData()
	if err != nil {
		return err
	}
	o := r.report.completion
	o.Progress = r.progress()
	start := r.env.Now()
	c, img, err := d.Complete(ctx, m, o)
	if err != nil {
		return fmt.Errorf("-complete: %w", err)
	}
	c.Seconds = r.env.Now().Sub(start).Seconds()
	r.rec.Completion = c
	printCompletion(r.env.Stdout, c)
	return stagePNG(set, filepath.Join(r.out, fileCompletion), img)
}

// printCompletion prints the completion's scores, the base-rate model's
// first.
func printCompletion(w io.Writer, c *evaluate.Completion) {
	given := fmt.Sprintf("their top %d rows", c.Given)
	if c.Mask == evaluate.Random.String() {
		given = fmt.Sprintf("%d random pixels", c.Given)
	}
	fmt.Fprintf(w, "completion of %d test images given %s, %d Gibbs steps (%.1f s): completed pixels equal to the truth\n", c.Images, given, c.Steps, c.Seconds)
	for _, s := range []struct {
		name  string
		score evaluate.CompletionScore
	}{{"base-rate model", c.BaseRate}, {"this model", c.Model}} {
		fmt.Fprintf(w, "  %-16s sampled %6.2f %%, most probable %6.2f %%\n", s.name, 100*s.score.Sampled, 100*s.score.MostProbable)
	}
}

// classification trains the classifier on the raw pixels and on m's
// p(h|v), records and prints their accuracies.
func (r *reporter) classification(ctx context.Context, m *graph.Model, _ *atomicfile.Set) error {
	r.env.hook(ctx, hookClassify)
	if err := ctx.Err(); err != nil {
		return err
	}
	d, err := r.evalData()
	if err != nil {
		return err
	}
	o := r.report.classifier
	o.Progress, o.Now = r.progress(), r.env.Now
	var c classification
	for _, run := range []struct {
		m   *graph.Model
		out **evaluate.Classified
	}{{nil, &c.RawPixels}, {m, &c.Features}} {
		if *run.out, err = d.Classify(ctx, run.m, o); err != nil {
			return fmt.Errorf("-classify: %w", err)
		}
	}
	r.rec.Classification = &c
	printClassification(r.env.Stdout, c, o.Classifier)
	return nil
}

// printClassification prints the classifiers' test accuracies and times.
func printClassification(w io.Writer, c classification, o classify.Options) {
	input := "images binarized once"
	switch c.RawPixels.Input {
	case evaluate.Binarized.String():
		input = fmt.Sprintf("images binarized afresh each epoch, a test image's inputs averaged over %d binarizations", c.RawPixels.TestBinarizations)
	case evaluate.Grey.String():
		input = "grey images (pixel/255)"
	}
	fmt.Fprintf(w, "classification (softmax, %d epochs of Adam on %d training images; %s): test accuracy\n", o.Epochs, c.RawPixels.TrainImages, input)
	for _, run := range []struct {
		name string
		c    *evaluate.Classified
	}{{fmt.Sprintf("raw pixels (%d)", c.RawPixels.Inputs), c.RawPixels}, {fmt.Sprintf("p(h|v) (%d)", c.Features.Inputs), c.Features}} {
		fmt.Fprintf(w, "  %-16s %6.2f %% (%.1f s, of which the inputs %.1f s)\n", run.name, 100*run.c.Accuracy, run.c.Seconds, run.c.InputSeconds)
	}
}

// logLikelihood estimates the log-likelihood, records and prints it.
func (r *reporter) logLikelihood(ctx context.Context, m *graph.Model, _ *atomicfile.Set) error {
	r.env.hook(ctx, hookAIS)
	if err := ctx.Err(); err != nil {
		return err
	}
	d, err := r.evalData()
	if err != nil {
		return err
	}
	start := r.env.Now()
	ll, err := d.LogLikelihood(ctx, m, evaluate.Options{Betas: r.report.aisBetas, Chains: r.report.aisChains, RAISEImages: r.report.raiseImages, Progress: r.progress()})
	if err != nil {
		return fmt.Errorf("-ais: %w", err)
	}
	ll.Seconds = r.env.Now().Sub(start).Seconds()
	r.rec.AIS = ll
	printAIS(r.env.Stdout, ll)
	return nil
}

// printAIS prints the log-likelihood: both AIS runs, the combined log Z and
// its bound, the test log-probability, the RAISE bracket and the warnings.
func printAIS(w io.Writer, a *evaluate.LogLikelihood) {
	bound := func(p *float64) string {
		if p == nil {
			return "-Inf"
		}
		return fmt.Sprintf("%.2f", *p)
	}
	fmt.Fprintf(w, "AIS (%d betas, %d chains each, %.0f s): log Z\n", a.Betas, a.Chains, a.Seconds)
	fmt.Fprintf(w, "  %-34s %9s %9s %9s %7s %8s\n", "", "estimate", "-3 sigma", "+3 sigma", "ESS", "top w")
	for _, run := range []struct {
		name string
		r    evaluate.AISRun
	}{{"from the base-rate model", a.BaseRate}, {"from the uniform model", a.Uniform}} {
		fmt.Fprintf(w, "  %-34s %9.2f %9s %9.2f %7.1f %7.0f%%\n", run.name, run.r.LogZ, bound(run.r.LogZLow), run.r.LogZHigh, run.r.ESS, 100*run.r.MaxShare)
	}
	fmt.Fprintf(w, "  %-34s %9.2f %9s %9.2f\n", "combined ("+a.Chosen+")", a.LogZ, bound(a.LogZLow), a.LogZHigh)
	fmt.Fprintf(w, "  %-34s %9.2f (%s)\n", "lower bound", a.Bounds.Best, a.Bounds.BestFrom)
	upper := ""
	if a.TestLogProbBound != nil {
		upper = fmt.Sprintf(" (at most %.2f)", *a.TestLogProbBound)
	}
	fmt.Fprintf(w, "average log p(v): test %.2f nats%s, train %.2f\n", a.TestLogProb, upper, a.TrainLogProb)
	fmt.Fprintf(w, "RAISE on %d test images (to the %s model): %.2f ± %.2f nats; bracket on those images [%.2f, %.2f]\n",
		a.RAISE.Images, a.RAISE.Base, a.RAISE.LogProb, a.RAISE.StdErr, a.RAISE.LogProb, a.RAISE.AISLogProb)
	for _, warning := range a.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warning)
	}
}
