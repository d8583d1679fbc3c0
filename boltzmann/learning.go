package boltzmann

import (
	"fmt"
	"math"
)

// Moments are the first and second moments of N spins under some
// distribution: Mean[i] = ⟨s_i⟩ and Corr[i*N+j] = ⟨s_i s_j⟩ (N×N,
// row-major, symmetric, 1 on the diagonal). They are what the notes'
// learning rule compares: the data's against the machine's.
type Moments struct {
	N    int
	Mean []float64
	Corr []float64
}

// newMoments returns zero moments of n spins.
func newMoments(n int) Moments {
	return Moments{N: n, Mean: make([]float64, n), Corr: make([]float64, n*n)}
}

// add accumulates weight·s_i and weight·s_i s_j: the one place where
// moments are summed, for distributions and for lists of patterns alike.
func (mo *Moments) add(s []int, weight float64) {
	n := mo.N
	for i := 0; i < n; i++ {
		wi := weight * float64(s[i])
		mo.Mean[i] += wi
		row := mo.Corr[i*n : (i+1)*n]
		for j, sj := range s {
			row[j] += wi * float64(sj)
		}
	}
}

// Covariance returns ⟨s_i s_j⟩ − ⟨s_i⟩⟨s_j⟩, N×N row-major.
func (mo Moments) Covariance() []float64 {
	c := make([]float64, len(mo.Corr))
	for i := 0; i < mo.N; i++ {
		for j := 0; j < mo.N; j++ {
			c[i*mo.N+j] = mo.Corr[i*mo.N+j] - mo.Mean[i]*mo.Mean[j]
		}
	}
	return c
}

// Moments returns ⟨s_i⟩ = Σ_α p_α s_i and ⟨s_i s_j⟩ = Σ_α p_α s_i s_j for a
// distribution p over the system's states (by index). With p = m.Exact()
// these are the notes' thermal averages, exactly; with p =
// Histogram(m.Glauber(...)) the sampled ones; with p = m.Distribution(data)
// the data's. States of zero probability cost nothing.
func (m *System) Moments(p []float64) (Moments, error) {
	if len(p) != m.NumStates() {
		return Moments{}, fmt.Errorf("boltzmann: distribution over %d states for %d spins: give one probability per state (2^N)", len(p), m.N)
	}
	mo := newMoments(m.N)
	for a, pa := range p {
		if pa != 0 {
			mo.add(m.State(a), pa)
		}
	}
	return mo, nil
}

// checkSpins returns an error unless every pattern has n entries of ±1.
func checkSpins(patterns [][]int, n int) error {
	for k, s := range patterns {
		if len(s) != n {
			return fmt.Errorf("boltzmann: pattern %d has %d spins, want %d", k, len(s), n)
		}
		for i, si := range s {
			if si != 1 && si != -1 {
				return fmt.Errorf("boltzmann: pattern %d has s_%d = %d: spins are -1 or +1", k, i, si)
			}
		}
	}
	return nil
}

// PatternMoments returns the moments of a list of ±1 patterns, each
// counted once: ⟨s_i⟩ = (1/N_d) Σ_α (s_α)_i and likewise ⟨s_i s_j⟩. It works
// for any number of spins (the Hopfield network's covariance uses it).
func PatternMoments(patterns [][]int) (Moments, error) {
	if len(patterns) == 0 {
		return Moments{}, fmt.Errorf("boltzmann: no patterns: give at least one")
	}
	n := len(patterns[0])
	if err := checkSpins(patterns, n); err != nil {
		return Moments{}, err
	}
	mo := newMoments(n)
	for _, s := range patterns {
		mo.add(s, 1/float64(len(patterns)))
	}
	return mo, nil
}

// Distribution returns the data's distribution q over the system's states:
// q_α is the fraction of the patterns (±1 vectors of N spins) equal to α.
func (m *System) Distribution(data [][]int) ([]float64, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("boltzmann: no data: give at least one pattern")
	}
	if err := checkSpins(data, m.N); err != nil {
		return nil, err
	}
	index := make([]int, len(data))
	for k, s := range data {
		index[k] = SpinIndex(s)
	}
	return Histogram(index, m.NumStates()), nil
}

// Gradient is the gradient of the data's mean log-likelihood
// L = (1/N_d) Σ_{β∈data} log p_β with respect to the couplings (W, N×N
// row-major, zero diagonal) and the fields (H).
type Gradient struct {
	W, H []float64
}

// LearningRule returns the notes' Boltzmann-machine learning rule,
//
//	∂L/∂w_ij = ⟨s_i s_j⟩_data − ⟨s_i s_j⟩_thermal,  ∂L/∂h_i = ⟨s_i⟩_data − ⟨s_i⟩_thermal,
//
// from ∂log p_α/∂w_ij = s_i s_j − ⟨s_i s_j⟩_thermal averaged over the data.
// It treats w_ij = w_ji as one parameter, as the notes do (E holds both
// ½w_ij s_i s_j and ½w_ji s_j s_i); the diagonal stays zero. The rule is
// local (w_ij needs only s_i and s_j) and greedy (it climbs L uphill).
// Thermal moments come from [System.Moments] of m.Exact() (exact) or of a
// Glauber histogram (sampled).
func LearningRule(data, thermal Moments) (Gradient, error) {
	n := data.N
	if thermal.N != n || len(data.Mean) != n || len(thermal.Mean) != n || len(data.Corr) != n*n || len(thermal.Corr) != n*n {
		return Gradient{}, fmt.Errorf("boltzmann: data moments of %d spins, thermal of %d: compute both for the same system", data.N, thermal.N)
	}
	g := Gradient{W: make([]float64, n*n), H: make([]float64, n)}
	for i := 0; i < n; i++ {
		g.H[i] = data.Mean[i] - thermal.Mean[i]
		for j := 0; j < n; j++ {
			if i != j {
				g.W[i*n+j] = data.Corr[i*n+j] - thermal.Corr[i*n+j]
			}
		}
	}
	return g, nil
}

// Learn takes one Euler step of the notes' learning dynamics
// τ_w dw_ij/dt = ⟨s_i s_j⟩_data − ⟨s_i s_j⟩_thermal (and the same for h_i):
// w += rate·g.W, h += rate·g.H, so the data's log-likelihood rises.
func (m *System) Learn(g Gradient, rate float64) error {
	if len(g.W) != len(m.W) || len(g.H) != len(m.H) {
		return fmt.Errorf("boltzmann: gradient for %d couplings and %d fields, system has %d and %d: compute it for this system",
			len(g.W), len(g.H), len(m.W), len(m.H))
	}
	for k := range m.W {
		m.W[k] += rate * g.W[k]
	}
	for i := range m.H {
		m.H[i] += rate * g.H[i]
	}
	return nil
}

// LogLikelihood returns the data's mean log-likelihood
// Σ_α q_α log p_α = (1/N_d) Σ_{β∈data} log p_β, with log p_α = −E_α − log Z,
// for the data's distribution q (from [System.Distribution]).
func (m *System) LogLikelihood(q []float64) (float64, error) {
	if len(q) != m.NumStates() {
		return 0, fmt.Errorf("boltzmann: distribution over %d states for %d spins: give one probability per state (2^N)", len(q), m.N)
	}
	logZ := m.LogPartition()
	l := 0.0
	for a, qa := range q {
		if qa != 0 {
			l += qa * (-m.Energy(m.State(a)) - logZ)
		}
	}
	return l, nil
}

// KullbackLeibler returns the notes' K(q;p) = Σ_α q_α log(q_α/p_α): zero
// only when q = p, positive otherwise (log is concave), and not symmetric.
// Terms with q_α = 0 contribute 0; a q_α > 0 where p_α = 0 makes it +Inf.
// With q the data and p the machine, K(q;p) = −H[q] − Σ_α q_α log p_α: the
// data's entropy H[q] does not depend on the weights, so minimizing K(q;p)
// is maximizing the log-likelihood.
func KullbackLeibler(q, p []float64) (float64, error) {
	if len(q) != len(p) {
		return 0, fmt.Errorf("boltzmann: K(q;p) of distributions over %d and %d states: give both over the same states", len(q), len(p))
	}
	k := 0.0
	for a, qa := range q {
		if qa < 0 || p[a] < 0 || math.IsNaN(qa) || math.IsNaN(p[a]) {
			return 0, fmt.Errorf("boltzmann: K(q;p) with q_%d = %v, p_%d = %v: probabilities are ≥ 0", a, qa, a, p[a])
		}
		if qa > 0 {
			k += qa * math.Log(qa/p[a])
		}
	}
	return k, nil
}

// Entropy returns H[q] = −Σ_α q_α log q_α (in nats; 0 log 0 = 0).
func Entropy(q []float64) float64 {
	h := 0.0
	for _, qa := range q {
		if qa > 0 {
			h -= qa * math.Log(qa)
		}
	}
	return h
}
