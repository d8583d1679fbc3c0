package boltzmann

import (
	"fmt"
	"math"
)

// Hopfield is a Hopfield network of N binary neurons s_i = ±1: couplings W
// (N×N, row-major, symmetric, zero diagonal) set by hand from the memories,
// no fields, energy E = −½ Σ_{i,j} w_ij s_i s_j. It has no enumeration, so
// N is not limited by MaxUnits.
type Hopfield struct {
	N int
	W []float64
}

// NewHopfield stores the patterns (±1 vectors of one length N) with the
// notes' covariance rule,
//
//	w_ij = (1/N_d) Σ_{α∈data} ((s_α)_i − ⟨s_i⟩)((s_α)_j − ⟨s_j⟩),  w_ii = 0,
//
// the patterns' covariance ([Moments.Covariance] of [PatternMoments]).
//
// Normalisation: the notes divide by N_d; the storage capacity N_d < 0.15 N
// (0.138 N for large N, Amit, Gutfreund and Sompolinsky) is usually stated
// for w = (1/N) Σ_α ξ_i ξ_j. For the zero-temperature dynamics of
// [Hopfield.Recall] only the sign of each local field matters, and a
// positive factor changes no sign, so the capacity is the same with 1/N_d
// or 1/N; we keep the notes' 1/N_d. (It would matter at a finite
// temperature: Glauber dynamics at β = 1 with 1/N_d weights runs at an
// effective temperature of order N_d/N, cold below capacity, while 1/N
// weights would mean an order-one temperature.)
//
// Subtracting the mean differs from Hebb's w_ij = (1/N_d) Σ_α ξ_i ξ_j: a
// neuron that has the same value in every pattern gets no couplings (zero
// variance) and keeps whatever state it starts in; a single pattern (N_d =
// 1) stores nothing, while the notes' N_d = 1 example, E = −½ Σ t_i t_j s_i
// s_j, is Hebb's rule. For random patterns the rule behaves like Hebb's up
// to a rank-one correction whose noise fades as N grows.
func NewHopfield(patterns [][]int) (*Hopfield, error) {
	mo, err := PatternMoments(patterns)
	if err != nil {
		return nil, fmt.Errorf("boltzmann: Hopfield network: %w", err)
	}
	return newHopfield(mo.N, mo.Covariance()), nil
}

// NewHopfieldHebb stores the patterns with Hebb's rule,
// w_ij = (1/N_d) Σ_α (s_α)_i (s_α)_j, w_ii = 0: the notes' single-pattern
// example E = −½ Σ t_i t_j s_i s_j, which [NewHopfield]'s covariance rule
// becomes when the patterns average to zero. Hebb's rule keeps what all
// memories share, so correlated memories (pictures on a common
// background) merge into one attractor; the covariance rule removes it.
func NewHopfieldHebb(patterns [][]int) (*Hopfield, error) {
	mo, err := PatternMoments(patterns)
	if err != nil {
		return nil, fmt.Errorf("boltzmann: Hopfield network: %w", err)
	}
	return newHopfield(mo.N, mo.Corr), nil
}

// newHopfield returns the network with couplings w, its diagonal zeroed.
func newHopfield(n int, w []float64) *Hopfield {
	for i := 0; i < n; i++ {
		w[i*n+i] = 0
	}
	return &Hopfield{N: n, W: w}
}

// Picture turns rows of '#' (+1) and '.' (−1), all of one width, into a
// pattern, row after row: a way to draw memories by hand.
func Picture(rows []string) ([]int, error) {
	if len(rows) == 0 || len(rows[0]) == 0 {
		return nil, fmt.Errorf("boltzmann: empty picture: give rows of '#' and '.'")
	}
	var s []int
	for r, row := range rows {
		if len(row) != len(rows[0]) {
			return nil, fmt.Errorf("boltzmann: picture row %d is %d wide, row 0 %d: give rows of one width", r, len(row), len(rows[0]))
		}
		for c, ch := range row {
			switch ch {
			case '#':
				s = append(s, 1)
			case '.':
				s = append(s, -1)
			default:
				return nil, fmt.Errorf("boltzmann: picture row %d column %d is %q: use '#' for +1 and '.' for −1", r, c, ch)
			}
		}
	}
	return s, nil
}

// fields returns the local fields f_k = Σ_j w_kj s_j of all neurons.
func (h *Hopfield) fields(s []int) []float64 {
	f := make([]float64, h.N)
	for k := range f {
		row := h.W[k*h.N : (k+1)*h.N]
		for j, sj := range s {
			f[k] += row[j] * float64(sj)
		}
	}
	return f
}

// Recall runs the asynchronous zero-temperature dynamics on s in place
// until it reaches a fixed point, an attractor, or maxSweeps sweeps have
// run, and returns the number of sweeps. A sweep visits the neurons one at
// a time in a random order drawn from rng and sets s_k = sign(Σ_j w_kj s_j),
// leaving it unchanged when the field is 0. This is Glauber dynamics at
// zero temperature: every flip lowers the energy, so the dynamics stops.
func (h *Hopfield) Recall(s []int, maxSweeps int, rng Uniform) (int, error) {
	if err := checkSpins([][]int{s}, h.N); err != nil {
		return 0, fmt.Errorf("boltzmann: Hopfield recall: %w", err)
	}
	f := h.fields(s)
	order := make([]int, h.N)
	for k := range order {
		order[k] = k
	}
	for sweep := 1; sweep <= maxSweeps; sweep++ {
		shuffle(order, rng)
		changed := false
		for _, k := range order {
			if f[k] == 0 || (f[k] > 0) == (s[k] > 0) {
				continue
			}
			s[k] = -s[k]
			changed = true
			// The flip changes every field by w_jk·(s_k,new − s_k,old).
			d := 2 * float64(s[k])
			for j := range f {
				f[j] += h.W[j*h.N+k] * d
			}
		}
		if !changed {
			return sweep, nil
		}
	}
	return max(maxSweeps, 0), nil
}

// Overlap returns m = (1/N) Σ_i s_i ξ_i, 1 when s equals the pattern ξ, −1
// for its negative (also an attractor: "modulo black ↔ white"), near 0 for
// an unrelated state.
func Overlap(s, pattern []int) (float64, error) {
	if len(s) != len(pattern) || len(s) == 0 {
		return 0, fmt.Errorf("boltzmann: overlap of %d and %d spins: give two states of the same size", len(s), len(pattern))
	}
	m := 0
	for i := range s {
		m += s[i] * pattern[i]
	}
	return float64(m) / float64(len(s)), nil
}

// shuffle permutes order uniformly at random (Fisher–Yates).
func shuffle(order []int, rng Uniform) {
	for i := len(order) - 1; i > 0; i-- {
		j := int(rng.Float64() * float64(i+1))
		order[i], order[j] = order[j], order[i]
	}
}

// RandomPatterns returns count patterns of n spins, each spin ±1 with
// probability ½: the unbiased memories of the capacity statement.
func RandomPatterns(count, n int, rng Uniform) ([][]int, error) {
	if count < 1 || n < 1 {
		return nil, fmt.Errorf("boltzmann: %d random patterns of %d spins: give at least one of at least one", count, n)
	}
	p := make([][]int, count)
	for a := range p {
		p[a] = make([]int, n)
		for i := range p[a] {
			if rng.Float64() < 0.5 {
				p[a][i] = 1
			} else {
				p[a][i] = -1
			}
		}
	}
	return p, nil
}

// Corrupt returns a copy of the pattern with flips distinct spins, chosen at
// random, flipped: a start that the network should repair.
func Corrupt(pattern []int, flips int, rng Uniform) ([]int, error) {
	if flips < 0 || flips > len(pattern) {
		return nil, fmt.Errorf("boltzmann: %d flips of a pattern of %d spins: give 0..%d", flips, len(pattern), len(pattern))
	}
	s := append([]int(nil), pattern...)
	order := make([]int, len(s))
	for k := range order {
		order[k] = k
	}
	shuffle(order, rng)
	for _, k := range order[:flips] {
		s[k] = -s[k]
	}
	return s, nil
}

// MaxRecallSweeps bounds the sweeps of RecallAll and RetrievalCurve; the
// dynamics reaches a fixed point in far fewer (a few, a dozen near capacity).
const MaxRecallSweeps = 1000

// RecallAll starts the network from each pattern with flips random spins
// flipped, runs [Hopfield.Recall] and returns the overlap of the fixed point
// with that pattern, one per pattern.
func (h *Hopfield) RecallAll(patterns [][]int, flips int, rng Uniform) ([]float64, error) {
	m := make([]float64, len(patterns))
	for a, p := range patterns {
		s, err := Corrupt(p, flips, rng)
		if err != nil {
			return nil, err
		}
		if _, err := h.Recall(s, MaxRecallSweeps, rng); err != nil {
			return nil, err
		}
		if m[a], err = Overlap(s, p); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// RecalledOverlap is the overlap from which a memory counts as recalled:
// at most 5% of its neurons wrong. (Below capacity a large network's
// retrieval state has m ≈ 0.97 or more; above it, m falls far lower.)
const RecalledOverlap = 0.9

// Retrieval is how well a network of N neurons holding Patterns random
// memories recalls them: the load α = Patterns/N, the mean overlap of the
// fixed point with the memory it started from, and the fraction of memories
// recalled (overlap ≥ RecalledOverlap), averaged over trials.
type Retrieval struct {
	Patterns    int
	Load        float64
	MeanOverlap float64
	Recalled    float64
}

// retrieval summarises the overlaps of recalls in a network of n neurons
// holding count memories.
func retrieval(n, count int, overlaps []float64) Retrieval {
	r := Retrieval{Patterns: count, Load: float64(count) / float64(n)}
	for _, m := range overlaps {
		r.MeanOverlap += m
		if m >= RecalledOverlap {
			r.Recalled++
		}
	}
	r.MeanOverlap /= float64(len(overlaps))
	r.Recalled /= float64(len(overlaps))
	return r
}

// RetrievalCurve measures retrieval against load: for each count in counts
// and each of trials independent draws, it stores count random patterns in
// n neurons and recalls every one of them from a start with flips spins
// flipped (0: from the memory itself, which tests that it is a fixed point
// nearby).
func RetrievalCurve(n int, counts []int, trials, flips int, rng Uniform) ([]Retrieval, error) {
	if trials < 1 {
		return nil, fmt.Errorf("boltzmann: %d trials: give at least one", trials)
	}
	curve := make([]Retrieval, len(counts))
	for c, count := range counts {
		var overlaps []float64
		for t := 0; t < trials; t++ {
			patterns, err := RandomPatterns(count, n, rng)
			if err != nil {
				return nil, err
			}
			h, err := NewHopfield(patterns)
			if err != nil {
				return nil, err
			}
			m, err := h.RecallAll(patterns, flips, rng)
			if err != nil {
				return nil, err
			}
			overlaps = append(overlaps, m...)
		}
		curve[c] = retrieval(n, count, overlaps)
	}
	return curve, nil
}

// Forgetting stores the patterns one at a time and, after each addition,
// recalls every memory stored so far from a start with flips spins
// flipped: element p−1 says how well the network holding the first p
// patterns recalls them. Past capacity the newest pattern does not just
// fail to be stored; the old memories are lost with it.
func Forgetting(patterns [][]int, flips int, rng Uniform) ([]Retrieval, error) {
	curve := make([]Retrieval, len(patterns))
	for p := 1; p <= len(patterns); p++ {
		h, err := NewHopfield(patterns[:p])
		if err != nil {
			return nil, err
		}
		m, err := h.RecallAll(patterns[:p], flips, rng)
		if err != nil {
			return nil, err
		}
		curve[p-1] = retrieval(h.N, p, m)
	}
	return curve, nil
}

// CriticalLoad returns the load at which half of the memories stop being
// recalled: where the Recalled fraction of a retrieval curve (loads
// increasing) first falls below ½, interpolated linearly between the two
// loads around the crossing. For large N the fraction drops from 1 to 0 at
// α_c ≈ 0.138, so this tends to the known capacity; at small N the drop is
// smeared out. It is an error if the curve never crosses ½ from above.
func CriticalLoad(curve []Retrieval) (float64, error) {
	const half = 0.5
	for k := 1; k < len(curve); k++ {
		a, b := curve[k-1], curve[k]
		if a.Recalled >= half && b.Recalled < half {
			t := (a.Recalled - half) / (a.Recalled - b.Recalled)
			return a.Load + t*(b.Load-a.Load), nil
		}
	}
	if len(curve) == 0 {
		return math.NaN(), fmt.Errorf("boltzmann: critical load of an empty retrieval curve: measure some loads first")
	}
	return math.NaN(), fmt.Errorf("boltzmann: the recalled fraction never falls below ½ over loads %v..%v: extend the loads",
		curve[0].Load, curve[len(curve)-1].Load)
}
