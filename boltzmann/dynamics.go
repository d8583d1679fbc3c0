package boltzmann

import (
	"fmt"
	"math"
)

// Rule is a single-spin-flip update that obeys the notes' detailed balance,
// p_α P(α→β) = p_β P(β→α), i.e. P(α→β)/P(β→α) = e^{E_α−E_β}, for a flip
// α→β of one spin. Both rules leave the Boltzmann distribution invariant;
// they differ in how often they flip.
type Rule int

const (
	// Glauber accepts a flip with P(α→β) = 1/(1+e^{E_β−E_α}) (the notes'
	// Glauber dynamics). For a two-state spin this is the heat bath: s_k
	// becomes +1 with probability σ(ε_k), whatever it was before.
	Glauber Rule = iota
	// Metropolis accepts a flip with P(α→β) = min(1, e^{E_α−E_β}): always
	// downhill, uphill with the Boltzmann ratio. Its acceptance is never
	// below Glauber's (twice it at E_β = E_α), so it changes the state more
	// often per update (Peskun's ordering).
	Metropolis
)

// String returns "Glauber" or "Metropolis".
func (r Rule) String() string {
	switch r {
	case Glauber:
		return "Glauber"
	case Metropolis:
		return "Metropolis"
	}
	return fmt.Sprintf("Rule(%d)", int(r))
}

// check returns an error for a Rule that is neither Glauber nor Metropolis.
func (r Rule) check() error {
	if r != Glauber && r != Metropolis {
		return fmt.Errorf("boltzmann: unknown update rule %d: use boltzmann.Glauber or boltzmann.Metropolis", int(r))
	}
	return nil
}

// Acceptance returns P(α→β), the probability that a proposed flip which
// changes the energy by dE = E_β − E_α is made: 1/(1+e^{dE}) for Glauber,
// min(1, e^{−dE}) for Metropolis (NaN for an unknown rule).
func (r Rule) Acceptance(dE float64) float64 {
	switch r {
	case Glauber:
		return Sigmoid(-dE)
	case Metropolis:
		return math.Min(1, math.Exp(-dE))
	}
	return math.NaN()
}

// plusProbability returns the probability that spin k is +1 after its
// update, given its value sk before and its local field ε_k: flipping
// changes the energy by ε_k s_k. Glauber's is σ(ε_k) whatever sk is, and is
// computed so (the heat bath [System.Sweep] has always drawn).
func (r Rule) plusProbability(sk int, eps float64) float64 {
	if r == Glauber {
		return Sigmoid(eps)
	}
	flip := r.Acceptance(eps * float64(sk))
	if sk > 0 {
		return 1 - flip
	}
	return flip
}

// sweep updates spins 0..N-1 of s in turn with the rule, one uniform draw
// per spin: s_k becomes +1 when the draw is below the rule's probability.
func (m *System) sweep(s []int, r Rule, rng Uniform) {
	for k := 0; k < m.N; k++ {
		if rng.Float64() < r.plusProbability(s[k], m.LocalField(s, k)) {
			s[k] = 1
		} else {
			s[k] = -1
		}
	}
}

// Sweep applies one Glauber sweep to s in place: spins 0..N-1 in turn are
// set to +1 with probability σ(ε_k) (heat bath), else to -1. This leaves the
// Boltzmann distribution invariant.
func (m *System) Sweep(s []int, rng Uniform) { m.sweep(s, Glauber, rng) }

// MetropolisSweep applies one Metropolis sweep to s in place: for spins
// 0..N-1 in turn it proposes the flip s_k → −s_k, which changes the energy
// by ΔE = ε_k s_k, and makes it with probability min(1, e^{−ΔE}). Each flip
// obeys detailed balance, so the sweep leaves the Boltzmann distribution
// invariant.
func (m *System) MetropolisSweep(s []int, rng Uniform) { m.sweep(s, Metropolis, rng) }

// chain runs burnIn sweeps of the rule from the state with index start,
// then records the state index after each of the next samples sweeps.
func (m *System) chain(r Rule, start, burnIn, samples int, rng Uniform) []int {
	s := m.State(start)
	for t := 0; t < burnIn; t++ {
		m.sweep(s, r, rng)
	}
	out := make([]int, max(samples, 0))
	for t := range out {
		m.sweep(s, r, rng)
		out[t] = SpinIndex(s)
	}
	return out
}

// Glauber runs burnIn Glauber sweeps from the state with index start, then
// records the state index after each of the next samples sweeps.
func (m *System) Glauber(start, burnIn, samples int, rng Uniform) []int {
	return m.chain(Glauber, start, burnIn, samples, rng)
}

// Metropolis runs burnIn Metropolis sweeps from the state with index start,
// then records the state index after each of the next samples sweeps.
func (m *System) Metropolis(start, burnIn, samples int, rng Uniform) []int {
	return m.chain(Metropolis, start, burnIn, samples, rng)
}

// Evolve returns the distribution of the state after one sweep of the rule
// when p (by state index) is its distribution before: the exact, noise-free
// counterpart of running infinitely many chains side by side. Iterating it
// from a single state shows how fast a rule forgets its start; the
// Boltzmann distribution is its fixed point. It costs 2^N·N² operations.
func (m *System) Evolve(r Rule, p []float64) ([]float64, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	if len(p) != m.NumStates() {
		return nil, fmt.Errorf("boltzmann: distribution over %d states for %d spins: give one probability per state (2^N)", len(p), m.N)
	}
	p = append([]float64(nil), p...)
	q := make([]float64, len(p))
	for k := 0; k < m.N; k++ {
		clear(q)
		for a, pa := range p {
			if pa == 0 {
				continue
			}
			s := m.State(a)
			plus := r.plusProbability(s[k], m.LocalField(s, k))
			q[a|1<<k] += pa * plus
			q[a&^(1<<k)] += pa * (1 - plus)
		}
		p, q = q, p
	}
	return p, nil
}
