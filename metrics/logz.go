package metrics

import (
	"fmt"
	"math"
	"runtime"

	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/internal/par"
)

// MaxExactHidden is the largest hidden layer ExactLogZ enumerates: 2^25
// configurations of V softplus terms each, minutes for MNIST's 784 pixels.
const MaxExactHidden = 25

// ExactLogZ returns log Z of m by summing over all 2^Hidden hidden
// configurations with the visible units summed out (see the package
// documentation). It uses both cores: the configurations are split by their
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
	top := min(H, 4) // 2^top parts, shared between the cores by a par.Pool
	parts := make([]logSum, 1<<top)
	pool := par.New(runtime.GOMAXPROCS(0) - 1)
	defer pool.Close()
	pool.Do(exactJob{cols: cols, b: b, c: c, top: top, parts: parts}, len(parts), 1)
	var total logSum
	for _, p := range parts {
		total.merge(p)
	}
	return total.log(), nil
}

// exactJob sums the terms of parts of the hidden configurations: part p
// holds those whose top bits are p, walked in Gray-code order.
type exactJob struct {
	cols  [][]float64 // row j of W (Hidden×Visible) as float64
	b, c  []float32
	top   int
	parts []logSum
}

// Run sums parts lo to hi−1 (par.Job).
func (e exactJob) Run(lo, hi int) {
	H, V := len(e.cols), len(e.b)
	low := H - e.top
	h := make([]bool, H)
	a := make([]float64, V) // b + W h
	for p := lo; p < hi; p++ {
		clear(h)
		for i := range a {
			a[i] = float64(e.b[i])
		}
		var ch float64 // c·h
		flip := func(j int) {
			s := 1.0
			if h[j] {
				s = -1
			}
			h[j] = !h[j]
			ch += s * float64(e.c[j])
			for i, x := range e.cols[j] {
				a[i] += s * x
			}
		}
		for k := 0; k < e.top; k++ {
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
		e.parts[p].add(term())
		for g := uint64(1); g < 1<<low; g++ {
			// Gray code: step g flips the bit of g's lowest set bit.
			j := 0
			for g>>j&1 == 0 {
				j++
			}
			flip(j)
			e.parts[p].add(term())
		}
	}
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
