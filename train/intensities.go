package train

import "gorbm.dev/gorbm/internal/f32"

// Intensities returns d's pixels as float32 intensities x/255 in [0, 1],
// N×Pixels row-major: what torchvision's ToTensor hands the script before
// bernoulli() binarizes it. The notebooks draw these grey images with
// viz.Grid.
func (d *Dataset) Intensities() []float32 {
	out := make([]float32, len(d.Images))
	for i, x := range d.Images {
		out[i] = f32.Intensity(x)
	}
	return out
}
