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

// Model is an RBM with float32 parameters, trained by contrastive
// divergence on a Gorgonia graph. Its parameters change only through Step
// and SetParams, which keep every copy derived from them consistent.
type Model struct {
	visible, hidden int

	// w is the weight matrix stored as Visible×Hidden (the transpose of
	// the script's W); vb has Visible and hb Hidden elements.
	w, vb, hb *tensor.Dense

	solver solvers
	graph  Graph
	fast   map[blocks]*fastStep
	text   map[blocks]*textbookStep

	// decay is the L2 weight decay of the cost graphs (SetWeightDecay);
	// center the centered parameterisation's offsets, nil without
	// (SetOffsets).
	decay  float64
	center *centering

	// version counts the parameter changes by Step and SetParams: the
	// sampler's hidden fields and the transposed weights are valid for one
	// version.
	version atomic.Uint64

	// wt is W in the script's Hidden×Visible layout, for the products h·Wᵀ
	// of a 0/1 h (rows of wt added up), made anew when version changes.
	wt struct {
		sync.Mutex
		data    []float32
		version uint64
		ok      bool
	}
}

// Visible returns the number of visible units.
func (m *Model) Visible() int { return m.visible }

// Hidden returns the number of hidden units.
func (m *Model) Hidden() int { return m.hidden }

// New returns a model with weights drawn as N(0,1)·InitScale from src, in the
// script's order (hidden unit by hidden unit), and zero biases. lr is the SGD
// learning rate.
func New(visible, hidden int, lr float64, src Normal) (*Model, error) {
	m, err := newModel(visible, hidden, lr)
	if err != nil {
		return nil, err
	}
	w := m.weights()
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
	case visible > math.MaxInt32/hidden:
		return nil, fmt.Errorf("graph: model size %d×%d: more than %d weights", visible, hidden, math.MaxInt32)
	}
	if err := checkLearnRate(lr); err != nil {
		return nil, err
	}
	return &Model{
		visible: visible,
		hidden:  hidden,
		w:       tensor.New(tensor.WithShape(visible, hidden), tensor.Of(tensor.Float32)),
		vb:      tensor.New(tensor.WithShape(visible), tensor.Of(tensor.Float32)),
		hb:      tensor.New(tensor.WithShape(hidden), tensor.Of(tensor.Float32)),
		solver:  newSolvers(lr),
		fast:    map[blocks]*fastStep{},
		text:    map[blocks]*textbookStep{},
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
	V, H := m.visible, m.hidden
	if len(w) != V*H || len(vBias) != V || len(hBias) != H {
		return fmt.Errorf("graph: parameters of %d, %d, %d values do not fit a %d×%d model (want W %d×%d, v_bias %d, h_bias %d)",
			len(w), len(vBias), len(hBias), V, H, H, V, V, H)
	}
	linalg.Transpose(m.weights(), w, H, V)
	copy(m.vBias(), vBias)
	copy(m.hBias(), hBias)
	m.version.Add(1)
	return nil
}

// Params returns copies of the parameters in the script's layout: w is
// Hidden×Visible row-major.
func (m *Model) Params() (w, vBias, hBias []float32) {
	w = make([]float32, m.visible*m.hidden)
	linalg.Transpose(w, m.weights(), m.visible, m.hidden)
	return w, append([]float32(nil), m.vBias()...), append([]float32(nil), m.hBias()...)
}

// CheckFinite reports the first parameter that is NaN or ±Inf, naming it
// in the script's layout: W[j][i] is hidden unit j's weight to visible
// unit i.
func (m *Model) CheckFinite() error {
	for k, x := range m.weights() {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			i, j := k/m.hidden, k%m.hidden
			return fmt.Errorf("parameter W[%d][%d] is %v", j, i, x)
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

// weights, visible bias and hidden bias as slices, no copies.
func (m *Model) weights() []float32 { return f32s(m.w) }
func (m *Model) vBias() []float32   { return f32s(m.vb) }
func (m *Model) hBias() []float32   { return f32s(m.hb) }

// transposedWeights returns W as Hidden×Visible for the current
// parameters, transposing when they changed since the last call.
func (m *Model) transposedWeights() []float32 {
	m.wt.Lock()
	defer m.wt.Unlock()
	v := m.version.Load()
	if !m.wt.ok || m.wt.version != v {
		if m.wt.data == nil {
			m.wt.data = make([]float32, m.visible*m.hidden)
		}
		linalg.Transpose(m.wt.data, m.weights(), m.visible, m.hidden)
		m.wt.version, m.wt.ok = v, true
	}
	return m.wt.data
}

// Graph names a cost graph: both compute mean F(v) − mean F(v′) and its
// gradients with Gorgonia, and agree to float32 rounding.
type Graph int

const (
	// Fast is the default: the free-energy difference of fused float32
	// ops, which reuse the sampler's products and add up rows for 0/1
	// inputs.
	Fast Graph = iota
	// Textbook is the script's free_energy written with Gorgonia's stock
	// ops (FreeEnergy), line for line.
	Textbook
)

var graphNames = [...]string{Fast: "fast", Textbook: "textbook"}

func (g Graph) String() string {
	if g >= 0 && int(g) < len(graphNames) {
		return graphNames[g]
	}
	return fmt.Sprintf("Graph(%d)", int(g))
}

// ParseGraph returns the Graph named s ("fast" or "textbook").
func ParseGraph(s string) (Graph, error) {
	for g, name := range graphNames {
		if s == name {
			return Graph(g), nil
		}
	}
	return 0, fmt.Errorf("graph: unknown cost graph %q: use fast or textbook", s)
}

// SetGraph selects the cost graph Step and Gradients run on. The momentum
// velocities follow the model to the other graph's solvers.
func (m *Model) SetGraph(g Graph) error {
	if g != Fast && g != Textbook {
		return fmt.Errorf("graph: unknown cost graph %v: use Fast or Textbook", g)
	}
	if g != m.graph && m.solver.useMomentum {
		w, vb, hb, err := m.Velocity()
		if err != nil {
			return err
		}
		m.graph = g
		return m.SetVelocity(w, vb, hb)
	}
	m.graph = g
	return nil
}

// CostGraph returns the cost graph Step and Gradients run on.
func (m *Model) CostGraph() Graph { return m.graph }

// compiled is a cost graph compiled for one batch size.
type compiled interface {
	run(b Batch) error // evaluate the cost and its gradients
	cost() float32
	gradients() (dW, dVBias, dHBias []float32, err error) // copies, W stored Visible×Hidden
	update() error                                        // the solver's step
	reset()                                               // ready the machine for the next run
}

// Step performs one contrastive-divergence update: it evaluates
// cost = mean F(b.Data) − mean F(b.Recon) and its gradients on the graph,
// and lets Gorgonia's solver apply them: p ← p − lr·∂cost/∂p, the script's
// torch.optim.SGD, unless SetMomentum, SetWeightDecay or SetOffsets
// changed the update. It returns the cost before the update, the script's
// loss (without the weight-decay term).
func (m *Model) Step(b Batch) (float32, error) {
	c, err := m.run(b)
	if err != nil {
		return 0, err
	}
	defer c.reset()
	loss := c.cost()
	if err := c.update(); err != nil {
		return 0, fmt.Errorf("graph: solver step: %w", err)
	}
	if m.center != nil {
		m.uncenter()
	}
	m.version.Add(1)
	return loss, nil
}

// Gradients are the cost of a batch and its gradients with respect to the
// parameters, W in the script's Hidden×Visible layout. With centering
// (SetOffsets) they are the gradients with respect to the centered
// parameters W, b_c and c_c.
type Gradients struct {
	Cost            float32
	W, VBias, HBias []float32
}

// Gradients evaluates the cost and its gradients on b without updating the
// parameters.
func (m *Model) Gradients(b Batch) (Gradients, error) {
	c, err := m.run(b)
	if err != nil {
		return Gradients{}, err
	}
	defer c.reset()
	dW, db, dc, err := c.gradients()
	if err != nil {
		return Gradients{}, err
	}
	g := Gradients{Cost: c.cost(), W: make([]float32, len(dW)), VBias: db, HBias: dc}
	linalg.Transpose(g.W, dW, m.visible, m.hidden)
	return g, nil
}

// ErrShape reports a batch whose length does not match its rows.
var ErrShape = errors.New("batch length does not match rows×units")

// blocks are the rows of a batch's data and of its negative samples: the
// shape a compiled graph is made for.
type blocks [2]int

func (m *Model) run(b Batch) (compiled, error) {
	rows, neg := b.Rows, b.negRows()
	if rows < 1 || neg < 1 || len(b.Data) != rows*m.visible || len(b.Recon) != neg*m.visible {
		return nil, fmt.Errorf("graph: %d and %d values for %d and %d rows of %d: %w", len(b.Data), len(b.Recon), rows, neg, m.visible, ErrShape)
	}
	c, err := m.compiled(blocks{rows, neg})
	if err != nil {
		return nil, err
	}
	if m.center != nil {
		m.centerBiases()
	}
	if err := c.run(b); err != nil {
		c.reset()
		return nil, fmt.Errorf("graph: running the cost graph: %w", err)
	}
	return c, nil
}

// compiled returns the current graph for batches of the shape bl,
// compiling it on first use.
func (m *Model) compiled(bl blocks) (compiled, error) {
	if m.graph == Textbook {
		return compileOnce(m.text, bl, m.compileTextbook)
	}
	return compileOnce(m.fast, bl, m.compileFast)
}

// compileOnce returns cache[bl], compiling and storing it on first use.
func compileOnce[S compiled](cache map[blocks]S, bl blocks, compile func(blocks) (S, error)) (compiled, error) {
	if s, ok := cache[bl]; ok {
		return s, nil
	}
	s, err := compile(bl)
	if err != nil {
		return nil, err
	}
	cache[bl] = s
	return s, nil
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

// SetParallel switches on (the default) or off the sharing of each step's
// work (products, σ, softplus, the update) with a second goroutine. Off,
// everything runs on the calling goroutine: for a program that trains
// several models side by side or wants one core. The results are the same
// bits either way.
func SetParallel(on bool) { par.SetEnabled(on) }
