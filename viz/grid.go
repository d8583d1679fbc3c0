package viz

import (
	"fmt"
	"image"
	"image/color"
)

// Layout of torchvision.utils.make_grid's defaults.
const (
	GridPerRow  = 8 // nrow
	GridPadding = 2 // padding, filled with pad_value 0 (black)
)

// toByte is matplotlib's conversion of a float intensity to a byte.
func toByte(x float32) uint8 {
	switch {
	case !(x > 0): // also NaN
		return 0
	case x >= 1:
		return 255
	}
	return uint8(x * 255)
}

// Grid lays out n images of h×w pixels, stored one after another in pixels
// (n·h·w values in [0, 1]), GridPerRow to a row with GridPadding pixels of
// black around each, as make_grid does. 32 MNIST images give 242×122 pixels.
func Grid(pixels []float32, n, h, w int) (*image.NRGBA, error) {
	if n < 1 || h < 1 || w < 1 || len(pixels) != n*h*w {
		return nil, fmt.Errorf("viz: %d values are not %d images of %d×%d pixels", len(pixels), n, h, w)
	}
	cols := min(GridPerRow, n)
	rows := (n + cols - 1) / cols
	cellH, cellW := h+GridPadding, w+GridPadding
	img := image.NewNRGBA(image.Rect(0, 0, cols*cellW+GridPadding, rows*cellH+GridPadding))
	black := color.NRGBA{A: 255}
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i+3] = black.A
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
