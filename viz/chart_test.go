package viz

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"testing"
)

// decodeSize decodes PNG bytes and returns the image's size; charts are
// stored with a palette, to keep notebooks small.
func decodeSize(t *testing.T, b []byte) image.Point {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if _, ok := img.(*image.Paletted); !ok {
		t.Errorf("chart decodes as %T, want a paletted image", img)
	}
	return img.Bounds().Size()
}

func TestChartsSizes(t *testing.T) {
	long := Line{Name: "long", X: make([]float64, 200), Y: make([]float64, 200)}
	for k := range long.X {
		long.X[k], long.Y[k] = float64(k), math.Exp(-float64(k)/30)
	}
	for _, tc := range []struct {
		name string
		draw func() ([]byte, error)
		w, h int
	}{
		{"bars", func() ([]byte, error) {
			return BarChartPNG("t", "p", []string{"a", "b", "c"}, []string{"x", "y"},
				[][]float64{{0.2, 0.3, 0.5}, {0.25, 0.25, 0.5}}, 320, 200)
		}, 320, 200},
		{"negative bars", func() ([]byte, error) {
			return BarChartPNG("t", "⟨s s⟩", []string{"01", "02"}, []string{"x"}, [][]float64{{-0.5, 0.25}}, 300, 240)
		}, 300, 240},
		{"lines", func() ([]byte, error) {
			return LineChartPNG(Axes{Title: "t", XLabel: "x", YLabel: "y"},
				[]Line{{"a", []float64{0, 1, 2}, []float64{1, 0, 1}}, {"b", []float64{0, 2}, []float64{0.5, 0.5}}}, 720, 360)
		}, 720, 360},
		{"log y, no glyphs", func() ([]byte, error) {
			return LineChartPNG(Axes{Title: "t", XLabel: "step", YLabel: "K", LogY: true}, []Line{long}, 640, 320)
		}, 640, 320},
	} {
		b, err := tc.draw()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := decodeSize(t, b); got.X != tc.w || got.Y != tc.h {
			t.Errorf("%s: image %v, want %d×%d", tc.name, got, tc.w, tc.h)
		}
	}
}

func TestChartsReject(t *testing.T) {
	for _, tc := range []struct {
		name string
		draw func() ([]byte, error)
	}{
		{"mismatched series", func() ([]byte, error) {
			return BarChartPNG("t", "p", []string{"a"}, []string{"x"}, [][]float64{{1, 2}}, 100, 100)
		}},
		{"names for no series", func() ([]byte, error) {
			return BarChartPNG("t", "p", []string{"a"}, []string{"x"}, nil, 100, 100)
		}},
		{"NaN bar", func() ([]byte, error) {
			return BarChartPNG("t", "p", []string{"a"}, []string{"x"}, [][]float64{{math.NaN()}}, 100, 100)
		}},
		{"no lines", func() ([]byte, error) { return LineChartPNG(Axes{}, nil, 100, 100) }},
		{"x and y differ", func() ([]byte, error) {
			return LineChartPNG(Axes{}, []Line{{"a", []float64{0, 1}, []float64{0}}}, 100, 100)
		}},
		{"zero on a log axis", func() ([]byte, error) {
			return LineChartPNG(Axes{LogY: true}, []Line{{"a", []float64{0, 1}, []float64{1, 0}}}, 100, 100)
		}},
		{"Inf", func() ([]byte, error) {
			return LineChartPNG(Axes{}, []Line{{"a", []float64{0, math.Inf(1)}, []float64{1, 0}}}, 100, 100)
		}},
		{"zero size", func() ([]byte, error) {
			return LineChartPNG(Axes{}, []Line{{"a", []float64{0}, []float64{1}}}, 0, 100)
		}},
	} {
		if _, err := tc.draw(); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

// The y axis holds every bar, negative ones too, with room for the legend.
func TestBarRange(t *testing.T) {
	for _, tc := range []struct {
		series [][]float64
		lo, hi float64
	}{
		{[][]float64{{0.2, 0.5}, {0.25, 0.1}}, 0, 0.6},
		{[][]float64{{-0.5, 0.25}}, -0.6, 0.3},
		{[][]float64{{-1, -2}}, -2.4, 0},
		{[][]float64{{0, 0}}, 0, 1},
	} {
		lo, hi := barRange(tc.series)
		if math.Abs(lo-tc.lo) > 1e-12 || math.Abs(hi-tc.hi) > 1e-12 {
			t.Errorf("barRange(%v) = [%v, %v], want [%v, %v]", tc.series, lo, hi, tc.lo, tc.hi)
		}
	}
}
