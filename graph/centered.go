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

	// partial is scratch for sums over blocks of rows of W, Hidden values
	// per block: Wᵀ·μ is added up block by block in order.
	partial []float32
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
	vBands := (V + offsetBand - 1) / offsetBand
	t.pool.par().Do(offsetJob{t: t, v: b.Data, a: a, rows: rows, rate: rate, vBands: vBands}, vBands+(H+offsetBand-1)/offsetBand, 1)
	return nil
}

// offsetBand is the columns of an item of offsetJob.
const offsetBand = 64

// offsetJob moves the offsets towards the means of the columns of the data
// v and of σ(a), band by band of offsetBand columns: μ's vBands bands,
// then λ's. Each column's mean is summed in float64 over the rows in
// order, so the bits do not depend on how the bands are shared.
type offsetJob struct {
	t      *Trainer
	v, a   []float32
	rows   int
	rate   float64
	vBands int
}

func (j offsetJob) Run(lo, hi int) {
	var sum [offsetBand]float64
	var sig [offsetBand]float32
	m := j.t.m
	for b := lo; b < hi; b++ {
		x, off, cols, c0 := j.v, f32s(j.t.center.mu), m.visible, b*offsetBand
		if b >= j.vBands {
			x, off, cols, c0 = j.a, f32s(j.t.center.lambda), m.hidden, (b-j.vBands)*offsetBand
		}
		n := min(offsetBand, cols-c0)
		clear(sum[:n])
		for r := 0; r < j.rows; r++ {
			row := x[r*cols+c0 : r*cols+c0+n]
			if b >= j.vBands {
				f32.Sigmoid(sig[:n], row)
				row = sig[:n]
			}
			f32.AccF64(sum[:n], row)
		}
		for k := range n {
			off[c0+k] = float32((1-j.rate)*float64(off[c0+k]) + j.rate*sum[k]/float64(j.rows))
		}
	}
}

// centerBiases sets the centered biases from the plain ones:
// b_c = b + W·λ, c_c = c + Wᵀ·μ (W stored Visible×Hidden), in one pass
// over W shared with the pool: b_c row by row and Wᵀ·μ as a partial sum per
// block of updateBlock rows, in one pass over each row (f32.DotAxpy), the
// partial sums added up in block order.
func (t *Trainer) centerBiases() {
	c, m := t.center, t.m
	V, H := m.visible, m.hidden
	blocks := (V + updateBlock - 1) / updateBlock
	if len(c.partial) < blocks*H {
		c.partial = make([]float32, blocks*H)
	}
	t.pool.par().Do(centerJob{t: t, partial: c.partial}, blocks, 1)
	hb := f32s(c.hb)
	copy(hb, m.hBias())
	for k := range blocks {
		for j, x := range c.partial[k*H : (k+1)*H] {
			hb[j] += x
		}
	}
}

// centerJob sets b_c on the rows of blocks of updateBlock rows of W, and
// each block's partial sum of μ_i·W_i.
type centerJob struct {
	t       *Trainer
	partial []float32
}

func (j centerJob) Run(lo, hi int) {
	m, c := j.t.m, j.t.center
	V, H := m.visible, m.hidden
	w, b, bc := m.weights(), m.vBias(), f32s(c.vb)
	lambda, mu := f32s(c.lambda), f32s(c.mu)
	for k := lo; k < hi; k++ {
		partial := j.partial[k*H : (k+1)*H]
		clear(partial)
		for i := k * updateBlock; i < min((k+1)*updateBlock, V); i++ {
			bc[i] = b[i] + f32.DotAxpy(w[i*H:(i+1)*H], lambda, partial, mu[i])
		}
	}
}

// uncenter sets the plain biases from the centered ones after a step of
// the textbook graph: b = b_c − W·λ, c = c_c − Wᵀ·μ (the fast graph's
// update does it as it goes).
func (t *Trainer) uncenter() {
	c, m := t.center, t.m
	w := blas32.General{Rows: m.visible, Cols: m.hidden, Stride: m.hidden, Data: m.weights()}
	copy(m.vBias(), f32s(c.vb))
	copy(m.hBias(), f32s(c.hb))
	blas32.Gemv(blas.NoTrans, -1, w, blas32.Vector{N: m.hidden, Inc: 1, Data: f32s(c.lambda)},
		1, blas32.Vector{N: m.visible, Inc: 1, Data: m.vBias()})
	blas32.Gemv(blas.Trans, -1, w, blas32.Vector{N: m.visible, Inc: 1, Data: f32s(c.mu)},
		1, blas32.Vector{N: m.hidden, Inc: 1, Data: m.hBias()})
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
