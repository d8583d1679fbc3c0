package report

import (
	"math"
	"testing"
)

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name   string
		goVals []float64
		pyVals []float64
		pass   bool
		tol    float64 // expected tolerance
	}{
		// SEs 1/√3 each, combined √(2/3) ≈ 0.816, tolerance 1.63; diff 1.
		{"within two standard errors", []float64{9, 10, 11}, []float64{10, 11, 12}, true, 2 * math.Sqrt(2.0/3)},
		// Same spread, diff 2 > 1.63.
		{"beyond two standard errors", []float64{9, 10, 11}, []float64{11, 12, 13}, false, 2 * math.Sqrt(2.0/3)},
		// No spread at all: the 0.1 floor decides; 0.09 passes.
		{"floor passes a tiny difference", []float64{1, 1}, []float64{1.09, 1.09}, true, AbsFloor},
		// 0.11 fails even though the standard errors are (almost) zero.
		{"floor fails beyond 0.1", []float64{1, 1}, []float64{1.11, 1.11}, false, AbsFloor},
		// Standard errors above the floor widen the band: diff 0.3, SEs 0.2 → tolerance 0.566.
		{"spread beyond the floor", []float64{0.8, 1.2}, []float64{1.1, 1.5}, true, 2 * math.Sqrt(0.2*0.2+0.2*0.2)},
		{"NaN fails", []float64{math.NaN(), 1}, []float64{1, 1}, false, math.NaN()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := Check(Summarize(tc.goVals), Summarize(tc.pyVals))
			if v.Pass != tc.pass {
				t.Errorf("Check(%v, %v) = %+v, want pass %v", tc.goVals, tc.pyVals, v, tc.pass)
			}
			if !(math.IsNaN(tc.tol) && math.IsNaN(v.Tolerance)) && math.Abs(v.Tolerance-tc.tol) > 1e-12 {
				t.Errorf("tolerance %v, want %v", v.Tolerance, tc.tol)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	for _, tc := range []struct {
		xs            []float64
		mean, std, se float64
	}{
		{[]float64{2, 4, 4, 4, 5, 5, 7, 9}, 5, math.Sqrt(32.0 / 7), math.Sqrt(32.0/7) / math.Sqrt(8)},
		{[]float64{3}, 3, 0, 0},
	} {
		s := Summarize(tc.xs)
		if s.Mean != tc.mean || math.Abs(s.Std-tc.std) > 1e-12 || math.Abs(s.StdErr()-tc.se) > 1e-12 {
			t.Errorf("Summarize(%v) = %+v (se %v), want mean %v std %v se %v", tc.xs, s, s.StdErr(), tc.mean, tc.std, tc.se)
		}
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		xs   []float64
		want float64
	}{{[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 3, 2}, 2.5}, {[]float64{7}, 7}} {
		if got := Median(tc.xs); got != tc.want {
			t.Errorf("Median(%v) = %v, want %v", tc.xs, got, tc.want)
		}
	}
}
