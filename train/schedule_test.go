package train

import (
	"errors"
	"math"
	"testing"
)

// TestScheduleAt checks the three shapes at the points that define them:
// Start before From, End at the end of the run, and the path between.
func TestScheduleAt(t *testing.T) {
	const batches, epochs = 10, 5
	// scheduleTol: the values are float64 sums and powers of exact inputs.
	const scheduleTol = 1e-12
	for _, tc := range []struct {
		name         string
		s            Schedule
		epoch, batch int
		want         float64
	}{
		{"constant", Constant(0.3), 4, 9, 0.3},
		{"step before", Schedule{0.5, 0.9, 2, ShapeStep}, 1, 9, 0.5},
		{"step at From", Schedule{0.5, 0.9, 2, ShapeStep}, 2, 0, 0.9},
		{"linear before From", Schedule{0.1, 0.01, 1, ShapeLinear}, 0, 5, 0.1},
		{"linear at From", Schedule{0.1, 0.01, 1, ShapeLinear}, 1, 0, 0.1},
		{"linear halfway", Schedule{0.1, 0.01, 1, ShapeLinear}, 3, 0, 0.055},
		{"linear last batch", Schedule{0.1, 0.01, 1, ShapeLinear}, 4, 9, 0.1 - 0.09*(3.9/4)},
		{"geometric halfway", Schedule{0.1, 0.001, 1, ShapeGeometric}, 3, 0, 0.01},
		{"past the run", Schedule{0.1, 0.01, 0, ShapeLinear}, 7, 0, 0.01},
	} {
		if got := tc.s.At(tc.epoch, tc.batch, batches, epochs); math.Abs(got-tc.want) > scheduleTol {
			t.Errorf("%s: %v.At(%d, %d) = %v, want %v", tc.name, tc.s, tc.epoch, tc.batch, got, tc.want)
		}
	}
	if (Schedule{}).Set() || !Constant(0.1).Set() {
		t.Error("Set: the zero Schedule is unset, Constant(0.1) set")
	}
}

// TestConfigValidateTraining checks that each invalid setting is refused
// with a *SettingError naming its field (and the field it needs).
func TestConfigValidateTraining(t *testing.T) {
	base := Config{Epochs: 1, BatchSize: 10, K: 1}
	for _, tc := range []struct {
		name         string
		edit         func(*Config)
		field, needs string
	}{
		{"no epochs", func(c *Config) { c.Epochs = 0 }, "Epochs", ""},
		{"batch larger than a file", func(c *Config) { c.BatchSize = MaxImages + 1 }, "BatchSize", ""},
		{"negative chains", func(c *Config) { c.Persistent, c.Chains = true, -1 }, "Chains", ""},
		{"more chains than a file has images", func(c *Config) { c.Persistent, c.Chains = true, MaxImages+1 }, "Chains", ""},
		{"chains without PCD", func(c *Config) { c.Chains = 10 }, "Chains", "Persistent"},
		{"negative weight decay", func(c *Config) { c.WeightDecay = -1e-4 }, "WeightDecay", ""},
		{"NaN weight decay", func(c *Config) { c.WeightDecay = math.NaN() }, "WeightDecay", ""},
		{"offset rate above 1", func(c *Config) { c.Centered, c.OffsetRate = true, 2 }, "OffsetRate", ""},
		{"offset rate without centering", func(c *Config) { c.OffsetRate = 0.01 }, "OffsetRate", "Centered"},
		{"momentum 1", func(c *Config) { c.Momentum = Constant(1) }, "Momentum.Start", ""},
		{"momentum 1 in float32", func(c *Config) { c.Momentum = Schedule{Start: 0.5, End: 1 - 1e-9, From: 1} }, "Momentum.End", ""},
		{"negative momentum", func(c *Config) { c.Momentum = Schedule{Start: -0.5, End: 0.9} }, "Momentum.Start", ""},
		{"learning rate to 0", func(c *Config) { c.LearnRate = Schedule{Start: 0.1, End: 0, Shape: ShapeLinear} }, "LearnRate.End", ""},
		{"learning rate 0 in float32", func(c *Config) { c.LearnRate = Schedule{Start: 0.1, End: 1e-50, Shape: ShapeGeometric} }, "LearnRate.End", ""},
		{"learning rate beyond float32", func(c *Config) { c.LearnRate = Schedule{Start: 1e39, End: 0.1, Shape: ShapeLinear} }, "LearnRate.Start", ""},
		{"geometric to a negative rate", func(c *Config) { c.LearnRate = Schedule{Start: 0.1, End: -1, Shape: ShapeGeometric} }, "LearnRate.End", ""},
		{"schedule from epoch −1", func(c *Config) { c.LearnRate = Schedule{Start: 0.1, End: 0.01, From: -1} }, "LearnRate.From", ""},
	} {
		c := base
		tc.edit(&c)
		err := c.Validate()
		var se *SettingError
		if !errors.As(err, &se) || se.Field != tc.field || se.Needs != tc.needs {
			t.Errorf("%s: error %v, want a *SettingError of %s (needing %q)", tc.name, err, tc.field, tc.needs)
		}
	}
	good := base
	good.Persistent, good.Chains, good.WeightDecay, good.Centered, good.OffsetRate = true, 100, 1e-4, true, 0.01
	good.LearnRate = Schedule{Start: 0.01, End: 0.001, From: 1, Shape: ShapeGeometric}
	good.Momentum = Schedule{Start: 0.5, End: 0.9, From: 5}
	if err := good.Validate(); err != nil {
		t.Errorf("a valid recipe was rejected: %v", err)
	}
	for _, name := range []string{"step", "linear", "geometric"} {
		if s, err := ParseShape(name); err != nil || s.String() != name {
			t.Errorf("ParseShape(%q) = %v, %v", name, s, err)
		}
	}
	if _, err := ParseShape("cosine"); err == nil {
		t.Error(`ParseShape("cosine") gave no error`)
	}
}
