package viz_test

import (
	"fmt"

	"gorbm.dev/gorbm/viz"
)

// A grid of 32 MNIST-sized images, as the script's make_grid lays out its
// last batch: 8 per row, 2 pixels of padding.
func ExampleGrid() {
	pixels := make([]float32, 32*28*28) // 32 black images
	img, err := viz.Grid(pixels, 32, 28, 28)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(img.Bounds().Dx(), "×", img.Bounds().Dy())
	// Output: 242 × 122
}
