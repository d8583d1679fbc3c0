package train

import (
	"fmt"
	"math"

	"gorbm.dev/gorbm/graph"
)

// VisibleBiasClip keeps the pixel means inside [VisibleBiasClip,
// 1−VisibleBiasClip] before their logit is taken: pixels that are never
// (or always) on in the training set would get an infinite bias. PyDeep
// clips at the same value; AIS's base-rate model too (metrics.BaseRateClip).
const VisibleBiasClip = 1e-3

// HiddenOffset is the initial hidden offset λ of a centered model, the
// mean of a hidden unit that is on half the time (Melchior et al. 2016;
// PyDeep's default).
const HiddenOffset = 0.5

// InitOptions are the data-dependent parts of a model's initialisation,
// beyond the script's random weights and zero biases.
type InitOptions struct {
	// VisibleBias sets the visible biases to log(p/(1−p)) of the pixel
	// means p, clipped (Hinton's guide, §8.1): the model then starts out
	// drawing each pixel with its frequency in the data.
	VisibleBias bool

	// Centered makes the trainer's a centered RBM (graph.Trainer.SetOffsets) with
	// offsets μ = p and λ = HiddenOffset; its centered biases are then the
	// logits above (or zero) and zero, the plain ones follow (PyDeep's
	// initialisation for its centered RBM).
	Centered bool
}

// Apply initialises the biases of t's model and t's offsets from the pixel
// means p (one per visible unit, in [0, 1]: metrics.PixelMarginals of the
// training images).
func (o InitOptions) Apply(t *graph.Trainer, p []float64) error {
	m := t.Model()
	V, H := m.Visible(), m.Hidden()
	if len(p) != V {
		return fmt.Errorf("train: %d pixel means for a model of %d visible units", len(p), V)
	}
	vb := make([]float32, V)
	if o.VisibleBias {
		for i, x := range p {
			x = math.Min(math.Max(x, VisibleBiasClip), 1-VisibleBiasClip)
			vb[i] = float32(math.Log(x / (1 - x)))
		}
	}
	if !o.Centered {
		if !o.VisibleBias {
			return nil
		}
		w, _, hb := m.Params()
		return m.SetParams(w, vb, hb)
	}
	mu, lambda := make([]float32, V), make([]float32, H)
	for i, x := range p {
		mu[i] = float32(x)
	}
	for j := range lambda {
		lambda[j] = HiddenOffset
	}
	if err := t.SetOffsets(mu, lambda); err != nil {
		return err
	}
	return t.SetCenteredBiases(vb, make([]float32, H))
}
