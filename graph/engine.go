package graph

import (
	"gorgonia.org/tensor"

	"gorbm.dev/gorbm/internal/f32"
)

// solverEngine is the tensor engine of the parameters and gradients that
// the fast graph's update hands to Gorgonia's VanillaSolver (tensor's
// Engine is Gorgonia's own way to run tensor operations elsewhere): its
// standard engine, except for the two element-wise steps of the solver on
// float32, the gradient scaled in place by −lr (Mul) and added in place to
// the parameters (Add), which run in the f32 kernels, eight floats at a
// time: the same products and sums, so the same bits. Every other
// operation, and these with other options, go to the standard engine.
type solverEngine struct{ tensor.StdEng }

// MulScalar scales a float32 tensor in place by a float32 scalar with the
// f32 kernel.
func (e solverEngine) MulScalar(t tensor.Tensor, s interface{}, leftTensor bool, opts ...tensor.FuncOpt) (tensor.Tensor, error) {
	if d, ok := plainF32(t); ok && leftTensor && inPlace(opts) {
		if x, ok := s.(float32); ok {
			f32.Scale(d.Float32s(), x)
			return d, nil
		}
	}
	return e.StdEng.MulScalar(t, s, leftTensor, opts...)
}

// Add adds a float32 tensor to another of the same shape in place with the
// f32 kernel.
func (e solverEngine) Add(a, b tensor.Tensor, opts ...tensor.FuncOpt) (tensor.Tensor, error) {
	da, okA := plainF32(a)
	db, okB := plainF32(b)
	if okA && okB && inPlace(opts) && da.Shape().Eq(db.Shape()) {
		f32.Add(da.Float32s(), db.Float32s())
		return da, nil
	}
	return e.StdEng.Add(a, b, opts...)
}

// plainF32 returns t as a *tensor.Dense if it is a float32 tensor whose
// elements are its backing slice, in order.
func plainF32(t tensor.Tensor) (*tensor.Dense, bool) {
	d, ok := t.(*tensor.Dense)
	return d, ok && d.Dtype() == tensor.Float32 && d.IsNativelyAccessible() && !d.RequiresIterator()
}

// inPlace reports whether opts ask for the result in the first operand
// (tensor.UseUnsafe) and nothing else.
func inPlace(opts []tensor.FuncOpt) bool {
	o := tensor.ParseFuncOpts(opts...)
	_, incr := o.IncrReuse()
	return !o.Safe() && o.Reuse() == nil && !incr
}
