package viz

import (
	"bytes"
	"errors"
	"image/png"
	"os/exec"
	"testing"
)

// TestDotPNG renders a two-node graph and checks the result is a PNG; with
// no dot program on PATH it checks the error says how to install it.
func TestDotPNG(t *testing.T) {
	const src = "digraph g { a -> b }"
	t.Run("no Graphviz", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		if _, err := DotPNG(src, 72); !errors.Is(err, ErrNoGraphviz) {
			t.Fatalf("error %v, want ErrNoGraphviz", err)
		}
	})
	t.Run("render", func(t *testing.T) {
		if _, err := exec.LookPath("dot"); err != nil {
			t.Skip("Graphviz is not installed here; .ci/run installs it, so CI renders")
		}
		b, err := DotPNG(src, 72)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("not a PNG: %v", err)
		}
		if r := img.Bounds(); r.Dx() < 10 || r.Dy() < 10 {
			t.Errorf("a %v picture for two nodes", r)
		}
		if _, err := DotPNG("digraph {", 72); err == nil {
			t.Error("a syntax error gave no error")
		}
		if _, err := DotPNG(src, 0); err == nil {
			t.Error("0 dpi gave no error")
		}
	})
}
