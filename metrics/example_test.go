package metrics_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/metrics"
)

// A 3×2 RBM, small enough for the exact partition function: the average
// log-probability of two images, and the estimate AIS gives for log Z.
func Example() {
	// W is Hidden×Visible (the script's layout), then the visible and hidden biases.
	m, err := graph.FromParams(3, 2,
		[]float32{2, 2, -1, -1, 0, 2},
		[]float32{-1, -1, 0.5},
		[]float32{-0.5, 0.5})
	if err != nil {
		fmt.Println(err)
		return
	}
	logZ, _ := metrics.ExactLogZ(m)
	v := []float32{1, 1, 0, 0, 0, 1} // two images
	logP, _ := metrics.LogProbability(m, v, 2, logZ)
	fmt.Printf("exact log Z = %.4f\n", logZ)
	fmt.Printf("mean log p(v) = %.4f\n", logP)

	src := rand.New(rand.NewPCG(1, 2)) // every draw from a seeded source
	betas, _ := metrics.Schedule(1000)
	ais, _ := metrics.AIS(context.Background(), m, metrics.AISOptions{Betas: betas, Chains: 100}, src)
	fmt.Printf("AIS from the uniform model: log Z = %.2f, ±3σ [%.2f, %.2f]\n", ais.LogZ, ais.Low, ais.High)
	// Output:
	// exact log Z = 4.5320
	// mean log p(v) = -1.8900
	// AIS from the uniform model: log Z = 4.54, ±3σ [4.52, 4.56]
}

// EstimateLogLikelihood runs AIS from both base models and RAISE, and says
// what to distrust. The test images here are the 8 states of 3 pixels, so
// their terms are all of Z: the images' lower bound is the exact log Z.
// RAISE is a stochastic lower bound: below the exact value on average over
// runs; with one chain per image a run can land a little above it, as here.
func ExampleEstimateLogLikelihood() {
	m, err := graph.FromParams(3, 2,
		[]float32{2, 2, -1, -1, 0, 2},
		[]float32{-1, -1, 0.5},
		[]float32{-0.5, 0.5})
	if err != nil {
		fmt.Println(err)
		return
	}
	test := []float32{0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1}
	betas, _ := metrics.Schedule(1000)
	ll, err := metrics.EstimateLogLikelihood(context.Background(), m, test, 8,
		metrics.LogLikelihoodOptions{Marginals: []float64{0.5, 0.4, 0.6}, Betas: betas, Chains: 100, RAISEImages: 8},
		rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		fmt.Println(err)
		return
	}
	bound, name := ll.Bounds.Best()
	fmt.Printf("log Z: base rate %.2f, uniform %.2f, combined %.2f (%s), at least %.4f (%s)\n",
		ll.BaseRate.LogZ, ll.Uniform.LogZ, ll.LogZ, ll.Chosen, bound, name)
	logZ, _ := metrics.ExactLogZ(m)
	exact, _ := metrics.LogProbability(m, test, 8, logZ)
	fmt.Printf("average log p(v): RAISE %.3f, AIS %.3f, exact %.3f\n", ll.RAISE.LogProb, ll.RAISEAIS, exact)
	fmt.Println("warnings:", len(ll.Warnings))
	// Output:
	// log Z: base rate 4.54, uniform 4.54, combined 4.54 (base rate), at least 4.5320 (the terms of 8 distinct images)
	// average log p(v): RAISE -2.317, AIS -2.337, exact -2.333
	// warnings: 0
}
