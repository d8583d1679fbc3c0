package metrics

import (
	"errors"
	"fmt"

	"gorbm.dev/gorbm/graph"
)

// chunkRows bounds the rows processed at once, so that evaluating the
// 10,000 test images needs buffers of a few MB, not tens. Chunking does not
// change the results: draws are consumed in row-major order either way.
const chunkRows = 1000

// ErrEmpty reports a batch without rows.
var ErrEmpty = errors.New("metrics: no images")

func check(m *graph.Model, v []float32, rows int) error {
	if rows < 1 {
		return ErrEmpty
	}
	if len(v) != rows*m.Visible() {
		return fmt.Errorf("metrics: %d values for %d rows of %d: %w", len(v), rows, m.Visible(), graph.ErrShape)
	}
	return nil
}

// MeanFreeEnergy returns mean_r F(v_r) over the rows of v.
func MeanFreeEnergy(m *graph.Model, v []float32, rows int) (float64, error) {
	if err := check(m, v, rows); err != nil {
		return 0, err
	}
	f := make([]float32, rows)
	if err := m.FreeEnergies(f, v, rows); err != nil {
		return 0, err
	}
	return mean(f), nil
}

func mean(x []float32) float64 {
	var s float64
	for _, xi := range x {
		s += float64(xi)
	}
	return s / float64(len(x))
}

// ReconstructionError returns the mean squared difference between v and
// p(v|h) after one up-down pass, h sampled from p(h|v) with src (see the
// package documentation).
func ReconstructionError(m *graph.Model, v []float32, rows int, src graph.Uniform) (float64, error) {
	if err := check(m, v, rows); err != nil {
		return 0, err
	}
	V := m.Visible()
	s := graph.NewSampler(m, nil)
	pV := make([]float32, min(rows, chunkRows)*V)
	var sum float64
	for lo := 0; lo < rows; lo += chunkRows {
		n := min(chunkRows, rows-lo)
		vc := v[lo*V : (lo+n)*V]
		_, h := s.VisibleToHidden(vc, n, src)
		m.VisibleProbabilities(pV, h, n)
		for i, x := range vc {
			d := float64(x) - float64(pV[i])
			sum += d * d
		}
	}
	return sum / float64(rows*V), nil
}

// PseudoLogLikelihood returns the mean over the rows of v of scikit-learn's
// pseudo-log-likelihood V·log σ(F(ṽ) − F(v)), ṽ being v with one bit, drawn
// with one uniform from src per row, flipped.
func PseudoLogLikelihood(m *graph.Model, v []float32, rows int, src graph.Uniform) (float64, error) {
	if err := check(m, v, rows); err != nil {
		return 0, err
	}
	V := m.Visible()
	flipped := make([]float32, min(rows, chunkRows)*V)
	f, fFlip := make([]float32, chunkRows), make([]float32, chunkRows)
	var sum float64
	for lo := 0; lo < rows; lo += chunkRows {
		n := min(chunkRows, rows-lo)
		vc := v[lo*V : (lo+n)*V]
		fc := flipped[:n*V]
		copy(fc, vc)
		for r := 0; r < n; r++ {
			i := min(int(float64(src.Float32())*float64(V)), V-1)
			fc[r*V+i] = 1 - fc[r*V+i]
		}
		if err := m.FreeEnergies(f, vc, n); err != nil {
			return 0, err
		}
		if err := m.FreeEnergies(fFlip, fc, n); err != nil {
			return 0, err
		}
		for r := 0; r < n; r++ {
			// log σ(x) = −softplus(−x)
			sum += -float64(V) * graph.Softplus(-(float64(fFlip[r]) - float64(f[r])))
		}
	}
	return sum / float64(rows), nil
}

// LogProbability returns the average log-probability of the rows of v,
// −mean_r F(v_r) − logZ, in nats.
func LogProbability(m *graph.Model, v []float32, rows int, logZ float64) (float64, error) {
	f, err := MeanFreeEnergy(m, v, rows)
	if err != nil {
		return 0, err
	}
	return -f - logZ, nil
}

// Marginals returns the mean of each column of v (rows×visible): the
// training data's pixel marginals for the AIS base-rate model.
func Marginals(v []float32, rows, visible int) ([]float64, error) {
	if rows < 1 || visible < 1 || len(v) != rows*visible {
		return nil, fmt.Errorf("metrics: marginals of %d values for %d rows of %d: %w", len(v), rows, visible, graph.ErrShape)
	}
	p := make([]float64, visible)
	for r := 0; r < rows; r++ {
		for i, x := range v[r*visible : (r+1)*visible] {
			p[i] += float64(x)
		}
	}
	for i := range p {
		p[i] /= float64(rows)
	}
	return p, nil
}

// PixelMarginals returns the mean of each pixel of rows images of visible
// 8-bit pixels, divided by 255: the probability that the binarized pixel
// is 1, so the marginals of the binarized data without drawing them.
func PixelMarginals(pixels []uint8, rows, visible int) ([]float64, error) {
	if rows < 1 || visible < 1 || len(pixels) != rows*visible {
		return nil, fmt.Errorf("metrics: marginals of %d pixels for %d images of %d: %w", len(pixels), rows, visible, graph.ErrShape)
	}
	sum := make([]uint64, visible)
	for r := 0; r < rows; r++ {
		for i, x := range pixels[r*visible : (r+1)*visible] {
			sum[i] += uint64(x)
		}
	}
	p := make([]float64, visible)
	for i, s := range sum {
		p[i] = float64(s) / (255 * float64(rows))
	}
	return p, nil
}

// Report holds the per-epoch metrics the command prints and writes.
type Report struct {
	ReconstructionError float64 `json:"reconstruction_error"`  // test set
	FreeEnergyTrain     float64 `json:"free_energy_train"`     // mean F over the training images evaluated
	FreeEnergyTest      float64 `json:"free_energy_test"`      // mean F over the test images
	PseudoLogLikelihood float64 `json:"pseudo_log_likelihood"` // test set, scikit-learn's definition
}

// Evaluate computes the Report on binarized test images and training
// images, drawing first the reconstruction's hidden samples and then the
// pseudo-likelihood's flipped bits from src. It tells p (phase "test
// metrics") of the images done in its four passes: reconstruction, free
// energies of the test and of the training images, pseudo-likelihood.
func Evaluate(m *graph.Model, test []float32, testRows int, train []float32, trainRows int, src graph.Uniform, p Progress) (Report, error) {
	var r Report
	var err error
	total, done := 3*testRows+trainRows, 0
	tick := func(rows int) {
		done += rows
		p.report("test metrics", done, total)
	}
	tick(0)
	if r.ReconstructionError, err = ReconstructionError(m, test, testRows, src); err != nil {
		return r, err
	}
	tick(testRows)
	if r.FreeEnergyTest, err = MeanFreeEnergy(m, test, testRows); err != nil {
		return r, err
	}
	tick(testRows)
	if r.FreeEnergyTrain, err = MeanFreeEnergy(m, train, trainRows); err != nil {
		return r, err
	}
	tick(trainRows)
	if r.PseudoLogLikelihood, err = PseudoLogLikelihood(m, test, testRows, src); err != nil {
		return r, err
	}
	tick(testRows)
	return r, nil
}
