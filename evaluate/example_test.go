package evaluate_test

import (
	"fmt"

	"gorbm.dev/gorbm/evaluate"
	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/train"
)

// A model whose weights and biases are all zero gives every image the
// probability 2^−784, so its test metrics have closed forms whatever the
// draws: a reconstruction error of 1/4 per pixel of a 0/1 image and a
// pseudo-log-likelihood of −784·log 2 ≈ −543.4 nats.
func ExampleData_Metrics() {
	const hidden, images = 3, 20
	m, err := graph.FromParams(train.Pixels, hidden, make([]float32, hidden*train.Pixels), make([]float32, train.Pixels), make([]float32, hidden))
	if err != nil {
		panic(err)
	}
	set := &train.Dataset{Images: make([]uint8, images*train.Pixels), Labels: make([]uint8, images), N: images}
	for i := range set.Images {
		set.Images[i] = uint8(i * 37 % 256)
	}
	d, err := evaluate.NewData(1, set, set) // a run seeded with 1, this set as its test and training images
	if err != nil {
		panic(err)
	}
	r, err := d.Metrics(m, nil)
	if err != nil {
		panic(err)
	}
	fmt.Printf("reconstruction error %.3f, pseudo-log-likelihood %.1f nats\n", r.ReconstructionError, r.PseudoLogLikelihood)
	// Output:
	// reconstruction error 0.250, pseudo-log-likelihood -543.4 nats
}
