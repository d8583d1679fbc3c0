package graph_test

import (
	"fmt"
	"math/rand/v2"

	"gorbm.dev/gorbm/graph"
)

// One contrastive-divergence step on a tiny model: sample a reconstruction
// outside the graph, then let the graph compute the free-energy difference
// and the solver update the parameters.
func ExampleModel_Step() {
	rng := rand.New(rand.NewPCG(1, 2)) // the caller owns every random stream
	m, err := graph.New(6, 3, 0.1, rng)
	if err != nil {
		fmt.Println(err)
		return
	}
	v := []float32{ // two rows of six visible units
		1, 1, 1, 0, 0, 0,
		0, 0, 0, 1, 1, 1,
	}
	recon, err := graph.NewSampler(m).Gibbs(v, 2, 1, rng) // CD-1
	if err != nil {
		fmt.Println(err)
		return
	}
	loss, err := m.Step(v, recon, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("reconstruction has %d values, loss %.3f\n", len(recon), loss)
	fmt.Printf("visible bias after the step: %.2f\n", m.VBias.Data())
	// Output:
	// reconstruction has 12 values, loss 0.006
	// visible bias after the step: [0.00 0.00 0.05 0.05 0.00 0.00]
}
