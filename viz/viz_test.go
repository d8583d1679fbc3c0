package viz

import (
	"bytes"
	"image"
	"image/color"
	imagedraw "image/draw"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

func TestGridLayout(t *testing.T) {
	for _, tc := range []struct {
		n, h, w      int
		wantW, wantH int
	}{
		{32, 28, 28, 242, 122}, // the script's last batch
		{64, 28, 28, 242, 242},
		{5, 28, 28, 152, 32}, // fewer than a row: make_grid uses n columns
		{9, 2, 3, 42, 10},
	} {
		pixels := make([]float32, tc.n*tc.h*tc.w)
		for k := 0; k < tc.n; k++ {
			pixels[k*tc.h*tc.w] = 1 // top-left pixel of each image white
		}
		img, err := Grid(pixels, tc.n, tc.h, tc.w)
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != tc.wantW || b.Dy() != tc.wantH {
			t.Errorf("%d images of %d×%d: grid %d×%d, want %d×%d", tc.n, tc.h, tc.w, b.Dx(), b.Dy(), tc.wantW, tc.wantH)
		}
		cols := min(GridPerRow, tc.n)
		for k := 0; k < tc.n; k++ {
			x := (k%cols)*(tc.w+GridPadding) + GridPadding
			y := (k/cols)*(tc.h+GridPadding) + GridPadding
			if got := img.NRGBAAt(x, y); got != (color.NRGBA{255, 255, 255, 255}) {
				t.Errorf("image %d's first pixel at (%d,%d) is %v, want white", k, x, y, got)
			}
			if got := img.NRGBAAt(x-1, y-1); got != (color.NRGBA{0, 0, 0, 255}) {
				t.Errorf("padding left of image %d is %v, want black", k, got)
			}
		}
	}
	if _, err := Grid(make([]float32, 10), 2, 2, 2); err == nil {
		t.Error("10 values accepted as 2 images of 2×2")
	}
}

func TestToByte(t *testing.T) {
	for _, tc := range []struct {
		x    float32
		want uint8
	}{{0, 0}, {1, 255}, {0.5, 127}, {-1, 0}, {2, 255}, {float32(nan()), 0}} {
		if got := toByte(tc.x); got != tc.want {
			t.Errorf("toByte(%v) = %d, want %d", tc.x, got, tc.want)
		}
	}
}

func nan() float64 { var z float64; return z / z }

func TestFigureAndWritePNG(t *testing.T) {
	grid, err := Grid(make([]float32, 32*28*28), 32, 28, 28)
	if err != nil {
		t.Fatal(err)
	}
	fig, err := Figure([]image.Image{grid, grid}, []string{"real", "generated"})
	if err != nil {
		t.Fatal(err)
	}
	if b := fig.Bounds(); b.Dx() != 1200 || b.Dy() != 600 {
		t.Errorf("figure is %d×%d, want the script's 12×6 inches at 100 dpi, 1200×600", b.Dx(), b.Dy())
	}
	if _, err := Figure([]image.Image{grid}, []string{"a", "b"}); err == nil {
		t.Error("one picture with two titles accepted")
	}

	dir := t.TempDir()
	path := filepath.Join(dir, "fig.png")
	if err := WritePNG(path, fig); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil || cfg.Width != 1200 || cfg.Height != 600 {
		t.Errorf("written PNG: %+v, %v", cfg, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the folder holds %d entries after one write, want just fig.png (no temp files left)", len(entries))
	}
	// Writing into a missing folder fails without leaving anything behind.
	if err := WritePNG(filepath.Join(dir, "missing", "x.png"), fig); err == nil {
		t.Error("writing into a missing folder gave no error")
	}
}

// TestEncodePNGSamePixels checks that EncodePNG keeps every pixel, whether
// it writes the picture in grey (opaque grey NRGBA or RGBA, sub-images
// included) or as it is (colour, translucency, other image types).
func TestEncodePNGSamePixels(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	greyNRGBA := func(w, h int) *image.NRGBA {
		m := image.NewNRGBA(image.Rect(0, 0, w, h))
		for i := 0; i < len(m.Pix); i += 4 {
			v := uint8(rng.IntN(256))
			copy(m.Pix[i:i+4], []uint8{v, v, v, 0xff})
		}
		return m
	}
	greyRGBA := image.NewRGBA(image.Rect(0, 0, 13, 7))
	imagedraw.Draw(greyRGBA, greyRGBA.Bounds(), greyNRGBA(13, 7), image.Point{}, imagedraw.Src)
	coloured := greyNRGBA(9, 5)
	coloured.Pix[4*23+1]++ // one pixel's green
	translucent := greyNRGBA(9, 5)
	translucent.Pix[4*44+3] = 0x80
	paletted := image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.Black, color.White})
	paletted.SetColorIndex(1, 2, 1)
	for _, tc := range []struct {
		name     string
		img      image.Image
		wantGrey bool
	}{
		{"grey NRGBA", greyNRGBA(31, 17), true},
		{"grey RGBA", greyRGBA, true},
		{"grey sub-image", greyNRGBA(40, 30).SubImage(image.Rect(3, 5, 27, 19)), true},
		{"one coloured pixel", coloured, false},
		{"one translucent pixel", translucent, false},
		{"paletted", paletted, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := EncodePNG(tc.img)
			if err != nil {
				t.Fatal(err)
			}
			got, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if _, isGrey := got.(*image.Gray); isGrey != tc.wantGrey {
				t.Errorf("written as %T, want grey %v", got, tc.wantGrey)
			}
			want := tc.img.Bounds()
			if got.Bounds().Size() != want.Size() {
				t.Fatalf("%v read back, want the size of %v", got.Bounds(), want)
			}
			for y := range want.Dy() {
				for x := range want.Dx() {
					g := color.NRGBA64Model.Convert(got.At(got.Bounds().Min.X+x, got.Bounds().Min.Y+y))
					w := color.NRGBA64Model.Convert(tc.img.At(want.Min.X+x, want.Min.Y+y))
					if g != w {
						t.Fatalf("pixel (%d,%d) read back as %v, want %v", x, y, g, w)
					}
				}
			}
		})
	}
}

// TestNewCanvasMatchesNewWith draws the same chart on newCanvas and on
// vgimg.NewWith's canvas of the same size, and wants the same pixels: the
// context newCanvas makes must be set up as NewWith sets up its own.
func TestNewCanvasMatchesNewWith(t *testing.T) {
	for _, size := range []image.Point{{640, 480}, {333, 217}, {800, 300}} {
		chart := func() *plot.Plot {
			p := newChart(Axes{Title: "loss", XLabel: "epoch", YLabel: "nats"}, true)
			pts := plotter.XYs{{X: 0, Y: 3}, {X: 1, Y: -1}, {X: 2, Y: 0.5}}
			if err := addLine(p, 0, "a line", pts, false); err != nil {
				t.Fatal(err)
			}
			return p
		}
		ours := newCanvas(size.X, size.Y, PlotDPI)
		chart().Draw(draw.New(ours))
		theirs := vgimg.NewWith(vgimg.UseWH(vg.Length(size.X)*vg.Inch/PlotDPI, vg.Length(size.Y)*vg.Inch/PlotDPI),
			vgimg.UseDPI(PlotDPI), vgimg.UseBackgroundColor(color.White))
		chart().Draw(draw.New(theirs))
		a, b := ours.Image(), theirs.Image()
		if a.Bounds() != b.Bounds() {
			t.Fatalf("%v: canvas %v, vgimg's %v", size, a.Bounds(), b.Bounds())
		}
		differ := 0
		for y := range a.Bounds().Dy() {
			for x := range a.Bounds().Dx() {
				if a.At(x, y) != b.At(x, y) {
					differ++
				}
			}
		}
		if differ > 0 {
			t.Errorf("%v: %d pixels differ from vgimg's canvas", size, differ)
		}
	}
}
