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

// Metropolis and Glauber dynamics both sample the Boltzmann distribution;
// Evolve shows, without noise, how fast each forgets its start.
func ExampleSystem_Metropolis() {
	m, err := boltzmann.NewSystem(3, []float64{0, 1, 0, 1, 0, -0.5, 0, -0.5, 0}, []float64{0.2, 0, -0.3})
	if err != nil {
		panic(err)
	}
	exact := m.Exact()
	for _, rule := range []boltzmann.Rule{boltzmann.Glauber, boltzmann.Metropolis} {
		rng := boltzmann.NewUniform(1)
		var visits []int
		if rule == boltzmann.Glauber {
			visits = m.Glauber(0, 100, 100000, rng)
		} else {
			visits = m.Metropolis(0, 100, 100000, rng)
		}
		p := make([]float64, m.NumStates())
		p[0] = 1 // start in ---
		for t := 0; t < 8; t++ {
			if p, err = m.Evolve(rule, p); err != nil {
				panic(err)
			}
		}
		fmt.Printf("%-10s accepts ΔE=+1 with %.3f; TV after 8 sweeps %.4f; 100000 sweeps within 0.01: %v\n", rule,
			rule.Acceptance(1), boltzmann.TotalVariation(p, exact),
			boltzmann.TotalVariation(boltzmann.Histogram(visits, m.NumStates()), exact) < 0.01)
	}
	// Output:
	// Glauber    accepts ΔE=+1 with 0.269; TV after 8 sweeps 0.0096; 100000 sweeps within 0.01: true
	// Metropolis accepts ΔE=+1 with 0.368; TV after 8 sweeps 0.0010; 100000 sweeps within 0.01: true
}

// The learning rule τ dw/dt = ⟨s_i s_j⟩_data − ⟨s_i s_j⟩_thermal drives
// K(q;p) to zero on data a Boltzmann machine can represent.
func ExampleLearningRule() {
	var data [][]int
	for _, s := range []string{"+++", "+++", "+++", "---", "---", "---", "++-", "+-+", "-++", "--+", "-+-", "+--"} {
		v := make([]int, len(s))
		for i, c := range s {
			v[i] = map[rune]int{'+': 1, '-': -1}[c]
		}
		data = append(data, v)
	}
	m, err := boltzmann.NewSystem(3, nil, nil) // no couplings yet
	if err != nil {
		panic(err)
	}
	q, err := m.Distribution(data)
	if err != nil {
		panic(err)
	}
	dataMoments, _ := m.Moments(q)
	for step := 0; step <= 30; step++ {
		thermal, _ := m.Moments(m.Exact())
		k, _ := boltzmann.KullbackLeibler(q, m.Exact())
		if step%5 == 0 && step <= 10 {
			fmt.Printf("step %2d: K(q;p) = %.2e, ⟨s0 s1⟩ thermal %.3f, data %.3f\n", step, k, thermal.Corr[1], dataMoments.Corr[1])
		}
		if step == 30 {
			fmt.Printf("step 30: K(q;p) < 1e-12: %v, w_01 = %.3f\n", k < 1e-12, m.W[1])
		}
		g, err := boltzmann.LearningRule(dataMoments, thermal)
		if err != nil {
			panic(err)
		}
		if err := m.Learn(g, 0.5); err != nil {
			panic(err)
		}
	}
	// Output:
	// step  0: K(q;p) = 1.44e-01, ⟨s0 s1⟩ thermal 0.000, data 0.333
	// step  5: K(q;p) = 3.81e-06, ⟨s0 s1⟩ thermal 0.331, data 0.333
	// step 10: K(q;p) = 6.45e-11, ⟨s0 s1⟩ thermal 0.333, data 0.333
	// step 30: K(q;p) < 1e-12: true, w_01 = 0.275
}

// K(q;p) is not symmetric.
func ExampleKullbackLeibler() {
	q, p := []float64{0.5, 0.5}, []float64{0.25, 0.75}
	kqp, _ := boltzmann.KullbackLeibler(q, p)
	kpq, _ := boltzmann.KullbackLeibler(p, q)
	kqq, _ := boltzmann.KullbackLeibler(q, q)
	fmt.Printf("K(q;p) = %.4f, K(p;q) = %.4f, K(q;q) = %.0f\n", kqp, kpq, kqq)
	// Output: K(q;p) = 0.1438, K(p;q) = 0.1308, K(q;q) = 0
}

// A Hopfield network repairs a corrupted memory well below capacity.
func ExampleNewHopfield() {
	rng := boltzmann.NewUniform(3)
	memories, err := boltzmann.RandomPatterns(20, 400, rng) // load 0.05
	if err != nil {
		panic(err)
	}
	h, err := boltzmann.NewHopfield(memories)
	if err != nil {
		panic(err)
	}
	s, _ := boltzmann.Corrupt(memories[0], 60, rng)
	before, _ := boltzmann.Overlap(s, memories[0])
	sweeps, err := h.Recall(s, boltzmann.MaxRecallSweeps, rng)
	if err != nil {
		panic(err)
	}
	after, _ := boltzmann.Overlap(s, memories[0])
	fmt.Printf("overlap %.2f → %.2f in %d sweeps\n", before, after, sweeps)
	// Output: overlap 0.70 → 1.00 in 2 sweeps
}

// CD-1 is biased on an RBM with two well-separated modes; CD-k's expected
// value approaches the exact gradient as k grows.
func ExampleRBM_ExpectedContrastiveDivergence() {
	r, err := boltzmann.NewRBM(4, 2, []float64{4, -4, 4, -4, -4, 4, -4, 4}, []float64{-2, -2, -2, -2}, []float64{-4, -4})
	if err != nil {
		panic(err)
	}
	data := [][]int{{1, 1, 0, 0}, {1, 1, 1, 0}, {0, 0, 1, 1}, {0, 1, 1, 1}, {1, 1, 0, 0}}
	exact, err := r.ExactGradient(data)
	if err != nil {
		panic(err)
	}
	for _, k := range []int{1, 8, 64} {
		cd, err := r.ExpectedContrastiveDivergence(data, k)
		if err != nil {
			panic(err)
		}
		fmt.Printf("CD-%d: relative error %.1e\n", k, cd.RelativeError(exact))
	}
	// Output:
	// CD-1: relative error 4.3e-01
	// CD-8: relative error 1.3e-01
	// CD-64: relative error 3.6e-05
}
