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

// The training streams hand out their uniform variates in bulk, the same
// values as one Float32 call each.
func ExampleRand_FillFloat32() {
	bulk := graph.NewRand(rand.NewPCG(7, 8))
	u := make([]float32, 5)
	bulk.FillFloat32(u)

	oneByOne := rand.New(rand.NewPCG(7, 8))
	same := true
	for _, x := range u {
		same = same && x == oneByOne.Float32()
	}
	fmt.Println("same values:", same)
	fmt.Println("same state after:", bulk.Uint64() == oneByOne.Uint64())
	// Output:
	// same values: true
	// same state after: true
}

// Variates drawn beforehand (train.Fit draws the next batch's while the
// current one trains) feed the sampler through a Drawn, in order.
func ExampleDrawn() {
	u := graph.NewDrawn([]float32{0.1, 0.9, 0.5, 0.3})
	p := []float32{0.5, 0.5, 0.5, 0.5} // Bernoulli sets 1 where p > u
	v := make([]float32, len(p))
	graph.Bernoulli(v, p, u)
	fmt.Println(v, "left:", u.Len())
	// Output:
	// [1 0 0 1] left: 0
}
