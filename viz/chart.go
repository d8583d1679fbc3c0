package viz

import (
	"fmt"
	"image"
	"image/color"
	"image/color/palette"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Charts for the notebooks, as PNG bytes ready for
// Display(display.MakeData3("image/png", alt, png)). They share Curves'
// look: gonum/plot at PlotDPI on white, plotutil's colours, a grid, the
// legend top right.

// maxGlyphs is the most points a line of LineChartPNG marks with circles;
// longer lines are drawn plain, where circles would merge into a band.
const maxGlyphs = 50

// Line is one line of LineChartPNG: the points (X[k], Y[k]) joined in order.
type Line struct {
	Name string
	X, Y []float64
}

// Axes are a chart's title and axis labels. LogY puts the y axis on a
// logarithmic scale; every value must then be positive.
type Axes struct {
	Title, XLabel, YLabel string
	LogY                  bool
}

// BarChartPNG draws grouped bars — one group per label, one bar per series —
// and returns the chart as PNG bytes of width×height pixels. Every series
// must have one value per label; names label the series in the legend.
// Values may be negative (the y axis then extends below zero).
func BarChartPNG(title, ylabel string, labels, names []string, series [][]float64, width, height int) ([]byte, error) {
	if len(labels) == 0 || len(names) != len(series) {
		return nil, fmt.Errorf("viz: bar chart with %d labels, %d names for %d series: give at least one label and one name per series",
			len(labels), len(names), len(series))
	}
	p := newChart(Axes{Title: title, YLabel: ylabel}, false)
	groupWidth := vg.Length(width) * vg.Inch / PlotDPI * 0.8 / vg.Length(len(labels)+1)
	barWidth := groupWidth / vg.Length(len(series)+1)
	for k, s := range series {
		if len(s) != len(labels) {
			return nil, fmt.Errorf("viz: series %q has %d values for %d labels: give one value per label", names[k], len(s), len(labels))
		}
		for _, v := range s {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("viz: series %q has the value %v: plot finite numbers", names[k], v)
			}
		}
		bars, err := plotter.NewBarChart(plotter.Values(s), barWidth)
		if err != nil {
			return nil, fmt.Errorf("viz: series %q: %w", names[k], err)
		}
		bars.LineStyle.Width = 0
		bars.Color = plotutil.Color(k)
		bars.Offset = (vg.Length(k) - vg.Length(len(series)-1)/2) * barWidth
		p.Add(bars)
		p.Legend.Add(names[k], bars)
	}
	p.NominalX(labels...)
	p.X.Min, p.X.Max = -0.5, float64(len(labels))-0.5 // a whole slot for the outer groups
	p.Y.Min, p.Y.Max = barRange(series)
	return chartPNG(p, width, height)
}

// barRange returns the y axis of a bar chart: from 1.2 times the lowest
// value to 1.2 times the highest, always including 0 (headroom beyond the
// longest bars for the legend); [0, 1] when every value is 0.
func barRange(series [][]float64) (lo, hi float64) {
	for _, s := range series {
		for _, v := range s {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if lo == 0 && hi == 0 {
		return 0, 1
	}
	return 1.2 * lo, 1.2 * hi
}

// LineChartPNG draws the lines, each in its own colour (marked with circles
// when it has at most 50 points), and returns the chart as PNG bytes of
// width×height pixels.
func LineChartPNG(axes Axes, lines []Line, width, height int) ([]byte, error) {
	if len(lines) == 0 {
		return nil, fmt.Errorf("viz: line chart %q has no lines: give at least one", axes.Title)
	}
	p := newChart(axes, true)
	if axes.LogY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: 1} // one digit: 0.1, not 0.0999…
	}
	for i, l := range lines {
		if len(l.X) == 0 || len(l.X) != len(l.Y) {
			return nil, fmt.Errorf("viz: line %q has %d x and %d y values: give the same number, at least one", l.Name, len(l.X), len(l.Y))
		}
		pts := make(plotter.XYs, len(l.X))
		for k := range pts {
			pts[k] = plotter.XY{X: l.X[k], Y: l.Y[k]}
		}
		if err := addLine(p, i, l.Name, pts, axes.LogY); err != nil {
			return nil, err
		}
	}
	return chartPNG(p, width, height)
}

// addLine adds pts to p as line number i, in its colour, with circles on
// the points when there are at most maxGlyphs, and a legend entry when name
// is not empty. Every point must be finite, with a positive y on a log axis.
func addLine(p *plot.Plot, i int, name string, pts plotter.XYs, logY bool) error {
	for _, pt := range pts {
		if math.IsNaN(pt.X) || math.IsInf(pt.X, 0) || math.IsNaN(pt.Y) || math.IsInf(pt.Y, 0) || (logY && !(pt.Y > 0)) {
			return fmt.Errorf("viz: line %q has the point (%v, %v): plot finite numbers (positive y on a log axis)", name, pt.X, pt.Y)
		}
	}
	line, err := plotter.NewLine(pts)
	if err != nil {
		return fmt.Errorf("viz: line %q: %w", name, err)
	}
	line.Color = plotutil.Color(i)
	line.Width = vg.Points(1.5)
	p.Add(line)
	thumbs := []plot.Thumbnailer{line}
	if len(pts) <= maxGlyphs {
		points, err := plotter.NewScatter(pts)
		if err != nil {
			return fmt.Errorf("viz: line %q: %w", name, err)
		}
		points.Color = plotutil.Color(i)
		points.Shape = draw.CircleGlyph{}
		p.Add(points)
		thumbs = append(thumbs, points)
	}
	if name != "" {
		p.Legend.Add(name, thumbs...)
	}
	return nil
}

// newChart returns an empty plot with the axes' texts, a grid (without
// its vertical lines for bars, which they would cut) and the legend at the
// top, as Curves draws its panels.
func newChart(axes Axes, vertical bool) *plot.Plot {
	p := plot.New()
	p.Title.Text = axes.Title
	p.X.Label.Text = axes.XLabel
	p.Y.Label.Text = axes.YLabel
	grid := plotter.NewGrid()
	if !vertical {
		grid.Vertical.Color = nil
	}
	p.Add(grid)
	p.Legend.Top = true
	return p
}

// chartPNG draws p on a white canvas of width×height pixels at PlotDPI and
// encodes it with the 256 colours of the Plan 9 palette, without
// dithering: the chart looks the same and takes a quarter of the bytes,
// which matters for notebooks saved with their outputs.
func chartPNG(p *plot.Plot, width, height int) ([]byte, error) {
	if width < 1 || height < 1 {
		return nil, fmt.Errorf("viz: chart of %d×%d pixels: give a positive size", width, height)
	}
	c := newCanvas(width, height, PlotDPI)
	p.Draw(draw.New(c))
	return EncodePNG(quantize(c.Image()))
}

// quantize maps img to the nearest colours of the Plan 9 palette. A chart
// has a few thousand distinct colours (antialiasing), so each is looked up
// once; image/draw's generic path would search the palette per pixel.
func quantize(img image.Image) *image.Paletted {
	b := img.Bounds()
	pal := image.NewPaletted(b, palette.Plan9)
	index := map[color.RGBA]uint8{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			c := color.RGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(bl >> 8), A: uint8(a >> 8)}
			k, ok := index[c]
			if !ok {
				k = uint8(pal.Palette.Index(c))
				index[c] = k
			}
			pal.SetColorIndex(x, y, k)
		}
	}
	return pal
}
