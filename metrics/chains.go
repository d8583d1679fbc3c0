package metrics

import (
	"context"
	"fmt"
	"runtime"

	"gorbm.dev/gorbm/graph"
)

// Noise sets v to independent fair coin flips, one draw from src per value:
// a starting point for SampleChains that owes nothing to the data.
func Noise(v []float32, src graph.Uniform) {
	for i := range v {
		v[i] = 0.5
	}
	graph.Bernoulli(v, v, src)
}

// MaxSampleValues bounds the snapshots SampleChains returns, frames ×
// chains × Visible values (float32): 1 GB.
const MaxSampleValues = 1 << 28

// SampleChains runs chains persistent Gibbs chains of m from start
// (chains×Visible, left unchanged) for steps steps of graph.Sampler:
// h ~ p(h|v), then v ~ p(v|h). It returns the snapshots, steps/every + 1
// frames of chains×Visible values one after the other: frame 0 is start,
// frame t the visible probabilities p(v|h) of step t·every, the mean image
// the chain's next state is drawn from. It tells p of each step (phase
// "sample chains"), and when ctx is cancelled it stops within one step
// with an error wrapping ctx.Err().
func SampleChains(ctx context.Context, m *graph.Model, start []float32, chains, steps, every int, src graph.Uniform, p Progress) ([]float32, error) {
	if chains < 1 || chains > MaxChains {
		return nil, fmt.Errorf("metrics: %d sample chains: use 1 to %d", chains, MaxChains)
	}
	if err := check(m, start, chains); err != nil {
		return nil, err
	}
	if steps < 1 || every < 1 || every > steps {
		return nil, fmt.Errorf("metrics: %d Gibbs steps with a snapshot every %d: use steps ≥ 1 and 1 ≤ every ≤ steps", steps, every)
	}
	n := chains * m.Visible()
	if frames := steps/every + 1; frames > MaxSampleValues/n {
		return nil, fmt.Errorf("metrics: %d snapshots of %d chains of %d pixels: more than %d values; take fewer snapshots or chains", frames, chains, m.Visible(), MaxSampleValues)
	}
	frames := make([]float32, n, (steps/every+1)*n)
	copy(frames, start)
	v := append([]float32(nil), start...)
	pool := graph.NewPool(runtime.GOMAXPROCS(0) - 1)
	defer pool.Close()
	s := graph.NewSampler(m, pool)
	p.report("sample chains", 0, steps)
	for t := 1; t <= steps; t++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("metrics: sample chains stopped after %d of %d steps: %w", t-1, steps, err)
		}
		_, h := s.VisibleToHidden(v, chains, src)
		pV, vNext := s.HiddenToVisible(h, chains, src)
		copy(v, vNext)
		if t%every == 0 {
			frames = append(frames, pV...)
		}
		p.report("sample chains", t, steps)
	}
	return frames, nil
}
