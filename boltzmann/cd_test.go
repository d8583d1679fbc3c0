package boltzmann

import (
	"math"
	"math/rand/v2"
	"testing"
)

const (
	// cdChains is the number of CD chains (data vectors, repeated) whose
	// mean estimates the expected CD-k gradient.
	cdChains = 2000
	// cdZ is how many standard errors a sampled component may stray: each
	// chain adds a term in [0, 1] (variance ≤ ¼) to a component, so its
	// mean over cdChains chains has a standard error ≤ 0.5/√cdChains;
	// 42 comparisons (14 components, 3 values of k) at 4.5σ leave a chance
	// below 3e-4 of a false alarm.
	cdZ = 4.5
	// cdBiasMin is the least relative error CD-1 must show on the two-mode
	// RBM below (it is 0.43 there): CD-1 is biased.
	cdBiasMin = 0.3
	// cdExactTol bounds the relative error of the expected CD-64 gradient:
	// the Gibbs chain on 16 visible states forgets its start geometrically,
	// here by a factor of about 10 per 16 steps from k = 16 on (4e-5 at 64).
	cdExactTol = 1e-3
)

// twoModeRBM returns a 4×2 RBM whose hidden unit 0 turns visible units 0
// and 1 on and 2 and 3 off, and hidden unit 1 the reverse (|w| = 4): two
// modes, near 1100 and 0011, between which a Gibbs chain rarely moves, so
// one step from the data is far from equilibrium.
func twoModeRBM(t *testing.T) *RBM {
	const a = 4
	r, err := NewRBM(4, 2, []float64{a, -a, a, -a, -a, a, -a, a}, []float64{-a / 2, -a / 2, -a / 2, -a / 2}, []float64{-a, -a})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var cdData = [][]int{{1, 1, 0, 0}, {1, 1, 1, 0}, {0, 0, 1, 1}, {0, 1, 1, 1}, {1, 1, 0, 0}}

// flat lists the gradient's components: W, then B, then C.
func (g RBMGradient) flat() []float64 {
	return append(append(append([]float64(nil), g.W...), g.B...), g.C...)
}

func TestRBMExactGradientIsFiniteDifference(t *testing.T) {
	r := mustRBM(t, 3, 2, rand.New(rand.NewPCG(19, 19)))
	data := [][]int{{1, 0, 1}, {1, 1, 0}, {0, 0, 1}, {1, 0, 1}}
	g, err := r.ExactGradient(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		name  string
		param []float64
		grad  []float64
	}{{"w", r.W, g.W}, {"b", r.B, g.B}, {"c", r.C, g.C}} {
		for k := range p.param {
			p.param[k] += fdStep
			up, _ := r.LogLikelihood(data)
			p.param[k] -= 2 * fdStep
			down, _ := r.LogLikelihood(data)
			p.param[k] += fdStep
			if got := (up - down) / (2 * fdStep); math.Abs(got-p.grad[k]) > fdTol {
				t.Errorf("∂L/∂%s[%d]: finite difference %.10f, exact gradient %.10f", p.name, k, got, p.grad[k])
			}
		}
	}
	// log p(v) from the free energy agrees with the joint distribution.
	joint := r.Joint()
	for a, pv := range r.Marginal() {
		sum := 0.0
		for b := 0; b < 1<<r.Hidden; b++ {
			sum += joint[a<<r.Hidden|b]
		}
		if math.Abs(sum-pv) > exactTol {
			t.Errorf("p(v=%v) = %v, Σ_h p(v,h) = %v", Units(r.Visible, a), pv, sum)
		}
	}
}

func TestVisibleTransitions(t *testing.T) {
	r := twoModeRBM(t)
	tr, p := r.VisibleTransitions(), r.Marginal()
	n := len(p)
	next := make([]float64, n)
	for a := 0; a < n; a++ {
		row := 0.0
		for b := 0; b < n; b++ {
			row += tr[a*n+b]
			next[b] += p[a] * tr[a*n+b]
		}
		if math.Abs(row-1) > exactTol {
			t.Errorf("row %d of T sums to %v", a, row)
		}
	}
	if d := TotalVariation(next, p); d > exactTol {
		t.Errorf("one Gibbs step moves the machine's p(v) by TV %v", d)
	}
}

// CD-k approaches the exact gradient as k grows: exactly, in expectation,
// and on average over many sampled chains.
func TestContrastiveDivergenceApproachesExactGradient(t *testing.T) {
	r := twoModeRBM(t)
	exact, err := r.ExactGradient(cdData)
	if err != nil {
		t.Fatal(err)
	}
	prev := math.Inf(1)
	for _, k := range []int{1, 2, 4, 8, 16, 32, 64} {
		cd, err := r.ExpectedContrastiveDivergence(cdData, k)
		if err != nil {
			t.Fatal(err)
		}
		e := cd.RelativeError(exact)
		t.Logf("expected CD-%d: relative error %.2e", k, e)
		if e > prev {
			t.Errorf("CD-%d's relative error %.3g exceeds the previous k's %.3g", k, e, prev)
		}
		switch k {
		case 1:
			if e < cdBiasMin {
				t.Errorf("CD-1's relative error %.3g < %v: this RBM should show CD-1's bias", e, cdBiasMin)
			}
		case 64:
			if e > cdExactTol {
				t.Errorf("CD-64's relative error %.3g > %v", e, cdExactTol)
			}
		}
		prev = e
	}

	// The sampled estimate averages to its expectation.
	chains := make([][]int, 0, cdChains)
	for len(chains) < cdChains {
		chains = append(chains, cdData...)
	}
	rng := rand.New(rand.NewPCG(20, 20))
	tol := cdZ * 0.5 / math.Sqrt(cdChains)
	sampledErr := map[int]float64{}
	for _, k := range []int{1, 8, 64} {
		sampled, err := r.ContrastiveDivergence(chains, k, rng)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := r.ExpectedContrastiveDivergence(chains, k)
		got, w := sampled.flat(), want.flat()
		for c := range w {
			if math.Abs(got[c]-w[c]) > tol {
				t.Errorf("CD-%d component %d: sampled %.4f, expected %.4f (± %.4f)", k, c, got[c], w[c], tol)
			}
		}
		sampledErr[k] = sampled.RelativeError(exact)
	}
	// So the sampled CD-1 is visibly off, the sampled CD-64 only by noise:
	// every component within tol makes a relative error of at most noise.
	noise := tol * math.Sqrt(float64(len(exact.flat()))) / norm(exact.flat())
	t.Logf("sampled, %d chains: relative error CD-1 %.3f, CD-8 %.3f, CD-64 %.3f (noise bound %.3f)",
		cdChains, sampledErr[1], sampledErr[8], sampledErr[64], noise)
	if sampledErr[64] > noise || sampledErr[1] < noise {
		t.Errorf("sampled CD-1 error %.3f and CD-64 error %.3f: want CD-1 above the noise bound %.3f, CD-64 below", sampledErr[1], sampledErr[64], noise)
	}

	for name, err := range map[string]error{
		"CD-0":          func() error { _, err := r.ContrastiveDivergence(cdData, 0, rng); return err }(),
		"expected CD-0": func() error { _, err := r.ExpectedContrastiveDivergence(cdData, 0); return err }(),
		"unit 2":        func() error { _, err := r.ExactGradient([][]int{{2, 0, 0, 0}}); return err }(),
		"short vector":  func() error { _, err := r.LogLikelihood([][]int{{1}}); return err }(),
		"no data":       func() error { _, err := r.VisibleDistribution(nil); return err }(),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func norm(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s)
}
