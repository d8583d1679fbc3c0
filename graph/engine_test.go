package graph

import (
	"math/rand/v2"
	"slices"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestSolverEngineIsGorgonias checks that Gorgonia's VanillaSolver steps a
// parameter on the solver's engine (the fast graph's update) to the same
// bits as on Gorgonia's standard engine, with the settings the trainer
// uses and with options that take the standard engine's other paths (L2,
// clipping), over steps whose learning rate changes; and that the
// engine's Mul and Add leave their operands alone when asked for a new
// tensor.
func TestSolverEngineIsGorgonias(t *testing.T) {
	const n = 1003 // not a multiple of the kernels' 8 and 32
	rng := rand.New(rand.NewPCG(61, 62))
	for _, opts := range [][]gorgonia.SolverOpt{
		nil,
		{gorgonia.WithL2Reg(0.01)},
		{gorgonia.WithClip(0.05)},
	} {
		ours := gorgonia.NewVanillaSolver(opts...)
		theirs := gorgonia.NewVanillaSolver(opts...)
		p := uniforms(rng, n, -2, 2)
		onEngine := paramGrad{vectorOver(slices.Clone(p)), vectorOver(make([]float32, n))}
		standard := paramGrad{tensor.New(tensor.WithShape(n), tensor.WithBacking(slices.Clone(p))), tensor.New(tensor.WithShape(n), tensor.Of(tensor.Float32))}
		for step, lr := range []float64{0.1, 0.1, 0.0137, 3} {
			gorgonia.WithLearnRate(lr)(ours)
			gorgonia.WithLearnRate(lr)(theirs)
			g := uniforms(rng, n, -1, 1)
			copy(f32s(onEngine.grad), g)
			copy(f32s(standard.grad), g)
			if err := ours.Step([]gorgonia.ValueGrad{onEngine}); err != nil {
				t.Fatal(err)
			}
			if err := theirs.Step([]gorgonia.ValueGrad{standard}); err != nil {
				t.Fatal(err)
			}
			if !sameBits(f32s(onEngine.value), f32s(standard.value)) {
				t.Fatalf("options %d, step %d: VanillaSolver on the solver's engine differs from the standard engine", len(opts), step)
			}
			if !sameBits(f32s(onEngine.grad), make([]float32, n)) {
				t.Fatalf("options %d, step %d: the gradient was not zeroed", len(opts), step)
			}
		}
	}

	a, b := uniforms(rng, n, -1, 1), uniforms(rng, n, -1, 1)
	ta, tb := vectorOver(slices.Clone(a)), vectorOver(slices.Clone(b))
	sum, err := tensor.Add(ta, tb)
	if err != nil {
		t.Fatal(err)
	}
	prod, err := tensor.Mul(ta, float32(3))
	if err != nil {
		t.Fatal(err)
	}
	if !sameBits(f32s(ta), a) || !sameBits(f32s(tb), b) {
		t.Fatal("a safe Add or Mul on the solver's engine changed its operands")
	}
	for i := range a {
		if f32s(sum.(*tensor.Dense))[i] != a[i]+b[i] || f32s(prod.(*tensor.Dense))[i] != a[i]*3 {
			t.Fatalf("element %d: safe Add or Mul on the solver's engine gave the wrong value", i)
		}
	}
}
