package evaluate

import (
	"context"
	"fmt"
	"image"
	"math"
	"math/rand/v2"

	"gorbm.dev/gorbm/complete"
	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/internal/enum"
	"gorbm.dev/gorbm/internal/rng"
	"gorbm.dev/gorbm/metrics"
	"gorbm.dev/gorbm/train"
)

// Mask is which pixels of an image a completion is given.
type Mask int

const (
	Top    Mask = iota // the top rows
	Random             // pixels drawn at random (rng.CompleteMask), the same for every image
)

var maskNames = []string{Top: "top", Random: "random"}

func (k Mask) String() string { return enum.Name(maskNames, k, "Mask") }

// ParseMask returns the Mask named s: top or random.
func ParseMask(s string) (Mask, error) {
	if k, ok := enum.Parse[Mask](maskNames, s); ok {
		return k, nil
	}
	return 0, fmt.Errorf("evaluate: mask %q: use %s", s, enum.Choices(maskNames))
}

// The images' shape, for the masks and the picture.
const height, width = 28, 28

// PictureImages is the number of images the completion picture shows.
const PictureImages = 12

// CompleteOptions set up Complete: the first Images test images, given
// the fraction Given of their rows from the top (Top) or of their pixels
// (Random), completed by Steps steps of conditional Gibbs sampling.
type CompleteOptions struct {
	Mask          Mask
	Given         float64
	Images, Steps int
	Progress      metrics.Progress
}

// Count returns how many rows (Top) or pixels (Random) o gives, of how
// many: Given of them, rounded to the nearest.
func (o CompleteOptions) Count() (n, of int) {
	of = height
	if o.Mask == Random {
		of = train.Pixels
	}
	if !(o.Given >= 0 && o.Given <= 1) { // NaN too
		return -1, of
	}
	return int(math.Round(o.Given * float64(of))), of
}

// Unit names what Count counts: "rows" or "pixels".
func (o CompleteOptions) Unit() string {
	if o.Mask == Random {
		return "pixels"
	}
	return "rows"
}

// mask returns o's mask for a run seeded with seed.
func (o CompleteOptions) mask(seed uint64) []bool {
	n, _ := o.Count()
	if o.Mask == Random {
		return complete.Random(train.Pixels, n, rand.New(rng.NewStream(seed, rng.CompleteMask)))
	}
	return complete.Top(height, width, n)
}

// Completion is the result of Complete as metrics.json records it: how
// often the completed pixels equal the truth, for the model and for the
// base-rate model.
type Completion struct {
	Mask          string          `json:"mask"`  // top or random
	Given         int             `json:"given"` // rows from the top (top) or pixels (random)
	GivenPixels   int             `json:"given_pixels"`
	Images        int             `json:"images"`
	Steps         int             `json:"steps"`
	MissingPixels int             `json:"missing_pixels"` // scored, over all the images
	Model         CompletionScore `json:"model"`
	BaseRate      CompletionScore `json:"base_rate"`
	Seconds       float64         `json:"seconds"` // the caller's clock: how long the completion took
}

// CompletionScore is a complete.Score: the fraction of missing pixels
// equal to the truth, for the sample and the most probable value.
type CompletionScore struct {
	Sampled      float64 `json:"sampled"`
	MostProbable float64 `json:"most_probable"`
}

// Complete completes the first o.Images binarized test images (Data.Test)
// given o's mask (complete.Complete, and complete.BaseRate with the
// training images' marginals) and scores both against the truth; it
// returns the record and the picture of the first PictureImages
// (complete.Picture: given, completed, truth). The base-rate model and the
// model draw from the stream rng.Complete, each from its start, and the
// random mask from rng.CompleteMask. When ctx is cancelled it stops after
// the current chunk of complete.ChunkRows images and returns an error
// wrapping ctx.Err().
func (d *Data) Complete(ctx context.Context, m *graph.Model, o CompleteOptions) (*Completion, image.Image, error) {
	if d.Marginals == nil {
		return nil, nil, fmt.Errorf("evaluate: no training images for the base-rate model")
	}
	if m.Visible() != train.Pixels {
		return nil, nil, fmt.Errorf("evaluate: a model of %d visible units completing images of %d pixels: %w", m.Visible(), train.Pixels, graph.ErrShape)
	}
	if o.Images < 1 || o.Images > d.TestN {
		return nil, nil, fmt.Errorf("evaluate: %d images to complete of %d test images: use 1 to %d", o.Images, d.TestN, d.TestN)
	}
	if n, of := o.Count(); n < 0 {
		return nil, nil, fmt.Errorf("evaluate: a fraction of %v given: use more than 0 and less than 1 of the %d %s", o.Given, of, o.Unit())
	}
	given := o.mask(d.Seed)
	rows, V := o.Images, train.Pixels
	truth := d.Test[:rows*V]
	base, err := complete.BaseRate(d.Marginals, truth, rows, given, rng.New(d.Seed, rng.Complete))
	if err != nil {
		return nil, nil, err
	}
	// Chunk by chunk, as complete.Complete itself goes, with the same
	// draws: between chunks it can stop and report.
	r := complete.Result{Rows: rows, Sample: make([]float32, 0, rows*V), Mean: make([]float32, 0, rows*V)}
	src := rng.New(d.Seed, rng.Complete)
	for lo := 0; lo < rows; lo += complete.ChunkRows {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		n := min(complete.ChunkRows, rows-lo)
		c, err := complete.Complete(m, truth[lo*V:(lo+n)*V], n, given, o.Steps, src)
		if err != nil {
			return nil, nil, err
		}
		r.Sample, r.Mean = append(r.Sample, c.Sample...), append(r.Mean, c.Mean...)
		if o.Progress != nil {
			o.Progress("completing test images", lo+n, rows)
		}
	}
	rec := &Completion{Mask: o.Mask.String(), Images: rows, Steps: o.Steps}
	rec.Given, _ = o.Count()
	for _, g := range given {
		if g {
			rec.GivenPixels++
		}
	}
	for _, s := range []struct {
		r   complete.Result
		out *CompletionScore
	}{{r, &rec.Model}, {base, &rec.BaseRate}} {
		score, err := s.r.Score(truth, given)
		if err != nil {
			return nil, nil, err
		}
		*s.out = CompletionScore{Sampled: score.Sampled, MostProbable: score.MostProbable}
		rec.MissingPixels = score.Pixels
	}
	img, err := complete.Picture(r, truth, given, min(PictureImages, rows), height, width)
	if err != nil {
		return nil, nil, err
	}
	return rec, img, nil
}
