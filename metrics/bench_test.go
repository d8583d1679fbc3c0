package metrics

import (
	"math/rand/v2"
	"testing"

	"gorbm.dev/gorbm/graph"
)

// BenchmarkSampleChains is the cost RBM_samples.png adds to every run with
// the command's defaults: 8 chains, 1000 steps, a 784×500 model.
func BenchmarkSampleChains(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	m, err := graph.New(784, 500, 0.1, rng)
	if err != nil {
		b.Fatal(err)
	}
	start := make([]float32, 8*784)
	Noise(start, rng)
	for b.Loop() {
		if _, err := SampleChains(m, start, 8, 1000, 100, rng); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluate is the cost of -eval per epoch: the 10,000 test images
// and 10,000 training images on a 784×500 model.
func BenchmarkEvaluate(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	m, err := graph.New(784, 500, 0.1, rng)
	if err != nil {
		b.Fatal(err)
	}
	v := make([]float32, 10000*784)
	Noise(v, rng)
	for b.Loop() {
		if _, err := Evaluate(m, v, 10000, v, 10000, rng); err != nil {
			b.Fatal(err)
		}
	}
}
