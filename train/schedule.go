package train

import (
	"fmt"
	"math"

	"gorbm.dev/gorbm/internal/enum"
)

// Shape is how a Schedule goes from its Start to its End value.
type Shape int

const (
	// ShapeStep jumps from Start to End at the beginning of epoch From.
	ShapeStep Shape = iota
	// ShapeLinear goes in a straight line from Start, at the beginning of epoch
	// From, to End, at the end of the last epoch, batch by batch.
	ShapeLinear
	// ShapeGeometric goes from Start to End by a constant factor per batch
	// over the same span as ShapeLinear (both must then be > 0).
	ShapeGeometric
)

var shapeNames = []string{ShapeStep: "step", ShapeLinear: "linear", ShapeGeometric: "geometric"}

func (s Shape) String() string { return enum.Name(shapeNames, s, "Shape") }

// ParseShape returns the Shape named s: step, linear or geometric.
func ParseShape(s string) (Shape, error) {
	if sh, ok := enum.Parse[Shape](shapeNames, s); ok {
		return sh, nil
	}
	return 0, fmt.Errorf("unknown schedule shape %q: use %s", s, enum.Choices(shapeNames))
}

// Schedule is a training hyper-parameter (learning rate, momentum) that
// may change during the run: Start until epoch From, then towards End in
// the given Shape. Start = End is a constant. The zero Schedule is unset:
// Fit leaves that setting of the model alone.
type Schedule struct {
	Start, End float64
	From       int // the epoch the change starts (0-based)
	Shape      Shape
}

// Constant returns the Schedule that stays at x.
func Constant(x float64) Schedule { return Schedule{Start: x, End: x} }

// Set reports whether s is set (not the zero Schedule).
func (s Schedule) Set() bool { return s != Schedule{} }

// At returns the value for batch batch (from 0) of batches in epoch epoch
// (from 0) of a run of epochs epochs.
func (s Schedule) At(epoch, batch, batches, epochs int) float64 {
	if epoch < s.From || s.Start == s.End {
		return s.Start
	}
	if s.Shape == ShapeStep {
		return s.End
	}
	span := float64(epochs - s.From)
	if span <= 0 || batches < 1 {
		return s.End
	}
	t := math.Min(1, (float64(epoch-s.From)+float64(batch)/float64(batches))/span)
	if s.Shape == ShapeGeometric {
		return s.Start * math.Pow(s.End/s.Start, t)
	}
	return s.Start + (s.End-s.Start)*t
}

// Validate reports, as a *SettingError whose Field is name and the
// schedule's field ("LearnRate.End"), a schedule whose values lie outside
// [lo, hi] (or (0, hi] with positive), in float64 or in float32, the
// precision of the model that follows it, or that cannot be followed.
// Between two valid ends every value of a schedule is valid too.
func (s Schedule) Validate(name string, lo, hi float64, positive bool) error {
	interval := fmt.Sprintf("[%g, %g]", lo, hi)
	if positive {
		interval = fmt.Sprintf("(0, %g]", hi)
	}
	inside := func(x float64) bool { return x >= lo && x <= hi && (!positive || x > 0) } // false for NaN
	for _, end := range []struct {
		field string
		x     float64
	}{{".Start", s.Start}, {".End", s.End}} {
		x, x32 := end.x, float64(float32(end.x))
		if inside(x) && inside(x32) {
			continue
		}
		use := "a value in " + interval
		if x32 == 0 || math.IsInf(x32, 0) || inside(x) { // float32 makes it another value
			use += fmt.Sprintf(" that float32, the model's precision, holds (it makes %v %v)", x, float32(x))
		}
		return &SettingError{Field: name + end.field, Value: x, Use: use}
	}
	switch {
	case s.From < 0:
		return &SettingError{Field: name + ".From", Value: s.From, Use: "epoch 0 or later"}
	case s.Shape < ShapeStep || s.Shape > ShapeGeometric:
		return &SettingError{Field: name + ".Shape", Value: s.Shape, Use: "step, linear or geometric"}
	case s.Shape == ShapeGeometric && (s.Start <= 0 || s.End <= 0):
		return &SettingError{Field: name + ".Shape", Value: s.Shape, Use: fmt.Sprintf("linear or step: a geometric schedule needs values > 0, not %v and %v", s.Start, s.End)}
	}
	return nil
}

// DependsOnEpochs reports whether the values s takes depend on the run's
// number of epochs: a linear or geometric change spans the run's end.
func (s Schedule) DependsOnEpochs() bool { return s.Start != s.End && s.Shape != ShapeStep }

// Max and Min return the largest and the smallest value s takes.
func (s Schedule) Max() float64 { return math.Max(s.Start, s.End) }
func (s Schedule) Min() float64 { return math.Min(s.Start, s.End) }

func (s Schedule) String() string {
	if s.Start == s.End {
		return fmt.Sprint(s.Start)
	}
	return fmt.Sprintf("%v→%v %v from epoch %d", s.Start, s.End, s.Shape, s.From)
}
