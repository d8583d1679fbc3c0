package graph

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"gorbm.dev/gorbm/internal/f32"
	"gorbm.dev/gorbm/internal/linalg"
)

// The centered RBM (Montavon & Müller 2012, "Deep Boltzmann machines and
// the centering trick"; Melchior, Fischer & Wiskott 2016, "How to center
// deep Boltzmann machines", JMLR 17) writes the energy with offsets μ
// (visible) and λ (hidden) subtracted from the units:
//
//	E(v, h) = −(v−μ)·b_c − (h−λ)·c_c − (v−μ)·W·(h−λ),
//	F_c(v)  = −(v−μ)·b_c − Σ_j [softplus(a_j) − λ_j·a_j],  a = (v−μ)·W + c_c.
//
// Expanding the products shows it is the plain RBM with the same W and
//
//	b = b_c − W·λ,   c = c_c − μ·W
//
// (F_c and F differ by a constant), so the Model keeps the plain
// parameters, which the sampler, the metrics, the .npy files and the
// PyTorch script read unchanged; the offsets are the Trainer's, which
// derives the centered biases from the plain ones at each step. What centering changes is the gradient: the cost graph
// differentiates F_c with respect to W, b_c and c_c, so that
//
//	∂/∂W = −⟨(v−μ)ᵀ(σ(a)−λ)⟩_data + ⟨(v−μ)ᵀ(σ(a)−λ)⟩_model,
//
// and the solver steps W, b_c and c_c; then b and c are derived back. The
// offsets follow the data's means by a moving average (MoveOffsets), which
// leaves the plain parameters, and so the distribution, as they are.
type centering struct {
	mu, lambda *tensor.Dense // the offsets μ (Visible) and λ (Hidden)
	vb, hb     *tensor.Dense // the centered biases b_c and c_c of the current step
}

// SetOffsets switches the centered parameterisation on with offsets mu
// (Visible values, e.g. the data's pixel means) and lambda (Hidden values,
// e.g. 0.5), or off with two nil slices. The distribution does not change:
// the plain parameters stay as they are.
func (t *Trainer) SetOffsets(mu, lambda []float32) error {
	m := t.m
	if mu == nil && lambda == nil {
		if t.center != nil {
			t.center = nil
			t.recompile()
		}
		return nil
	}
	if len(mu) != m.visible || len(lambda) != m.hidden {
		return fmt.Errorf("graph: offsets of %d and %d values for a %d×%d model: %w", len(mu), len(lambda), m.visible, m.hidden, ErrShape)
	}
	for _, x := range append(append([]float32(nil), mu...), lambda...) {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return fmt.Errorf("graph: offset %v: offsets must be finite", x)
		}
	}
	if t.center == nil {
		t.center = &centering{
			mu:     tensor.New(tensor.WithShape(m.visible), tensor.Of(tensor.Float32)),
			lambda: tensor.New(tensor.WithShape(m.hidden), tensor.Of(tensor.Float32)),
			vb:     tensor.New(tensor.WithShape(m.visible), tensor.Of(tensor.Float32)),
			hb:     tensor.New(tensor.WithShape(m.hidden), tensor.Of(tensor.Float32)),
		}
		t.recompile()
	}
	copy(f32s(t.center.mu), mu)
	copy(f32s(t.center.lambda), lambda)
	return nil
}

// Offsets returns copies of the offsets μ and λ, or nil, nil for a
// trainer of the plain RBM.
func (t *Trainer) Offsets() (mu, lambda []float32) {
	if t.center == nil {
		return nil, nil
	}
	return append([]float32(nil), f32s(t.center.mu)...), append([]float32(nil), f32s(t.center.lambda)...)
}

// CenteredBiases returns the centered biases b_c = b + W·λ and
// c_c = c + μ·W of the current parameters; nil, nil without centering.
func (t *Trainer) CenteredBiases() (vBias, hBias []float32) {
	if t.center == nil {
		return nil, nil
	}
	t.centerBiases()
	return append([]float32(nil), f32s(t.center.vb)...), append([]float32(nil), f32s(t.center.hb)...)
}

// SetCenteredBiases sets the biases through their centered values: the
// plain biases become b = vBias − W·λ and c = hBias − μ·W. It needs a
// centered trainer (SetOffsets).
func (t *Trainer) SetCenteredBiases(vBias, hBias []float32) error {
	m := t.m
	if t.center == nil {
		return fmt.Errorf("graph: SetCenteredBiases on a trainer without offsets: call SetOffsets first")
	}
	if len(vBias) != m.visible || len(hBias) != m.hidden {
		return fmt.Errorf("graph: centered biases of %d and %d values for a %d×%d model: %w", len(vBias), len(hBias), m.visible, m.hidden, ErrShape)
	}
	copy(f32s(t.center.vb), vBias)
	copy(f32s(t.center.hb), hBias)
	t.uncenter()
	return nil
}

// MoveOffsets moves the offsets towards the means of batch b's data:
// μ ← (1−rate)·μ + rate·⟨v⟩, λ ← (1−rate)·λ + rate·⟨σ(v·Wᵀ + c)⟩ over its
// data rows (Melchior et al.'s offsets "DD", data means for both, with
// hidden probabilities). The plain parameters, and so the distribution,
// stay as they are. It uses the data's hidden fields the batch carries
// from the sampler (Batch.Fields), and computes them otherwise.
func (t *Trainer) MoveOffsets(b Batch, rate float64) error {
	m := t.m
	if t.center == nil {
		return fmt.Errorf("graph: MoveOffsets on a trainer without offsets: call SetOffsets first")
	}
	if !(rate >= 0 && rate <= 1) {
		return fmt.Errorf("graph: offset rate %v: use a number in [0, 1]", rate)
	}
	V, H, rows := m.visible, m.hidden, b.Rows
	if rows < 1 || len(b.Data) != rows*V {
		return fmt.Errorf("graph: offsets from %d values for %d rows of %d: %w", len(b.Data), rows, V, ErrShape)
	}
	var a []float32
	switch {
	case b.Fields == nil:
		a = make([]float32, rows*H)
		var s linalg.Scratch
		linalg.Affine(t.pool.par(), a, b.Data, rows, V, m.weights(), H, m.hBias(), &s, nil)
	case len(b.Fields) < rows*H:
		return fmt.Errorf("graph: offsets from %d hidden fields for %d rows of %d: %w", len(b.Fields), rows, H, ErrShape)
	default:
		a = b.Fields[:rows*H]
	}
	sig := make([]float32, H)
	hMean, vMean := make([]float64, H), make([]float64, V)
	for r := 0; r < rows; r++ {
		f32.Sigmoid(sig, a[r*H:(r+1)*H])
		for j, p := range sig {
			hMean[j] += float64(p)
		}
		for i, x := range b.Data[r*V : (r+1)*V] {
			vMean[i] += float64(x)
		}
	}
	move := func(off []float32, mean []float64) {
		for i := range off {
			off[i] = float32((1-rate)*float64(off[i]) + rate*mean[i]/float64(rows))
		}
	}
	move(f32s(t.center.mu), vMean)
	move(f32s(t.center.lambda), hMean)
	return nil
}

// centerBiases sets the centered biases from the plain ones:
// b_c = b + W·λ, c_c = c + Wᵀ·μ (W stored Visible×Hidden).
func (t *Trainer) centerBiases() {
	c := t.center
	copy(f32s(c.vb), t.m.vBias())
	copy(f32s(c.hb), t.m.hBias())
	t.centeredProducts(f32s(c.vb), f32s(c.hb), 1)
}

// uncenter sets the plain biases from the centered ones after a step:
// b = b_c − W·λ, c = c_c − Wᵀ·μ.
func (t *Trainer) uncenter() {
	c := t.center
	copy(t.m.vBias(), f32s(c.vb))
	copy(t.m.hBias(), f32s(c.hb))
	t.centeredProducts(t.m.vBias(), t.m.hBias(), -1)
}

// centeredProducts adds sign·W·λ to vb and sign·Wᵀ·μ to hb, the two shared
// with the pool's helpers.
func (t *Trainer) centeredProducts(vb, hb []float32, sign float32) {
	t.pool.par().Do(centerJob{t: t, vb: vb, hb: hb, sign: sign}, 2, 1)
}

type centerJob struct {
	t      *Trainer
	vb, hb []float32
	sign   float32
}

func (j centerJob) Run(lo, hi int) {
	m, c := j.t.m, j.t.center
	w := blas32.General{Rows: m.visible, Cols: m.hidden, Stride: m.hidden, Data: m.weights()}
	for i := lo; i < hi; i++ {
		if i == 0 {
			blas32.Gemv(blas.NoTrans, j.sign, w, blas32.Vector{N: m.hidden, Inc: 1, Data: f32s(c.lambda)},
				1, blas32.Vector{N: m.visible, Inc: 1, Data: j.vb})
		} else {
			blas32.Gemv(blas.Trans, j.sign, w, blas32.Vector{N: m.visible, Inc: 1, Data: f32s(c.mu)},
				1, blas32.Vector{N: m.hidden, Inc: 1, Data: j.hb})
		}
	}
}

// CenteredFreeEnergy adds to v's graph the mean over the rows of v of the
// centered free energy F_c, in Gorgonia's stock ops as FreeEnergy writes
// the plain one:
//
//	F_c(v) = −(v−μ)·b_c − Σ_j [softplus(a_j) − λ_j·a_j],   a = (v−μ)·W + c_c.
//
// v is rows×V, w is V×H, vBias and mu have V elements, hBias and lambda H.
func CenteredFreeEnergy(v, w, vBias, hBias, mu, lambda *gorgonia.Node) (f *gorgonia.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("graph: centered free energy: %v", r)
		}
	}()
	must := gorgonia.Must
	vc := must(gorgonia.BroadcastSub(v, mu, nil, []byte{0}))                           // v − μ
	vbiasTerm := must(gorgonia.Mul(vc, vBias))                                         // (v−μ)·b_c
	a := must(gorgonia.BroadcastAdd(must(gorgonia.Mul(vc, w)), hBias, nil, []byte{0})) // (v−μ)·W + c_c
	hiddenTerm := must(gorgonia.Sub(must(gorgonia.Sum(must(gorgonia.Softplus(a)), 1)), must(gorgonia.Mul(a, lambda))))
	return must(gorgonia.Mean(must(gorgonia.Sub(must(gorgonia.Neg(hiddenTerm)), vbiasTerm)))), nil
}
