package complete

import (
	"errors"
	"fmt"
	"image"

	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/viz"
)

// ChunkRows is the number of images Complete samples at once, which bounds
// the sampler's buffers (ChunkRows×Hidden values, several times).
const ChunkRows = 1000

// TopHalf returns the mask of images of height×width pixels (row-major)
// whose top ⌊height/2⌋ rows are given: Top(height, width, height/2).
func TopHalf(height, width int) []bool { return Top(height, width, height/2) }

// Top returns the mask of images of height×width pixels (row-major) whose
// top rows rows are given (none for rows ≤ 0, all for rows ≥ height).
func Top(height, width, rows int) []bool {
	given := make([]bool, height*width)
	for i := range given[:min(max(rows, 0), height)*width] {
		given[i] = true
	}
	return given
}

// Permuter permutes n items by calling swap, as *math/rand/v2.Rand's
// Shuffle does. (It is not called Shuffler, as classify's is: gophernotes
// cannot import two packages with interfaces of the same name in one
// block.)
type Permuter interface {
	Shuffle(n int, swap func(i, j int))
}

// RandomHalf returns a mask of n pixels of which ⌊n/2⌋, chosen at random
// from src, are given: Random(n, n/2, src).
func RandomHalf(n int, src Permuter) []bool { return Random(n, n/2, src) }

// Random returns a mask of n pixels of which given (none for given ≤ 0,
// all for given ≥ n), chosen at random from src, are: the first given of
// n, shuffled once.
func Random(n, given int, src Permuter) []bool {
	mask := make([]bool, n)
	for i := range mask[:min(max(given, 0), n)] {
		mask[i] = true
	}
	src.Shuffle(n, func(i, j int) { mask[i], mask[j] = mask[j], mask[i] })
	return mask
}

// ErrMask reports a mask that leaves nothing to complete or gives nothing.
var ErrMask = errors.New("complete: the mask must give some pixels and leave some to complete")

// check reports the first problem with completing rows images v under the
// mask given for a model of visible pixels.
func check(visible int, v []float32, rows int, given []bool) error {
	if len(given) != visible {
		return fmt.Errorf("complete: a mask of %d pixels for a model of %d visible units: make the mask for the model's images: %w", len(given), visible, graph.ErrShape)
	}
	n := 0
	for _, g := range given {
		if g {
			n++
		}
	}
	switch n {
	case 0:
		return fmt.Errorf("complete: the mask gives no pixel, so there is nothing to condition on: %w", ErrMask)
	case visible:
		return fmt.Errorf("complete: the mask gives all %d pixels, so there is nothing to complete: %w", visible, ErrMask)
	}
	if rows < 1 || len(v) != rows*visible {
		return fmt.Errorf("complete: %d values for %d images of %d pixels: %w", len(v), rows, visible, graph.ErrShape)
	}
	for i, x := range v {
		if x != 0 && x != 1 {
			return fmt.Errorf("complete: pixel %d of image %d is %g: binarize the images first (train.Binarize)", i%visible, i/visible, x)
		}
	}
	return nil
}

// Result is a completion of rows images: Sample holds the last sample, Mean
// the estimated probability of each pixel being on; on the given pixels
// both hold the image's values.
type Result struct {
	Sample, Mean []float32 // rows×Visible
	Rows         int
}

// Complete samples the missing pixels of the rows images v (rows×Visible,
// 0/1) given the pixels the mask marks, with steps steps of conditional
// Gibbs sampling of m (see the package documentation).
func Complete(m *graph.Model, v []float32, rows int, given []bool, steps int, src graph.Uniform) (Result, error) {
	V := m.Visible()
	if err := check(V, v, rows, given); err != nil {
		return Result{}, err
	}
	if steps < 1 {
		return Result{}, fmt.Errorf("complete: %d Gibbs steps: use at least 1", steps)
	}
	r := Result{Sample: make([]float32, rows*V), Mean: make([]float32, rows*V), Rows: rows}
	s := graph.NewSampler(m, nil)
	averaged := steps - steps/2 // the last half, rounded up
	for lo := 0; lo < rows; lo += ChunkRows {
		n := min(ChunkRows, rows-lo)
		truth := v[lo*V : (lo+n)*V]
		x := r.Sample[lo*V : (lo+n)*V]
		mean := r.Mean[lo*V : (lo+n)*V]
		clamp(x, truth, given) // the missing pixels start off
		for k := 0; k < steps; k++ {
			_, h := s.VisibleToHidden(x, n, src)
			pV, sample := s.HiddenToVisible(h, n, src)
			copy(x, sample)
			clamp(x, truth, given)
			if k >= steps-averaged {
				for i, p := range pV {
					mean[i] += p
				}
			}
		}
		for i := range mean {
			mean[i] /= float32(averaged)
		}
		clamp(mean, truth, given)
	}
	return r, nil
}

// clamp sets the given pixels of the rows of x to those of truth.
func clamp(x, truth []float32, given []bool) {
	V := len(given)
	for i := range x {
		if given[i%V] {
			x[i] = truth[i]
		}
	}
}

// BaseRate completes the rows images v as the base-rate model does: each
// missing pixel i is on with probability marginals[i] (the training
// pixels' mean, metrics.PixelMarginals), drawn independently of the rest.
func BaseRate(marginals []float64, v []float32, rows int, given []bool, src graph.Uniform) (Result, error) {
	V := len(marginals)
	if err := check(V, v, rows, given); err != nil {
		return Result{}, err
	}
	for i, p := range marginals {
		if !(p >= 0 && p <= 1) {
			return Result{}, fmt.Errorf("complete: marginal %d is %g: use probabilities in [0, 1]", i, p)
		}
	}
	r := Result{Sample: make([]float32, rows*V), Mean: make([]float32, rows*V), Rows: rows}
	for i := range r.Sample {
		p := float32(marginals[i%V])
		r.Mean[i] = p
		if src.Float32() < p {
			r.Sample[i] = 1
		}
	}
	clamp(r.Sample, v, given)
	clamp(r.Mean, v, given)
	return r, nil
}

// Score says how well a completion matches the truth on the missing
// pixels: the fraction of them where the sample equals the truth, and where
// the most probable value (Mean > ½) does.
type Score struct {
	Sampled, MostProbable float64
	Pixels                int // the missing pixels scored
}

// Score scores r against the images truth (rows×Visible, 0/1) on the
// pixels the mask does not give.
func (r Result) Score(truth []float32, given []bool) (Score, error) {
	V := len(given)
	if err := check(V, truth, r.Rows, given); err != nil {
		return Score{}, err
	}
	if len(r.Sample) != len(truth) || len(r.Mean) != len(truth) {
		return Score{}, fmt.Errorf("complete: a result of %d and %d values scored against %d: %w", len(r.Sample), len(r.Mean), len(truth), graph.ErrShape)
	}
	var s Score
	var sampled, probable int
	for i, t := range truth {
		if given[i%V] {
			continue
		}
		s.Pixels++
		if r.Sample[i] == t {
			sampled++
		}
		if (r.Mean[i] > 0.5) == (t == 1) {
			probable++
		}
	}
	s.Sampled = float64(sampled) / float64(s.Pixels)
	s.MostProbable = float64(probable) / float64(s.Pixels)
	return s, nil
}

// Unknown is the grey Picture shows for a pixel that is not given.
const Unknown = 0.5

// Picture draws the first n images of a completion of height×width-pixel
// images in three rows of n (viz.Tiles): what was given (the missing pixels
// grey), the completion's Mean, and the truth.
func Picture(r Result, truth []float32, given []bool, n, height, width int) (image.Image, error) {
	V := len(given)
	if V != height*width || n < 1 || n > r.Rows || len(r.Mean) < n*V || len(truth) < n*V {
		return nil, fmt.Errorf("complete: a picture of %d images of %d×%d pixels from %d images of %d: %w", n, height, width, r.Rows, V, graph.ErrShape)
	}
	tiles := make([]float32, 0, 3*n*V)
	for i, t := range truth[:n*V] {
		if given[i%V] {
			tiles = append(tiles, t)
		} else {
			tiles = append(tiles, Unknown)
		}
	}
	tiles = append(tiles, r.Mean[:n*V]...)
	tiles = append(tiles, truth[:n*V]...)
	return viz.Tiles(tiles, 3*n, height, width, n)
}
