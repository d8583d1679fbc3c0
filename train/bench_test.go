package train

import (
	"flag"
	"testing"
	"time"

	"gorbm.dev/gorbm/graph"
)

var presetImages = flag.Int("preset.images", 60000, "BenchmarkPresetEpoch: the images of its epoch")

// BenchmarkPresetEpoch measures one epoch of -recipe best's training on
// MNIST (600 steps: batches of 100 images and 100 persistent chains, PCD-1,
// the centered RBM with offsets moved at 0.01, momentum 0.5, lr 0.06 as in
// the first 40 epochs of the command's preset, internal/cli's recipes), from the data-dependent start, with the
// trainer's helpers (GOMAXPROCS−1). It reports seconds per epoch, and
// the processor time (user and system, all goroutines) per epoch, which a
// busy machine disturbs less than the wall time; bench/run.sh sets the
// epoch beside bench/torch_preset.py, the same epoch in PyTorch.
//
//	go test -run XXX -bench PresetEpoch -benchtime 3x ./train/
//
// -preset.images N trains on the first N images only (bench/run.sh
// --quick: a check that it runs).
func BenchmarkPresetEpoch(b *testing.B) {
	d := trainHead(b, *presetImages)
	p := make([]float64, Pixels) // the pixel means, as metrics.PixelMarginals gives them
	for i, x := range d.Images[:d.N*Pixels] {
		p[i%Pixels] += float64(x) / 255 / float64(d.N)
	}
	cfg := Config{Epochs: 1, BatchSize: 100, K: 1, Persistent: true, Chains: 100,
		Momentum: Constant(0.5), Centered: true, OffsetRate: 0.01}
	b.ResetTimer()
	var cpu time.Duration
	for range b.N {
		b.StopTimer()
		src := NewSources(1)
		m, err := graph.New(Pixels, 500, src.Init)
		if err != nil {
			b.Fatal(err)
		}
		t, err := graph.NewTrainer(m, 0.06)
		if err != nil {
			b.Fatal(err)
		}
		if err := (InitOptions{VisibleBias: true, Centered: true}).Apply(t, p); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		c0, _ := cpuTime()
		if _, err := Fit(t, d, cfg, src, nil); err != nil {
			b.Fatal(err)
		}
		c1, _ := cpuTime()
		cpu += c1 - c0
		b.StopTimer()
		t.Close()
		b.StartTimer()
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/epoch")
	if _, ok := cpuTime(); ok {
		b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/epoch")
	}
}
