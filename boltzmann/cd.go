package boltzmann

import (
	"fmt"
	"math"
)

// RBMGradient holds derivatives of the data's mean log-likelihood
// L = (1/N_d) Σ_{v∈data} log p(v) of an RBM, or an estimate of them, with
// respect to W (Visible×Hidden, row-major, as [RBM.W]), B and C.
type RBMGradient struct {
	W, B, C []float64
}

// RelativeError returns ‖g − exact‖/‖exact‖ over all components (Euclidean
// norms): how far an estimate such as contrastive divergence is from the
// exact gradient. It is NaN or +Inf when exact is zero, at a maximum of L.
func (g RBMGradient) RelativeError(exact RBMGradient) float64 {
	var d, e float64
	for _, pair := range [][2][]float64{{g.W, exact.W}, {g.B, exact.B}, {g.C, exact.C}} {
		for k := range pair[1] {
			diff := pair[0][k] - pair[1][k]
			d += diff * diff
			e += pair[1][k] * pair[1][k]
		}
	}
	return math.Sqrt(d / e)
}

// checkUnits returns an error unless every vector has n entries of 0 or 1.
func checkUnits(data [][]int, n int) error {
	if len(data) == 0 {
		return fmt.Errorf("boltzmann: no data: give at least one visible vector")
	}
	for k, v := range data {
		if len(v) != n {
			return fmt.Errorf("boltzmann: visible vector %d has %d units, want %d", k, len(v), n)
		}
		for i, vi := range v {
			if vi != 0 && vi != 1 {
				return fmt.Errorf("boltzmann: visible vector %d has v_%d = %d: units are 0 or 1", k, i, vi)
			}
		}
	}
	return nil
}

// unitIndex returns the index of a 0/1 vector (unit i sets bit i), the
// inverse of [Units].
func unitIndex(u []int) int {
	a := 0
	for i, ui := range u {
		a |= (ui & 1) << i
	}
	return a
}

// VisibleDistribution returns the data's distribution q(v) over the 2^Visible
// visible states: the fraction of the data vectors (0/1) equal to v.
func (r *RBM) VisibleDistribution(data [][]int) ([]float64, error) {
	if err := checkUnits(data, r.Visible); err != nil {
		return nil, err
	}
	index := make([]int, len(data))
	for k, v := range data {
		index[k] = unitIndex(v)
	}
	return Histogram(index, 1<<r.Visible), nil
}

// negFreeEnergies returns −F(v) for every visible state, by index.
func (r *RBM) negFreeEnergies() []float64 {
	x := make([]float64, 1<<r.Visible)
	for a := range x {
		x[a] = -r.FreeEnergy(Units(r.Visible, a))
	}
	return x
}

// LogPartition returns log Z = log Σ_v e^{−F(v)} = log Σ_{v,h} e^{−E(v,h)}.
func (r *RBM) LogPartition() float64 { return LogSumExp(r.negFreeEnergies()) }

// Marginal returns the machine's distribution of the visible units,
// p(v) = e^{−F(v)}/Z, by visible index.
func (r *RBM) Marginal() []float64 {
	x := r.negFreeEnergies()
	logZ := LogSumExp(x)
	for a := range x {
		x[a] = math.Exp(x[a] - logZ)
	}
	return x
}

// LogLikelihood returns the data's mean log-likelihood
// (1/N_d) Σ_{v∈data} log p(v), with log p(v) = −F(v) − log Z.
func (r *RBM) LogLikelihood(data [][]int) (float64, error) {
	if err := checkUnits(data, r.Visible); err != nil {
		return 0, err
	}
	logZ := r.LogPartition()
	l := 0.0
	for _, v := range data {
		l += -r.FreeEnergy(v) - logZ
	}
	return l / float64(len(data)), nil
}

// statistics returns Σ_v p(v)·(v_i σ_j(v), v_i, σ_j(v)) for a distribution
// p over the visible states, with σ_j(v) = p(h_j=1|v): ⟨v_i h_j⟩, ⟨v_i⟩ and
// ⟨h_j⟩ when v is drawn from p and h from p(h|v). Every gradient below is a
// difference of two of these.
func (r *RBM) statistics(p []float64) RBMGradient {
	s := RBMGradient{W: make([]float64, r.Visible*r.Hidden), B: make([]float64, r.Visible), C: make([]float64, r.Hidden)}
	for a, pa := range p {
		if pa == 0 {
			continue
		}
		v := Units(r.Visible, a)
		ph := r.HiddenGivenVisible(v)
		for j, pj := range ph {
			s.C[j] += pa * pj
		}
		for i, vi := range v {
			if vi == 0 {
				continue
			}
			s.B[i] += pa
			for j, pj := range ph {
				s.W[i*r.Hidden+j] += pa * pj
			}
		}
	}
	return s
}

// difference returns a − b component by component.
func (a RBMGradient) difference(b RBMGradient) RBMGradient {
	sub := func(x, y []float64) []float64 {
		d := make([]float64, len(x))
		for k := range x {
			d[k] = x[k] - y[k]
		}
		return d
	}
	return RBMGradient{W: sub(a.W, b.W), B: sub(a.B, b.B), C: sub(a.C, b.C)}
}

// ExactGradient returns the exact gradient of the data's mean
// log-likelihood, by enumeration of the visible states:
//
//	∂L/∂w_ij = ⟨v_i h_j⟩_data − ⟨v_i h_j⟩_model,  ∂L/∂b_i = ⟨v_i⟩_data − ⟨v_i⟩_model,  ∂L/∂c_j = ⟨h_j⟩_data − ⟨h_j⟩_model,
//
// where "data" draws v from the data and h from p(h|v), and "model" draws
// (v,h) from the machine's p(v,h): the RBM's form of the notes' learning
// rule ⟨s_i s_j⟩_data − ⟨s_i s_j⟩_thermal. The model term is what
// contrastive divergence avoids computing.
func (r *RBM) ExactGradient(data [][]int) (RBMGradient, error) {
	q, err := r.VisibleDistribution(data)
	if err != nil {
		return RBMGradient{}, err
	}
	return r.statistics(q).difference(r.statistics(r.Marginal())), nil
}

// VisibleTransitions returns the matrix T of one Gibbs step v → h → v′
// (h drawn from p(h|v), v′ from p(v′|h)), 2^Visible × 2^Visible row-major:
// T[a*2^Visible+b] = Σ_h p(h|v_a) p(v_b|h). Its rows sum to 1 and the
// machine's p(v) is its fixed point. It costs 4^Visible·2^Hidden·Visible.
func (r *RBM) VisibleTransitions() []float64 {
	nv := 1 << r.Visible
	t := make([]float64, nv*nv)
	for a := 0; a < nv; a++ {
		ph := r.HiddenGivenVisible(Units(r.Visible, a))
		for b := 0; b < 1<<r.Hidden; b++ {
			pb := productProbability(ph, b)
			pv := r.VisibleGivenHidden(Units(r.Hidden, b))
			for c := 0; c < nv; c++ {
				t[a*nv+c] += pb * productProbability(pv, c)
			}
		}
	}
	return t
}

// productProbability returns Π_i (p_i if bit i of index is set, else
// 1 − p_i): the probability of a state of independent units.
func productProbability(p []float64, index int) float64 {
	x := 1.0
	for i, pi := range p {
		if index>>i&1 == 1 {
			x *= pi
		} else {
			x *= 1 - pi
		}
	}
	return x
}

// ExpectedContrastiveDivergence returns the mean of the CD-k estimate
// ([RBM.ContrastiveDivergence]) over the chains' randomness, exactly: the
// statistics of the data minus those of the data's distribution after k
// Gibbs steps, q·T^k with T = [RBM.VisibleTransitions]. As k grows, q·T^k
// tends to the machine's p(v) and CD-k to [RBM.ExactGradient]; CD-1 is
// biased by how far one step is from that.
func (r *RBM) ExpectedContrastiveDivergence(data [][]int, k int) (RBMGradient, error) {
	if k < 1 {
		return RBMGradient{}, fmt.Errorf("boltzmann: CD-%d: give k ≥ 1 Gibbs steps", k)
	}
	q, err := r.VisibleDistribution(data)
	if err != nil {
		return RBMGradient{}, err
	}
	t := r.VisibleTransitions()
	p := q
	for step := 0; step < k; step++ {
		next := make([]float64, len(p))
		for a, pa := range p {
			if pa == 0 {
				continue
			}
			for b := range next {
				next[b] += pa * t[a*len(p)+b]
			}
		}
		p = next
	}
	return r.statistics(q).difference(r.statistics(p)), nil
}

// bernoulli returns 0/1 units, unit i being 1 with probability p[i].
func bernoulli(p []float64, rng Uniform) []int {
	u := make([]int, len(p))
	for i, pi := range p {
		if rng.Float64() < pi {
			u[i] = 1
		}
	}
	return u
}

// ContrastiveDivergence returns the CD-k estimate of the log-likelihood
// gradient, one chain per data vector, as the notes draw it:
//
//	t=0: a training vector v⁰ on the visible units; update all hidden units
//	     in parallel (h⁰ ~ p(h|v⁰)); measure ⟨v_i h_j⟩⁰;
//	t=1: update the visible units in parallel (v¹ ~ p(v|h⁰), the
//	     "reconstruction"); update the hidden units again; measure ⟨v_i h_j⟩¹;
//
// (CD-k repeats the t=1 step k times), and returns ⟨v_i h_j⟩⁰ − ⟨v_i h_j⟩^k
// averaged over the data (⟨v_i⟩⁰ − ⟨v_i⟩^k and ⟨h_j⟩⁰ − ⟨h_j⟩^k for the
// biases): the notes' τ_w dw_ij/dt. Like the PyTorch script's
// free_energy(v) − free_energy(v_k), it measures h_j by its probability
// σ_j(v) rather than a 0/1 draw: the same mean, less noise. The chains'
// 0/1 draws come from rng.
func (r *RBM) ContrastiveDivergence(data [][]int, k int, rng Uniform) (RBMGradient, error) {
	if k < 1 {
		return RBMGradient{}, fmt.Errorf("boltzmann: CD-%d: give k ≥ 1 Gibbs steps", k)
	}
	q, err := r.VisibleDistribution(data)
	if err != nil {
		return RBMGradient{}, err
	}
	end := make([]int, len(data))
	for d, v := range data {
		for step := 0; step < k; step++ {
			h := bernoulli(r.HiddenGivenVisible(v), rng)
			v = bernoulli(r.VisibleGivenHidden(h), rng)
		}
		end[d] = unitIndex(v)
	}
	return r.statistics(q).difference(r.statistics(Histogram(end, 1<<r.Visible))), nil
}
