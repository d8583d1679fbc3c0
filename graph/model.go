package graph

import (
	"fmt"
	"math"
	"unsafe"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"gorbm.dev/gorbm/internal/linalg"
	"gorbm.dev/gorbm/internal/par"
)

// InitScale multiplies the N(0,1) draws of the initial weights, as the
// script's torch.randn(n_hin, n_vis)*1e-2 does.
const InitScale = 0.01

// Normal is a source of standard normal variates. *math/rand/v2.Rand
// satisfies it.
type Normal interface {
	NormFloat64() float64
}

// Model is an RBM's parameters: the weights W and the visible and hidden
// biases, float32. It is what the sampler, the metrics and the parameter
// files read; it knows nothing of training. Its parameters change only
// through SetParams and through the steps of a Trainer that trains it.
type Model struct {
	visible, hidden int

	// w is W stored Visible×Hidden (the transpose of the script's W), the
	// layout of the graphs' product v·Wᵀ = Mul(v, w); wt is W in the
	// script's Hidden×Visible layout, for the products h·W of a 0/1 h
	// (rows of wt added up). Whatever changes one changes the other.
	w      *tensor.Dense
	wt     []float32
	vb, hb *tensor.Dense
}

// Visible returns the number of visible units.
func (m *Model) Visible() int { return m.visible }

// Hidden returns the number of hidden units.
func (m *Model) Hidden() int { return m.hidden }

// New returns a model with weights drawn as N(0,1)·InitScale from src, in the
// script's order (hidden unit by hidden unit), and zero biases.
func New(visible, hidden int, src Normal) (*Model, error) {
	m, err := newModel(visible, hidden)
	if err != nil {
		return nil, err
	}
	for k := range m.wt {
		m.wt[k] = float32(src.NormFloat64()) * InitScale
	}
	linalg.Transpose(nil, m.weights(), m.wt, hidden, visible)
	return m, nil
}

func newModel(visible, hidden int) (*Model, error) {
	switch {
	case visible < 1 || hidden < 1:
		return nil, fmt.Errorf("graph: model size %d×%d: both layers need at least one unit", visible, hidden)
	case visible > math.MaxInt32/hidden:
		return nil, fmt.Errorf("graph: model size %d×%d: more than %d weights", visible, hidden, math.MaxInt32)
	}
	return &Model{
		visible: visible,
		hidden:  hidden,
		w:       tensor.New(tensor.WithShape(visible, hidden), tensor.Of(tensor.Float32)),
		wt:      make([]float32, visible*hidden),
		vb:      tensor.New(tensor.WithShape(visible), tensor.Of(tensor.Float32)),
		hb:      tensor.New(tensor.WithShape(hidden), tensor.Of(tensor.Float32)),
	}, nil
}

// FromParams returns a model with the given parameters in the script's
// layout: w is Hidden×Visible row-major, vBias has Visible and hBias Hidden
// elements. The slices are copied.
func FromParams(visible, hidden int, w, vBias, hBias []float32) (*Model, error) {
	m, err := newModel(visible, hidden)
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
	V, H := m.visible, m.hidden
	if len(w) != V*H || len(vBias) != V || len(hBias) != H {
		return fmt.Errorf("graph: parameters of %d, %d, %d values do not fit a %d×%d model (want W %d×%d, v_bias %d, h_bias %d)",
			len(w), len(vBias), len(hBias), V, H, H, V, V, H)
	}
	copy(m.wt, w)
	linalg.Transpose(nil, m.weights(), w, H, V)
	copy(m.vBias(), vBias)
	copy(m.hBias(), hBias)
	return nil
}

// Params returns copies of the parameters in the script's layout: w is
// Hidden×Visible row-major.
func (m *Model) Params() (w, vBias, hBias []float32) {
	return append([]float32(nil), m.wt...), append([]float32(nil), m.vBias()...), append([]float32(nil), m.hBias()...)
}

// CheckFinite reports the first parameter that is NaN or ±Inf, naming it
// in the script's layout: W[j][i] is hidden unit j's weight to visible
// unit i.
func (m *Model) CheckFinite() error {
	for k, x := range m.wt {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return fmt.Errorf("parameter W[%d][%d] is %v", k/m.visible, k%m.visible, x)
		}
	}
	for _, p := range []struct {
		name string
		data []float32
	}{{"v_bias", m.vBias()}, {"h_bias", m.hBias()}} {
		for i, x := range p.data {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return fmt.Errorf("parameter %s[%d] is %v", p.name, i, x)
			}
		}
	}
	return nil
}

// weights, visible bias and hidden bias as slices, no copies; weights is
// W stored Visible×Hidden.
func (m *Model) weights() []float32 { return f32s(m.w) }
func (m *Model) vBias() []float32   { return f32s(m.vb) }
func (m *Model) hBias() []float32   { return f32s(m.hb) }

// weightsChanged makes wt the transpose of w again after w was updated
// in place (a solver's step), sharing the work with p's helpers.
func (m *Model) weightsChanged(p *par.Pool) {
	linalg.Transpose(p, m.wt, m.weights(), m.visible, m.hidden)
}

// f32s returns the float32 elements of v without copying. For a
// *tensor.Dense it reads the backing bytes directly: Dense.Data allocates a
// slice header through reflect on every call.
func f32s(v gorgonia.Value) []float32 {
	if d, ok := v.(*tensor.Dense); ok && d.Dtype() == tensor.Float32 && !d.IsScalar() {
		if len(d.Raw) == 0 {
			return nil
		}
		return unsafe.Slice((*float32)(unsafe.Pointer(&d.Raw[0])), len(d.Raw)/4)
	}
	return v.Data().([]float32)
}
