package viz

import (
	"fmt"
	"image"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Size of one panel of Curves: 8×3 inches at 100 dpi.
const (
	PanelWidth, PanelHeight = 8 * vg.Inch, 3 * vg.Inch
	PlotDPI                 = 100
)

// Series is one line of a panel: Values at the x positions X, or at 0, 1,
// 2, … (epochs numbered as the script prints them) when X is nil.
type Series struct {
	Name   string
	Values []float64
	X      []float64
}

// Panel is one plot of Curves: a title, the axis labels (XLabel "" means
// "epoch") and its lines.
type Panel struct {
	Title, YLabel string
	XLabel        string
	Lines         []Series
}

// Curves draws the panels one above the other, each a line plot against
// the epoch (or the panel's XLabel), on a white canvas of
// 800 × 300·len(panels) pixels.
func Curves(panels []Panel) (image.Image, error) {
	if len(panels) == 0 {
		return nil, fmt.Errorf("viz: no panels to plot")
	}
	plots := make([][]*plot.Plot, len(panels))
	for r, pn := range panels {
		xLabel := "epoch"
		if pn.XLabel != "" {
			xLabel = pn.XLabel
		}
		p := newChart(Axes{Title: pn.Title, XLabel: xLabel, YLabel: pn.YLabel}, true)
		for i, s := range pn.Lines {
			if len(s.Values) == 0 {
				return nil, fmt.Errorf("viz: series %q of panel %q has no values", s.Name, pn.Title)
			}
			if s.X != nil && len(s.X) != len(s.Values) {
				return nil, fmt.Errorf("viz: series %q has %d x positions for %d values", s.Name, len(s.X), len(s.Values))
			}
			pts := make(plotter.XYs, len(s.Values))
			for e, y := range s.Values {
				x := float64(e)
				if s.X != nil {
					x = s.X[e]
				}
				pts[e] = plotter.XY{X: x, Y: y}
			}
			if err := addLine(p, i, s.Name, pts, false); err != nil {
				return nil, err
			}
		}
		plots[r] = []*plot.Plot{p}
	}
	c := newCanvas(pixels(PanelWidth, PlotDPI), pixels(PanelHeight*vg.Length(len(panels)), PlotDPI), PlotDPI)
	dc := draw.New(c)
	canvases := plot.Align(plots, draw.Tiles{Rows: len(panels), Cols: 1}, dc)
	for r := range plots {
		plots[r][0].Draw(canvases[r][0])
	}
	return c.Image(), nil
}
