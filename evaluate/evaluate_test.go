package evaluate

import (
	"context"
	"math"
	"testing"

	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/train"
)

// closedTol bounds the difference from the zero model's closed forms:
// float32 sums of a few hundred terms of log 2, averaged in float64.
const closedTol = 1e-3

// TestZeroModel evaluates a model with zero weights and biases, whose
// every number has a closed form: p(v) = 2^−784 for every image, p(v|h) =
// 1/2, so the reconstruction error of binary images is 1/4 and the
// pseudo-log-likelihood −784·log 2, whatever the draws. (That the
// command's training run and its evaluation of a loaded model agree to the
// bit is internal/cli's TestEvaluateLoaded.)
func TestZeroModel(t *testing.T) {
	const hidden, n = 3, 20
	m, err := graph.FromParams(train.Pixels, hidden, make([]float32, hidden*train.Pixels), make([]float32, train.Pixels), make([]float32, hidden))
	if err != nil {
		t.Fatal(err)
	}
	set := &train.Dataset{Images: make([]uint8, n*train.Pixels), Labels: make([]uint8, n), N: n}
	for i := range set.Images {
		set.Images[i] = uint8(i * 37 % 256)
	}
	d, err := NewData(1, set, set)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := d.Metrics(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	logP := -train.Pixels * math.Ln2
	if math.Abs(rep.ReconstructionError-0.25) > closedTol || math.Abs(rep.PseudoLogLikelihood-logP) > closedTol {
		t.Errorf("metrics %+v, want a reconstruction error of 1/4 and a PLL of %v", rep, logP)
	}
	ll, err := d.LogLikelihood(context.Background(), m, Options{Betas: 10, Chains: 4, RAISEImages: 4})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(ll.TestLogProb-logP) > closedTol || math.Abs(ll.TrainLogProb-logP) > closedTol || ll.Warnings == nil {
		t.Errorf("test log p %v, train %v, warnings %v; want %v both and a list", ll.TestLogProb, ll.TrainLogProb, ll.Warnings, logP)
	}
	if _, err := (&Data{Test: d.Test, TestN: n}).LogLikelihood(context.Background(), m, Options{}); err == nil {
		t.Error("an estimate without training images for the base-rate model")
	}
}
