package main

import (
	"errors"
	"io"
	"strings"
	"testing"

	"gorbm.dev/gorbm/train"
)

// TestRecipeFlags checks -recipe and the training flags: the preset sets
// its flags, a flag on the command line wins over it, and the flags become
// the train.Config's schedules and the initialisation.
func TestRecipeFlags(t *testing.T) {
	out := t.TempDir()
	o, err := parseFlags(testArgs(out, "-recipe", "best"), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	c := o.config
	if !c.Persistent || c.Chains != 100 || c.BatchSize != 100 || !c.Centered || c.OffsetRate != 0.01 || !o.init.VisibleBias || !o.init.Centered {
		t.Errorf("-recipe best: config %+v, init %+v; want PCD with 100 chains, batches of 100, centered, visible biases from the data", c, o.init)
	}
	if want := train.Constant(0.5); c.Momentum != want {
		t.Errorf("-recipe best: momentum %v, want %v", c.Momentum, want)
	}
	if want := (train.Schedule{Start: 0.04, End: 0.0002, From: 50, Shape: train.ShapeGeometric}); c.LearnRate != want || o.lr != want.Start {
		t.Errorf("-recipe best: learning rate %v (-lr %v), want %v (the README's)", c.LearnRate, o.lr, want)
	}
	if o.set["momentum"] || o.set["chains"] {
		t.Error("the preset's flags count as given on the command line")
	}

	o, err = parseFlags(testArgs(out, "-recipe", "best", "-epochs", "3", "-momentum", "0.7", "-lr", "0.05"), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.config.Epochs != 3 || o.config.Momentum.End != 0.7 || o.config.LearnRate.Start != 0.05 {
		t.Errorf("command-line flags did not win over the preset: epochs %d, momentum %v, lr %v", o.config.Epochs, o.config.Momentum, o.config.LearnRate)
	}

	o, err = parseFlags(testArgs(out, "-momentum", "0.9", "-lr-final", "0.01", "-lr-decay", "geometric", "-lr-decay-from", "1", "-weight-decay", "1e-4"), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := train.Schedule{Start: 0.1, End: 0.01, From: 1, Shape: train.ShapeGeometric}
	if o.config.LearnRate != want || o.config.Momentum != train.Constant(0.9) || o.config.WeightDecay != 1e-4 || o.config.Centered || o.init.VisibleBias {
		t.Errorf("config %+v: want lr %v, momentum 0.9 throughout, weight decay 1e-4, nothing else", o.config, want)
	}

	// The default job has none of it.
	o = testOptions(t, out)
	if o.config.LearnRate.Set() || o.config.Momentum.Set() || o.config.Chains != 0 || o.config.Centered || o.init != (train.InitOptions{}) {
		t.Errorf("the default job has training options: %+v, %+v", o.config, o.init)
	}
}

func TestRecipeFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-recipe", "fastest"}, "best, pydeep"},
		{[]string{"-lr-final", "0.01", "-lr-decay", "cosine"}, "-lr-decay"},
		{[]string{"-init-vbias", "grey"}, "-init-vbias"},
		{[]string{"-offset-rate", "0.1"}, "-centered"},
		{[]string{"-momentum-initial", "0.5"}, "-momentum"},
		{[]string{"-lr-decay-from", "3"}, "-lr-final"},
		{[]string{"-chains", "100"}, "-pcd"},
		{[]string{"-momentum", "1"}, "momentum"},
		{[]string{"-momentum", "0.9", "-momentum-initial", "1.5", "-momentum-epochs", "2"}, "momentum"},
		{[]string{"-lr-final", "-0.1"}, "lr"},
		{[]string{"-weight-decay", "-1"}, "weight-decay"},
		{[]string{"-centered", "-offset-rate", "2"}, "offset-rate"},
		{[]string{"-momentum", "0.9", "-momentum-epochs", "-1"}, "-momentum-epochs"},
	} {
		_, err := parseFlags(testArgs(t.TempDir(), tc.args...), io.Discard)
		var u usageError
		if !errors.As(err, &u) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want a usage error naming %q", tc.args, err, tc.want)
		}
	}
}

// TestRecipeRun runs a small centered PCD run with momentum, a schedule and
// chains of its own end to end, then checks that -resume refuses other
// training flags.
func TestRecipeRun(t *testing.T) {
	out := t.TempDir()
	args := testArgs(out, "-recipe", "best", "-epochs", "2", "-chains", "10", "-lr-decay-from", "1")
	stdout, stderr, code := cliRun(t, args...)
	if code != 0 || !strings.Contains(stdout, "Training loss for 1 epoch") {
		t.Fatalf("status %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-momentum", "0.8"}, "-momentum"},
		{[]string{"-centered=false"}, "-centered"},
		{[]string{"-chains", "20"}, "-chains"},
		{[]string{"-lr-final", "0.002"}, "-lr-schedule"},
	} {
		_, stderr, code := cliRun(t, append(append(append([]string{}, args...), "-resume", "-epochs", "3"), tc.args...)...)
		checkFailure(t, stderr, code, 1, tc.want)
	}
}
