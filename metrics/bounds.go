package metrics

import (
	"fmt"
	"math"
	"strconv"

	"gorbm.dev/gorbm/graph"
)

// LogZBounds are lower bounds on log Z that cost at most one pass over some
// images. Z = Σ_v Σ_h exp(v·b + h·c + v·W·h) is a sum of positive terms, so
// any part of it bounds it from below:
//
//   - HiddenOff, the terms with every hidden unit off: Σ_v exp(v·b), whose
//     log is Σ_i softplus(b_i) (LogZLowerBound);
//   - VisibleOff, the terms with every visible unit off: Σ_h exp(h·c),
//     whose log is Σ_j softplus(c_j);
//   - Images, the terms of some visible vectors summed over h: log Σ_v
//     exp(−F(v)) over the distinct images evaluated (a repeated image
//     counts once), −Inf when there are none.
//
// The free energies are Model.FreeEnergies', rounded to float32, so Images
// is a bound to that rounding (a few 1e-5 nats for MNIST's |F| ≈ 10³).
type LogZBounds struct {
	HiddenOff, VisibleOff, Images float64
	DistinctImages                int // the images summed in Images
}

// Best returns the largest of the bounds and its name for messages: "every
// hidden unit off", "every visible unit off" or "the terms of N distinct
// images".
func (b LogZBounds) Best() (float64, string) {
	best, name := b.HiddenOff, "every hidden unit off"
	if b.VisibleOff > best {
		best, name = b.VisibleOff, "every visible unit off"
	}
	if b.Images > best {
		best, name = b.Images, "the terms of "+plural(b.DistinctImages, "distinct image")
	}
	return best, name
}

// LogZLowerBounds returns the lower bounds on log Z of m: the two closed
// forms and, over the distinct rows of the batches vs (rows×Visible values
// each, any number of rows; a row repeated within or across batches counts
// once), log Σ exp(−F(v)).
func LogZLowerBounds(m *graph.Model, vs ...[]float32) (LogZBounds, error) {
	_, _, c := m.Params()
	b := LogZBounds{HiddenOff: LogZLowerBound(m), Images: math.Inf(-1)}
	for _, x := range c {
		b.VisibleOff += graph.Softplus(float64(x))
	}
	V := m.Visible()
	for _, v := range vs {
		if len(v)%V != 0 {
			return b, fmt.Errorf("metrics: %d values are not rows of %d: %w", len(v), V, graph.ErrShape)
		}
		for i, x := range v {
			if x != 0 && x != 1 {
				return b, fmt.Errorf("metrics: value %d of an image is %g: Z sums over 0/1 images, so only they bound it", i, x)
			}
		}
	}
	seen := map[string]bool{}    // the distinct rows so far, as bits
	buf := make([]byte, (V+7)/8) // a row's bits
	var sum logSum
	for _, v := range vs {
		rows := len(v) / V
		if rows == 0 {
			continue
		}
		f := make([]float32, rows)
		if err := m.FreeEnergies(f, v, rows); err != nil {
			return b, err
		}
		for r := range rows {
			row := v[r*V : (r+1)*V]
			clear(buf)
			for i, x := range row {
				if x == 1 {
					buf[i/8] |= 1 << (i % 8)
				}
			}
			if seen[string(buf)] {
				continue
			}
			seen[string(buf)] = true
			sum.add(-float64(f[r]))
		}
	}
	if len(seen) > 0 {
		b.Images, b.DistinctImages = sum.log(), len(seen)
	}
	return b, nil
}

// plural returns "n noun" or "n nouns".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
