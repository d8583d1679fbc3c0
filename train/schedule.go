package train

import (
	"fmt"
	"math"
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

var shapeNames = [...]string{ShapeStep: "step", ShapeLinear: "linear", ShapeGeometric: "geometric"}

func (s Shape) String() string {
	if s >= 0 && int(s) < len(shapeNames) {
		return shapeNames[s]
	}
	return fmt.Sprintf("Shape(%d)", int(s))
}

// ParseShape returns the Shape named s: step, linear or geometric.
func ParseShape(s string) (Shape, error) {
	for i, n := range shapeNames {
		if n == s {
			return Shape(i), nil
		}
	}
	return 0, fmt.Errorf("unknown schedule shape %q: use step, linear or geometric", s)
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

// Validate reports a schedule whose values lie outside [lo, hi] (or
// (0, hi] with positive), or that cannot be followed.
func (s Schedule) Validate(name string, lo, hi float64, positive bool) error {
	for _, x := range []float64{s.Start, s.End} {
		if math.IsNaN(x) || x < lo || x > hi || positive && x <= 0 {
			interval := fmt.Sprintf("[%g, %g]", lo, hi)
			if positive {
				interval = fmt.Sprintf("(0, %g]", hi)
			}
			return fmt.Errorf("%s %v: use a value in %s", name, x, interval)
		}
	}
	switch {
	case s.From < 0:
		return fmt.Errorf("%s: the schedule starts at epoch %d: use 0 or later", name, s.From)
	case s.Shape < ShapeStep || s.Shape > ShapeGeometric:
		return fmt.Errorf("%s: unknown schedule shape %v", name, s.Shape)
	case s.Shape == ShapeGeometric && (s.Start <= 0 || s.End <= 0):
		return fmt.Errorf("%s: a geometric schedule needs values > 0, not %v and %v", name, s.Start, s.End)
	}
	return nil
}

func (s Schedule) String() string {
	if s.Start == s.End {
		return fmt.Sprint(s.Start)
	}
	return fmt.Sprintf("%v→%v %v from epoch %d", s.Start, s.End, s.Shape, s.From)
}
