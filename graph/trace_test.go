package graph

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"gorgonia.org/tensor"
)

// traceTol is the relative tolerance of the trace replay. Both sides compute
// in float32 (ε ≈ 6e-8) but with different BLAS kernels, exp/log routines and
// summation orders; after a few steps the differences stay well below 1e-5 of
// each quantity's scale, the bound the issue asks for. A parameter's scale is
// its largest magnitude; the loss's is max(|loss|, 1), because the first
// loss is a near-cancelling difference of two free energies of order 10.
const traceTol = 1e-5

// readNpy reads a .npy fixture with gorgonia tensor's reader.
func readNpy(t *testing.T, path string) *tensor.Dense {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("fixture missing: %v (regenerate with compare/trace.py)", err)
	}
	defer f.Close()
	d := new(tensor.Dense)
	if err := d.ReadNpy(bufio.NewReader(f)); err != nil { // it reads one value per Read call
		t.Fatalf("reading %s: %v", path, err)
	}
	return d
}

// replayDraws hands out recorded uniform draws in order.
type replayDraws struct {
	u []float32
	i int
}

func (r *replayDraws) Float32() float32 {
	if r.i >= len(r.u) {
		panic("replay: sampler asked for more draws than the trace recorded")
	}
	r.i++
	return r.u[r.i-1]
}

// relDiff returns max|got−want| / max|want|, the error relative to the
// scale of the reference values.
func relDiff(got, want []float32) float64 {
	var diff, scale float64
	for i := range want {
		diff = math.Max(diff, math.Abs(float64(got[i])-float64(want[i])))
		scale = math.Max(scale, math.Abs(float64(want[i])))
	}
	if scale == 0 {
		return diff
	}
	return diff / scale
}

// TestTraceReplay replays traces recorded from the PyTorch script's RBM
// (compare/trace.py): the same initial parameters, binarized batches and
// uniform draws must give the same losses and parameters after every step.
func TestTraceReplay(t *testing.T) {
	for _, g := range graphs {
		for _, k := range []int{1, 3} {
			t.Run(fmt.Sprintf("%v/k=%d", g, k), func(t *testing.T) { replay(t, g, k) })
		}
	}
}

func replay(t *testing.T, g Graph, k int) {
	dir := filepath.Join("..", "testdata", "trace", fmt.Sprintf("k%d", k))
	W := readNpy(t, filepath.Join(dir, "W.npy"))
	vb := readNpy(t, filepath.Join(dir, "v_bias.npy"))
	hb := readNpy(t, filepath.Join(dir, "h_bias.npy"))
	batch := readNpy(t, filepath.Join(dir, "batch.npy"))
	draws := readNpy(t, filepath.Join(dir, "draws.npy"))
	loss := readNpy(t, filepath.Join(dir, "loss.npy")).Data().([]float32)

	steps, hidden, visible := W.Shape()[0]-1, W.Shape()[1], W.Shape()[2]
	rows := batch.Shape()[1]
	nd := draws.Shape()[1]
	wAll, vbAll, hbAll := W.Data().([]float32), vb.Data().([]float32), hb.Data().([]float32)
	batches, drawsAll := batch.Data().([]uint8), draws.Data().([]float32)
	const lr = 0.1 // compare/trace.py's LR

	m, err := FromParams(visible, hidden, wAll[:hidden*visible], vbAll[:visible], hbAll[:hidden])
	if err != nil {
		t.Fatal(err)
	}
	tr := newTestTrainer(t, m, lr)
	if err := tr.SetGraph(g); err != nil {
		t.Fatal(err)
	}
	s := NewSampler(m, tr.Pool())
	var worst float64 // largest relative difference seen, logged for the record
	vData := make([]float32, rows*visible)
	for step := 0; step < steps; step++ {
		for i, b := range batches[step*rows*visible : (step+1)*rows*visible] {
			vData[i] = float32(b)
		}
		src := &replayDraws{u: drawsAll[step*nd : (step+1)*nd]}
		b, err := s.Gibbs(vData, rows, k, src)
		if err != nil {
			t.Fatal(err)
		}
		if src.i != nd {
			t.Fatalf("step %d: sampler used %d draws, the script used %d", step, src.i, nd)
		}
		got, err := tr.Step(b)
		if err != nil {
			t.Fatal(err)
		}
		d := math.Abs(float64(got-loss[step])) / math.Max(math.Abs(float64(loss[step])), 1)
		worst = math.Max(worst, d)
		if d > traceTol {
			t.Errorf("step %d: loss %v, PyTorch %v (relative difference %.2g > %g)", step, got, loss[step], d, traceTol)
		}
		w, v, h := m.Params()
		n := step + 1
		for _, c := range []struct {
			name      string
			got, want []float32
		}{
			{"W", w, wAll[n*hidden*visible : (n+1)*hidden*visible]},
			{"v_bias", v, vbAll[n*visible : (n+1)*visible]},
			{"h_bias", h, hbAll[n*hidden : (n+1)*hidden]},
		} {
			d := relDiff(c.got, c.want)
			worst = math.Max(worst, d)
			if d > traceTol {
				t.Errorf("step %d: %s differs from PyTorch by %.2g relative (> %g)", step, c.name, d, traceTol)
			}
		}
	}
	t.Logf("%v graph, k=%d: %d steps, largest relative difference %.2g", g, k, steps, worst)
}
