package main

import (
	"context"
	"errors"
	"fmt"
	"io"
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

// interruptible returns a context that the first SIGINT or SIGTERM cancels
// (training then stops after the current batch and saves); a second signal
// exits at once with status 130. stop restores the default handling.
func interruptible(stderr io.Writer) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-sig:
		case <-done:
			return
		}
		fmt.Fprintln(stderr, "gorbm: interrupted: finishing the current batch, then saving a checkpoint (interrupt again to quit at once)")
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

// exitCode is the process status for an error of runContext.
func exitCode(err error) int {
	if errors.Is(err, context.Canceled) {
		return exitInterrupted
	}
	return 1
}

// settings are the flags that decide a run's course, stored with each
// checkpoint so that -resume continues only the same run. -epochs is not
// among them (a run may be continued for more epochs), nor -out or -load.
func (o options) settings(images int) map[string]string {
	s := map[string]string{
		"hidden": strconv.Itoa(o.hidden),
		"batch":  strconv.Itoa(o.config.BatchSize),
		"k":      strconv.Itoa(o.config.K),
		"lr":     strconv.FormatFloat(o.lr, 'g', -1, 64),
		"seed":   strconv.FormatUint(o.seed, 10),
		"limit":  strconv.Itoa(images), // the images trained on: -limit 0 and -limit 60000 agree
		"pcd":    strconv.FormatBool(o.config.Persistent),
	}
	if o.graph != "" && o.graph != graph.Fast.String() { // the graphs agree to rounding, not to the bit
		s["graph"] = o.graph
	}
	return s
}

// compareSettings lists the flags in which two settings differ, or "".
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
	return fmt.Sprintf("the checkpoint was made with %s, this run has %s", strings.Join(was, " "), strings.Join(is, " "))
}

func orNone(s string) string {
	if s == "" {
		return "(unset)"
	}
	return s
}

// fitSurviving trains as the script does, from a fresh model (or -load),
// or from the checkpoint with -resume. It saves a checkpoint after each
// epoch. When ctx is cancelled it finishes the current batch, writes a
// checkpoint, the pictures and the parameters of what was trained so far,
// and returns an error wrapping context.Canceled that says where they are.
// When training diverges it keeps the last good checkpoint.
func fitSurviving(ctx context.Context, o options, d *train.Dataset, src train.Sources, stdout io.Writer) (*graph.Model, *train.Result, error) {
	if o.checkpoint == "" { // options not made by parseFlags
		o.checkpoint = defaultCheckpoint(o.out)
	}
	if err := checkWritable(o.checkpoint, "-checkpoint"); err != nil {
		return nil, nil, err
	}
	settings := o.settings(d.N)
	var model *graph.Model
	var from *train.Result
	saved := "no checkpoint was saved"
	if o.resume {
		ck, err := train.LoadCheckpoint(o.checkpoint, o.lr)
		if err != nil {
			return nil, nil, fmt.Errorf("-resume: %w", err)
		}
		if diff := compareSettings(ck.Settings, settings); diff != "" {
			return nil, nil, fmt.Errorf("-resume: %s: %s; pass the checkpoint's flags, or drop -resume to start afresh", o.checkpoint, diff)
		}
		done := len(ck.Result.Losses)
		if done >= o.config.Epochs {
			return nil, nil, fmt.Errorf("-resume: the checkpoint in %s has %d epochs done, -epochs is %d: raise -epochs to train more", o.checkpoint, done, o.config.Epochs)
		}
		if err := src.UnmarshalBinary(ck.Random); err != nil {
			return nil, nil, fmt.Errorf("-resume: %s: %w", o.checkpoint, err)
		}
		model, from = ck.Model, ck.Result
		saved = "the last good checkpoint is " + where(o.checkpoint, from)
		fmt.Fprintf(os.Stderr, "gorbm: resuming from %s\n", where(o.checkpoint, from))
	} else {
		var err error
		if model, err = newModel(o, src); err != nil {
			return nil, nil, err
		}
	}

	g, err := graph.ParseGraph(o.graph)
	if err != nil {
		return nil, nil, err
	}
	if err := model.SetGraph(g); err != nil {
		return nil, nil, err
	}

	// for epoch in range(2): ... print("Training loss for {} epoch: {}")
	res, err := train.FitContext(ctx, model, d, o.config, src, from, func(e train.Epoch) error {
		fmt.Fprintf(stdout, "Training loss for %d epoch: %v\n", e.Epoch, float32(e.Loss))
		if o.afterEpoch != nil { // -eval and friends (report.go)
			if err := o.afterEpoch(model, e); err != nil {
				return err
			}
		}
		if err := train.SaveCheckpoint(o.checkpoint, model, e.Result, src, settings); err != nil {
			return err
		}
		saved = "the last good checkpoint is " + where(o.checkpoint, e.Result)
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
	if from == nil {
		from = &train.Result{}
	}
	if len(res.Losses) == len(from.Losses) && res.Batches == from.Batches {
		return nil, nil, fmt.Errorf("interrupted before the first batch: nothing trained, nothing saved: %w", err)
	}
	if err := train.SaveCheckpoint(o.checkpoint, model, res, src, settings); err != nil {
		return nil, nil, fmt.Errorf("interrupted, and saving the checkpoint failed: %w", err)
	}
	if err := savePictures(o.out, res); err != nil {
		return nil, nil, fmt.Errorf("interrupted, checkpoint saved in %s, but the pictures failed: %w", o.checkpoint, err)
	}
	if err := train.SaveParams(o.out, model); err != nil {
		return nil, nil, fmt.Errorf("interrupted, checkpoint saved in %s, but the parameters failed: %w", o.checkpoint, err)
	}
	return nil, nil, fmt.Errorf("interrupted: checkpoint %s (continue with the same flags and -resume); pictures and parameters of what was trained so far in %s: %w",
		where(o.checkpoint, res), o.out, err)
}

// where describes a checkpoint's folder and progress.
func where(dir string, res *train.Result) string {
	if res.Batches > 0 {
		return fmt.Sprintf("%s (epoch %d, after batch %d)", dir, len(res.Losses), res.Batches-1)
	}
	return fmt.Sprintf("%s (after epoch %d)", dir, len(res.Losses)-1)
}

// defaultCheckpoint is -checkpoint's folder when the flag is not given.
func defaultCheckpoint(out string) string { return filepath.Join(out, "checkpoint") }
