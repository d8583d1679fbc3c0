package graph

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"gorbm.dev/gorbm/internal/f32"
	"gorbm.dev/gorbm/internal/linalg"
	"gorbm.dev/gorbm/internal/par"
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
// (F_c and F differ by a constant), so the model keeps the plain
// parameters, which the sampler, the metrics, the .npy files and the
// PyTorch script read unchanged, and derives the centered biases from them
// at each step. What centering changes is the gradient: the cost graph
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
func (m *Model) SetOffsets(mu, lambda []float32) error {
	if mu == nil && lambda == nil {
		if m.center != nil {
			m.center = nil
			m.recompile()
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
	if m.center == nil {
		m.center = &centering{
			mu:     tensor.New(tensor.WithShape(m.visible), tensor.Of(tensor.Float32)),
			lambda: tensor.New(tensor.WithShape(m.hidden), tensor.Of(tensor.Float32)),
			vb:     tensor.New(tensor.WithShape(m.visible), tensor.Of(tensor.Float32)),
			hb:     tensor.New(tensor.WithShape(m.hidden), tensor.Of(tensor.Float32)),
		}
		m.recompile()
	}
	copy(f32s(m.center.mu), mu)
	copy(f32s(m.center.lambda), lambda)
	return nil
}

// Offsets returns copies of the offsets μ and λ, or nil, nil for a model
// that is not centered.
func (m *Model) Offsets() (mu, lambda []float32) {
	if m.center == nil {
		return nil, nil
	}
	return append([]float32(nil), f32s(m.center.mu)...), append([]float32(nil), f32s(m.center.lambda)...)
}

// CenteredBiases returns the centered biases b_c = b + W·λ and
// c_c = c + μ·W of the current parameters; nil, nil without centering.
func (m *Model) CenteredBiases() (vBias, hBias []float32) {
	if m.center == nil {
		return nil, nil
	}
	m.centerBiases()
	return append([]float32(nil), f32s(m.center.vb)...), append([]float32(nil), f32s(m.center.hb)...)
}

// SetCenteredBiases sets the biases through their centered values: the
// plain biases become b = vBias − W·λ and c = hBias − μ·W. It needs a
// centered model (SetOffsets).
func (m *Model) SetCenteredBiases(vBias, hBias []float32) error {
	if m.center == nil {
		return fmt.Errorf("graph: SetCenteredBiases on a model without offsets: call SetOffsets first")
	}
	if len(vBias) != m.visible || len(hBias) != m.hidden {
		return fmt.Errorf("graph: centered biases of %d and %d values for a %d×%d model: %w", len(vBias), len(hBias), m.visible, m.hidden, ErrShape)
	}
	copy(f32s(m.center.vb), vBias)
	copy(f32s(m.center.hb), hBias)
	m.uncenter()
	m.version.Add(1)
	return nil
}

// MoveOffsets moves the offsets towards the means of batch b's data:
// μ ← (1−rate)·μ + rate·⟨v⟩, λ ← (1−rate)·λ + rate·⟨σ(v·Wᵀ + c)⟩ over its
// data rows (Melchior et al.'s offsets "DD", data means for both, with
// hidden probabilities). The plain parameters, and so the distribution,
// stay as they are. It uses the data's hidden fields the batch carries
// from the sampler, and computes them otherwise.
func (m *Model) MoveOffsets(b Batch, rate float64) error {
	if m.center == nil {
		return fmt.Errorf("graph: MoveOffsets on a model without offsets: call SetOffsets first")
	}
	if !(rate >= 0 && rate <= 1) {
		return fmt.Errorf("graph: offset rate %v: use a number in [0, 1]", rate)
	}
	V, H, rows := m.visible, m.hidden, b.Rows
	if rows < 1 || len(b.Data) != rows*V {
		return fmt.Errorf("graph: offsets from %d values for %d rows of %d: %w", len(b.Data), rows, V, ErrShape)
	}
	a := b.fields.field(b.Data, 0, m)
	if a == nil {
		a = make([]float32, rows*H)
		var s linalg.Scratch
		linalg.Affine(a, b.Data, rows, V, m.weights(), H, m.hBias(), &s)
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
	move(f32s(m.center.mu), vMean)
	move(f32s(m.center.lambda), hMean)
	return nil
}

// centerBiases sets the centered biases from the plain ones:
// b_c = b + W·λ, c_c = c + Wᵀ·μ (W stored Visible×Hidden).
func (m *Model) centerBiases() {
	c := m.center
	copy(f32s(c.vb), m.vBias())
	copy(f32s(c.hb), m.hBias())
	m.centeredProducts(f32s(c.vb), f32s(c.hb), 1)
}

// uncenter sets the plain biases from the centered ones after a step:
// b = b_c − W·λ, c = c_c − Wᵀ·μ.
func (m *Model) uncenter() {
	c := m.center
	copy(m.vBias(), f32s(c.vb))
	copy(m.hBias(), f32s(c.hb))
	m.centeredProducts(m.vBias(), m.hBias(), -1)
}

// centeredProducts adds sign·W·λ to vb and sign·Wᵀ·μ to hb, the two on the
// two goroutines.
func (m *Model) centeredProducts(vb, hb []float32, sign float32) {
	par.Do(centerJob{m: m, vb: vb, hb: hb, sign: sign}, 2, 1)
}

type centerJob struct {
	m      *Model
	vb, hb []float32
	sign   float32
}

func (j centerJob) Run(lo, hi int) {
	m := j.m
	w := blas32.General{Rows: m.visible, Cols: m.hidden, Stride: m.hidden, Data: m.weights()}
	for i := lo; i < hi; i++ {
		if i == 0 {
			blas32.Gemv(blas.NoTrans, j.sign, w, blas32.Vector{N: m.hidden, Inc: 1, Data: f32s(m.center.lambda)},
				1, blas32.Vector{N: m.visible, Inc: 1, Data: j.vb})
		} else {
			blas32.Gemv(blas.Trans, j.sign, w, blas32.Vector{N: m.visible, Inc: 1, Data: f32s(m.center.mu)},
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

// centeredAffineOp is x·w + c − μ·w for x (n×V), w (V×H), c and μ: the
// hidden field (x−μ)·W + c_c of the centered RBM, computed as the product
// x·W of a 0/1 x plus the plain bias c_c − μ·W, and taken from the batch's
// hidden fields when it carries them (the sampler computed them with the
// plain bias, the same number to rounding).
type centeredAffineOp struct {
	affineOp
	bias []float32
}

func (op *centeredAffineOp) Arity() int { return 4 }
func (op *centeredAffineOp) Type() hm.Type {
	return hm.NewFnType(matF32, matF32, vecF32, vecF32, matF32)
}
func (op *centeredAffineOp) String() string        { return "x·W+c−μ·W" }
func (op *centeredAffineOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "%v/%p", op, op.step) }
func (op *centeredAffineOp) Hashcode() uint32      { return hashOf(op) }

func (op *centeredAffineOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	x, w, c, mu := in[0], in[1], in[2], in[3]
	n, V, H := x.Shape()[0], x.Shape()[1], w.Shape()[1]
	out := op.get(n, H)
	ws := f32s(w)
	op.product(f32s(out), f32s(x), n, V, ws, H, func() []float32 {
		op.bias = append(op.bias[:0], f32s(c)...)
		blas32.Gemv(blas.Trans, -1, blas32.General{Rows: V, Cols: H, Stride: H, Data: ws},
			blas32.Vector{N: V, Inc: 1, Data: f32s(mu)}, 1, blas32.Vector{N: H, Inc: 1, Data: op.bias})
		return op.bias
	})
	return out, nil
}

// DiffWRT: the gradients with respect to W and c_c; x and μ are data.
func (op *centeredAffineOp) DiffWRT(int) []bool { return []bool{false, true, true, false} }

// SymDiff: ∂/∂w = xᵀ·g − μ⊗(column sums of g), ∂/∂c = column sums of g.
func (op *centeredAffineOp) SymDiff(in gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	dw, err := gorgonia.ApplyOp(&centeredWeightGradOp{}, in[0], g, in[3])
	if err != nil {
		return nil, err
	}
	dc, err := gorgonia.ApplyOp(&colSumOp{}, g)
	if err != nil {
		return nil, err
	}
	return gorgonia.Nodes{nil, dw, dc, nil}, nil
}

// centeredWeightGradOp is xᵀ·g − μ⊗Σ_rows g for x (n×V), g (n×H), μ (V):
// the gradient of the centered field with respect to W, (x−μ)ᵀ·g, with
// the product of a 0/1 x done by adding rows.
type centeredWeightGradOp struct {
	opCommon
	gemm gemmOp
	sum  colSumOp
}

func (op *centeredWeightGradOp) Arity() int { return 3 }
func (op *centeredWeightGradOp) Type() hm.Type {
	return hm.NewFnType(matF32, matF32, vecF32, matF32)
}
func (op *centeredWeightGradOp) String() string        { return "(x−μ)ᵀ·g" }
func (op *centeredWeightGradOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op) }
func (op *centeredWeightGradOp) Hashcode() uint32      { return hashOf(op) }

func (op *centeredWeightGradOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	_, v, err := dims(ds, 0)
	if err != nil {
		return nil, err
	}
	_, h, err := dims(ds, 1)
	return tensor.Shape{v, h}, err
}

func (op *centeredWeightGradOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	op.gemm.transA = true
	out, err := op.gemm.Do(in[0], in[1]) // xᵀ·g, the gemm op's own tensor
	if err != nil {
		return nil, err
	}
	sum, err := op.sum.Do(in[1])
	if err != nil {
		return nil, err
	}
	V, H := in[0].Shape()[1], in[1].Shape()[1]
	blas32.Ger(-1, blas32.Vector{N: V, Inc: 1, Data: f32s(in[2])}, blas32.Vector{N: H, Inc: 1, Data: f32s(sum)},
		blas32.General{Rows: V, Cols: H, Stride: H, Data: f32s(out)})
	return out, nil
}

// centeredSoftplusSumOp is Σ_j softplus(z_ij) − λ_j·z_ij for each row i of
// z and the offsets λ: the hidden term of −F_c. It keeps σ(z) for its
// gradient, as softplusSumOp does.
type centeredSoftplusSumOp struct {
	softplusSumOp
}

func (op *centeredSoftplusSumOp) Arity() int            { return 2 }
func (op *centeredSoftplusSumOp) Type() hm.Type         { return hm.NewFnType(matF32, vecF32, vecF32) }
func (op *centeredSoftplusSumOp) String() string        { return "Σ(softplus−λz)" }
func (op *centeredSoftplusSumOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op) }
func (op *centeredSoftplusSumOp) Hashcode() uint32      { return hashOf(op) }

func (op *centeredSoftplusSumOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	s := in[0].Shape()
	n, H := s[0], s[1]
	out := op.get(n)
	dst, z := f32s(out), f32s(in[0])
	if len(op.sig) != len(z) {
		op.sig = make([]float32, len(z))
	}
	par.Do(centeredSoftplusJob{softplusJob{dst: dst, sig: op.sig, z: z, cols: H}, f32s(in[1])}, n, softplusMinRows)
	op.of = &z[0]
	op.runs++
	return out, nil
}

type centeredSoftplusJob struct {
	softplusJob
	lambda []float32
}

func (j centeredSoftplusJob) Run(lo, hi int) {
	c := j.cols
	for r := lo; r < hi; r++ {
		z := j.z[r*c : (r+1)*c]
		sum := f32.SoftplusSigmoidRow(j.sig[r*c:(r+1)*c], z)
		for k, l := range j.lambda {
			sum -= float64(l) * float64(z[k])
		}
		j.dst[r] = float32(sum)
	}
}

func (op *centeredSoftplusSumOp) DiffWRT(int) []bool { return []bool{true, false} }

// SymDiff: ∂/∂z_ij = g_i·(σ(z_ij) − λ_j).
func (op *centeredSoftplusSumOp) SymDiff(in gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	dz, err := gorgonia.ApplyOp(&centeredSigmoidScaleOp{sigmoidScaleOp{fwd: &op.softplusSumOp}}, in[0], g, in[1])
	if err != nil {
		return nil, err
	}
	return gorgonia.Nodes{dz, nil}, nil
}

// centeredSigmoidScaleOp is g_i·(σ(z_ij) − λ_j), with σ(z) from the
// forward op when it ran on this z (see sigmoidScaleOp).
type centeredSigmoidScaleOp struct {
	sigmoidScaleOp
}

func (op *centeredSigmoidScaleOp) Arity() int { return 3 }
func (op *centeredSigmoidScaleOp) Type() hm.Type {
	return hm.NewFnType(matF32, vecF32, vecF32, matF32)
}
func (op *centeredSigmoidScaleOp) String() string        { return "g·(σ(z)−λ)" }
func (op *centeredSigmoidScaleOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op) }
func (op *centeredSigmoidScaleOp) Hashcode() uint32      { return hashOf(op) }

func (op *centeredSigmoidScaleOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	s := in[0].Shape()
	n, H := s[0], s[1]
	out := op.get(n, H)
	dst, z, g, lambda := f32s(out), f32s(in[0]), f32s(in[1]), f32s(in[2])
	sig := op.sigmoid(dst, z)
	for r := 0; r < n; r++ {
		gr := g[r]
		d, s := dst[r*H:(r+1)*H], sig[r*H:(r+1)*H]
		for j := range d {
			d[j] = (s[j] - lambda[j]) * gr
		}
	}
	return out, nil
}
