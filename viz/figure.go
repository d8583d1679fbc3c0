package viz

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"git.sr.ht/~sbinet/gg"
	xdraw "golang.org/x/image/draw"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// The script's figure: plt.figure(figsize=(12, 6)) at matplotlib's 100 dpi,
// two subplots in a row with the default subplot margins, axes off, titles
// at the axes title size.
const (
	figureWidth, figureHeight = 12 * vg.Inch, 6 * vg.Inch
	figureDPI                 = 100
	marginLeft, marginRight   = 0.125, 0.9 // figure.subplot.left, right
	marginBottom, marginTop   = 0.11, 0.88 // figure.subplot.bottom, top
	subplotSpace              = 0.2        // figure.subplot.wspace
	titleSize                 = 14.4       // axes.titlesize "large", points
	titlePad                  = 6          // axes.titlepad, points
)

// Figure draws the pictures side by side, each scaled to fit its subplot
// with its aspect ratio kept and its title above it, on a white 1200×600
// canvas: the figure the script shows with plt.show().
func Figure(pictures []image.Image, titles []string) (image.Image, error) {
	if len(pictures) == 0 || len(pictures) != len(titles) {
		return nil, fmt.Errorf("viz: %d pictures and %d titles: give one title per picture", len(pictures), len(titles))
	}
	c := newCanvas(pixels(figureWidth, figureDPI), pixels(figureHeight, figureDPI), figureDPI)
	dc := draw.New(c)
	n := float64(len(pictures))
	axW := (marginRight - marginLeft) / (n + subplotSpace*(n-1)) // fraction of the width
	axH := marginTop - marginBottom
	style := draw.TextStyle{
		Color:   color.Black,
		Font:    font.From(font.Font{Typeface: "Liberation", Variant: "Sans"}, titleSize), // matplotlib: DejaVu Sans
		Handler: plot.DefaultTextHandler,
		XAlign:  draw.XCenter,
		YAlign:  draw.YBottom,
	}
	for i, pic := range pictures {
		b := pic.Bounds()
		if b.Empty() {
			return nil, fmt.Errorf("viz: picture %d (%q) is empty", i, titles[i])
		}
		// The axes box shrinks to the picture's aspect (imshow's
		// aspect='equal'), centred in its subplot cell.
		cellX := marginLeft + float64(i)*axW*(1+subplotSpace)
		w, h := axW*float64(figureWidth), axH*float64(figureHeight)
		aspect := float64(b.Dy()) / float64(b.Dx())
		if h/w > aspect {
			h = w * aspect
		} else {
			w = h / aspect
		}
		x0 := cellX*float64(figureWidth) + (axW*float64(figureWidth)-w)/2
		y0 := (marginBottom+axH/2)*float64(figureHeight) - h/2
		rect := vg.Rectangle{Min: vg.Point{X: vg.Length(x0), Y: vg.Length(y0)}, Max: vg.Point{X: vg.Length(x0 + w), Y: vg.Length(y0 + h)}}
		c.DrawImage(rect, nearest(pic, vg.Length(w).Dots(figureDPI), vg.Length(h).Dots(figureDPI)))
		dc.FillText(style, vg.Point{X: vg.Length(x0 + w/2), Y: vg.Length(y0+h) + titlePad}, titles[i])
	}
	return c.Image(), nil
}

// nearest scales pic to w×h pixels with nearest-neighbour sampling, so the
// binary pixels stay sharp. Into an *image.RGBA, for x/image/draw's fast
// path; the pictures are opaque, so the pixels are the same as in NRGBA.
func nearest(pic image.Image, w, h float64) image.Image {
	dst := image.NewRGBA(image.Rect(0, 0, int(w+0.5), int(h+0.5)))
	xdraw.NearestNeighbor.Scale(dst, dst.Bounds(), pic, pic.Bounds(), xdraw.Src, nil)
	return dst
}

// newCanvas returns a white canvas of w×h pixels at dpi: vgimg.NewWith's,
// but with a drawing context made on its image, which NewWith's own copies
// first (an image's worth of memory and time). The canvas is w/dpi inches
// wide: the callers' sizes are whole pixels at their dpi, so it is as
// wide as they lay it out.
func newCanvas(w, h, dpi int) *vgimg.Canvas {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	ctx := gg.NewContextForRGBA(img)
	ctx.SetLineCapButt() // as NewWith sets up its own
	ctx.InvertY()
	return vgimg.NewWith(vgimg.UseImageWithContext(img, ctx), vgimg.UseDPI(dpi))
}

// pixels is the length l in pixels at dpi, rounded as vgimg rounds it.
func pixels(l vg.Length, dpi int) int { return int(l/vg.Inch*vg.Length(dpi) + 0.5) }

// EncodePNG returns img as PNG bytes (for notebooks and tests): at zlib's
// fastest level, in grey when every pixel is opaque grey.
func EncodePNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if g := grey(img); g != nil {
		img = g
	}
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("viz: encoding PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// grey returns img as an *image.Gray when it is an *image.NRGBA or
// *image.RGBA whose pixels are all opaque grey (the grids, the filters and
// the figure are): the same pixels, in a third of the bytes to filter and
// compress. Else it returns nil, having allocated nothing.
func grey(img image.Image) *image.Gray {
	var pix []uint8
	var stride int
	switch m := img.(type) {
	case *image.NRGBA:
		pix, stride = m.Pix, m.Stride
	case *image.RGBA: // opaque, so not premultiplied by less than 1
		pix, stride = m.Pix, m.Stride
	default:
		return nil
	}
	b := img.Bounds()
	for y := range b.Dy() {
		row := pix[y*stride : y*stride+4*b.Dx()]
		for x := 0; x < len(row); x += 4 {
			if p := row[x : x+4 : x+4]; p[0] != p[1] || p[0] != p[2] || p[3] != 0xff {
				return nil
			}
		}
	}
	g := image.NewGray(b)
	for y := range b.Dy() {
		src, dst := pix[y*stride:], g.Pix[y*g.Stride:]
		for x := range b.Dx() {
			dst[x] = src[4*x]
		}
	}
	return g
}
