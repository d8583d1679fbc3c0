package metrics

import (
	"fmt"
	"math"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/internal/linalg"
)

// MaxExactHidden is the largest hidden layer ExactLogZ enumerates: 2^25
// configurations of V softplus terms each, minutes for MNIST's 784 pixels.
const MaxExactHidden = 25

// ExactLogZ returns log Z of m by summing over all 2^Hidden hidden
// configurations with the visible units summed out (see the package
// documentation). It uses every core: the configurations are split by their
// top bits, each part walked in Gray-code order.
func ExactLogZ(m *graph.Model) (float64, error) {
	V, H := m.Visible(), m.Hidden()
	if H > MaxExactHidden {
		return 0, fmt.Errorf("metrics: exact log Z of %d hidden units needs 2^%d terms: use at most %d hidden units, or AIS", H, H, MaxExactHidden)
	}
	w, b, c := m.Params()
	// Row j of the script's H×V matrix, as float64: what flipping h_j adds.
	cols := make([][]float64, H)
	for j := range cols {
		cols[j] = make([]float64, V)
		for i := 0; i < V; i++ {
			cols[j][i] = float64(w[j*V+i])
		}
	}
	top := min(H, 4) // 2^top parts, enough to keep the cores busy
	low := H - top
	parts := make([]logSum, 1<<top)
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for p := range parts {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			h := make([]bool, H)
			a := make([]float64, V) // b + W h
			for i := range a {
				a[i] = float64(b[i])
			}
			var ch float64 // c·h
			flip := func(j int) {
				s := 1.0
				if h[j] {
					s = -1
				}
				h[j] = !h[j]
				ch += s * float64(c[j])
				for i, x := range cols[j] {
					a[i] += s * x
				}
			}
			for k := 0; k < top; k++ {
				if p>>k&1 == 1 {
					flip(low + k)
				}
			}
			term := func() float64 {
				t := ch
				for _, x := range a {
					t += graph.Softplus(x)
				}
				return t
			}
			parts[p].add(term())
			for g := uint64(1); g < 1<<low; g++ {
				// Gray code: step g flips the bit of g's lowest set bit.
				j := 0
				for g>>j&1 == 0 {
					j++
				}
				flip(j)
				parts[p].add(term())
			}
		}()
	}
	wg.Wait()
	var total logSum
	for _, p := range parts {
		total.merge(p)
	}
	return total.log(), nil
}

// logSum accumulates log Σ exp(t) as max + log Σ exp(t − max).
type logSum struct {
	max, sum float64
	n        int
}

func (l *logSum) add(t float64) {
	switch {
	case l.n == 0:
		l.max, l.sum = t, 1
	case t > l.max:
		l.sum = l.sum*math.Exp(l.max-t) + 1
		l.max = t
	default:
		l.sum += math.Exp(t - l.max)
	}
	l.n++
}

func (l *logSum) merge(o logSum) {
	if o.n == 0 {
		return
	}
	if l.n == 0 {
		*l = o
		return
	}
	if o.max > l.max {
		l.sum = l.sum*math.Exp(l.max-o.max) + o.sum
		l.max = o.max
	} else {
		l.sum += o.sum * math.Exp(o.max-l.max)
	}
	l.n += o.n
}

func (l logSum) log() float64 { return l.max + math.Log(l.sum) }

// BaseRateClip keeps the base-rate model's pixel probabilities inside
// [BaseRateClip, 1−BaseRateClip]: pixels that are never (or always) on in
// the training data would otherwise get infinite biases. Any base model
// gives an unbiased estimate of Z; this choice only affects its variance.
const BaseRateClip = 1e-3

// DefaultChains is the paper's number of AIS runs.
const DefaultChains = 100

// PaperSchedule returns the inverse temperatures of Salakhutdinov and
// Murray (2008): 0 to 0.5 in steps of 1e-3, to 0.9 in steps of 1e-4, to 1
// in steps of 1e-5; 14,501 values from 0 to 1.
func PaperSchedule() []float64 { return schedule(500, 4000, 10000) }

// Schedule returns n inverse temperatures from 0 to 1 in the paper's three
// linear segments (to 0.5, 0.9 and 1), with the paper's share of the steps
// in each. n = 0 gives PaperSchedule; otherwise n must be at least 4.
func Schedule(n int) ([]float64, error) {
	if n == 0 {
		return PaperSchedule(), nil
	}
	if n < 4 {
		return nil, fmt.Errorf("metrics: AIS with %d inverse temperatures: use at least 4 (or 0 for the paper's 14,501)", n)
	}
	steps := n - 1
	n1 := max(1, int(math.Round(float64(steps)*500/14500)))
	n2 := max(1, int(math.Round(float64(steps)*4000/14500)))
	return schedule(n1, n2, steps-n1-n2), nil
}

func schedule(n1, n2, n3 int) []float64 {
	b := make([]float64, 0, n1+n2+n3+1)
	for _, seg := range []struct {
		from, to float64
		n        int
	}{{0, 0.5, n1}, {0.5, 0.9, n2}, {0.9, 1, n3}} {
		for i := 0; i < seg.n; i++ {
			b = append(b, seg.from+(seg.to-seg.from)*float64(i)/float64(seg.n))
		}
	}
	return append(b, 1)
}

// AISOptions sets up an AIS run.
type AISOptions struct {
	// Marginals are the training data's pixel marginals (Visible values in
	// [0, 1], see Marginals and PixelMarginals) defining the base-rate model.
	Marginals []float64
	// Betas are the inverse temperatures, increasing from 0 to 1; nil
	// means PaperSchedule.
	Betas []float64
	// Chains is the number of independent runs; 0 means DefaultChains.
	Chains int
}

// AISResult is an AIS estimate of log Z.
type AISResult struct {
	LogZ     float64 // log Z estimate, nats
	Low      float64 // log(ŵ − 3σ̂) + log Z_A; −Inf when ŵ < 3σ̂
	High     float64 // log(ŵ + 3σ̂) + log Z_A
	LogZBase float64 // log Z_A of the base-rate model
	Chains   int
	Betas    int
}

// AIS estimates log Z of m by annealed importance sampling from the
// base-rate model (see the package documentation). It draws from src, in
// order: the chains' initial visible states (Chains×Visible), then at each
// intermediate β the hidden (Chains×Hidden) and visible (Chains×Visible)
// states.
func AIS(m *graph.Model, opt AISOptions, src graph.Uniform) (AISResult, error) {
	V, H := m.Visible(), m.Hidden()
	betas := opt.Betas
	if betas == nil {
		betas = PaperSchedule()
	}
	M := opt.Chains
	if M == 0 {
		M = DefaultChains
	}
	switch {
	case len(opt.Marginals) != V:
		return AISResult{}, fmt.Errorf("metrics: AIS needs %d pixel marginals for the base-rate model, got %d", V, len(opt.Marginals))
	case M < 2:
		return AISResult{}, fmt.Errorf("metrics: AIS with %d chains: use at least 2 (the bounds need a variance)", M)
	case len(betas) < 2 || betas[0] != 0 || betas[len(betas)-1] != 1:
		return AISResult{}, fmt.Errorf("metrics: AIS inverse temperatures must run from 0 to 1 (%d given)", len(betas))
	}
	for k := 1; k < len(betas); k++ {
		if !(betas[k] > betas[k-1]) {
			return AISResult{}, fmt.Errorf("metrics: AIS inverse temperatures must increase (β[%d] = %v after %v)", k, betas[k], betas[k-1])
		}
	}
	wScript, b, c := m.Params()
	w := make([]float32, V*H) // stored V×H, for v·W
	linalg.Transpose(w, wScript, H, V)
	bA := make([]float64, V)
	logZA := float64(H) * math.Ln2
	for i, p := range opt.Marginals {
		p = math.Min(math.Max(p, BaseRateClip), 1-BaseRateClip)
		bA[i] = math.Log(p) - math.Log1p(-p)
		logZA += graph.Softplus(bA[i])
	}

	v := make([]float32, M*V)  // visible states
	a := make([]float32, M*H)  // v·W + c
	pv := make([]float32, M*V) // visible probabilities, then inputs
	ph := make([]float32, M*H)
	h := make([]float32, M*H)
	vbA, vb := make([]float64, M), make([]float64, M) // v·b_A, v·b
	logw := make([]float64, M)

	// update recomputes a, v·b_A and v·b after v changed.
	update := func() {
		for r := 0; r < M; r++ {
			copy(a[r*H:(r+1)*H], c)
			var sA, s float64
			for i, x := range v[r*V : (r+1)*V] {
				if x != 0 {
					sA += bA[i]
					s += float64(b[i])
				}
			}
			vbA[r], vb[r] = sA, s
		}
		blas32.Gemm(blas.NoTrans, blas.NoTrans, 1,
			blas32.General{Rows: M, Cols: V, Stride: V, Data: v},
			blas32.General{Rows: V, Cols: H, Stride: H, Data: w},
			1, blas32.General{Rows: M, Cols: H, Stride: H, Data: a})
	}
	// logp adds sign·log p*_β(v) to each chain's log weight.
	logp := func(beta, sign float64) {
		for r := 0; r < M; r++ {
			t := (1-beta)*vbA[r] + beta*vb[r]
			if beta == 0 {
				t += float64(H) * math.Ln2
			} else {
				for _, x := range a[r*H : (r+1)*H] {
					t += graph.Softplus(beta * float64(x))
				}
			}
			logw[r] += sign * t
		}
	}

	// An exact sample of the base-rate model.
	for r := 0; r < M; r++ {
		for i := range bA {
			pv[r*V+i] = float32(graph.Logistic(bA[i]))
		}
	}
	graph.Bernoulli(v, pv, src)
	update()
	logp(0, -1)
	for _, beta := range betas[1 : len(betas)-1] {
		logp(beta, 1)
		// Gibbs transition that leaves p*_β invariant.
		for i, x := range a {
			ph[i] = float32(graph.Logistic(beta * float64(x)))
		}
		graph.Bernoulli(h, ph, src)
		for r := 0; r < M; r++ {
			copy(pv[r*V:(r+1)*V], b)
		}
		blas32.Gemm(blas.NoTrans, blas.Trans, 1,
			blas32.General{Rows: M, Cols: H, Stride: H, Data: h},
			blas32.General{Rows: V, Cols: H, Stride: H, Data: w},
			1, blas32.General{Rows: M, Cols: V, Stride: V, Data: pv})
		for r := 0; r < M; r++ {
			for i := 0; i < V; i++ {
				x := &pv[r*V+i]
				*x = float32(graph.Logistic((1-beta)*bA[i] + beta*float64(*x)))
			}
		}
		graph.Bernoulli(v, pv, src)
		update()
		logp(beta, -1)
	}
	logp(1, 1)

	// log mean w and its standard error, relative to the largest weight.
	top := math.Inf(-1)
	for _, x := range logw {
		top = math.Max(top, x)
	}
	var s, s2 float64
	for _, x := range logw {
		e := math.Exp(x - top)
		s += e
		s2 += e * e
	}
	n := float64(M)
	meanW := s / n
	sd := math.Sqrt(math.Max(0, (s2-n*meanW*meanW)/(n-1)))
	se := sd / math.Sqrt(n)
	res := AISResult{
		LogZ:     logZA + top + math.Log(meanW),
		High:     logZA + top + math.Log(meanW+3*se),
		Low:      math.Inf(-1),
		LogZBase: logZA,
		Chains:   M,
		Betas:    len(betas),
	}
	if meanW > 3*se {
		res.Low = logZA + top + math.Log(meanW-3*se)
	}
	return res, nil
}

// LogZLowerBound returns Σ_i softplus(b_i), the log of the term of Z with
// every hidden unit off, a lower bound on log Z that costs nothing. An AIS
// estimate below it has missed that mode: CD-1 training with few hidden
// units can leave it dominant, because the data never turns every hidden
// unit off and its free energy is never raised.
func LogZLowerBound(m *graph.Model) float64 {
	var s float64
	_, b, _ := m.Params()
	for _, x := range b {
		s += graph.Softplus(float64(x))
	}
	return s
}
