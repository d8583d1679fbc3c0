package classify

import (
	"fmt"

	"gorbm.dev/gorbm/graph"
)

// featureChunk is the number of rows Features computes at once, so the
// products' scratch stays a few MB whatever the number of rows.
const featureChunk = 1000

// Features returns the hidden probabilities p(h=1|v) = σ(v·Wᵀ + c) of the
// RBM m for rows rows of visible vectors v (rows×Visible): rows×Hidden
// values, graph.Model.HiddenProbabilities chunk by chunk.
func Features(m *graph.Model, v []float32, rows int) ([]float32, error) {
	visible, hidden := m.Visible(), m.Hidden()
	if err := checkData(v, nil, rows, visible); err != nil {
		return nil, fmt.Errorf("classify: features of a %d×%d RBM: %w", visible, hidden, err)
	}
	out := make([]float32, rows*hidden)
	for lo := 0; lo < rows; lo += featureChunk {
		n := min(featureChunk, rows-lo)
		m.HiddenProbabilities(out[lo*hidden:(lo+n)*hidden], v[lo*visible:(lo+n)*visible], n)
	}
	return out, nil
}

// Features returns d with every row replaced by the hidden probabilities
// p(h|v) of the RBM m, whose visible units must number d.Inputs (the
// package function Features): the same task described by the RBM's
// features.
func (d Data) Features(m *graph.Model) (Data, error) {
	if err := d.check(); err != nil {
		return Data{}, err
	}
	if m.Visible() != d.Inputs {
		return Data{}, fmt.Errorf("classify: an RBM of %d visible units on inputs of %d values: %w", m.Visible(), d.Inputs, ErrShape)
	}
	f := d
	var err error
	if f.Train, err = Features(m, d.Train, len(d.TrainLabels)); err != nil {
		return Data{}, err
	}
	if f.Test, err = Features(m, d.Test, len(d.TestLabels)); err != nil {
		return Data{}, err
	}
	f.Inputs = m.Hidden()
	return f, nil
}
