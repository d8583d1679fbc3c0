package graph

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"unsafe"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// InitScale multiplies the N(0,1) draws of the initial weights, as the
// script's torch.randn(n_hin, n_vis)*1e-2 does.
const InitScale = 0.01

// Normal is a source of standard normal variates. *math/rand/v2.Rand
// satisfies it.
type Normal interface {
	NormFloat64() float64
}

// Model is an RBM with float32 parameters, trained by contrastive
// divergence on a Gorgonia graph.
type Model struct {
	Visible, Hidden int

	// W is the weight matrix stored as Visible×Hidden (the transpose of the
	// script's W); VBias has Visible and HBias Hidden elements. Step
	// updates them in place. Change them through SetParams: Step reuses the
	// products v·W + c that a Sampler's Gibbs computed with the current
	// parameters, and only Step and SetParams mark the parameters changed.
	W, VBias, HBias *tensor.Dense

	solver *gorgonia.VanillaSolver // SGD: p ← p − lr·g, as torch.optim.SGD
	steps  map[int]*step

	// version counts the parameter changes by Step and SetParams; lastGibbs
	// is the sampler whose Gibbs ran last, whose products Step may reuse.
	version   atomic.Uint64
	lastGibbs atomic.Pointer[Sampler]

	// wt is W in the script's Hidden×Visible layout, for the products h·Wᵀ
	// of binary h (rows of wt added up), made anew when version changes.
	wt struct {
		sync.Mutex
		data    []float32
		version uint64
		ok      bool
	}
}

// transposedWeights returns W as Hidden×Visible for the current
// parameters, transposing when they changed since the last call.
func (m *Model) transposedWeights() []float32 {
	m.wt.Lock()
	defer m.wt.Unlock()
	v := m.version.Load()
	if !m.wt.ok || m.wt.version != v {
		if m.wt.data == nil {
			m.wt.data = make([]float32, m.Visible*m.Hidden)
		}
		transposeInto(m.wt.data, m.weights(), m.Visible, m.Hidden)
		m.wt.version, m.wt.ok = v, true
	}
	return m.wt.data
}

// New returns a model with weights drawn as N(0,1)·InitScale from src, in the
// script's order (hidden unit by hidden unit), and zero biases. lr is the SGD
// learning rate.
func New(visible, hidden int, lr float64, src Normal) (*Model, error) {
	m, err := newModel(visible, hidden, lr)
	if err != nil {
		return nil, err
	}
	w := m.W.Data().([]float32)
	for j := 0; j < hidden; j++ {
		for i := 0; i < visible; i++ {
			w[i*hidden+j] = float32(src.NormFloat64()) * InitScale
		}
	}
	return m, nil
}

func newModel(visible, hidden int, lr float64) (*Model, error) {
	switch {
	case visible < 1 || hidden < 1:
		return nil, fmt.Errorf("graph: model size %d×%d: both layers need at least one unit", visible, hidden)
	case !(lr > 0) || math.IsInf(lr, 0):
		return nil, fmt.Errorf("graph: learning rate %v: use a finite number > 0", lr)
	}
	return &Model{
		Visible: visible,
		Hidden:  hidden,
		W:       tensor.New(tensor.WithShape(visible, hidden), tensor.Of(tensor.Float32)),
		VBias:   tensor.New(tensor.WithShape(visible), tensor.Of(tensor.Float32)),
		HBias:   tensor.New(tensor.WithShape(hidden), tensor.Of(tensor.Float32)),
		solver:  gorgonia.NewVanillaSolver(gorgonia.WithLearnRate(lr)),
		steps:   map[int]*step{},
	}, nil
}

// FromParams returns a model with the given parameters in the script's
// layout: w is Hidden×Visible row-major, vBias has Visible and hBias Hidden
// elements. The slices are copied.
func FromParams(visible, hidden int, lr float64, w, vBias, hBias []float32) (*Model, error) {
	m, err := newModel(visible, hidden, lr)
	if err != nil {
		return nil, err
	}
	if err := m.SetParams(w, vBias, hBias); err != nil {
		return nil, err
	}
	return m, nil
}

// SetParams overwrites the parameters with copies of w (Hidden×Visible, the
// script's layout), vBias and hBias.
func (m *Model) SetParams(w, vBias, hBias []float32) error {
	V, H := m.Visible, m.Hidden
	if len(w) != V*H || len(vBias) != V || len(hBias) != H {
		return fmt.Errorf("graph: parameters of %d, %d, %d values do not fit a %d×%d model (want W %d×%d, v_bias %d, h_bias %d)",
			len(w), len(vBias), len(hBias), V, H, H, V, V, H)
	}
	dst := m.W.Data().([]float32)
	for j := 0; j < H; j++ {
		for i := 0; i < V; i++ {
			dst[i*H+j] = w[j*V+i]
		}
	}
	copy(m.VBias.Data().([]float32), vBias)
	copy(m.HBias.Data().([]float32), hBias)
	m.version.Add(1)
	return nil
}

// Params returns copies of the parameters in the script's layout: w is
// Hidden×Visible row-major.
func (m *Model) Params() (w, vBias, hBias []float32) {
	V, H := m.Visible, m.Hidden
	src := m.W.Data().([]float32)
	w = make([]float32, V*H)
	for j := 0; j < H; j++ {
		for i := 0; i < V; i++ {
			w[j*V+i] = src[i*H+j]
		}
	}
	vBias = append([]float32(nil), m.VBias.Data().([]float32)...)
	hBias = append([]float32(nil), m.HBias.Data().([]float32)...)
	return w, vBias, hBias
}

// weights, visible bias and hidden bias as slices, no copies.
func (m *Model) weights() []float32 { return f32s(m.W) }
func (m *Model) vBias() []float32   { return f32s(m.VBias) }
func (m *Model) hBias() []float32   { return f32s(m.HBias) }

// Step performs one contrastive-divergence update: it evaluates
// cost = mean F(vData) − mean F(vRecon) on rows×Visible batches and its
// gradients on the graph, and lets Gorgonia's VanillaSolver apply
// p ← p − lr·∂cost/∂p to each parameter, torch.optim.SGD without momentum.
// It returns the cost before the update, the script's loss.
func (m *Model) Step(vData, vRecon []float32, rows int) (float32, error) {
	s, err := m.run(vData, vRecon, rows)
	if err != nil {
		return 0, err
	}
	defer s.vm.Reset()
	loss := s.loss()
	if err := s.update(); err != nil {
		return 0, fmt.Errorf("graph: solver step: %w", err)
	}
	m.version.Add(1)
	return loss, nil
}

// Gradients evaluates the cost and its gradients without updating the
// parameters. dW is Visible×Hidden (the stored layout), dVBias and dHBias
// match the biases.
func (m *Model) Gradients(vData, vRecon []float32, rows int) (cost float32, dW, dVBias, dHBias []float32, err error) {
	s, err := m.run(vData, vRecon, rows)
	if err != nil {
		return 0, nil, nil, nil, err
	}
	defer s.vm.Reset()
	grads := make([][]float32, len(s.grads))
	for i, n := range s.grads {
		grads[i] = append([]float32(nil), n.Value().Data().([]float32)...)
	}
	return s.loss(), grads[0], grads[1], grads[2], nil
}

// ErrShape reports a batch whose length does not match its rows.
var ErrShape = errors.New("batch length does not match rows×units")

func (m *Model) run(vData, vRecon []float32, rows int) (*step, error) {
	if rows < 1 || len(vData) != rows*m.Visible || len(vRecon) != rows*m.Visible {
		return nil, fmt.Errorf("graph: %d and %d values for %d rows of %d: %w", len(vData), len(vRecon), rows, m.Visible, ErrShape)
	}
	s, ok := m.steps[rows]
	if !ok {
		var err error
		if s, err = m.compile(rows); err != nil {
			return nil, err
		}
		m.steps[rows] = s
	}
	in := f32s(s.in)
	copy(in, vData)
	copy(in[len(vData):], vRecon)
	if err := s.vm.RunAll(); err != nil {
		s.vm.Reset()
		return nil, fmt.Errorf("graph: running the cost graph: %w", err)
	}
	return s, nil
}

// cachedProduct copies into dst the product x·W + c (rows×Hidden) if the
// last Gibbs run computed it for the same rows×Visible values x with the
// current parameters, and reports whether it did.
func (m *Model) cachedProduct(dst, x []float32, rows int) bool {
	s := m.lastGibbs.Load()
	if s == nil {
		return false
	}
	version := m.version.Load()
	for i := range s.products {
		p := &s.products[i]
		if p.rows == rows && p.version == version && sameBits(p.v, x) {
			copy(dst, p.a)
			return true
		}
	}
	return false
}

// sameBits reports whether a and b hold the same float32 bit patterns
// (a byte comparison, so −0 ≠ 0 and NaNs compare by payload).
func sameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 {
		return true
	}
	return string(unsafe.Slice((*byte)(unsafe.Pointer(&a[0])), 4*len(a))) ==
		string(unsafe.Slice((*byte)(unsafe.Pointer(&b[0])), 4*len(b)))
}
