package boltzmann

import (
	"fmt"
	"math"
)

// RBM is a tiny restricted Boltzmann machine with 0/1 units:
// E(v,h) = -Σ_{i,j} v_i w_ij h_j - Σ_i b_i v_i - Σ_j c_j h_j.
// W is row-major visible×hidden (W[i*Hidden+j] = w_ij), B the visible and
// C the hidden biases.
type RBM struct {
	Visible, Hidden int
	W               []float64
	B, C            []float64
}

// NewRBM checks the shapes and returns an RBM holding copies of w, b and c.
// Nil b or c mean zero biases.
func NewRBM(visible, hidden int, w, b, c []float64) (*RBM, error) {
	if visible < 1 || hidden < 1 || visible+hidden > MaxUnits {
		return nil, fmt.Errorf("boltzmann: RBM %d×%d, want ≥ 1 each and ≤ %d units in all", visible, hidden, MaxUnits)
	}
	if b == nil {
		b = make([]float64, visible)
	}
	if c == nil {
		c = make([]float64, hidden)
	}
	if len(w) != visible*hidden || len(b) != visible || len(c) != hidden {
		return nil, fmt.Errorf("boltzmann: RBM %d×%d got len(W)=%d len(B)=%d len(C)=%d",
			visible, hidden, len(w), len(b), len(c))
	}
	return &RBM{Visible: visible, Hidden: hidden,
		W: append([]float64(nil), w...),
		B: append([]float64(nil), b...),
		C: append([]float64(nil), c...)}, nil
}

// Units returns the 0/1 units of the state with the given index among 2^n
// (bit i set means unit i is 1).
func Units(n, index int) []int {
	u := make([]int, n)
	for i := range u {
		u[i] = index >> i & 1
	}
	return u
}

// Energy returns E(v,h) for 0/1 vectors v (Visible) and h (Hidden).
func (r *RBM) Energy(v, h []int) float64 {
	e := 0.0
	for i := 0; i < r.Visible; i++ {
		vi := float64(v[i])
		for j := 0; j < r.Hidden; j++ {
			e -= vi * r.W[i*r.Hidden+j] * float64(h[j])
		}
		e -= r.B[i] * vi
	}
	for j := 0; j < r.Hidden; j++ {
		e -= r.C[j] * float64(h[j])
	}
	return e
}

// Joint returns p(v,h) = exp(-E(v,h))/Z for all states; the entry for
// visible index a and hidden index b is at a<<Hidden | b.
func (r *RBM) Joint() []float64 {
	nh := 1 << r.Hidden
	x := make([]float64, (1<<r.Visible)*nh)
	for a := 0; a < 1<<r.Visible; a++ {
		v := Units(r.Visible, a)
		for b := 0; b < nh; b++ {
			x[a*nh+b] = -r.Energy(v, Units(r.Hidden, b))
		}
	}
	logZ := LogSumExp(x)
	for k := range x {
		x[k] = math.Exp(x[k] - logZ)
	}
	return x
}

// HiddenGivenVisible returns p(h_j=1|v) = σ(Σ_i v_i w_ij + c_j) for each j:
// the closed form, because hidden units are independent given v.
func (r *RBM) HiddenGivenVisible(v []int) []float64 {
	p := make([]float64, r.Hidden)
	for j := range p {
		eps := r.C[j]
		for i := 0; i < r.Visible; i++ {
			eps += float64(v[i]) * r.W[i*r.Hidden+j]
		}
		p[j] = Sigmoid(eps)
	}
	return p
}

// VisibleGivenHidden returns p(v_i=1|h) = σ(Σ_j w_ij h_j + b_i) for each i.
func (r *RBM) VisibleGivenHidden(h []int) []float64 {
	p := make([]float64, r.Visible)
	for i := range p {
		eps := r.B[i]
		for j := 0; j < r.Hidden; j++ {
			eps += r.W[i*r.Hidden+j] * float64(h[j])
		}
		p[i] = Sigmoid(eps)
	}
	return p
}

// HiddenGivenVisibleEnumerated returns p(h_j=1|v) computed from the joint
// distribution: Σ_{h: h_j=1} p(v,h) / Σ_h p(v,h). It serves as a check of
// the closed form and costs 2^(Visible+Hidden).
func (r *RBM) HiddenGivenVisibleEnumerated(v []int) []float64 {
	joint := r.Joint()
	nh := 1 << r.Hidden
	a := unitIndex(v)
	p := make([]float64, r.Hidden)
	total := 0.0
	for b := 0; b < nh; b++ {
		q := joint[a*nh+b]
		total += q
		for j := range p {
			if b>>j&1 == 1 {
				p[j] += q
			}
		}
	}
	for j := range p {
		p[j] /= total
	}
	return p
}

// FreeEnergy returns F(v) = -Σ_i b_i v_i - Σ_j log(1 + exp(Σ_i v_i w_ij + c_j)),
// the free energy the PyTorch script minimizes (there averaged over a batch).
// exp(-F(v)) = Σ_h exp(-E(v,h)).
func (r *RBM) FreeEnergy(v []int) float64 {
	f := 0.0
	for i := 0; i < r.Visible; i++ {
		f -= r.B[i] * float64(v[i])
	}
	for j := 0; j < r.Hidden; j++ {
		eps := r.C[j]
		for i := 0; i < r.Visible; i++ {
			eps += float64(v[i]) * r.W[i*r.Hidden+j]
		}
		f -= softplus(eps)
	}
	return f
}

// FreeEnergyEnumerated returns -log Σ_h exp(-E(v,h)) by summing over h.
func (r *RBM) FreeEnergyEnumerated(v []int) float64 {
	x := make([]float64, 1<<r.Hidden)
	for b := range x {
		x[b] = -r.Energy(v, Units(r.Hidden, b))
	}
	return -LogSumExp(x)
}

// softplus returns log(1+exp(x)) without overflow.
func softplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}
