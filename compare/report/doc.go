// Package report builds the side-by-side comparison of the PyTorch reference
// (compare/reference.py) and the Go port that compare/run.sh produces:
// per-epoch loss and test metrics over seeds, wall time and peak memory of
// each job, the cross-over of trained parameters, and the statistical check
// that decides PASS or FAIL.
//
// # The statistical check
//
// Different random streams mean the two implementations cannot give equal
// numbers; they must be indistinguishable. For a quantity measured over n
// seeds per implementation, with means m_go, m_py and sample standard
// deviations s_go, s_py, the line passes when
//
//	|m_go − m_py| ≤ max(StdErrs·√(s_go²/n_go + s_py²/n_py), AbsFloor)
//
// (two combined standard errors, or 0.1 absolute, whichever is larger).
//
// # The cross-over
//
// The parameters each implementation trained are evaluated by both: the
// mean free energy per image of the same test images, computed by PyTorch
// and by Go on the same parameters, must agree to CrossTol relative.
package report
