package graph_test

import (
	"fmt"
	"math/rand/v2"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"gorbm.dev/gorbm/graph"
)

// One contrastive-divergence step on a tiny model: sample a reconstruction
// outside the graph, then let the graph compute the free-energy difference
// and the solver update the parameters.
func ExampleTrainer_Step() {
	rng := rand.New(rand.NewPCG(1, 2)) // the caller owns every random stream
	m, err := graph.New(6, 3, rng)     // the parameters: model = RBM(k=1)
	if err != nil {
		fmt.Println(err)
		return
	}
	t, err := graph.NewTrainer(m, 0.1) // train_op = optim.SGD(model.parameters(), 0.1)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer t.Close()
	v := []float32{ // two rows of six visible units
		1, 1, 1, 0, 0, 0,
		0, 0, 0, 1, 1, 1,
	}
	batch, err := graph.NewSampler(m, t.Pool()).Gibbs(v, 2, 1, rng) // v, v1 = model(v): CD-1
	if err != nil {
		fmt.Println(err)
		return
	}
	loss, err := t.Step(batch) // loss.backward(); train_op.step()
	if err != nil {
		fmt.Println(err)
		return
	}
	_, vBias, _ := m.Params()
	fmt.Printf("reconstruction has %d values, loss %.3f\n", len(batch.Recon), loss)
	fmt.Printf("visible bias after the step: %.2f\n", vBias)
	// Output:
	// reconstruction has 12 values, loss 0.006
	// visible bias after the step: [0.00 0.00 0.05 0.05 0.00 0.00]
}

// The script's free_energy as a Gorgonia graph of stock ops, evaluated on
// a batch of two images of a tiny model with zero parameters: every
// softplus term is log 2.
func ExampleFreeEnergy() {
	g := gorgonia.NewGraph()
	const rows, visible, hidden = 2, 4, 3
	v := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(rows, visible), gorgonia.WithName("v"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(rows, visible), tensor.WithBacking([]float32{1, 0, 1, 0, 0, 1, 1, 1}))))
	w := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(visible, hidden), gorgonia.WithName("W"), gorgonia.WithInit(gorgonia.Zeroes()))
	vBias := gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(visible), gorgonia.WithName("v_bias"), gorgonia.WithInit(gorgonia.Zeroes()))
	hBias := gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(hidden), gorgonia.WithName("h_bias"), gorgonia.WithInit(gorgonia.Zeroes()))
	f, err := graph.FreeEnergy(v, w, vBias, hBias)
	if err != nil {
		fmt.Println(err)
		return
	}
	vm := gorgonia.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("mean F(v) = %.4f = −3·log 2\n", f.Value().Data())
	// Output:
	// mean F(v) = -2.0794 = −3·log 2
}
