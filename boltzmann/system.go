package boltzmann

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// MaxUnits is the largest number of units a System (or the visible plus
// hidden units of an RBM) may have: enumeration visits 2^MaxUnits states.
const MaxUnits = 20

// Uniform is a source of uniform random numbers in [0, 1).
// *math/rand/v2.Rand satisfies it.
type Uniform interface {
	Float64() float64
}

// System is a fully visible Boltzmann machine (an Ising-like system) of N
// spins s_i ∈ {-1, +1} with couplings W (N×N, row-major, zero diagonal)
// and fields H. See the package documentation for the energy.
type System struct {
	N int
	W []float64
	H []float64
}

// NewSystem checks the shapes and the zero diagonal and returns a System
// holding copies of w and h. A nil w means no couplings, a nil h no fields.
func NewSystem(n int, w, h []float64) (*System, error) {
	if n < 1 || n > MaxUnits {
		return nil, fmt.Errorf("boltzmann: %d spins, want 1..%d", n, MaxUnits)
	}
	if w == nil {
		w = make([]float64, n*n)
	}
	if h == nil {
		h = make([]float64, n)
	}
	if len(w) != n*n {
		return nil, fmt.Errorf("boltzmann: len(W) = %d, want %d×%d", len(w), n, n)
	}
	if len(h) != n {
		return nil, fmt.Errorf("boltzmann: len(H) = %d, want %d", len(h), n)
	}
	for i := 0; i < n; i++ {
		if w[i*n+i] != 0 {
			return nil, errors.New("boltzmann: couplings need w_ii = 0")
		}
	}
	return &System{N: n, W: append([]float64(nil), w...), H: append([]float64(nil), h...)}, nil
}

// NumStates returns 2^N, the number of states.
func (m *System) NumStates() int { return 1 << m.N }

// State returns the spins of the state with the given index
// (bit i set means s_i = +1).
func (m *System) State(index int) []int {
	s := make([]int, m.N)
	for i := range s {
		if index>>i&1 == 1 {
			s[i] = 1
		} else {
			s[i] = -1
		}
	}
	return s
}

// SpinIndex returns the index of a spin state (s_i = +1 sets bit i).
func SpinIndex(s []int) int {
	index := 0
	for i, si := range s {
		if si > 0 {
			index |= 1 << i
		}
	}
	return index
}

// Label writes the state with the given index as '+' and '-', spin 0 first.
func (m *System) Label(index int) string {
	var b strings.Builder
	for i := 0; i < m.N; i++ {
		if index>>i&1 == 1 {
			b.WriteByte('+')
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

// Labels returns Label for every state index in order.
func (m *System) Labels() []string {
	l := make([]string, m.NumStates())
	for a := range l {
		l[a] = m.Label(a)
	}
	return l
}

// Energy returns E(s) = -½ Σ_{i,j} w_ij s_i s_j - Σ_i h_i s_i.
func (m *System) Energy(s []int) float64 {
	e := 0.0
	for i := 0; i < m.N; i++ {
		si := float64(s[i])
		for j := 0; j < m.N; j++ {
			e -= 0.5 * m.W[i*m.N+j] * si * float64(s[j])
		}
		e -= m.H[i] * si
	}
	return e
}

// Energies returns the energy of every state, by index.
func (m *System) Energies() []float64 {
	e := make([]float64, m.NumStates())
	for a := range e {
		e[a] = m.Energy(m.State(a))
	}
	return e
}

// LocalField returns ε_k = 2h_k + Σ_j (w_kj + w_jk) s_j, so that flipping
// spin k changes the energy by ε_k s_k.
func (m *System) LocalField(s []int, k int) float64 {
	eps := 2 * m.H[k]
	for j := 0; j < m.N; j++ {
		eps += (m.W[k*m.N+j] + m.W[j*m.N+k]) * float64(s[j])
	}
	return eps
}

// LogPartition returns log Z = log Σ_α exp(-E_α), by log-sum-exp.
func (m *System) LogPartition() float64 {
	e := m.Energies()
	for a := range e {
		e[a] = -e[a]
	}
	return LogSumExp(e)
}

// Exact returns the Boltzmann distribution p_α = exp(-E_α)/Z by state index.
func (m *System) Exact() []float64 {
	e := m.Energies()
	for a := range e {
		e[a] = -e[a]
	}
	logZ := LogSumExp(e)
	p := make([]float64, len(e))
	for a := range e {
		p[a] = math.Exp(e[a] - logZ)
	}
	return p
}

// Histogram returns the relative frequency of each index in [0, numStates).
func Histogram(indices []int, numStates int) []float64 {
	p := make([]float64, numStates)
	if len(indices) == 0 {
		return p
	}
	for _, a := range indices {
		p[a]++
	}
	for a := range p {
		p[a] /= float64(len(indices))
	}
	return p
}

// TotalVariation returns ½ Σ_α |p_α - q_α|, in [0, 1] for distributions.
func TotalVariation(p, q []float64) float64 {
	if len(p) != len(q) {
		panic("boltzmann: TotalVariation of distributions of different length")
	}
	d := 0.0
	for a := range p {
		d += math.Abs(p[a] - q[a])
	}
	return d / 2
}

// LogSumExp returns log Σ exp(x_k) without overflow; -Inf for no terms.
func LogSumExp(x []float64) float64 {
	max := math.Inf(-1)
	for _, v := range x {
		if v > max {
			max = v
		}
	}
	if math.IsInf(max, 0) {
		return max
	}
	sum := 0.0
	for _, v := range x {
		sum += math.Exp(v - max)
	}
	return max + math.Log(sum)
}

// Sigmoid returns σ(x) = 1/(1+exp(-x)).
func Sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// NewUniform returns a math/rand/v2 PCG generator seeded with seed, as a
// Uniform. It is a convenience for notebooks: math/rand/v2 has generic
// functions, and the gophernotes interpreter prints warnings whenever it
// loads that package, so the notebooks neither import it nor see its types.
// Go code can as well pass rand.New(rand.NewPCG(a, b)) wherever a Uniform
// is asked for.
func NewUniform(seed uint64) Uniform {
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}
