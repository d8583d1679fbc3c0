package viz

import "image"

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
	return Tiles(pixels, n, h, w, GridPerRow)
}
