package graph

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"gorbm.dev/gorbm/internal/f32"
	"gorbm.dev/gorbm/internal/linalg"
	"gorbm.dev/gorbm/internal/par"
)

// The fast graph's own float32 ops. Gorgonia's built-in ops allocate their
// output on every run (a TapeMachine's Reset drops its registers) and its
// element-wise Softplus and Sigmoid go through float64 closures; these ops
// keep their output tensor from run to run and evaluate softplus and σ in
// float32. Each differentiable op implements gorgonia.SDOp: its SymDiff
// adds the nodes of the gradient to the graph, so gorgonia.Grad still
// builds the backward pass, and the tests check the result against the
// closed form and the textbook graph.
//
// An op computes its output from its inputs alone: a value another part of
// the step has (the sampler's hidden fields, σ(z) for the gradient, the
// offsets of a centered model) enters as an input node. The centered
// model's ops are the plain ones with the offsets as one more input. An op
// holds only its output buffer, scratch space, and the pool its work is
// shared with.
//
// The ops do not implement CallsExtern even when the BLAS is cgo: a true
// answer makes the TapeMachine allocate their output before every run.

var (
	matF32 = gorgonia.TensorType{Dims: 2, Of: tensor.Float32}
	vecF32 = gorgonia.TensorType{Dims: 1, Of: tensor.Float32}
)

// outBuf is an op's output tensor, made on first use and reused while the
// shape stays the same.
type outBuf struct{ t *tensor.Dense }

func (b *outBuf) get(shape ...int) *tensor.Dense {
	if b.t == nil || !b.t.Shape().Eq(tensor.Shape(shape)) {
		// a copy, so that shape does not escape and the caller's
		// variadic slice stays on its stack
		b.t = tensor.New(tensor.WithShape(append([]int(nil), shape...)...), tensor.Of(tensor.Float32))
	}
	return b.t
}

// opCommon holds the methods every op here answers the same way.
type opCommon struct{ outBuf }

func (opCommon) ReturnsPtr() bool     { return false }
func (opCommon) CallsExtern() bool    { return false }
func (opCommon) OverwritesInput() int { return -1 }

func hashOf(op fmt.Stringer) uint32 {
	h := fnv.New32a()
	fmt.Fprint(h, op.String())
	return h.Sum32()
}

func dims(ds []gorgonia.DimSizer, i int) (rows, cols int, err error) {
	s, ok := ds[i].(tensor.Shape)
	if !ok {
		return 0, 0, fmt.Errorf("graph: input %d: no shape", i)
	}
	switch len(s) {
	case 1:
		return s[0], 1, nil
	case 2:
		return s[0], s[1], nil
	}
	return 0, 0, fmt.Errorf("graph: input %d has shape %v, want a vector or matrix", i, s)
}

func matOf(v gorgonia.Value) blas32.General {
	s := v.Shape()
	return blas32.General{Rows: s[0], Cols: s[1], Stride: s[1], Data: f32s(v)}
}

// affineOp is the hidden field x·w + c for x (n×V), w (V×H) and c (H):
// F.linear(v, W, h_bias) with W stored transposed. With offsets it takes
// the offsets μ (V) as a fourth input and is x·w + c − μ·w, the centered
// field (x−μ)·W + c_c of the centered RBM, computed as the product x·W of a
// 0/1 x plus the bias c − μ·W. With given it takes the field itself as its
// last input, computed outside the graph (the sampler's, Batch.Fields),
// and returns it as it is: the op is the product only for its gradients.
type affineOp struct {
	opCommon
	offsets, given bool
	pool           *par.Pool
	scratch        linalg.Scratch
	bias           []float32 // c − μ·w of the last run, with offsets
}

func (op *affineOp) Arity() int { return 3 + b2i(op.offsets) + b2i(op.given) }
func (op *affineOp) Type() hm.Type {
	ts := []hm.Type{matF32, matF32, vecF32}
	if op.offsets {
		ts = append(ts, vecF32)
	}
	if op.given {
		ts = append(ts, matF32)
	}
	return hm.NewFnType(append(ts, matF32)...)
}
func (op *affineOp) String() string {
	s := "x·W+c"
	if op.offsets {
		s += "−μ·W"
	}
	if op.given {
		s += " (given)"
	}
	return s
}
func (op *affineOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op) }
func (op *affineOp) Hashcode() uint32      { return hashOf(op) }

// b2i is 1 for true, 0 for false.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (op *affineOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	n, v, err := dims(ds, 0)
	if err != nil {
		return nil, err
	}
	v2, h, err := dims(ds, 1)
	if err != nil {
		return nil, err
	}
	if v != v2 {
		return nil, fmt.Errorf("graph: x·W of %d×%d and %d×%d", n, v, v2, h)
	}
	return tensor.Shape{n, h}, nil
}

func (op *affineOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	if op.given {
		return in[len(in)-1], nil
	}
	x, w, c := in[0], in[1], in[2]
	n, V, H := x.Shape()[0], x.Shape()[1], w.Shape()[1]
	ws, cs := f32s(w), f32s(c)
	if op.offsets {
		op.bias = append(op.bias[:0], cs...)
		blas32.Gemv(blas.Trans, -1, blas32.General{Rows: V, Cols: H, Stride: H, Data: ws},
			blas32.Vector{N: V, Inc: 1, Data: f32s(in[3])}, 1, blas32.Vector{N: H, Inc: 1, Data: op.bias})
		cs = op.bias
	}
	out := op.get(n, H)
	linalg.Affine(op.pool, f32s(out), f32s(x), n, V, ws, H, cs, &op.scratch, nil)
	return out, nil
}

// DiffWRT: the gradients with respect to W and c; x, μ and a given field
// are data.
func (op *affineOp) DiffWRT(int) []bool {
	d := []bool{false, true, true}
	for range op.Arity() - 3 {
		d = append(d, false)
	}
	return d
}

// SymDiff: ∂/∂c = column sums of g; ∂/∂w = xᵀ·g, with offsets
// xᵀ·g − μ⊗(column sums of g), which takes ∂/∂c as an input.
func (op *affineOp) SymDiff(in gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	dc, err := gorgonia.ApplyOp(&colSumOp{pool: op.pool}, g)
	if err != nil {
		return nil, err
	}
	args := gorgonia.Nodes{in[0], g}
	if op.offsets {
		args = append(args, in[3], dc)
	}
	dw, err := gorgonia.ApplyOp(&weightGradOp{offsets: op.offsets, pool: op.pool}, args...)
	if err != nil {
		return nil, err
	}
	d := make(gorgonia.Nodes, len(in))
	d[1], d[2] = dw, dc
	return d, nil
}

// weightGradOp is xᵀ·g for x (n×V) and g (n×H): the gradient of the hidden
// field with respect to W. With offsets it takes μ (V) and Σ_rows g (H, the
// bias's gradient) as third and fourth inputs and is
// (x−μ)ᵀ·g = xᵀ·g − μ⊗Σ_rows g, so that the product of a 0/1 x still adds
// up rows.
type weightGradOp struct {
	opCommon
	offsets bool
	pool    *par.Pool
	scratch linalg.Scratch
}

func (op *weightGradOp) Arity() int { return 2 + 2*b2i(op.offsets) }
func (op *weightGradOp) Type() hm.Type {
	if op.offsets {
		return hm.NewFnType(matF32, matF32, vecF32, vecF32, matF32)
	}
	return hm.NewFnType(matF32, matF32, matF32)
}
func (op *weightGradOp) String() string {
	if op.offsets {
		return "(x−μ)ᵀ·g"
	}
	return "xᵀ·g"
}
func (op *weightGradOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op) }
func (op *weightGradOp) Hashcode() uint32      { return hashOf(op) }

func (op *weightGradOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	n, v, err := dims(ds, 0)
	if err != nil {
		return nil, err
	}
	n2, h, err := dims(ds, 1)
	if err != nil {
		return nil, err
	}
	if n != n2 {
		return nil, fmt.Errorf("graph: xᵀ·g of %d×%d and %d×%d", n, v, n2, h)
	}
	return tensor.Shape{v, h}, nil
}

func (op *weightGradOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	x, g := matOf(in[0]), matOf(in[1])
	V, H := x.Cols, g.Cols
	out := op.get(V, H)
	d := f32s(out)
	var then linalg.Then
	if op.offsets { // row i −= μ_i·Σ_rows g, while it is in cache
		s, mu := blas32.Vector{N: H, Inc: 1, Data: f32s(in[3])}, f32s(in[2])
		then = func(i, _, _ int) {
			blas32.Axpy(-mu[i], s, blas32.Vector{N: H, Inc: 1, Data: d[i*H : (i+1)*H]})
		}
	}
	if !linalg.OnesTransProduct(op.pool, d, x.Data, x.Rows, V, g.Data, H, &op.scratch, then) {
		linalg.Gemm(op.pool, blas.Trans, blas.NoTrans, 1, x, g, 0, matOf(out))
		for i := 0; then != nil && i < V; i++ {
			then(i, 0, H)
		}
	}
	return out, nil
}

// colSumOp sums the rows of a matrix: the gradient of a bias broadcast
// over rows. Bands of columns are shared with the pool; each column is
// summed over the rows in order.
type colSumOp struct {
	opCommon
	pool *par.Pool
}

func (op *colSumOp) Arity() int            { return 1 }
func (op *colSumOp) Type() hm.Type         { return hm.NewFnType(matF32, vecF32) }
func (op *colSumOp) String() string        { return "Σrows" }
func (op *colSumOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op) }
func (op *colSumOp) Hashcode() uint32      { return hashOf(op) }

func (op *colSumOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	_, c, err := dims(ds, 0)
	return tensor.Shape{c}, err
}

func (op *colSumOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	s := in[0].Shape()
	n, H := s[0], s[1]
	out := op.get(H)
	j := colSumJob{dst: f32s(out), src: f32s(in[0]), rows: n, cols: H}
	op.pool.Do(j, (H+colSumBand-1)/colSumBand, max(1, colSumMinElems/(n*colSumBand)))
	return out, nil
}

// colSumBand is the columns of an item of colSumJob; colSumMinElems the
// elements below which it stays on one goroutine.
const (
	colSumBand     = 64
	colSumMinElems = 16384
)

// colSumJob sets dst to the sums of the rows of src (rows×cols), bands of
// colSumBand columns at a time.
type colSumJob struct {
	dst, src   []float32
	rows, cols int
}

func (j colSumJob) Run(lo, hi int) {
	c0, c1 := lo*colSumBand, min(hi*colSumBand, j.cols)
	dst := j.dst[c0:c1]
	copy(dst, j.src[c0:c1])
	for r := 1; r < j.rows; r++ {
		f32.Add(dst, j.src[r*j.cols+c0:r*j.cols+c1])
	}
}

// softplusSumOp is Σ_j softplus(z_ij) for each row i of z: the hidden term
// of −F, wx_b.exp().add(1).log().sum(1) in the script. With offsets it
// takes λ (H) as a second input and is Σ_j softplus(z_ij) − λ_j·z_ij, the
// hidden term of −F_c. Each row's sum is accumulated in float64 and
// rounded once.
type softplusSumOp struct {
	opCommon
	offsets bool
	pool    *par.Pool
	sig     []float32 // scratch: the kernel writes σ(z) beside the sums
}

func (op *softplusSumOp) Arity() int { return 1 + b2i(op.offsets) }
func (op *softplusSumOp) Type() hm.Type {
	if op.offsets {
		return hm.NewFnType(matF32, vecF32, vecF32)
	}
	return hm.NewFnType(matF32, vecF32)
}
func (op *softplusSumOp) String() string {
	if op.offsets {
		return "Σ(softplus−λz)"
	}
	return "Σsoftplus"
}
func (op *softplusSumOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op) }
func (op *softplusSumOp) Hashcode() uint32      { return hashOf(op) }

func (op *softplusSumOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	n, _, err := dims(ds, 0)
	return tensor.Shape{n}, err
}

func (op *softplusSumOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	s := in[0].Shape()
	n, H := s[0], s[1]
	out := op.get(n)
	z := f32s(in[0])
	if len(op.sig) != len(z) {
		op.sig = make([]float32, len(z))
	}
	j := softplusJob{dst: f32s(out), sig: op.sig, z: z, cols: H}
	if op.offsets {
		j.lambda = f32s(in[1])
	}
	op.pool.Do(j, n, softplusMinRows)
	return out, nil
}

// softplusJob sets, for rows of z (·×cols), dst[r] = Σ_j softplus(z_rj),
// minus Σ_j λ_j·z_rj with offsets λ, and sig[r·cols+j] = σ(z_rj).
type softplusJob struct {
	dst, sig, z, lambda []float32
	cols                int
}

func (j softplusJob) Run(lo, hi int) {
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

// softplusMinRows is the number of rows below which the softplus sums stay
// on one goroutine.
const softplusMinRows = 16

func (op *softplusSumOp) DiffWRT(int) []bool { return []bool{true, false}[:op.Arity()] }

// SymDiff: ∂/∂z_ij = g_i·σ(z_ij), softplus′ = σ; with offsets
// g_i·(σ(z_ij) − λ_j). σ(z) is a node of its own.
func (op *softplusSumOp) SymDiff(in gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	sig, err := gorgonia.ApplyOp(&sigmoidOp{pool: op.pool}, in[0])
	if err != nil {
		return nil, err
	}
	args := gorgonia.Nodes{sig, g}
	if op.offsets {
		args = append(args, in[1])
	}
	dz, err := gorgonia.ApplyOp(&rowScaleOp{offsets: op.offsets, pool: op.pool}, args...)
	if err != nil {
		return nil, err
	}
	d := make(gorgonia.Nodes, len(in))
	d[0] = dz
	return d, nil
}

// sigmoidOp is σ(z), element by element.
type sigmoidOp struct {
	opCommon
	pool *par.Pool
}

func (op *sigmoidOp) Arity() int            { return 1 }
func (op *sigmoidOp) Type() hm.Type         { return hm.NewFnType(matF32, matF32) }
func (op *sigmoidOp) String() string        { return "σ" }
func (op *sigmoidOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op) }
func (op *sigmoidOp) Hashcode() uint32      { return hashOf(op) }

func (op *sigmoidOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	n, h, err := dims(ds, 0)
	return tensor.Shape{n, h}, err
}

func (op *sigmoidOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	s := in[0].Shape()
	out := op.get(s[0], s[1])
	sigmoid(op.pool, f32s(out), f32s(in[0]))
	return out, nil
}

// rowScaleOp is g_i·σ_ij for σ (n×H) and g (n); with offsets it takes λ
// (H) as a third input and is g_i·(σ_ij − λ_j). Rows are shared with the
// pool.
type rowScaleOp struct {
	opCommon
	offsets bool
	pool    *par.Pool
	zeros   []float32 // λ without offsets
}

func (op *rowScaleOp) Arity() int { return 2 + b2i(op.offsets) }
func (op *rowScaleOp) Type() hm.Type {
	if op.offsets {
		return hm.NewFnType(matF32, vecF32, vecF32, matF32)
	}
	return hm.NewFnType(matF32, vecF32, matF32)
}
func (op *rowScaleOp) String() string {
	if op.offsets {
		return "g·(σ−λ)"
	}
	return "g·σ"
}
func (op *rowScaleOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op) }
func (op *rowScaleOp) Hashcode() uint32      { return hashOf(op) }

func (op *rowScaleOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	n, h, err := dims(ds, 0)
	return tensor.Shape{n, h}, err
}

func (op *rowScaleOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	s := in[0].Shape()
	n, H := s[0], s[1]
	out := op.get(n, H)
	if !op.offsets && len(op.zeros) != H {
		op.zeros = make([]float32, H)
	}
	j := rowScaleJob{dst: f32s(out), sig: f32s(in[0]), g: f32s(in[1]), lambda: op.zeros, cols: H}
	if op.offsets {
		j.lambda = f32s(in[2])
	}
	op.pool.Do(j, n, softplusMinRows)
	return out, nil
}

// rowScaleJob sets rows of dst to (sig_r − λ)·g_r (·×cols); λ all zeros
// gives sig_r·g_r exactly.
type rowScaleJob struct {
	dst, sig, g, lambda []float32
	cols                int
}

func (j rowScaleJob) Run(lo, hi int) {
	for r := lo; r < hi; r++ {
		f32.SubScale(j.dst[r*j.cols:(r+1)*j.cols], j.sig[r*j.cols:(r+1)*j.cols], j.lambda, j.g[r])
	}
}

// gemvOp is a·x, or aᵀ·x with trans, for a matrix a and a vector x:
// v.mv(v_bias) in the script, and its gradient with respect to the bias.
type gemvOp struct {
	opCommon
	trans bool
}

func (op *gemvOp) Arity() int            { return 2 }
func (op *gemvOp) Type() hm.Type         { return hm.NewFnType(matF32, vecF32, vecF32) }
func (op *gemvOp) String() string        { return fmt.Sprintf("gemv(%t)", op.trans) }
func (op *gemvOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op) }
func (op *gemvOp) Hashcode() uint32      { return hashOf(op) }

func (op *gemvOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	r, c, err := dims(ds, 0)
	if err != nil {
		return nil, err
	}
	if op.trans {
		r, c = c, r
	}
	n, _, err := dims(ds, 1)
	if err != nil {
		return nil, err
	}
	if n != c {
		return nil, fmt.Errorf("graph: product of a %d×%d matrix and a %d-vector", r, c, n)
	}
	return tensor.Shape{r}, nil
}

func (op *gemvOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	a := matOf(in[0])
	t, rows := blas.NoTrans, a.Rows
	if op.trans {
		t, rows = blas.Trans, a.Cols
	}
	out := op.get(rows)
	blas32.Gemv(t, 1, a, blas32.Vector{N: len(f32s(in[1])), Inc: 1, Data: f32s(in[1])},
		0, blas32.Vector{N: rows, Inc: 1, Data: f32s(out)})
	return out, nil
}

func (op *gemvOp) DiffWRT(int) []bool {
	if op.trans {
		return []bool{false, false} // only ever a gradient
	}
	return []bool{true, true}
}

// SymDiff of a·x: ∂/∂a = g⊗x (outer product), ∂/∂x = aᵀ·g.
func (op *gemvOp) SymDiff(in gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	if op.trans {
		return nil, fmt.Errorf("graph: %v is not differentiated", op)
	}
	da, err := gorgonia.ApplyOp(&outerOp{}, g, in[1])
	if err != nil {
		return nil, err
	}
	dx, err := gorgonia.ApplyOp(&gemvOp{trans: true}, in[0], g)
	if err != nil {
		return nil, err
	}
	return gorgonia.Nodes{da, dx}, nil
}

// outerOp is the outer product u⊗v of two vectors.
type outerOp struct{ opCommon }

func (op *outerOp) Arity() int            { return 2 }
func (op *outerOp) Type() hm.Type         { return hm.NewFnType(vecF32, vecF32, matF32) }
func (op *outerOp) String() string        { return "⊗" }
func (op *outerOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op) }
func (op *outerOp) Hashcode() uint32      { return hashOf(op) }

func (op *outerOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	n, _, err := dims(ds, 0)
	if err != nil {
		return nil, err
	}
	m, _, err := dims(ds, 1)
	return tensor.Shape{n, m}, err
}

func (op *outerOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	u, v := f32s(in[0]), f32s(in[1])
	out := op.get(len(u), len(v))
	dst := f32s(out)
	for i, x := range u {
		for j, y := range v {
			dst[i*len(v)+j] = x * y
		}
	}
	return out, nil
}

// halfNormOp is ½·wd·Σ w², the weight-decay term of the cost, a scalar;
// the sum is accumulated in float64.
type halfNormOp struct {
	opCommon
	wd float32
}

func (op *halfNormOp) Arity() int            { return 1 }
func (op *halfNormOp) Type() hm.Type         { return hm.NewFnType(matF32, gorgonia.Float32) }
func (op *halfNormOp) String() string        { return fmt.Sprintf("½·%g·‖W‖²", op.wd) }
func (op *halfNormOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op) }
func (op *halfNormOp) Hashcode() uint32      { return hashOf(op) }

func (op *halfNormOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) {
	return tensor.ScalarShape(), nil
}

func (op *halfNormOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	var sum float64
	for _, x := range f32s(in[0]) {
		sum += float64(x) * float64(x)
	}
	v := gorgonia.F32(float32(0.5 * float64(op.wd) * sum))
	return &v, nil
}

func (op *halfNormOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff: ∂/∂w = g·wd·w.
func (op *halfNormOp) SymDiff(in gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	dw, err := gorgonia.ApplyOp(&scaleOp{wd: op.wd}, in[0], g)
	if err != nil {
		return nil, err
	}
	return gorgonia.Nodes{dw}, nil
}

// scaleOp is g·wd·w for a matrix w and a scalar g: the gradient of the
// weight-decay term.
type scaleOp struct {
	opCommon
	wd float32
}

func (op *scaleOp) Arity() int            { return 2 }
func (op *scaleOp) Type() hm.Type         { return hm.NewFnType(matF32, gorgonia.Float32, matF32) }
func (op *scaleOp) String() string        { return fmt.Sprintf("g·%g·W", op.wd) }
func (op *scaleOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op) }
func (op *scaleOp) Hashcode() uint32      { return hashOf(op) }

func (op *scaleOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	r, c, err := dims(ds, 0)
	return tensor.Shape{r, c}, err
}

func (op *scaleOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	s := in[0].Shape()
	out := op.get(s[0], s[1])
	k := op.wd * scalarF32(in[1])
	dst := f32s(out)
	for i, x := range f32s(in[0]) {
		dst[i] = k * x
	}
	return out, nil
}

// scalarF32 returns the value of a float32 scalar.
func scalarF32(v gorgonia.Value) float32 {
	if f, ok := v.(*gorgonia.F32); ok {
		return float32(*f)
	}
	return v.Data().(float32)
}
