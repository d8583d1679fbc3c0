package viz

import (
	"image"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestPicturesWrittenWithSizes(t *testing.T) {
	dir := t.TempDir()
	weights := make([]float32, 100*784)
	for i := range weights {
		weights[i] = float32(i%97) - 40
	}
	filters, err := Filters(weights, 100, 28, 28)
	if err != nil {
		t.Fatal(err)
	}
	samples, err := Tiles(make([]float32, 11*8*784), 11*8, 28, 28, 8)
	if err != nil {
		t.Fatal(err)
	}
	oneEpoch, err := Curves([]Panel{{Title: "loss", YLabel: "loss", Lines: []Series{{Name: "train", Values: []float64{-3}}}}})
	if err != nil {
		t.Fatal(err)
	}
	curves, err := Curves([]Panel{
		{Title: "loss", YLabel: "loss", Lines: []Series{{Name: "train", Values: []float64{-3, -2, -1.5}}}},
		{Title: "free energy", YLabel: "F", Lines: []Series{{Name: "train", Values: []float64{-90, -95, -99}}, {Name: "test", Values: []float64{-89, -93, -96}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		img  image.Image
		w, h int
	}{
		{"RBM_filters.png", filters, 10*30 + 2, 10*30 + 2},
		{"RBM_samples.png", samples, 8*30 + 2, 11*30 + 2},
		{"RBM_loss.png", oneEpoch, 800, 300},
		{"RBM_loss2.png", curves, 800, 600},
	} {
		path := filepath.Join(dir, tc.name)
		if err := WritePNG(path, tc.img); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatalf("%s not written: %v", tc.name, err)
		}
		cfg, _, err := image.DecodeConfig(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s is not a PNG: %v", tc.name, err)
		}
		if cfg.Width != tc.w || cfg.Height != tc.h {
			t.Errorf("%s is %d×%d, want %d×%d", tc.name, cfg.Width, cfg.Height, tc.w, tc.h)
		}
	}
}

func TestFiltersContrast(t *testing.T) {
	// Two 1×3 filters on different scales both span black to white; a
	// constant one is mid-grey.
	img, err := Filters([]float32{-1, 0, 1, 100, 300, 200, 5, 5, 5}, 3, 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	// 2 columns: filter k at x0 = 2 + (k%2)·5, y0 = 2 + (k/2)·3.
	for _, c := range []struct {
		x, y int
		want uint8
	}{{2, 2, 0}, {4, 2, 255}, {7, 2, 0}, {8, 2, 255}, {9, 2, 127}, {2, 5, 127}} {
		if got := img.NRGBAAt(c.x, c.y).R; got != c.want {
			t.Errorf("pixel (%d,%d) = %d, want %d", c.x, c.y, got, c.want)
		}
	}
	if _, err := Filters(make([]float32, 10), 3, 1, 3); err == nil {
		t.Error("Filters with 10 weights for 3 filters of 3 gave no error")
	}
	if _, err := Curves([]Panel{{Lines: []Series{{Name: "nan", Values: []float64{0, math.NaN()}}}}}); err == nil {
		t.Error("Curves with a NaN gave no error")
	}
}

// TestCurvesPositions checks Series.X: the points go where X says (moving
// one changes the picture), and positions that do not fit the values are
// refused.
func TestCurvesPositions(t *testing.T) {
	draw := func(s Series) image.Image {
		t.Helper()
		img, err := Curves([]Panel{{Title: "loss", YLabel: "loss", XLabel: "epochs trained", Lines: []Series{s}}})
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	y := []float64{1, 2, 0}
	a := draw(Series{Name: "batch", Values: y, X: []float64{0, 0.5, 1}})
	b := draw(Series{Name: "batch", Values: y, X: []float64{0, 0.9, 1}})
	if samePixels(a, b) {
		t.Error("moving a point's x position did not change the picture")
	}
	for _, bad := range []Series{
		{Name: "short", Values: y, X: []float64{0, 1}},
		{Name: "nan x", Values: y, X: []float64{0, math.NaN(), 1}},
	} {
		if _, err := Curves([]Panel{{Lines: []Series{bad}}}); err == nil {
			t.Errorf("series %q accepted", bad.Name)
		}
	}
}

func samePixels(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				return false
			}
		}
	}
	return true
}
