package viz

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
)

// ErrNoGraphviz reports that Graphviz's dot program is not installed.
var ErrNoGraphviz = errors.New("rendering a graph needs Graphviz's dot program: install it (Debian: apt-get install graphviz)")

// DotPNG renders a graph written in Graphviz's dot language (such as
// Gorgonia's ExprGraph.ToDot) to PNG bytes at dpi dots per inch, with the
// dot program. A missing program gives ErrNoGraphviz.
func DotPNG(src string, dpi int) ([]byte, error) {
	if dpi < 1 || dpi > 600 {
		return nil, fmt.Errorf("viz: %d dpi: use 1 to 600", dpi)
	}
	path, err := exec.LookPath("dot")
	if err != nil {
		return nil, ErrNoGraphviz
	}
	var out, stderr bytes.Buffer
	cmd := exec.Command(path, "-Tpng", fmt.Sprintf("-Gdpi=%d", dpi))
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader([]byte(src)), &out, &stderr
	if err := cmd.Run(); err != nil {
		msg := stderr.String()
		if len(msg) > 200 {
			msg = msg[:200] + "…"
		}
		return nil, fmt.Errorf("viz: dot: %w: %s", err, msg)
	}
	return out.Bytes(), nil
}
