package cli

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
	p := testPlan(t, out, "-recipe", "best")
	c := p.config
	if !c.Persistent || c.Chains != 100 || c.BatchSize != 100 || !c.Centered || c.OffsetRate != 0.01 || !p.init.VisibleBias || !p.init.Centered {
		t.Errorf("-recipe best: config %+v, init %+v; want PCD with 100 chains, batches of 100, centered, visible biases from the data", c, p.init)
	}
	if want := train.Constant(0.5); c.Momentum != want {
		t.Errorf("-recipe best: momentum %v, want %v", c.Momentum, want)
	}
	if want := (train.Schedule{Start: 0.06, End: 0.00002, From: 40, Shape: train.ShapeGeometric}); c.LearnRate != want || p.lr != want.Start || c.Epochs != 120 {
		t.Errorf("-recipe best: %d epochs, learning rate %v (-lr %v), want 120 epochs, %v (docs/recipes.md's)", c.Epochs, c.LearnRate, p.lr, want)
	}
	f, err := Parse(testArgs(out, "-recipe", "best"), io.Discard)
	if err != nil || f.given["momentum"] || f.given["chains"] {
		t.Errorf("the preset's flags count as given on the command line (%v)", err)
	}

	// A run shorter than the preset's decay keeps -lr, and says so.
	p = testPlan(t, out, "-recipe", "best", "-epochs", "3", "-momentum", "0.7", "-lr", "0.05")
	if p.config.Epochs != 3 || p.config.Momentum.End != 0.7 || p.config.LearnRate.Set() || p.lr != 0.05 || len(p.notes) != 1 || !strings.Contains(p.notes[0], "-lr-decay-from") {
		t.Errorf("command-line flags did not win over the preset: epochs %d, momentum %v, lr %v %v, notes %q", p.config.Epochs, p.config.Momentum, p.lr, p.config.LearnRate, p.notes)
	}

	p = testPlan(t, out, "-momentum", "0.9", "-lr-final", "0.01", "-lr-decay", "geometric", "-lr-decay-from", "1", "-weight-decay", "1e-4")
	want := train.Schedule{Start: 0.1, End: 0.01, From: 1, Shape: train.ShapeGeometric}
	if p.config.LearnRate != want || p.config.Momentum != train.Constant(0.9) || p.config.WeightDecay != 1e-4 || p.config.Centered || p.init.VisibleBias {
		t.Errorf("config %+v: want lr %v, momentum 0.9 throughout, weight decay 1e-4, nothing else", p.config, want)
	}

	// The default job has none of it.
	p = testPlan(t, out)
	if p.config.LearnRate.Set() || p.config.Momentum.Set() || p.config.Chains != 0 || p.config.Centered || p.init != (train.InitOptions{}) {
		t.Errorf("the default job has training options: %+v, %+v", p.config, p.init)
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
		{[]string{"-chains", "100"}, "-chains 100 without -pcd"},
		{[]string{"-momentum", "1"}, "-momentum 1"},
		{[]string{"-momentum", "0.9", "-momentum-initial", "1.5", "-momentum-epochs", "1"}, "-momentum-initial 1.5"},
		{[]string{"-lr-final", "-0.1"}, "-lr-final -0.1"},
		{[]string{"-weight-decay", "-1"}, "-weight-decay -1"},
		{[]string{"-centered", "-offset-rate", "2"}, "-offset-rate 2"},
		{[]string{"-momentum", "0.9", "-momentum-initial", "0.5", "-momentum-epochs", "-1"}, "-momentum-epochs -1"},
	} {
		_, err := plan(testArgs(t.TempDir(), tc.args...)...)
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
