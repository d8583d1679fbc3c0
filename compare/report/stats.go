package report

import (
	"fmt"
	"math"
	"slices"
)

// The statistical check's thresholds, from the issue: two combined standard
// errors, or 0.1 absolute, whichever is larger.
const (
	StdErrs  = 2
	AbsFloor = 0.1
)

// CrossTol is the largest relative difference allowed between the mean free
// energies PyTorch and Go compute on the same parameters and images. Both
// sum 500 softplus terms and 784 bias terms per image in float32 (Go in
// float64 after a float32 product), so they differ by a few float32 ε
// (6e-8) times those lengths, far below 1e-4; a wrong term or layout
// (a transposed W) shows up at 1e-2 or more.
const CrossTol = 1e-4

// Stats summarises one quantity over seeds.
type Stats struct {
	Mean float64   `json:"mean"`
	Std  float64   `json:"std"` // sample standard deviation (n−1); 0 for n < 2
	N    int       `json:"n"`
	Of   []float64 `json:"values"`
}

// Summarize returns the mean and sample standard deviation of xs.
func Summarize(xs []float64) Stats {
	s := Stats{N: len(xs), Of: append([]float64(nil), xs...)}
	if s.N == 0 {
		return s
	}
	for _, x := range xs {
		s.Mean += x
	}
	s.Mean /= float64(s.N)
	if s.N > 1 {
		var ss float64
		for _, x := range xs {
			ss += (x - s.Mean) * (x - s.Mean)
		}
		s.Std = math.Sqrt(ss / float64(s.N-1))
	}
	return s
}

// StdErr is the standard error of the mean, Std/√N.
func (s Stats) StdErr() float64 {
	if s.N == 0 {
		return math.NaN()
	}
	return s.Std / math.Sqrt(float64(s.N))
}

func (s Stats) String() string { return fmt.Sprintf("%.4g ± %.2g", s.Mean, s.Std) }

// Median returns the median of xs (NaN if empty).
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}

// Verdict is the outcome of the statistical check on one line.
type Verdict struct {
	Diff      float64 `json:"abs_diff"`  // |m_go − m_py|
	Tolerance float64 `json:"tolerance"` // max(StdErrs·combined SE, AbsFloor)
	Pass      bool    `json:"pass"`
}

// Check applies the statistical check to the Go and PyTorch values of one
// line. A NaN anywhere fails.
func Check(goS, pyS Stats) Verdict {
	se := math.Sqrt(goS.StdErr()*goS.StdErr() + pyS.StdErr()*pyS.StdErr())
	v := Verdict{Diff: math.Abs(goS.Mean - pyS.Mean), Tolerance: math.Max(StdErrs*se, AbsFloor)}
	if math.IsNaN(se) {
		v.Tolerance = math.NaN()
	}
	v.Pass = v.Diff <= v.Tolerance // false for NaN
	return v
}

// RelDiff is |a − b| / |b|, the cross-over's measure with b the reference
// (PyTorch) value.
func RelDiff(a, b float64) float64 { return math.Abs(a-b) / math.Abs(b) }
