package viz

import (
	"fmt"
	"image"
	"image/color"
	"math"
)

// Tiles lays out n images of h×w pixels (n·h·w values in [0, 1], one image
// after another) cols to a row, with GridPadding pixels of black around
// each: Grid with a chosen number of columns.
func Tiles(pixels []float32, n, h, w, cols int) (*image.NRGBA, error) {
	if n < 1 || h < 1 || w < 1 || cols < 1 || len(pixels) != n*h*w {
		return nil, fmt.Errorf("viz: %d values are not %d images of %d×%d pixels in %d columns", len(pixels), n, h, w, cols)
	}
	cols = min(cols, n)
	rows := (n + cols - 1) / cols
	cellH, cellW := h+GridPadding, w+GridPadding
	img := image.NewNRGBA(image.Rect(0, 0, cols*cellW+GridPadding, rows*cellH+GridPadding))
	for i := 3; i < len(img.Pix); i += 4 {
		img.Pix[i] = 255 // opaque black background
	}
	for k := 0; k < n; k++ {
		x0 := (k%cols)*cellW + GridPadding
		y0 := (k/cols)*cellH + GridPadding
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				b := toByte(pixels[k*h*w+y*w+x])
				img.SetNRGBA(x0+x, y0+y, color.NRGBA{R: b, G: b, B: b, A: 255})
			}
		}
	}
	return img, nil
}

// Filters draws the receptive fields of n hidden units: weights holds n
// rows of h·w values (the script's W, Hidden×Visible, or its first rows).
// Each tile is contrast-normalised on its own, its smallest weight black and
// its largest white (a constant tile is mid-grey), and the tiles are laid
// out ⌈√n⌉ to a row: 100 MNIST filters give a 10×10 grid of 302×302 pixels.
func Filters(weights []float32, n, h, w int) (*image.NRGBA, error) {
	if n < 1 || h < 1 || w < 1 || len(weights) != n*h*w {
		return nil, fmt.Errorf("viz: %d weights are not %d filters of %d×%d", len(weights), n, h, w)
	}
	norm := make([]float32, len(weights))
	size := h * w
	for k := 0; k < n; k++ {
		tile := weights[k*size : (k+1)*size]
		lo, hi := tile[0], tile[0]
		for _, x := range tile {
			lo, hi = min(lo, x), max(hi, x)
		}
		for i, x := range tile {
			if hi > lo {
				norm[k*size+i] = (x - lo) / (hi - lo)
			} else {
				norm[k*size+i] = 0.5
			}
		}
	}
	cols := int(math.Ceil(math.Sqrt(float64(n))))
	return Tiles(norm, n, h, w, cols)
}
