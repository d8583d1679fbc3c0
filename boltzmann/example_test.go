package boltzmann_test

import (
	"fmt"
	"math/rand/v2"

	"gorbm.dev/gorbm/boltzmann"
)

// Two ferromagnetically coupled spins: the aligned states ++ and -- are
// favoured, and Glauber dynamics visits them as often as Boltzmann says.
func Example() {
	m, err := boltzmann.NewSystem(2, []float64{0, 1, 1, 0}, nil)
	if err != nil {
		panic(err)
	}
	exact := m.Exact()
	rng := rand.New(rand.NewPCG(1, 2))
	glauber := boltzmann.Histogram(m.Glauber(0, 100, 100000, rng), m.NumStates())
	for a, p := range exact {
		fmt.Printf("%s E=%+.0f p=%.3f\n", m.Label(a), m.Energy(m.State(a)), p)
	}
	fmt.Printf("log Z = %.4f\n", m.LogPartition())
	fmt.Printf("TV(Glauber, exact) < 0.01: %v\n", boltzmann.TotalVariation(glauber, exact) < 0.01)

	r, err := boltzmann.NewRBM(2, 1, []float64{1, -1}, nil, []float64{0.5})
	if err != nil {
		panic(err)
	}
	v := []int{1, 0}
	fmt.Printf("p(h=1|v=10) = %.4f (closed form), %.4f (enumerated)\n",
		r.HiddenGivenVisible(v)[0], r.HiddenGivenVisibleEnumerated(v)[0])
	// Output:
	// -- E=-1 p=0.440
	// +- E=+1 p=0.060
	// -+ E=+1 p=0.060
	// ++ E=-1 p=0.440
	// log Z = 1.8201
	// TV(Glauber, exact) < 0.01: true
	// p(h=1|v=10) = 0.8176 (closed form), 0.8176 (enumerated)
}
