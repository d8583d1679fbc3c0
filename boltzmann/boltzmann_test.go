package boltzmann

import (
	"math"
	"math/rand/v2"
	"testing"
)

const (
	// exactTol bounds float64 round-off in sums over at most 2^MaxUnits
	// terms of order-one numbers: a few hundred ulps of 1.
	exactTol = 1e-12

	// tvSafety multiplies the expected total-variation distance of an
	// empirical histogram from n independent draws, ½ Σ_α sqrt(p_α/n) ≤
	// ½ sqrt(K/n) for K states. Successive Glauber or Metropolis sweeps are
	// correlated, which shrinks the effective sample size by the integrated
	// autocorrelation time (≲ 4 sweeps for the couplings |w| ≤ 1 below);
	// the remaining factor covers fluctuations of the distance itself.
	tvSafety = 6.0
)

// tvTolerance is the largest acceptable TV distance between a histogram of n
// Glauber samples over k states and the exact distribution.
func tvTolerance(k, n int) float64 {
	return tvSafety * 0.5 * math.Sqrt(float64(k)/float64(n))
}

func mustSystem(t *testing.T, n int, w, h []float64) *System {
	t.Helper()
	m, err := NewSystem(n, w, h)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestEnergy(t *testing.T) {
	// Two spins, w_01 = w_10 = 1, h = (0.5, -0.25):
	// E = -s0 s1 - 0.5 s0 + 0.25 s1.
	m := mustSystem(t, 2, []float64{0, 1, 1, 0}, []float64{0.5, -0.25})
	for _, tc := range []struct {
		s    []int
		want float64
	}{
		{[]int{+1, +1}, -1 - 0.5 + 0.25},
		{[]int{+1, -1}, +1 - 0.5 - 0.25},
		{[]int{-1, +1}, +1 + 0.5 + 0.25},
		{[]int{-1, -1}, -1 + 0.5 - 0.25},
	} {
		if got := m.Energy(tc.s); math.Abs(got-tc.want) > exactTol {
			t.Errorf("E(%v) = %v, want %v", tc.s, got, tc.want)
		}
	}
}

func TestStateIndexRoundTrip(t *testing.T) {
	m := mustSystem(t, 4, nil, nil)
	for a := 0; a < m.NumStates(); a++ {
		if got := SpinIndex(m.State(a)); got != a {
			t.Errorf("SpinIndex(State(%d)) = %d", a, got)
		}
	}
	if got := m.Label(0b0101); got != "+-+-" {
		t.Errorf("Label(0b0101) = %q, want \"+-+-\"", got)
	}
}

// randomSystem returns n spins with couplings and fields uniform in
// [-scale, scale), not symmetric, zero diagonal.
func randomSystem(t *testing.T, n int, scale float64, rng *rand.Rand) *System {
	w := make([]float64, n*n)
	h := make([]float64, n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i != j {
				w[i*n+j] = scale * (2*rng.Float64() - 1)
			}
		}
		h[i] = scale * (2*rng.Float64() - 1)
	}
	return mustSystem(t, n, w, h)
}

// The course notes' E_β - E_α = ε_k s_k for a single flip of spin k.
func TestFlipEnergyIsLocalField(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	m := randomSystem(t, 5, 1, rng)
	for a := 0; a < m.NumStates(); a++ {
		s := m.State(a)
		for k := 0; k < m.N; k++ {
			before := m.Energy(s)
			want := m.LocalField(s, k) * float64(s[k])
			s[k] = -s[k]
			got := m.Energy(s) - before
			s[k] = -s[k]
			if math.Abs(got-want) > exactTol {
				t.Fatalf("state %s spin %d: ΔE = %v, ε_k s_k = %v", m.Label(a), k, got, want)
			}
		}
	}
}

func TestExactDistribution(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, tc := range []struct {
		name  string
		n     int
		scale float64
	}{
		{"weak", 3, 0.1},
		{"order one", 6, 1},
		{"strong (log-sum-exp needed)", 4, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := randomSystem(t, tc.n, tc.scale, rng)
			p := m.Exact()
			sum := 0.0
			for _, pa := range p {
				if !(pa >= 0) {
					t.Fatalf("p = %v", p)
				}
				sum += pa
			}
			if math.Abs(sum-1) > exactTol {
				t.Errorf("Σp = %v", sum)
			}
			logZ := m.LogPartition()
			if math.IsInf(logZ, 0) || math.IsNaN(logZ) {
				t.Fatalf("log Z = %v", logZ)
			}
			// The ratio of Boltzmann factors: p_α/p_β = exp(E_β - E_α).
			e := m.Energies()
			if tc.scale <= 1 {
				naive := 0.0
				for _, ea := range e {
					naive += math.Exp(-ea)
				}
				if math.Abs(logZ-math.Log(naive)) > exactTol {
					t.Errorf("log Z = %v, naive %v", logZ, math.Log(naive))
				}
				got := math.Log(p[1] / p[0])
				if want := e[0] - e[1]; math.Abs(got-want) > 1e-9 {
					t.Errorf("log(p1/p0) = %v, want %v", got, want)
				}
			}
		})
	}
}

func TestTotalVariation(t *testing.T) {
	for _, tc := range []struct {
		p, q []float64
		want float64
	}{
		{[]float64{1, 0}, []float64{1, 0}, 0},
		{[]float64{1, 0}, []float64{0, 1}, 1},
		{[]float64{0.5, 0.5}, []float64{0.25, 0.75}, 0.25},
		{[]float64{0.1, 0.2, 0.7}, []float64{0.3, 0.3, 0.4}, 0.3},
	} {
		if got := TotalVariation(tc.p, tc.q); math.Abs(got-tc.want) > exactTol {
			t.Errorf("TV(%v, %v) = %v, want %v", tc.p, tc.q, got, tc.want)
		}
	}
}

func TestHistogram(t *testing.T) {
	got := Histogram([]int{0, 2, 2, 3}, 4)
	want := []float64{0.25, 0, 0.5, 0.25}
	if TotalVariation(got, want) != 0 {
		t.Errorf("Histogram = %v, want %v", got, want)
	}
}

func TestLogSumExp(t *testing.T) {
	for _, tc := range []struct {
		x    []float64
		want float64
	}{
		{nil, math.Inf(-1)},
		{[]float64{0}, 0},
		{[]float64{0, 0}, math.Ln2},
		{[]float64{1000, 1000}, 1000 + math.Ln2},
		{[]float64{-1000, -1000}, -1000 + math.Ln2},
		{[]float64{math.Inf(-1), 3}, 3},
	} {
		got := LogSumExp(tc.x)
		if !(got == tc.want || math.Abs(got-tc.want) <= exactTol*math.Max(1, math.Abs(tc.want))) {
			t.Errorf("LogSumExp(%v) = %v, want %v", tc.x, got, tc.want)
		}
	}
}

func mustRBM(t *testing.T, nv, nh int, rng *rand.Rand) *RBM {
	t.Helper()
	w := make([]float64, nv*nh)
	b := make([]float64, nv)
	c := make([]float64, nh)
	for k := range w {
		w[k] = 2*rng.Float64() - 1
	}
	for k := range b {
		b[k] = rng.Float64() - 0.5
	}
	for k := range c {
		c[k] = rng.Float64() - 0.5
	}
	r, err := NewRBM(nv, nh, w, b, c)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The notes' "analytic result": p(h_j=1|v) = σ(ε_j) equals what the joint
// Boltzmann distribution gives by brute force.
func TestHiddenGivenVisibleClosedFormVsEnumeration(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, tc := range []struct{ nv, nh int }{{1, 1}, {2, 3}, {3, 2}, {4, 4}} {
		r := mustRBM(t, tc.nv, tc.nh, rng)
		for a := 0; a < 1<<tc.nv; a++ {
			v := Units(tc.nv, a)
			closed := r.HiddenGivenVisible(v)
			enum := r.HiddenGivenVisibleEnumerated(v)
			for j := range closed {
				if math.Abs(closed[j]-enum[j]) > exactTol {
					t.Errorf("%d×%d v=%v: p(h_%d=1|v) closed %v, enumerated %v", tc.nv, tc.nh, v, j, closed[j], enum[j])
				}
			}
		}
	}
}

func TestFreeEnergyVsEnumeration(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	r := mustRBM(t, 3, 4, rng)
	for a := 0; a < 1<<3; a++ {
		v := Units(3, a)
		if got, want := r.FreeEnergy(v), r.FreeEnergyEnumerated(v); math.Abs(got-want) > exactTol {
			t.Errorf("F(%v) = %v, enumerated %v", v, got, want)
		}
	}
}

func TestVisibleGivenHiddenSymmetry(t *testing.T) {
	// p(v_i=1|h) of an RBM equals p(h_i=1|v) of the RBM with the layers
	// swapped (W transposed, biases exchanged).
	rng := rand.New(rand.NewPCG(6, 6))
	r := mustRBM(t, 3, 2, rng)
	wt := make([]float64, len(r.W))
	for i := 0; i < r.Visible; i++ {
		for j := 0; j < r.Hidden; j++ {
			wt[j*r.Visible+i] = r.W[i*r.Hidden+j]
		}
	}
	s, err := NewRBM(r.Hidden, r.Visible, wt, r.C, r.B)
	if err != nil {
		t.Fatal(err)
	}
	for b := 0; b < 1<<r.Hidden; b++ {
		h := Units(r.Hidden, b)
		got, want := r.VisibleGivenHidden(h), s.HiddenGivenVisibleEnumerated(h)
		for i := range got {
			if math.Abs(got[i]-want[i]) > exactTol {
				t.Errorf("h=%v: p(v_%d=1|h) = %v, want %v", h, i, got[i], want[i])
			}
		}
	}
}

func TestConstructorsReject(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"zero spins", func() error { _, err := NewSystem(0, nil, nil); return err }()},
		{"too many spins", func() error { _, err := NewSystem(MaxUnits+1, nil, nil); return err }()},
		{"diagonal", func() error { _, err := NewSystem(2, []float64{1, 0, 0, 0}, nil); return err }()},
		{"short W", func() error { _, err := NewSystem(2, []float64{0, 1}, nil); return err }()},
		{"RBM shape", func() error { _, err := NewRBM(2, 2, []float64{1}, nil, nil); return err }()},
	} {
		if tc.err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

func TestNewUniformRepeats(t *testing.T) {
	a, b := NewUniform(9), NewUniform(9)
	for k := 0; k < 5; k++ {
		x, y := a.Float64(), b.Float64()
		if x != y || x < 0 || x >= 1 {
			t.Fatalf("draw %d: %v vs %v", k, x, y)
		}
	}
}
