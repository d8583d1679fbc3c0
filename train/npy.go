package train

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"gorgonia.org/tensor"

	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/internal/atomicfile"
)

// Parameter file names, as numpy.save would name the script's tensors.
const (
	FileW     = "W.npy"      // Hidden×Visible, the script's layout
	FileVBias = "v_bias.npy" // Visible
	FileHBias = "h_bias.npy" // Hidden
)

// maxNpyElements bounds the element count an .npy header may claim, so a
// corrupt header cannot trigger a huge allocation; 2^26 float32 values are
// 256 MiB, far above any model here (784×500 = 392,000).
const maxNpyElements = 1 << 26

// ErrNpy reports an .npy file that this package cannot read.
var ErrNpy = errors.New("not a readable .npy file")

var (
	npyDescr   = regexp.MustCompile(`'descr'\s*:\s*'([^']*)'`)
	npyFortran = regexp.MustCompile(`'fortran_order'\s*:\s*(True|False)`)
	npyShape   = regexp.MustCompile(`'shape'\s*:\s*\(([^)]*)\)`)
)

// ReadNpy reads a little-endian float32 .npy (format 1.0, C order) from
// data with gorgonia tensor's reader, after checking the header itself: the
// magic, the dtype, the shape (every dimension positive, the total bounded)
// and that the file holds exactly the data the shape needs. A file that
// fails a check gives an error wrapping ErrNpy, never a panic.
func ReadNpy(data []byte) (*tensor.Dense, error) {
	if len(data) < 10 || string(data[:6]) != "\x93NUMPY" {
		return nil, fmt.Errorf("missing the \\x93NUMPY magic: %w", ErrNpy)
	}
	if data[6] != 1 || data[7] != 0 {
		return nil, fmt.Errorf("format version %d.%d, only 1.0 is supported: %w", data[6], data[7], ErrNpy)
	}
	hlen := int(binary.LittleEndian.Uint16(data[8:10]))
	if 10+hlen > len(data) {
		return nil, fmt.Errorf("header of %d bytes runs past the end of the file: %w", hlen, ErrNpy)
	}
	header := data[10 : 10+hlen]
	if m := npyDescr.FindSubmatch(header); m == nil || string(m[1]) != "<f4" {
		return nil, fmt.Errorf("dtype is not little-endian float32 ('<f4'): %w", ErrNpy)
	}
	if m := npyFortran.FindSubmatch(header); m == nil || string(m[1]) != "False" {
		return nil, fmt.Errorf("not in C order (fortran_order must be False): %w", ErrNpy)
	}
	m := npyShape.FindSubmatch(header)
	if m == nil {
		return nil, fmt.Errorf("no shape in the header: %w", ErrNpy)
	}
	var shape []int
	total := 1
	for _, f := range strings.Split(string(m[1]), ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > maxNpyElements || total*n > maxNpyElements {
			return nil, fmt.Errorf("shape (%s) is not a list of positive sizes totalling at most %d: %w", m[1], maxNpyElements, ErrNpy)
		}
		total *= n
		shape = append(shape, n)
	}
	if len(shape) == 0 {
		return nil, fmt.Errorf("a scalar, not an array: %w", ErrNpy)
	}
	if got, want := len(data)-10-hlen, 4*total; got != want {
		return nil, fmt.Errorf("shape %v needs %d data bytes, the file has %d (truncated or corrupt): %w", shape, want, got, ErrNpy)
	}
	t := new(tensor.Dense)
	if err := t.ReadNpy(bytes.NewReader(data)); err != nil {
		return nil, fmt.Errorf("%v: %w", err, ErrNpy)
	}
	if !t.Shape().Eq(tensor.Shape(shape)) || t.Dtype() != tensor.Float32 {
		return nil, fmt.Errorf("read %v %v, header said %v float32: %w", t.Shape(), t.Dtype(), shape, ErrNpy)
	}
	return t, nil
}

// WriteNpy writes t to path as .npy with gorgonia tensor's writer,
// atomically.
func WriteNpy(path string, t *tensor.Dense) error {
	return atomicfile.Write(path, t.WriteNpy)
}

// SaveParams writes m's parameters into dir as W.npy (Hidden×Visible, the
// script's layout), v_bias.npy and h_bias.npy, readable by numpy.load.
func SaveParams(dir string, m *graph.Model) error {
	w, vb, hb := m.Params()
	for _, f := range []struct {
		name  string
		data  []float32
		shape []int
	}{
		{FileW, w, []int{m.Hidden(), m.Visible()}},
		{FileVBias, vb, []int{m.Visible()}},
		{FileHBias, hb, []int{m.Hidden()}},
	} {
		t := tensor.New(tensor.WithShape(f.shape...), tensor.WithBacking(f.data))
		if err := WriteNpy(filepath.Join(dir, f.name), t); err != nil {
			return err
		}
	}
	return nil
}

// LoadParams reads W.npy, v_bias.npy and h_bias.npy from dir (as SaveParams
// or numpy.save write them) into a new model with learning rate lr. W must be
// Hidden×Visible and the biases must match it.
func LoadParams(dir string, lr float64) (*graph.Model, error) {
	var ts [3]*tensor.Dense
	for i, name := range []string{FileW, FileVBias, FileHBias} {
		path := filepath.Join(dir, name)
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("cannot read parameters: %w (-load needs a folder with %s, %s and %s)", err, FileW, FileVBias, FileHBias)
		}
		// An .npy of a model here is at most a few MB; limit what a
		// corrupt or foreign file can make us read.
		data, err := io.ReadAll(io.LimitReader(f, 4*maxNpyElements+1<<16+1))
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		if ts[i], err = ReadNpy(data); err != nil {
			return nil, fmt.Errorf("%s: %w (write it with numpy.save as float32, or with gorbm)", path, err)
		}
	}
	w, vb, hb := ts[0], ts[1], ts[2]
	if w.Dims() != 2 || vb.Dims() != 1 || hb.Dims() != 1 || vb.Shape()[0] != w.Shape()[1] || hb.Shape()[0] != w.Shape()[0] {
		return nil, fmt.Errorf("%s: shapes W %v, v_bias %v, h_bias %v do not fit together (want H×V, V, H)", dir, w.Shape(), vb.Shape(), hb.Shape())
	}
	hidden, visible := w.Shape()[0], w.Shape()[1]
	return graph.FromParams(visible, hidden, lr, w.Data().([]float32), vb.Data().([]float32), hb.Data().([]float32))
}
