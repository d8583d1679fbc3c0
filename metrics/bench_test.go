package metrics

import (
	"context"
	"math/rand/v2"
	"os"
	"testing"

	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/internal/rng"
	"gorbm.dev/gorbm/train"
)

// BenchmarkSampleChains is the cost RBM_samples.png adds to every run with
// the command's defaults: 8 chains, 1000 steps, a 784×500 model.
func BenchmarkSampleChains(b *testing.B) {
	src := rand.New(rand.NewPCG(1, 1))
	m, err := graph.New(784, 500, src)
	if err != nil {
		b.Fatal(err)
	}
	start := make([]float32, 8*784)
	Noise(start, src)
	for b.Loop() {
		if _, err := SampleChains(context.Background(), m, start, 8, 1000, 100, src, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluate is the cost of -eval per epoch: the 10,000 test images
// and 10,000 training images on a 784×500 model.
func BenchmarkEvaluate(b *testing.B) {
	src := rand.New(rand.NewPCG(1, 1))
	m, err := graph.New(784, 500, src)
	if err != nil {
		b.Fatal(err)
	}
	v := make([]float32, 10000*784)
	Noise(v, src)
	for b.Loop() {
		if _, err := Evaluate(m, v, 10000, v, 10000, src, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// paperModels returns the models of the AIS benchmarks, 784×500: the
// script's job (2 epochs of CD-1 on the 60,000 training images, seed 1),
// and a model fresh from graph.New, whose units are all near p = 0.5 (the
// most ones, the slowest products).
func paperModels(b *testing.B) []struct {
	name string
	m    *graph.Model
	marg []float64
} {
	b.Helper()
	dir, err := train.DataDir()
	if err != nil {
		b.Fatal(err)
	}
	trainSet, _, err := train.Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	src := train.NewSources(1)
	trained, err := graph.New(train.Pixels, 500, src.Init)
	if err != nil {
		b.Fatal(err)
	}
	tr, err := graph.NewTrainer(trained, 0.1)
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	if _, err := train.Fit(tr, trainSet, train.Config{Epochs: 2, BatchSize: 64, K: 1}, src, nil); err != nil {
		b.Fatal(err)
	}
	fresh, err := graph.New(train.Pixels, 500, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		b.Fatal(err)
	}
	marg, err := PixelMarginals(trainSet.Images, trainSet.N, train.Pixels)
	if err != nil {
		b.Fatal(err)
	}
	return []struct {
		name string
		m    *graph.Model
		marg []float64
	}{{"trained", trained, marg}, {"fresh", fresh, marg}}
}

// BenchmarkAISPaper is one AIS run with the paper's schedule (14,501 β,
// 100 chains) on a 784×500 model, from each base; -ais makes two.
func BenchmarkAISPaper(b *testing.B) {
	for _, pm := range paperModels(b) {
		for _, base := range []struct {
			name string
			bA   []float64
		}{{"base_rate", BaseRate(pm.marg)}, {"uniform", nil}} {
			b.Run(pm.name+"/"+base.name, func(b *testing.B) {
				for b.Loop() {
					if _, err := AIS(context.Background(), pm.m, AISOptions{Base: base.bA}, rng.New(1, 2)); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkRAISEPaper is RAISE with the paper's schedule from
// DefaultRAISEImages test images to the uniform model, as -ais runs it.
func BenchmarkRAISEPaper(b *testing.B) {
	d := testSet(b)
	v := make([]float32, DefaultRAISEImages*train.Pixels)
	for i := 0; i < DefaultRAISEImages; i++ {
		r := i * d.N / DefaultRAISEImages
		train.Binarize(v[i*train.Pixels:(i+1)*train.Pixels], d.Image(r), rand.New(rand.NewPCG(1, uint64(i))))
	}
	for _, pm := range paperModels(b) {
		b.Run(pm.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := RAISE(context.Background(), pm.m, v, DefaultRAISEImages, RAISEOptions{}, rng.New(1, 3)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLogLikelihood is the whole of -ais: EstimateLogLikelihood with
// the paper's schedule (two AIS runs of DefaultChains chains, RAISE from
// DefaultRAISEImages test images) and the command's seed 1, on the
// parameters saved in the folder GORBM_BENCH_PARAMS (W.npy, v_bias.npy,
// h_bias.npy; -recipe best's model is the one the target is
// about), or without it on the script's 2-epoch model. bench/ais.sh times
// it against the default training job.
func BenchmarkLogLikelihood(b *testing.B) {
	dir, err := train.DataDir()
	if err != nil {
		b.Fatal(err)
	}
	trainSet, testSet, err := train.Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	var m *graph.Model
	if params := os.Getenv("GORBM_BENCH_PARAMS"); params != "" {
		if m, err = train.LoadParams(params); err != nil { // the learning rate is not used
			b.Fatal(err)
		}
	} else {
		m = paperModels(b)[0].m
	}
	test, _ := train.EvalImages(1, testSet, trainSet)
	marg, err := PixelMarginals(trainSet.Images, trainSet.N, train.Pixels)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		ll, err := EstimateLogLikelihood(context.Background(), m, test, testSet.N, LogLikelihoodOptions{Marginals: marg}, rng.New(1, rng.AIS))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(ll.LogZ, "logZ")
		b.ReportMetric(ll.TestLogProb, "test_log_p")
		b.ReportMetric(ll.RAISE.LogProb, "RAISE")
	}
}
