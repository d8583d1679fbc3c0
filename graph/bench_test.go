package graph

import (
	"testing"

	"gorbm.dev/gorbm/internal/rng"
)

// Sizes of the script's job: 784 visible units (28×28 pixels), 500 hidden
// units, batches of 64 images, CD-1.
const (
	benchVisible = 784
	benchHidden  = 500
	benchRows    = 64
	benchK       = 1
	// benchInk is the share of pixels set in a binarized MNIST image (about
	// 13 %), so that the benchmark's batches look like the real ones.
	benchInk = 0.13
)

// BenchmarkTrainStep measures one training step of the script's job: the
// Gibbs chain from a data batch (Sampler.Gibbs) and the graph's cost,
// gradients and SGD update (Trainer.Step), on synthetic binary batches with
// MNIST's share of ink. Its random
// model has about half its hidden units on, against 30 % in training, so
// its h·Wᵀ products are larger than the real ones.
//
//	go test -run XXX -bench TrainStep -benchmem -count 5 ./graph/                  # pure Go
//	go test -run XXX -bench TrainStep -benchmem -count 5 -tags openblas ./graph/   # OpenBLAS
func BenchmarkTrainStep(b *testing.B) {
	src := rng.New(1, 2) // the training streams' type (train.NewSources)
	m, err := New(benchVisible, benchHidden, src)
	if err != nil {
		b.Fatal(err)
	}
	tr := newTestTrainer(b, m, 0.1)
	batches := make([][]float32, 8)
	for i := range batches {
		batches[i] = make([]float32, benchRows*benchVisible)
		for j := range batches[i] {
			if src.Float32() < benchInk {
				batches[i][j] = 1
			}
		}
	}
	s := NewSampler(m, tr.Pool())
	step := func(i int) {
		v := batches[i%len(batches)]
		batch, err := s.Gibbs(v, benchRows, benchK, src)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tr.Step(batch); err != nil {
			b.Fatal(err)
		}
	}
	step(0) // compile the graph and size the buffers outside the timing
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		step(i)
	}
}

// BenchmarkTrainStepRecipes measures one training step of the recipes the
// command offers beyond the script (batches of 100 with MNIST's ink, 100
// persistent chains, CD-1 or PCD-1): plain SGD, momentum, momentum with
// weight decay, and the centered RBM with momentum and its offsets'
// moving average. Compare with BenchmarkTrainStep for the script's step.
//
//	go test -run XXX -bench TrainStepRecipes -benchmem -count 5 ./graph/
func BenchmarkTrainStepRecipes(b *testing.B) {
	const rows, chains = 100, 100
	for _, rc := range []struct {
		name            string
		pcd             bool
		momentum, decay float64
		centered        bool
	}{
		{"cd1-sgd", false, 0, 0, false},
		{"pcd1-sgd", true, 0, 0, false},
		{"pcd1-momentum", true, 0.9, 0, false},
		{"pcd1-momentum-decay", true, 0.9, 1e-4, false},
		{"pcd1-centered-momentum", true, 0.9, 0, true},
	} {
		b.Run(rc.name, func(b *testing.B) {
			src := rng.New(1, 2)
			m, err := New(benchVisible, benchHidden, src)
			if err != nil {
				b.Fatal(err)
			}
			tr := newTestTrainer(b, m, 0.01)
			if err := tr.SetMomentum(rc.momentum); err != nil {
				b.Fatal(err)
			}
			if err := tr.SetWeightDecay(rc.decay); err != nil {
				b.Fatal(err)
			}
			if rc.centered {
				mu, lambda := make([]float32, benchVisible), make([]float32, benchHidden)
				for i := range mu {
					mu[i] = benchInk
				}
				for j := range lambda {
					lambda[j] = 0.5
				}
				if err := tr.SetOffsets(mu, lambda); err != nil {
					b.Fatal(err)
				}
			}
			batches := make([][]float32, 8)
			for i := range batches {
				batches[i] = make([]float32, rows*benchVisible)
				for j := range batches[i] {
					if src.Float32() < benchInk {
						batches[i][j] = 1
					}
				}
			}
			chain := append([]float32(nil), batches[0]...)
			s := NewSampler(m, tr.Pool())
			step := func(i int) {
				v := batches[i%len(batches)]
				var batch Batch
				var err error
				if rc.pcd {
					batch, err = s.Persistent(v, rows, chain, chains, 1, src)
				} else {
					batch, err = s.Gibbs(v, rows, 1, src)
				}
				if err != nil {
					b.Fatal(err)
				}
				if rc.centered {
					if err := tr.MoveOffsets(batch, 0.01); err != nil {
						b.Fatal(err)
					}
				}
				if _, err := tr.Step(batch); err != nil {
					b.Fatal(err)
				}
				if rc.pcd {
					copy(chain, batch.Recon)
				}
			}
			step(0)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				step(i)
			}
		})
	}
}
