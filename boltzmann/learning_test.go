package boltzmann

import (
	"math"
	"math/rand/v2"
	"testing"
)

const (
	// fdStep is the finite-difference step; with central differences the
	// truncation error is O(fdStep²·|∂³L|) ≈ 1e-10 for order-one weights.
	fdStep = 1e-5
	// fdTol bounds that error plus round-off, ε·|L|/fdStep ≈ 1e-11.
	fdTol = 1e-8

	// learnRate keeps each exact step uphill: the log-likelihood's
	// curvature is the features' covariance, whose largest eigenvalue is at
	// most the number of parameters (≤ 10 for 4 spins), and gradient ascent
	// never overshoots below 2/10.
	learnRate = 0.1
	// klTol is where exact learning must bring K(q;p) on data the machine
	// can represent: K falls geometrically there, so 1e-9 is reached in a
	// few hundred steps, far above round-off (1e-16).
	klTol = 1e-9
	// momentTol bounds |⟨·⟩_thermal − ⟨·⟩_data| at K ≤ klTol: K ≈ ½δᵀFδ
	// for moment mismatches δ, so δ ≈ √(2·klTol) ≈ 5e-5.
	momentTol = 1e-4

	// sampledSweeps is the Glauber chain per step for the sampled thermal
	// term. Its moments have a standard error of about √(τ/n) ≈ 0.045
	// (τ ≲ 4 sweeps of autocorrelation), so the weights keep jittering.
	sampledSweeps = 2000
	// klSampledTol bounds K(q;p) averaged over the last steps of sampled
	// learning: the jitter above leaves K of order 1e-4 (measured 1.9e-4
	// here; 3e-4..2e-3 with a rate five times larger).
	klSampledTol = 5e-3
	// momentSampledTol is about two standard errors of a sampled moment
	// (measured: 0.013).
	momentSampledTol = 0.1
)

// spins turns "+-+" into []int{1, -1, 1}.
func spins(s string) []int {
	v := make([]int, len(s))
	for i, c := range s {
		v[i] = -1
		if c == '+' {
			v[i] = 1
		}
	}
	return v
}

func patterns(ss ...string) [][]int {
	p := make([][]int, len(ss))
	for k, s := range ss {
		p[k] = spins(s)
	}
	return p
}

func TestMoments(t *testing.T) {
	m := mustSystem(t, 2, nil, nil)
	// p(--)=0.1, p(+-)=0.2, p(-+)=0.3, p(++)=0.4.
	mo, err := m.Moments([]float64{0.1, 0.2, 0.3, 0.4})
	if err != nil {
		t.Fatal(err)
	}
	want := Moments{N: 2, Mean: []float64{-0.1 + 0.2 - 0.3 + 0.4, -0.1 - 0.2 + 0.3 + 0.4},
		Corr: []float64{1, 0.1 - 0.2 - 0.3 + 0.4, 0.1 - 0.2 - 0.3 + 0.4, 1}}
	for k := range want.Corr {
		if math.Abs(mo.Corr[k]-want.Corr[k]) > exactTol {
			t.Errorf("Corr = %v, want %v", mo.Corr, want.Corr)
		}
	}
	for i := range want.Mean {
		if math.Abs(mo.Mean[i]-want.Mean[i]) > exactTol {
			t.Errorf("Mean = %v, want %v", mo.Mean, want.Mean)
		}
	}
	if c := mo.Covariance(); math.Abs(c[1]-(want.Corr[1]-want.Mean[0]*want.Mean[1])) > exactTol || math.Abs(c[0]-(1-want.Mean[0]*want.Mean[0])) > exactTol {
		t.Errorf("Covariance = %v", c)
	}

	// The sampled moments of a chain: over its histogram, or over its
	// states as patterns, the same numbers.
	m3 := mustSystem(t, 3, []float64{0, 1, 0, 1, 0, -0.5, 0, -0.5, 0}, []float64{0.2, 0, -0.3})
	visits := m3.Glauber(0, 10, 500, rand.New(rand.NewPCG(11, 11)))
	states := make([][]int, len(visits))
	for k, a := range visits {
		states[k] = m3.State(a)
	}
	viaHist, err := m3.Moments(Histogram(visits, m3.NumStates()))
	if err != nil {
		t.Fatal(err)
	}
	viaPatterns, err := PatternMoments(states)
	if err != nil {
		t.Fatal(err)
	}
	for k := range viaHist.Corr {
		if math.Abs(viaHist.Corr[k]-viaPatterns.Corr[k]) > exactTol {
			t.Fatalf("⟨s s⟩ from the histogram %v, from the states %v", viaHist.Corr, viaPatterns.Corr)
		}
	}

	for name, err := range map[string]error{
		"short distribution": func() error { _, err := m.Moments([]float64{1}); return err }(),
		"no patterns":        func() error { _, err := PatternMoments(nil); return err }(),
		"spin 0":             func() error { _, err := PatternMoments([][]int{{1, 0}}); return err }(),
		"ragged":             func() error { _, err := PatternMoments([][]int{{1, 1}, {1}}); return err }(),
		"data of 3 spins":    func() error { _, err := m.Distribution([][]int{{1, 1, 1}}); return err }(),
		"moments of 2 and 3": func() error { _, err := LearningRule(mo, viaHist); return err }(),
		"gradient for 3":     m.Learn(Gradient{W: make([]float64, 9), H: make([]float64, 3)}, 1),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// The notes' learning rule is the derivative of the data's mean
// log-likelihood, w_ij and w_ji moved together.
func TestLearningRuleIsLogLikelihoodGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	for _, tc := range []struct {
		name string
		n    int
		data [][]int
	}{
		{"3 spins, 4 patterns", 3, patterns("++-", "+++", "-+-", "++-")},
		{"5 spins, 6 patterns", 5, patterns("++-+-", "+++--", "-+-+-", "++-++", "-----", "+-+-+")},
	} {
		m := randomSystem(t, tc.n, 1, rng)
		// Symmetrise, as learning keeps it: w_ij = w_ji.
		for i := 0; i < m.N; i++ {
			for j := 0; j < i; j++ {
				m.W[j*m.N+i] = m.W[i*m.N+j]
			}
		}
		q, err := m.Distribution(tc.data)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := m.Moments(q)
		thermal, _ := m.Moments(m.Exact())
		g, err := LearningRule(data, thermal)
		if err != nil {
			t.Fatal(err)
		}
		ll := func() float64 { l, _ := m.LogLikelihood(q); return l }
		central := func(move func(d float64)) float64 {
			move(fdStep)
			up := ll()
			move(-2 * fdStep)
			down := ll()
			move(fdStep)
			return (up - down) / (2 * fdStep)
		}
		for i := 0; i < m.N; i++ {
			got := central(func(d float64) { m.H[i] += d })
			if math.Abs(got-g.H[i]) > fdTol {
				t.Errorf("%s: ∂L/∂h_%d: finite difference %.10f, rule %.10f", tc.name, i, got, g.H[i])
			}
			for j := 0; j < m.N; j++ {
				if i == j {
					continue
				}
				got := central(func(d float64) { m.W[i*m.N+j] += d; m.W[j*m.N+i] += d })
				if math.Abs(got-g.W[i*m.N+j]) > fdTol {
					t.Errorf("%s: ∂L/∂w_%d%d: finite difference %.10f, rule %.10f", tc.name, i, j, got, g.W[i*m.N+j])
				}
			}
		}
	}
}

// maxMomentGap returns the largest |⟨s_i⟩ − ⟨s_i⟩'| and |⟨s_i s_j⟩ − ⟨s_i s_j⟩'|.
func maxMomentGap(a, b Moments) float64 {
	gap := 0.0
	for k := range a.Corr {
		gap = math.Max(gap, math.Abs(a.Corr[k]-b.Corr[k]))
	}
	for i := range a.Mean {
		gap = math.Max(gap, math.Abs(a.Mean[i]-b.Mean[i]))
	}
	return gap
}

// Learning drives K(q;p) down and the thermal moments to the data's: to
// zero on data a Boltzmann machine can represent, to log 2 on parity data,
// whose pair statistics are those of coin flips.
func TestLearningReducesKL(t *testing.T) {
	teacher := mustSystem(t, 4,
		[]float64{0, 0.8, -0.5, 0.3, 0.8, 0, 0.6, -0.9, -0.5, 0.6, 0, 0.4, 0.3, -0.9, 0.4, 0},
		[]float64{0.3, -0.2, 0.1, 0.5})
	for _, tc := range []struct {
		name      string
		n         int
		data      [][]int   // or
		q         []float64 // a distribution
		sampled   bool      // thermal term from Glauber sweeps
		steps     int
		klWant    float64
		klTol     float64
		momentTol float64
	}{
		// Flip symmetry removes ⟨s0 s1 s2⟩'s coupling, so the data's
		// distribution is a Boltzmann distribution with pair couplings.
		{name: "aligned memories and their single flips", n: 3, steps: 300, klTol: klTol, momentTol: momentTol,
			data: patterns("+++", "+++", "+++", "---", "---", "---", "++-", "+-+", "-++", "--+", "-+-", "+--")},
		{name: "a teacher machine's distribution", n: 4, q: teacher.Exact(), steps: 1000, klTol: klTol, momentTol: momentTol},
		{name: "parity: s0 s1 s2 = +1", n: 3, steps: 50, klWant: math.Ln2, klTol: exactTol, momentTol: exactTol,
			data: patterns("+++", "+--", "-+-", "--+")},
		{name: "aligned memories, sampled thermal term", n: 3, sampled: true, steps: 200, klTol: klSampledTol, momentTol: momentSampledTol,
			data: patterns("+++", "+++", "+++", "---", "---", "---", "++-", "+-+", "-++", "--+", "-+-", "+--")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := mustSystem(t, tc.n, nil, nil)
			q := tc.q
			if tc.data != nil {
				var err error
				if q, err = m.Distribution(tc.data); err != nil {
					t.Fatal(err)
				}
			}
			data, _ := m.Moments(q)
			rng := rand.New(rand.NewPCG(13, 13))
			kl := func() float64 { k, _ := KullbackLeibler(q, m.Exact()); return k }
			prev, tail := kl(), 0.0
			const tailSteps = 20 // sampled learning: K averaged over these last steps
			for step := 0; step < tc.steps; step++ {
				var thermal Moments
				if tc.sampled {
					thermal, _ = m.Moments(Histogram(m.Glauber(0, 10, sampledSweeps, rng), m.NumStates()))
				} else {
					thermal, _ = m.Moments(m.Exact())
				}
				g, err := LearningRule(data, thermal)
				if err != nil {
					t.Fatal(err)
				}
				if err := m.Learn(g, learnRate); err != nil {
					t.Fatal(err)
				}
				k := kl()
				if !tc.sampled && k > prev+exactTol {
					t.Fatalf("step %d: K rose from %v to %v", step, prev, k)
				}
				if step >= tc.steps-tailSteps {
					tail += k / tailSteps
				}
				prev = k
			}
			k := prev
			if tc.sampled {
				k = tail
			}
			if math.Abs(k-tc.klWant) > tc.klTol {
				t.Errorf("after %d steps K(q;p) = %.3g, want %.3g ± %.1g", tc.steps, k, tc.klWant, tc.klTol)
			}
			thermal, _ := m.Moments(m.Exact())
			gap := maxMomentGap(thermal, data)
			t.Logf("after %d steps: K(q;p) = %.3g, largest |thermal − data| moment gap %.3g", tc.steps, k, gap)
			if gap > tc.momentTol {
				t.Errorf("thermal moments differ from the data's by up to %.3g > %.1g", gap, tc.momentTol)
			}
		})
	}
}

func TestKullbackLeibler(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 14))
	random := func(k int) []float64 {
		p := make([]float64, k)
		sum := 0.0
		for a := range p {
			p[a] = rng.Float64()
			sum += p[a]
		}
		for a := range p {
			p[a] /= sum
		}
		return p
	}
	for trial := 0; trial < 100; trial++ {
		q, p := random(8), random(8)
		kqp, err := KullbackLeibler(q, p)
		if err != nil {
			t.Fatal(err)
		}
		if !(kqp > 0) {
			t.Fatalf("K(q;p) = %v ≤ 0 for q ≠ p\nq %v\np %v", kqp, q, p)
		}
		if kqq, _ := KullbackLeibler(q, q); kqq != 0 {
			t.Fatalf("K(q;q) = %v", kqq)
		}
	}
	// Asymmetric: q = (½, ½), p = (¼, ¾).
	q, p := []float64{0.5, 0.5}, []float64{0.25, 0.75}
	kqp, _ := KullbackLeibler(q, p)
	kpq, _ := KullbackLeibler(p, q)
	if want := 0.5*math.Log(2) + 0.5*math.Log(2.0/3); math.Abs(kqp-want) > exactTol {
		t.Errorf("K(q;p) = %v, want %v", kqp, want)
	}
	if want := 0.25*math.Log(0.5) + 0.75*math.Log(1.5); math.Abs(kpq-want) > exactTol {
		t.Errorf("K(p;q) = %v, want %v", kpq, want)
	}
	if math.Abs(kqp-kpq) < 0.01 {
		t.Errorf("K(q;p) = %v and K(p;q) = %v: not asymmetric", kqp, kpq)
	}
	// Zeros: q_α = 0 adds nothing; p_α = 0 < q_α is infinitely surprising.
	if k, _ := KullbackLeibler([]float64{1, 0}, []float64{0.5, 0.5}); math.Abs(k-math.Ln2) > exactTol {
		t.Errorf("K((1,0);(½,½)) = %v, want log 2", k)
	}
	if k, _ := KullbackLeibler([]float64{0.5, 0.5}, []float64{1, 0}); !math.IsInf(k, 1) {
		t.Errorf("K((½,½);(1,0)) = %v, want +Inf", k)
	}
	if _, err := KullbackLeibler([]float64{1}, []float64{0.5, 0.5}); err == nil {
		t.Error("K of distributions of different lengths: no error")
	}
	if _, err := KullbackLeibler([]float64{-1, 2}, []float64{0.5, 0.5}); err == nil {
		t.Error("K with a negative probability: no error")
	}

	// K(q;p) = −H[q] − Σ q log p: the weights change K and the
	// log-likelihood by opposite amounts.
	data := patterns("++-", "+++", "-+-", "++-")
	for _, m := range []*System{randomSystem(t, 3, 1, rng), randomSystem(t, 3, 2, rng)} {
		q, _ := m.Distribution(data)
		k, _ := KullbackLeibler(q, m.Exact())
		ll, _ := m.LogLikelihood(q)
		if math.Abs(k+ll+Entropy(q)) > exactTol {
			t.Errorf("K + L + H = %v + %v + %v ≠ 0", k, ll, Entropy(q))
		}
	}
}
