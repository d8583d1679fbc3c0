package graph

import (
	"math"
	"path/filepath"
	"testing"
)

// TestTraceReplayMomentum replays the trace compare/trace.py records from
// torch.optim.SGD(momentum=0.9) with weight decay 0.01 on W only (the
// biases in a parameter group without decay), CD-1, on both graphs:
//
//   - while the learning rate stays at 0.1 (steps 0–3), Gorgonia's Momentum
//     solver with the decay in the cost graph gives torch's losses and
//     parameters to traceTol;
//   - at step 4 the learning rate drops to 0.05, where the two rules part:
//     torch steps p ← p − lr′·(μ·buf + g), Gorgonia p ← p + μ·c − lr′·g with
//     c = −lr·buf from the old rate, so torch's parameters are ours plus
//     μ·buf·(lr − lr′) = ours − μ·c·(lr − lr′)/lr. The test checks that
//     ours differ from torch's by far more than traceTol and that this
//     correction accounts for the difference to traceTol.
func TestTraceReplayMomentum(t *testing.T) {
	for _, g := range graphs {
		t.Run(g.String(), func(t *testing.T) { replayMomentum(t, g) })
	}
}

func replayMomentum(t *testing.T, g Graph) {
	dir := filepath.Join("..", "testdata", "trace", "k1_momentum")
	W := readNpy(t, filepath.Join(dir, "W.npy"))
	vb := readNpy(t, filepath.Join(dir, "v_bias.npy"))
	hb := readNpy(t, filepath.Join(dir, "h_bias.npy"))
	batch := readNpy(t, filepath.Join(dir, "batch.npy"))
	draws := readNpy(t, filepath.Join(dir, "draws.npy"))
	loss := readNpy(t, filepath.Join(dir, "loss.npy")).Data().([]float32)
	lrs := readNpy(t, filepath.Join(dir, "lr.npy")).Data().([]float32)
	hyper := readNpy(t, filepath.Join(dir, "hyper.npy")).Data().([]float32)
	momentum, decay := float64(hyper[0]), float64(hyper[1])

	steps, hidden, visible := W.Shape()[0]-1, W.Shape()[1], W.Shape()[2]
	rows, nd := batch.Shape()[1], draws.Shape()[1]
	wAll, vbAll, hbAll := W.Data().([]float32), vb.Data().([]float32), hb.Data().([]float32)
	batches, drawsAll := batch.Data().([]uint8), draws.Data().([]float32)
	change := 0 // the first step with another learning rate
	for change < steps && lrs[change] == lrs[0] {
		change++
	}
	if change < 2 || change >= steps {
		t.Fatalf("the trace changes the learning rate at step %d of %d: regenerate it with compare/trace.py", change, steps)
	}

	m, err := FromParams(visible, hidden, wAll[:hidden*visible], vbAll[:visible], hbAll[:hidden])
	if err != nil {
		t.Fatal(err)
	}
	tr := newTestTrainer(t, m, float64(lrs[0]))
	for _, err := range []error{tr.SetGraph(g), tr.SetMomentum(momentum), tr.SetWeightDecay(decay)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	s := NewSampler(m, tr.Pool())
	vData := make([]float32, rows*visible)
	var worst float64
	for step := 0; step <= change; step++ {
		for i, b := range batches[step*rows*visible : (step+1)*rows*visible] {
			vData[i] = float32(b)
		}
		if err := tr.SetLearnRate(float64(lrs[step])); err != nil {
			t.Fatal(err)
		}
		cw, cb, ch := tr.Velocity() // c before this step
		b, err := s.Gibbs(vData, rows, 1, &replayDraws{u: drawsAll[step*nd : (step+1)*nd]})
		if err != nil {
			t.Fatal(err)
		}
		got, err := tr.Step(b)
		if err != nil {
			t.Fatal(err)
		}
		if d := math.Abs(float64(got-loss[step])) / math.Max(math.Abs(float64(loss[step])), 1); d > traceTol {
			t.Errorf("step %d: loss %v, PyTorch %v (relative difference %.2g > %g)", step, got, loss[step], d, traceTol)
		}
		w, v, h := m.Params()
		n := step + 1
		for _, c := range []struct {
			name      string
			got, want []float32
			velocity  []float32
		}{
			{"W", w, wAll[n*hidden*visible : (n+1)*hidden*visible], cw},
			{"v_bias", v, vbAll[n*visible : (n+1)*visible], cb},
			{"h_bias", h, hbAll[n*hidden : (n+1)*hidden], ch},
		} {
			d := relDiff(c.got, c.want)
			if step < change {
				worst = math.Max(worst, d)
				if d > traceTol {
					t.Errorf("step %d: %s differs from PyTorch by %.2g relative (> %g)", step, c.name, d, traceTol)
				}
				continue
			}
			// The learning rate changed: torch's parameters are ours plus
			// −μ·c·(lr − lr′)/lr.
			if d < 100*traceTol {
				t.Errorf("step %d: %s differs from PyTorch by only %.2g after the learning rate changed: the rules should part", step, c.name, d)
			}
			old, now := float64(lrs[step-1]), float64(lrs[step])
			corrected := make([]float32, len(c.got))
			for i := range corrected {
				corrected[i] = float32(float64(c.got[i]) - momentum*float64(c.velocity[i])*(old-now)/old)
			}
			if d := relDiff(corrected, c.want); d > traceTol {
				t.Errorf("step %d: %s plus μ·buf·(lr − lr′) differs from PyTorch by %.2g relative (> %g)", step, c.name, d, traceTol)
			}
		}
	}
	t.Logf("%v graph: %d steps at lr %v agree to %.2g", g, change, lrs[0], worst)
}
