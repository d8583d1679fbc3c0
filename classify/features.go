package classify

import (
	"fmt"

	"gorbm.dev/gorbm/internal/f32"
	"gorbm.dev/gorbm/internal/linalg"
)

// featureChunk is the number of rows Features multiplies at once, so its
// scratch stays a few MB whatever the number of rows.
const featureChunk = 1000

// Features returns an RBM's hidden probabilities p(h=1|v) = σ(v·Wᵀ + c)
// for rows rows of visible vectors v (rows×visible), rows×hidden values:
// w is the script's Hidden×Visible weight matrix and hBias the hidden
// biases c (as graph.Model.Params and train.LoadParams give them). The
// products are package linalg's, as in training: rows of 0/1 values add up
// rows of W.
func Features(w, hBias []float32, visible int, v []float32, rows int) ([]float32, error) {
	hidden := len(hBias)
	if visible < 1 || hidden < 1 || len(w) != hidden*visible {
		return nil, fmt.Errorf("classify: a weight matrix of %d values is not %d hidden × %d visible units: %w", len(w), hidden, visible, ErrShape)
	}
	if err := checkData(v, nil, rows, visible); err != nil {
		return nil, err
	}
	wt := make([]float32, visible*hidden) // V×H, the layout linalg.Affine takes
	linalg.Transpose(wt, w, hidden, visible)
	out := make([]float32, rows*hidden)
	var s linalg.Scratch
	for lo := 0; lo < rows; lo += featureChunk {
		n := min(featureChunk, rows-lo)
		dst := out[lo*hidden : (lo+n)*hidden]
		linalg.Affine(dst, v[lo*visible:(lo+n)*visible], n, visible, wt, hidden, hBias, &s)
		f32.Sigmoid(dst, dst)
	}
	return out, nil
}

// Features returns d with every row replaced by the hidden probabilities
// p(h|v) of the RBM with weights w (Hidden×Visible, Visible = d.Inputs)
// and hidden biases hBias (the package function Features): the same task
// described by the RBM's features.
func (d Data) Features(w, hBias []float32) (Data, error) {
	if err := d.check(); err != nil {
		return Data{}, err
	}
	f := d
	var err error
	if f.Train, err = Features(w, hBias, d.Inputs, d.Train, len(d.TrainLabels)); err != nil {
		return Data{}, err
	}
	if f.Test, err = Features(w, hBias, d.Inputs, d.Test, len(d.TestLabels)); err != nil {
		return Data{}, err
	}
	f.Inputs = len(hBias)
	return f, nil
}
