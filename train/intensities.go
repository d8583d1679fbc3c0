package train

// Intensities returns d's pixels as float32 intensities x/255 in [0, 1],
// N×Pixels row-major: what torchvision's ToTensor hands the script before
// bernoulli() binarizes it. The notebooks draw these grey images with
// viz.Grid.
func (d *Dataset) Intensities() []float32 {
	out := make([]float32, len(d.Images))
	for i, x := range d.Images {
		out[i] = intensity[x]
	}
	return out
}

// intensity[x] is the pixel value x/255 in float32, ToTensor's scaling.
var intensity = func() (t [256]float32) {
	for x := range t {
		t[x] = float32(x) / 255
	}
	return t
}()
