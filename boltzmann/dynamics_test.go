package boltzmann

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Both rules' histograms approach the Boltzmann distribution, each within
// a bound that shrinks like 1/√n as the chain grows tenfold and a hundredfold.
func TestChainsMatchBoltzmann(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
		w, h []float64
	}{
		{"free spins in a field", 2, nil, []float64{0.5, -1}},
		{"ferromagnetic pair", 2, []float64{0, 1, 1, 0}, []float64{0.2, 0}},
		{"frustrated triangle", 3, []float64{0, -1, -1, -1, 0, -1, -1, -1, 0}, []float64{0.3, 0, -0.3}},
		{"asymmetric couplings", 3, []float64{0, 0.8, -0.2, 0.4, 0, 0.5, 0.1, -0.6, 0}, []float64{0, 0.4, 0.1}},
	} {
		for _, rule := range []Rule{Glauber, Metropolis} {
			t.Run(tc.name+"/"+rule.String(), func(t *testing.T) {
				m := mustSystem(t, tc.n, tc.w, tc.h)
				want := m.Exact()
				rng := rand.New(rand.NewPCG(3, uint64(tc.n)))
				for _, samples := range []int{1_000, 10_000, 100_000} {
					got := Histogram(m.chain(rule, 0, 100, samples, rng), m.NumStates())
					tol := tvTolerance(m.NumStates(), samples)
					if d := TotalVariation(got, want); d > tol {
						t.Errorf("%d sweeps: TV(%v, exact) = %.4f > %.4f\nsampled %v\nexact   %v", samples, rule, d, tol, got, want)
					}
				}
			})
		}
	}
}

// The public chains are the rules' chains: Glauber keeps the heat-bath
// stream it always had, Metropolis is the other rule on the same loop.
func TestGlauberAndMetropolisMethods(t *testing.T) {
	m := mustSystem(t, 3, []float64{0, 1, 0, 1, 0, -0.5, 0, -0.5, 0}, []float64{0.2, 0, -0.3})
	for _, tc := range []struct {
		rule  Rule
		chain func(start, burnIn, samples int, rng Uniform) []int
	}{{Glauber, m.Glauber}, {Metropolis, m.Metropolis}} {
		a := tc.chain(5, 10, 50, rand.New(rand.NewPCG(8, 8)))
		b := m.chain(tc.rule, 5, 10, 50, rand.New(rand.NewPCG(8, 8)))
		for k := range a {
			if a[k] != b[k] {
				t.Fatalf("%v: sample %d is %d, rule's chain %d", tc.rule, k, a[k], b[k])
			}
		}
	}
	// Sweep is the heat bath s_k = +1 with probability σ(ε_k), one draw per spin.
	s, want := m.State(0b101), m.State(0b101)
	rng, ref := rand.New(rand.NewPCG(9, 9)), rand.New(rand.NewPCG(9, 9))
	m.Sweep(s, rng)
	for k := range want {
		want[k] = -1
		if ref.Float64() < Sigmoid(m.LocalField(want, k)) {
			want[k] = 1
		}
	}
	if SpinIndex(s) != SpinIndex(want) {
		t.Errorf("Sweep gave %v, heat bath %v", s, want)
	}
}

func TestAcceptanceDetailedBalance(t *testing.T) {
	for _, rule := range []Rule{Glauber, Metropolis} {
		for _, dE := range []float64{-30, -2, -0.5, 0, 0.1, 1, 7} {
			// The notes' P(α→β)/P(β→α) = e^{E_α−E_β} with dE = E_β − E_α.
			ratio := rule.Acceptance(dE) / rule.Acceptance(-dE)
			if got, want := math.Log(ratio), -dE; math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
				t.Errorf("%v: log P(α→β)/P(β→α) at ΔE=%v is %v, want %v", rule, dE, got, want)
			}
		}
	}
	for _, dE := range []float64{-3, 0, 0.2, 5} {
		if g, m := Glauber.Acceptance(dE), Metropolis.Acceptance(dE); !(m >= g) {
			t.Errorf("ΔE=%v: Metropolis accepts %v < Glauber %v", dE, m, g)
		}
	}
	if got := Metropolis.Acceptance(0); got != 1 {
		t.Errorf("Metropolis accepts ΔE=0 with %v, want 1", got)
	}
	if got := Glauber.Acceptance(0); got != 0.5 {
		t.Errorf("Glauber accepts ΔE=0 with %v, want ½", got)
	}
	if !math.IsNaN(Rule(7).Acceptance(0)) || Rule(7).String() != "Rule(7)" {
		t.Error("an unknown rule is not NaN / Rule(7)")
	}
}

// Evolve is exact: the Boltzmann distribution is its fixed point for both
// rules, it keeps probabilities normalised, and from a single state it
// converges to the Boltzmann distribution geometrically, except for the
// one case where a Metropolis sweep is periodic.
func TestEvolve(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	for _, rule := range []Rule{Glauber, Metropolis} {
		m := randomSystem(t, 4, 1, rng)
		exact := m.Exact()
		got, err := m.Evolve(rule, exact)
		if err != nil {
			t.Fatal(err)
		}
		if d := TotalVariation(got, exact); d > exactTol {
			t.Errorf("%v: one sweep moves the Boltzmann distribution by TV %v", rule, d)
		}
		p := make([]float64, m.NumStates())
		p[3] = 1
		for s := 0; s < 200; s++ {
			if p, err = m.Evolve(rule, p); err != nil {
				t.Fatal(err)
			}
		}
		sum := 0.0
		for _, pa := range p {
			sum += pa
		}
		if math.Abs(sum-1) > exactTol {
			t.Errorf("%v: Σp = %v after 200 sweeps", rule, sum)
		}
		if d := TotalVariation(p, exact); d > 1e-9 {
			t.Errorf("%v: TV from the Boltzmann distribution after 200 sweeps = %v", rule, d)
		}
	}
	// Free spins, no field: Metropolis always flips (ΔE = 0), so a sweep
	// maps every state to its negative and the chain never forgets where it
	// started; Glauber draws each spin afresh and is exact after one sweep.
	m := mustSystem(t, 2, nil, nil)
	start := []float64{1, 0, 0, 0}
	for _, tc := range []struct {
		rule Rule
		want []float64
	}{{Metropolis, []float64{0, 0, 0, 1}}, {Glauber, []float64{0.25, 0.25, 0.25, 0.25}}} {
		got, err := m.Evolve(tc.rule, start)
		if err != nil {
			t.Fatal(err)
		}
		if d := TotalVariation(got, tc.want); d > exactTol {
			t.Errorf("%v on free spins: %v, want %v", tc.rule, got, tc.want)
		}
	}
	if _, err := m.Evolve(Rule(5), start); err == nil {
		t.Error("Evolve with an unknown rule: no error")
	}
	if _, err := m.Evolve(Glauber, []float64{1}); err == nil {
		t.Error("Evolve of a distribution over 1 state for 2 spins: no error")
	}
}
