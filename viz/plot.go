package viz

import (
	"fmt"
	"image"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Size of one panel of Curves: 8×3 inches at 100 dpi.
const (
	PanelWidth, PanelHeight = 8 * vg.Inch, 3 * vg.Inch
	PlotDPI                 = 100
)

// Series is one line of a panel: a value per epoch, epochs 0, 1, 2, …
type Series struct {
	Name   string
	Values []float64
}

// Panel is one plot of Curves: a title, the y axis label and its lines.
type Panel struct {
	Title, YLabel string
	Lines         []Series
}

// Curves draws the panels one above the other, each a line plot with
// points against the epoch (numbered from 0, as the script prints them), on
// a white canvas of 800 × 300·len(panels) pixels.
func Curves(panels []Panel) (image.Image, error) {
	if len(panels) == 0 {
		return nil, fmt.Errorf("viz: no panels to plot")
	}
	plots := make([][]*plot.Plot, len(panels))
	for r, pn := range panels {
		p := newChart(Axes{Title: pn.Title, XLabel: "epoch", YLabel: pn.YLabel}, true)
		for i, s := range pn.Lines {
			if len(s.Values) == 0 {
				return nil, fmt.Errorf("viz: series %q of panel %q has no values", s.Name, pn.Title)
			}
			pts := make(plotter.XYs, len(s.Values))
			for e, y := range s.Values {
				pts[e] = plotter.XY{X: float64(e), Y: y}
			}
			if err := addLine(p, i, s.Name, pts, false); err != nil {
				return nil, err
			}
		}
		plots[r] = []*plot.Plot{p}
	}
	c := vgimg.NewWith(vgimg.UseWH(PanelWidth, PanelHeight*vg.Length(len(panels))), vgimg.UseDPI(PlotDPI),
		vgimg.UseBackgroundColor(color.White))
	dc := draw.New(c)
	canvases := plot.Align(plots, draw.Tiles{Rows: len(panels), Cols: 1}, dc)
	for r := range plots {
		plots[r][0].Draw(canvases[r][0])
	}
	return c.Image(), nil
}
