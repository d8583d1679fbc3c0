package report_test

import (
	"fmt"

	"gorbm.dev/gorbm/compare/report"
)

// Three seeds per implementation: the means differ by 0.05, less than the
// 0.1 floor, so the line passes.
func ExampleCheck() {
	py := report.Summarize([]float64{-3.10, -3.12, -3.08})
	gov := report.Summarize([]float64{-3.05, -3.07, -3.03})
	v := report.Check(gov, py)
	fmt.Printf("diff %.2f, tolerance %.2f, pass %v\n", v.Diff, v.Tolerance, v.Pass)
	// Output: diff 0.05, tolerance 0.10, pass true
}
