package metrics_test

import (
	"fmt"
	"math/rand/v2"

	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/metrics"
)

// A 3×2 RBM, small enough for the exact partition function: the average
// log-probability of two images, and the estimate AIS gives for log Z.
func Example() {
	// W is Hidden×Visible (the script's layout), then the visible and hidden biases.
	m, err := graph.FromParams(3, 2, 0.1,
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
	ais, _ := metrics.AIS(m, metrics.AISOptions{Marginals: []float64{0.5, 0.5, 0.5}, Chains: 100}, src)
	fmt.Printf("AIS log Z = %.2f\n", ais.LogZ)
	// Output:
	// exact log Z = 4.5320
	// mean log p(v) = -1.8900
	// AIS log Z = 4.53
}
