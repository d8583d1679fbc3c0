package graph

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// Uniform is a source of uniform variates in [0, 1). *math/rand/v2.Rand
// satisfies it; tests inject recorded draws.
type Uniform interface {
	Float32() float32
}

// Sampler runs block Gibbs sampling on a model's current parameters, outside
// the graph. It keeps its scratch buffers between calls, so a Sampler is not
// safe for concurrent use; make one per goroutine.
type Sampler struct {
	m                *Model
	aH, pH, h, pV, v []float32
	capRows          int
	off              []int32 // offsets of the ones of a binary batch

	// products are Gibbs's first and last v·W + c, which the model's
	// Step needs again for the data and the reconstruction.
	products [2]product
}

// product is x·W + c (a, rows×Hidden) for the visible values v
// (rows×Visible) under the parameters of the given model version.
type product struct {
	version uint64
	rows    int
	v, a    []float32
}

// keep records the sampler's last v→h product, of v.
func (s *Sampler) keep(p *product, v []float32, rows int) {
	p.version = s.m.version.Load()
	p.rows = rows
	p.v = append(p.v[:0], v...)
	p.a = append(p.a[:0], s.aH[:rows*s.m.Hidden]...)
}

// NewSampler returns a sampler reading m's parameters.
func NewSampler(m *Model) *Sampler { return &Sampler{m: m} }

func (s *Sampler) grow(rows int) {
	if rows <= s.capRows {
		return
	}
	V, H := s.m.Visible, s.m.Hidden
	s.aH, s.pH, s.h = make([]float32, rows*H), make([]float32, rows*H), make([]float32, rows*H)
	s.pV, s.v = make([]float32, rows*V), make([]float32, rows*V)
	s.capRows = rows
}

// Sigmoid is the logistic function 1/(1+e^−x) in float32, as the sampler
// and the graph evaluate it (within about 2 ulps of the exact value).
func Sigmoid(x float32) float32 { return sigmoid32(x) }

// Bernoulli sets dst[i] = 1 if p[i] > u else 0 for a fresh u from src per
// element, in order: the script's F.relu(torch.sign(p - torch.rand(p.size()))).
// The variates are drawn into dst first (see FillUniform), or read in
// place from a Drawn.
func Bernoulli(dst, p []float32, src Uniform) {
	dst = dst[:len(p)]
	u := uniforms(len(p), src, dst)
	head := 0
	if useBinaryAsm && len(p) >= 8 {
		head = len(p) &^ 7
		bernoulliAsm(&dst[0], &p[0], &u[0], head)
	}
	for i := head; i < len(p); i++ {
		if p[i] > u[i] {
			dst[i] = 1
		} else {
			dst[i] = 0
		}
	}
}

// HiddenProbabilities sets pH (rows×Hidden) to σ(v·Wᵀ + c) for v (rows×Visible),
// in the script's terms.
func (m *Model) HiddenProbabilities(pH, v []float32, rows int) {
	var off []int32
	linear(pH, v, rows, m.Visible, m.weights(), m.Hidden, m.hBias(), &off)
	sigmoidShared(pH[:rows*m.Hidden], pH[:rows*m.Hidden])
}

// VisibleProbabilities sets pV (rows×Visible) to σ(h·W + b) for h (rows×Hidden).
func (m *Model) VisibleProbabilities(pV, h []float32, rows int) {
	var off []int32
	m.visibleProbabilities(pV, h, rows, &off)
}

// visibleProbabilities is VisibleProbabilities with off for the offsets of
// a binary h (see linear).
func (m *Model) visibleProbabilities(pV, h []float32, rows int, off *[]int32) {
	V, H := m.Visible, m.Hidden
	if onesFit(V*H) && isBinary(h[:rows*H]) {
		onesProduct(pV[:rows*V], h[:rows*H], rows, H, m.transposedWeights(), V, m.vBias(), off)
	} else {
		b := m.vBias()
		for r := 0; r < rows; r++ {
			copy(pV[r*V:(r+1)*V], b)
		}
		gemm(blas.NoTrans, blas.Trans, 1,
			blas32.General{Rows: rows, Cols: H, Stride: H, Data: h[:rows*H]},
			blas32.General{Rows: V, Cols: H, Stride: H, Data: m.weights()},
			1, blas32.General{Rows: rows, Cols: V, Stride: V, Data: pV[:rows*V]})
	}
	sigmoidShared(pV[:rows*V], pV[:rows*V])
}

// VisibleToHidden returns p(h=1|v) and a sample of h for v (rows×Visible),
// the script's v_to_h. The returned slices are the sampler's buffers, valid
// until its next call.
func (s *Sampler) VisibleToHidden(v []float32, rows int, src Uniform) (pH, h []float32) {
	s.grow(rows)
	s.hiddenProduct(v, rows)
	return s.sampleHidden(rows, src)
}

// hiddenProduct sets the sampler's aH to v·W + c.
func (s *Sampler) hiddenProduct(v []float32, rows int) {
	linear(s.aH, v, rows, s.m.Visible, s.m.weights(), s.m.Hidden, s.m.hBias(), &s.off)
}

// sampleHidden sets pH = σ(aH) and samples h from it.
func (s *Sampler) sampleHidden(rows int, src Uniform) (pH, h []float32) {
	n := rows * s.m.Hidden
	sigmoidShared(s.pH[:n], s.aH[:n])
	Bernoulli(s.h[:n], s.pH[:n], src)
	return s.pH[:n], s.h[:n]
}

// HiddenToVisible returns p(v=1|h) and a sample of v for h (rows×Hidden),
// the script's h_to_v. The returned slices are the sampler's buffers.
func (s *Sampler) HiddenToVisible(h []float32, rows int, src Uniform) (pV, v []float32) {
	s.grow(rows)
	n := rows * s.m.Visible
	s.m.visibleProbabilities(s.pV, h, rows, &s.off)
	Bernoulli(s.v[:n], s.pV[:n], src)
	return s.pV[:n], s.v[:n]
}

// GibbsDraws returns the number of uniform variates Gibbs draws for rows
// rows and k steps: rows·Hidden for h, then per step rows·Visible for v′
// and rows·Hidden for h (the last one discarded, as the script does).
func (s *Sampler) GibbsDraws(rows, k int) int {
	return rows*s.m.Hidden + k*rows*(s.m.Visible+s.m.Hidden)
}

// Gibbs runs the script's forward pass: from the data v (rows×Visible) it
// samples h, then k times v′ ~ p(v|h) and h ~ p(h|v′), and returns the last
// v′ (a sampler buffer). It consumes the draws in the script's order,
// including those of the last hidden sample, which the script draws and
// discards (so Gibbs draws them without computing that sample).
func (s *Sampler) Gibbs(v []float32, rows, k int, src Uniform) ([]float32, error) {
	if k < 1 {
		return nil, fmt.Errorf("graph: %d Gibbs steps: use k ≥ 1", k)
	}
	if rows < 1 || len(v) != rows*s.m.Visible {
		return nil, fmt.Errorf("graph: Gibbs on %d values for %d rows of %d: %w", len(v), rows, s.m.Visible, ErrShape)
	}
	s.grow(rows)
	s.hiddenProduct(v, rows)
	s.keep(&s.products[0], v, rows)
	_, h := s.sampleHidden(rows, src)
	var vk []float32
	for i := 0; i < k; i++ {
		_, vk = s.HiddenToVisible(h, rows, src)
		s.hiddenProduct(vk, rows)
		if i < k-1 {
			_, h = s.sampleHidden(rows, src)
		}
	}
	s.keep(&s.products[1], vk, rows)
	uniforms(rows*s.m.Hidden, src, s.h) // the discarded last hidden sample's draws
	s.m.lastGibbs.Store(s)
	return vk, nil
}
