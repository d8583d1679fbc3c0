package main

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/train"
)

// exitInterrupted is the status after Ctrl-C, as a shell reports SIGINT.
const exitInterrupted = 130

// interruptible returns a context that the first SIGINT, SIGTERM or SIGHUP
// (a closed terminal) cancels: training then stops after the current
// batch and saves, the report's long parts stop early, and what is done
// is written. A second signal exits at once with status 130. stop restores
// the default handling.
func interruptible(stderr io.Writer) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		var s os.Signal
		select {
		case s = <-sig:
		case <-done:
			return
		}
		fmt.Fprintf(stderr, "gorbm: %v: stopping after the current step, then saving what is done (interrupt again to quit at once)\n", s)
		cancel()
		select {
		case <-sig:
			fmt.Fprintln(stderr, "gorbm: interrupted again: quitting without saving")
			os.Exit(exitInterrupted)
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sig)
		close(done)
		cancel()
	}
}

// testHook, when not nil, is called at named points of a run (after a
// batch, "batch 1.2"; after an epoch's checkpoint, "epoch 1"; before the
// sample chains, "samples"; before AIS, "ais"), so that tests can
// interrupt a run at a known point; only a build with the gorbmtest tag
// sets it (testhook.go).
var testHook func(ctx context.Context, point string)

// exitCode is the process status for an error of runContext.
func exitCode(err error) int {
	var u usageError
	switch {
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.As(err, &u):
		return 2
	}
	return 1
}

// settings are the flags that decide a run's course beyond its train.Run
// (hidden units, images, batch, k, pcd), stored with each checkpoint so
// that -resume continues only the same run: the learning rate, the seed,
// the graph, the training file's images (a checksum of all of them, d
// before -limit, so that another -data folder is noticed) and the
// parameters of -load. -epochs is not among them (a run may be continued
// for more epochs), nor -out.
func (o options) settings(d *train.Dataset, loaded *graph.Model) map[string]string {
	s := map[string]string{
		"lr":   strconv.FormatFloat(o.lr, 'g', -1, 64),
		"seed": strconv.FormatUint(o.seed, 10),
		"data": "sha256:" + checksum(d.Images[:d.N*train.Pixels]),
	}
	if o.graph != "" && o.graph != graph.Fast.String() { // the graphs agree to rounding, not to the bit
		s["graph"] = o.graph
	}
	if loaded != nil {
		w, vb, hb := loaded.Params()
		var b []byte
		for _, p := range [][]float32{w, vb, hb} {
			for _, x := range p {
				b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
			}
		}
		s["load"] = "sha256:" + checksum(b)
	}
	o.trainingSettings(s) // momentum, schedules, centering (recipe.go)
	return s
}

// checksum is the first 16 hex digits of b's SHA-256.
func checksum(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// flagSettings is a run's identity as flags and values: its Run and its
// settings, for comparing two runs and naming what differs.
func flagSettings(r train.Run, settings map[string]string) map[string]string {
	s := maps.Clone(settings)
	if s == nil {
		s = map[string]string{}
	}
	s["hidden"] = strconv.Itoa(r.Hidden)
	s["batch"] = strconv.Itoa(r.BatchSize)
	s["k"] = strconv.Itoa(r.K)
	s["pcd"] = strconv.FormatBool(r.Persistent)
	s["limit"] = strconv.Itoa(r.Images) // the images trained on: -limit 0 and -limit 60000 agree
	return s
}

// compareSettings says in which flags two settings differ ("made with
// -k 1, this run has -k 2"), or returns "".
func compareSettings(saved, now map[string]string) string {
	var keys []string
	for k := range now {
		keys = append(keys, k)
	}
	for k := range saved {
		if _, ok := now[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var was, is []string
	for _, k := range keys {
		if saved[k] != now[k] {
			was = append(was, "-"+k+" "+orNone(saved[k]))
			is = append(is, "-"+k+" "+orNone(now[k]))
		}
	}
	if was == nil {
		return ""
	}
	return fmt.Sprintf("made with %s, this run has %s", strings.Join(was, " "), strings.Join(is, " "))
}

func orNone(s string) string {
	if s == "" {
		return "(unset)"
	}
	return s
}

// progress is how far a run has come: epochs done and batches of the next.
type progress struct{ epochs, batches int }

func progressOf(r *train.Result) progress { return progress{len(r.Losses), r.Batches} }

// before reports whether p comes before q.
func (p progress) before(q progress) bool {
	return p.epochs < q.epochs || p.epochs == q.epochs && p.batches < q.batches
}

// epochsToFinish is the least -epochs that p does not pass.
func (p progress) epochsToFinish() int {
	if p.batches > 0 {
		return p.epochs + 1
	}
	return p.epochs
}

func (p progress) String() string {
	if p.batches > 0 {
		return fmt.Sprintf("epoch %d, after batch %d", p.epochs, p.batches-1)
	}
	return fmt.Sprintf("after epoch %d", p.epochs-1)
}

// where describes a checkpoint's folder and progress.
func where(dir string, res *train.Result) string {
	return fmt.Sprintf("%s (%v)", dir, progressOf(res))
}

// defaultCheckpoint is -checkpoint's folder when the flag is not given.
func defaultCheckpoint(out string) string { return filepath.Join(out, "checkpoint") }

// start is where a run begins: a model, and with -resume the checkpoint's
// result and history.
type start struct {
	model   *graph.Model
	from    *train.Result // nil for a fresh run
	history []epochRecord // metrics.json's epochs so far

	// keep, when not nil, is the progress of a checkpoint of this same
	// run that is further along than this fresh run: it is replaced only
	// by a checkpoint that has come as far, so nothing is lost.
	keep *progress
}

// begin decides where the run starts, before anything is trained. With
// -resume it loads the checkpoint, which must be of this run (same Run and
// settings) and not past -epochs; its random state goes into src. Without,
// it makes the model (fresh, or from -load) and looks at the checkpoint
// folder: another run's checkpoint, a damaged one or one further than
// -epochs is never overwritten unless -restart says so; one of this run
// that this run will reach is replaced once this run has come as far.
func begin(o options, run train.Run, settings map[string]string, loaded *graph.Model, src train.Sources, stderr io.Writer) (start, error) {
	now := flagSettings(run, settings)
	end := progress{o.config.Epochs, 0}
	if o.resume {
		ck, err := train.LoadCheckpoint(o.checkpoint)
		switch {
		case errors.Is(err, train.ErrNoCheckpoint):
			return start{}, fmt.Errorf("-resume: %w: run without -resume to start afresh", err)
		case err != nil:
			return start{}, fmt.Errorf("-resume: %w: start afresh with -restart instead of -resume, or choose another -checkpoint", err)
		}
		if diff := compareSettings(flagSettings(ck.Run, ck.Settings), now); diff != "" {
			return start{}, fmt.Errorf("-resume: the checkpoint in %q was %s: pass the checkpoint's flags, or start afresh with -restart instead of -resume (or another -out)", o.checkpoint, diff)
		}
		done := progressOf(ck.Result)
		if end.before(done) {
			return start{}, fmt.Errorf("-resume: the checkpoint in %q (%v) is past -epochs %d: raise -epochs to %d or more", o.checkpoint, done, o.config.Epochs, done.epochsToFinish())
		}
		history, err := checkHistory(ck)
		if err != nil {
			return start{}, fmt.Errorf("-resume: checkpoint %s: %w: %w: start afresh with -restart instead of -resume", o.checkpoint, train.ErrDamaged, err)
		}
		if err := ck.Restore(src); err != nil {
			return start{}, fmt.Errorf("-resume: %s: %w", o.checkpoint, err)
		}
		if done == end {
			fmt.Fprintf(stderr, "gorbm: the checkpoint in %q has all %d epochs: writing the outputs\n", o.checkpoint, done.epochs)
		} else {
			fmt.Fprintf(stderr, "gorbm: resuming from %s\n", where(o.checkpoint, ck.Result))
		}
		return start{model: ck.Model, from: ck.Result, history: history}, nil
	}

	s := start{model: loaded}
	if s.model == nil {
		var err error
		if s.model, err = graph.New(train.Pixels, o.hidden, src.Init); err != nil {
			return start{}, err
		}
	}
	if o.restart {
		return s, nil
	}
	ck, err := train.LoadCheckpoint(o.checkpoint)
	switch {
	case errors.Is(err, train.ErrNoCheckpoint):
		return s, nil
	case err != nil:
		return start{}, fmt.Errorf("%w; this run would replace it: pass -restart to let it, or choose another -out (or -checkpoint)", err)
	}
	if diff := compareSettings(flagSettings(ck.Run, ck.Settings), now); diff != "" {
		return start{}, fmt.Errorf("%q holds the checkpoint of another run (%s), which this run would replace: continue it with -resume and its flags, choose another -out (or -checkpoint), or pass -restart to replace it", o.checkpoint, diff)
	}
	done := progressOf(ck.Result)
	if end.before(done) {
		return start{}, fmt.Errorf("%q holds a checkpoint of this run (%v), past -epochs %d, which this run would replace: continue it with -resume -epochs %d or more, choose another -out (or -checkpoint), or pass -restart to replace it",
			o.checkpoint, done, o.config.Epochs, done.epochsToFinish())
	}
	if done != end {
		fmt.Fprintf(stderr, "gorbm: %q holds a checkpoint of this run (%v): -resume would continue it; training afresh, it is kept until this run gets as far\n", o.checkpoint, done)
	}
	s.keep = &done
	return s, nil
}

// checkHistory decodes a checkpoint's history, which must hold a record
// per epoch done with that epoch's loss.
func checkHistory(ck *train.Checkpoint) ([]epochRecord, error) {
	var h []epochRecord
	if len(ck.History) > 0 {
		if err := json.Unmarshal(ck.History, &h); err != nil {
			return nil, fmt.Errorf("history: %w", err)
		}
	}
	if len(h) != len(ck.Result.Losses) {
		return nil, fmt.Errorf("a history of %d epochs for %d epochs done", len(h), len(ck.Result.Losses))
	}
	for i, e := range h {
		if e.Epoch != i || e.Loss != ck.Result.Losses[i] {
			return nil, fmt.Errorf("history record %d is of epoch %d with loss %v, the checkpoint's is %v", i, e.Epoch, e.Loss, ck.Result.Losses[i])
		}
	}
	return h, nil
}

// fitSurviving trains from s as the script does, printing the script's
// line per epoch, and saves a checkpoint after each epoch (unless s.keep is
// further along), with the history that history returns. When ctx is
// cancelled it finishes the current batch, saves a checkpoint and returns
// the model and result so far with an error wrapping context.Canceled
// that says where the checkpoint is. When training diverges it keeps the
// last good checkpoint.
func fitSurviving(ctx context.Context, o options, d *train.Dataset, src train.Sources, s start, settings map[string]string,
	history func() []epochRecord, stdout io.Writer) (*graph.Model, *train.Result, error) {
	model := s.model
	g, err := graph.ParseGraph(o.graph)
	if err != nil {
		return nil, nil, err
	}
	trainer, err := graph.NewTrainer(model, o.lr) // train_op = optim.SGD(model.parameters(), lr)
	if err != nil {
		return nil, nil, err
	}
	defer trainer.Close()
	if err := trainer.SetGraph(g); err != nil {
		return nil, nil, err
	}
	if s.from == nil { // a fresh run: -init-vbias, -centered (recipe.go)
		if err := initModel(o, trainer, d); err != nil {
			return nil, nil, err
		}
	}
	run := o.config.Run(model.Hidden(), d.N)
	saved := "no checkpoint was saved"
	if s.from != nil {
		saved = "the last good checkpoint is " + where(o.checkpoint, s.from)
	}
	// save writes a checkpoint of res unless the one kept is further.
	save := func(res *train.Result) (bool, error) {
		if s.keep != nil && progressOf(res).before(*s.keep) {
			return false, nil
		}
		h, err := json.Marshal(history())
		if err != nil {
			return false, err
		}
		ck := train.Checkpoint{Model: model, Result: res, Run: run, Settings: settings, History: h}
		if err := train.SaveCheckpoint(o.checkpoint, ck, src); err != nil {
			return false, fmt.Errorf("%w (choose another folder with -checkpoint)", err)
		}
		s.keep = nil
		saved = "the last good checkpoint is " + where(o.checkpoint, res)
		return true, nil
	}

	if testHook != nil {
		onBatch := o.config.OnBatch
		o.config.OnBatch = func(epoch, batch, batches int, loss float32) {
			if onBatch != nil {
				onBatch(epoch, batch, batches, loss)
			}
			testHook(ctx, fmt.Sprintf("batch %d.%d", epoch, batch))
		}
	}

	// for epoch in range(2): ... print("Training loss for {} epoch: {}")
	res, err := train.FitContext(ctx, trainer, d, o.config, src, s.from, func(e train.Epoch) error {
		fmt.Fprintf(stdout, "Training loss for %d epoch: %v\n", e.Epoch, float32(e.Loss))
		if o.afterEpoch != nil { // -eval and friends (report.go)
			if err := o.afterEpoch(model, e); err != nil {
				return err
			}
		}
		if _, err := save(e.Result); err != nil {
			return err
		}
		if testHook != nil {
			testHook(ctx, fmt.Sprintf("epoch %d", e.Epoch))
		}
		return nil
	})
	switch {
	case err == nil:
		return model, res, nil
	case errors.Is(err, train.ErrDiverged):
		return nil, nil, fmt.Errorf("%w; %s", err, saved)
	case !errors.Is(err, context.Canceled):
		return nil, nil, err
	}

	// Interrupted: save what was trained, if anything was.
	from := s.from
	if from == nil {
		from = &train.Result{}
	}
	if progressOf(res) == progressOf(from) {
		return nil, nil, interruption("interrupted before the first batch: nothing trained, nothing saved", err)
	}
	ok, serr := save(res)
	switch {
	case serr != nil:
		return nil, nil, fmt.Errorf("interrupted, and saving the checkpoint failed: %w", serr)
	case ok:
		return model, res, interruption(fmt.Sprintf("interrupted: checkpoint %s: continue with the same flags and -resume", where(o.checkpoint, res)), err)
	}
	return model, res, interruption(fmt.Sprintf("interrupted at %v: the checkpoint in %q, further along (%v), is kept: continue it with -resume",
		progressOf(res), o.checkpoint, *s.keep), err)
}

// interrupted is an interruption's message; it wraps the cancellation
// (for exitCode) without repeating where the training loop stopped.
type interrupted struct {
	msg string
	err error
}

func (e interrupted) Error() string { return e.msg }
func (e interrupted) Unwrap() error { return e.err }

// interruption returns msg as an error wrapping err, a cancellation.
func interruption(msg string, err error) error { return interrupted{msg, err} }
