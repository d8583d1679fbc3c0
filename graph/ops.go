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

// affineOp is x·w + c for x (n×V), w (V×H) and c (H): F.linear(v, W,
// h_bias) with W stored transposed. In a fast graph x is two blocks of
// rows, the data then the negative samples, and it takes block k from the
// hidden fields of the step's batch when they were computed for exactly
// those rows and the current parameters.
type affineOp struct {
	opCommon
	step    *fastStep // nil: always multiply
	blocks  [2]int    // rows of the two blocks; zeros: one block of all rows
	scratch linalg.Scratch
}

func (op *affineOp) Arity() int     { return 3 }
func (op *affineOp) Type() hm.Type  { return hm.NewFnType(matF32, matF32, vecF32, matF32) }
func (op *affineOp) String() string { return "x·W+c" }
func (op *affineOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "%v/%p", op, op.step)
}
func (op *affineOp) Hashcode() uint32 { return hashOf(op) }

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
	x, w, c := in[0], in[1], in[2]
	n, V, H := x.Shape()[0], x.Shape()[1], w.Shape()[1]
	out := op.get(n, H)
	op.product(f32s(out), f32s(x), n, V, f32s(w), H, func() []float32 { return f32s(c) })
	return out, nil
}

// product sets dst (n×H) to x·w + c, block by block, taking the blocks
// whose hidden fields the step's batch carries from there; bias gives c
// when a block needs it.
func (op *affineOp) product(dst, xs []float32, n, V int, ws []float32, H int, bias func() []float32) {
	blocks := op.blocks
	if blocks[0]+blocks[1] != n {
		blocks = [2]int{n, 0}
	}
	var cs []float32
	for k, lo := 0, 0; k < 2 && lo < n; k, lo = k+1, lo+blocks[k] {
		rows := blocks[k]
		d, xb := dst[lo*H:(lo+rows)*H], xs[lo*V:(lo+rows)*V]
		if op.step != nil && op.step.fields.lookup(d, xb, k, op.step.m) {
			continue
		}
		if cs == nil {
			cs = bias()
		}
		linalg.Affine(d, xb, rows, V, ws, H, cs, &op.scratch)
	}
}

func (op *affineOp) DiffWRT(int) []bool { return []bool{true, true, true} }

// SymDiff: ∂/∂x = g·wᵀ, ∂/∂w = xᵀ·g, ∂/∂c = column sums of g.
func (op *affineOp) SymDiff(in gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	dx, err := gorgonia.ApplyOp(&gemmOp{transB: true}, g, in[1])
	if err != nil {
		return nil, err
	}
	dw, err := gorgonia.ApplyOp(&gemmOp{transA: true}, in[0], g)
	if err != nil {
		return nil, err
	}
	dc, err := gorgonia.ApplyOp(&colSumOp{}, g)
	if err != nil {
		return nil, err
	}
	return gorgonia.Nodes{dx, dw, dc}, nil
}

// gemmOp is op(a)·op(b), op transposing or not.
type gemmOp struct {
	opCommon
	transA, transB bool
	scratch        linalg.Scratch
}

func (op *gemmOp) Arity() int    { return 2 }
func (op *gemmOp) Type() hm.Type { return hm.NewFnType(matF32, matF32, matF32) }
func (op *gemmOp) String() string {
	return fmt.Sprintf("gemm(%t,%t)", op.transA, op.transB)
}
func (op *gemmOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op) }
func (op *gemmOp) Hashcode() uint32      { return hashOf(op) }

func (op *gemmOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	ar, ac, err := dims(ds, 0)
	if err != nil {
		return nil, err
	}
	br, bc, err := dims(ds, 1)
	if err != nil {
		return nil, err
	}
	if op.transA {
		ar, ac = ac, ar
	}
	if op.transB {
		br, bc = bc, br
	}
	if ac != br {
		return nil, fmt.Errorf("graph: product of %d×%d and %d×%d", ar, ac, br, bc)
	}
	return tensor.Shape{ar, bc}, nil
}

func (op *gemmOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	a, b := matOf(in[0]), matOf(in[1])
	rows, cols := a.Rows, b.Cols
	if op.transA {
		rows = a.Cols
	}
	if op.transB {
		cols = b.Rows
	}
	out := op.get(rows, cols)
	if op.transA && !op.transB && linalg.OnesTransProduct(f32s(out), a.Data, a.Rows, a.Cols, b.Data, b.Cols, &op.scratch) {
		return out, nil // xᵀ·g for a 0/1 x: the gradient with respect to W
	}
	ta, tb := blas.NoTrans, blas.NoTrans
	if op.transA {
		ta = blas.Trans
	}
	if op.transB {
		tb = blas.Trans
	}
	linalg.Gemm(ta, tb, 1, a, b, 0, matOf(out))
	return out, nil
}

// colSumOp sums the rows of a matrix: the gradient of a bias broadcast
// over rows.
type colSumOp struct{ opCommon }

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
	dst, src := f32s(out), f32s(in[0])
	copy(dst, src[:H])
	for r := 1; r < n; r++ {
		for j, x := range src[r*H : (r+1)*H] {
			dst[j] += x
		}
	}
	return out, nil
}

// softplusSumOp is Σ_j softplus(z_ij) for each row i of z: the hidden term
// of −F, wx_b.exp().add(1).log().sum(1) in the script. Each row's sum is
// accumulated in float64 and rounded once. As PyTorch keeps tensors of the
// forward pass for the backward one, it keeps σ(z), which shares its
// exponential with softplus(z), for its gradient op.
type softplusSumOp struct {
	opCommon
	sig  []float32 // σ(z) of the last run
	of   *float32  // &z[0] of the last run
	runs uint64    // number of runs
}

func (op *softplusSumOp) Arity() int            { return 1 }
func (op *softplusSumOp) Type() hm.Type         { return hm.NewFnType(matF32, vecF32) }
func (op *softplusSumOp) String() string        { return "Σsoftplus" }
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
	dst, z := f32s(out), f32s(in[0])
	if len(op.sig) != len(z) {
		op.sig = make([]float32, len(z))
	}
	par.Do(softplusJob{dst: dst, sig: op.sig, z: z, cols: H}, n, softplusMinRows)
	op.of = &z[0]
	op.runs++
	return out, nil
}

// softplusJob sets, for rows of z (·×cols), dst[r] = Σ_j softplus(z_rj)
// and sig[r·cols+j] = σ(z_rj).
type softplusJob struct {
	dst, sig, z []float32
	cols        int
}

func (j softplusJob) Run(lo, hi int) {
	c := j.cols
	for r := lo; r < hi; r++ {
		j.dst[r] = float32(f32.SoftplusSigmoidRow(j.sig[r*c:(r+1)*c], j.z[r*c:(r+1)*c]))
	}
}

// softplusMinRows is the number of rows below which the softplus sums stay
// on one goroutine.
const softplusMinRows = 16

func (op *softplusSumOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff: ∂/∂z_ij = g_i·σ(z_ij), softplus′ = σ.
func (op *softplusSumOp) SymDiff(in gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	dz, err := gorgonia.ApplyOp(&sigmoidScaleOp{fwd: op}, in[0], g)
	if err != nil {
		return nil, err
	}
	return gorgonia.Nodes{dz}, nil
}

// sigmoidScaleOp is g_i·σ(z_ij) for z (n×H) and g (n). It takes σ(z) from
// the forward op fwd when fwd has run on this z since the last time
// (a graph compiled without the forward pass gets it computed).
type sigmoidScaleOp struct {
	opCommon
	fwd  *softplusSumOp
	used uint64 // fwd.runs when its σ(z) was last used
}

func (op *sigmoidScaleOp) Arity() int            { return 2 }
func (op *sigmoidScaleOp) Type() hm.Type         { return hm.NewFnType(matF32, vecF32, matF32) }
func (op *sigmoidScaleOp) String() string        { return "g·σ(z)" }
func (op *sigmoidScaleOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op) }
func (op *sigmoidScaleOp) Hashcode() uint32      { return hashOf(op) }

func (op *sigmoidScaleOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	n, h, err := dims(ds, 0)
	return tensor.Shape{n, h}, err
}

func (op *sigmoidScaleOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	s := in[0].Shape()
	n, H := s[0], s[1]
	out := op.get(n, H)
	dst, z, g := f32s(out), f32s(in[0]), f32s(in[1])
	sig := op.sigmoid(dst, z)
	for r := 0; r < n; r++ {
		gr := g[r]
		d, s := dst[r*H:(r+1)*H], sig[r*H:(r+1)*H]
		for j := range d {
			d[j] = s[j] * gr
		}
	}
	return out, nil
}

// sigmoid returns σ(z): the forward op's if it has run on this z since
// the last call, else computed into dst.
func (op *sigmoidScaleOp) sigmoid(dst, z []float32) []float32 {
	if op.fwd != nil && op.fwd.runs != op.used && op.fwd.of == &z[0] && len(op.fwd.sig) == len(z) {
		op.used = op.fwd.runs
		return op.fwd.sig
	}
	f32.Sigmoid(dst, z)
	return dst
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
