package graph

import (
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestParallelShares checks the work sharing of parallel: every item of a
// job is computed exactly once, whether the helper takes the second half,
// the caller claims it back, or the helper is held by another caller (then
// the caller does all), and with one processor or two. The job is σ in
// place, whose result shows any item done twice (σ(σ(x))) or not at all.
func TestParallelShares(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	const n = 4000
	src := make([]float32, n)
	for i := range src {
		src[i] = float32(rng.NormFloat64() * 3)
	}
	for _, tc := range []struct {
		name     string
		procs    int
		busy     bool // another caller holds the helper
		minItems int
	}{
		{"shared, 2 procs", 2, false, 1},
		{"shared, 1 proc", 1, false, 1},
		{"helper busy", 2, true, 1},
		{"too small to share", 2, false, n},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(tc.procs))
			if tc.busy {
				helper.mu.Lock()
				defer helper.mu.Unlock()
			}
			for round := range 50 { // some rounds find the helper polling, some asleep
				x := append([]float32(nil), src...)
				parallel(job{kind: jobSigmoid, e: elemJob{dst: x, src: x}}, n, tc.minItems)
				for i, v := range x {
					if want := sigmoid32(src[i]); v != want {
						t.Fatalf("round %d: item %d is %v, want σ(%v) = %v", round, i, v, src[i], want)
					}
				}
				if helper.state.Load() != taskIdle {
					t.Fatalf("round %d: helper state %d after the job, want idle", round, helper.state.Load())
				}
			}
		})
	}
}
