package boltzmann

import (
	"bytes"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// BarChartPNG draws grouped bars — one group per label, one bar per series —
// and returns the chart as PNG bytes of width×height pixels (at 96 dpi).
// Every series must have one value per label; names label the series in the
// legend. In a notebook: Display(display.PNG(png)).
func BarChartPNG(title, ylabel string, labels, names []string, series [][]float64, width, height int) ([]byte, error) {
	if len(names) != len(series) {
		return nil, fmt.Errorf("boltzmann: %d names for %d series", len(names), len(series))
	}
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = ylabel
	p.Y.Min = 0
	p.Legend.Top = true

	const dpi = 96
	groupWidth := vg.Length(float64(width)*72/dpi) * 0.8 / vg.Length(len(labels)+1)
	barWidth := groupWidth / vg.Length(len(series)+1)
	colors := []color.Color{
		color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
		color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff},
		color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
		color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
	}
	for k, s := range series {
		if len(s) != len(labels) {
			return nil, fmt.Errorf("boltzmann: series %q has %d values for %d labels", names[k], len(s), len(labels))
		}
		bars, err := plotter.NewBarChart(plotter.Values(s), barWidth)
		if err != nil {
			return nil, err
		}
		bars.LineStyle.Width = 0
		bars.Color = colors[k%len(colors)]
		bars.Offset = (vg.Length(k) - vg.Length(len(series)-1)/2) * barWidth
		p.Add(bars)
		p.Legend.Add(names[k], bars)
	}
	p.NominalX(labels...)
	// Headroom above the tallest bar for the legend.
	top := 0.0
	for _, s := range series {
		for _, v := range s {
			top = math.Max(top, v)
		}
	}
	p.Y.Max = 1.2 * top

	w := vg.Length(width) * vg.Inch / dpi
	h := vg.Length(height) * vg.Inch / dpi
	wt, err := p.WriterTo(w, h, "png")
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := wt.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
