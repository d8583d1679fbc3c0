package train

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"gorgonia.org/tensor"

	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/internal/atomicfile"
	"gorbm.dev/gorbm/internal/readfile"
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

// maxNpyBytes is the largest .npy file ReadNpyFile reads: the largest
// header and maxNpyElements values.
const maxNpyBytes = 10 + 1<<16 + 4*maxNpyElements

// ErrNpy reports an .npy file that this package cannot read.
var ErrNpy = errors.New("not a readable .npy file")

// ReadNpy reads a little-endian float32 .npy file (format 1.0, C order)
// from data. The header is parsed once, strictly, by parseNpyHeader, and the
// values are read according to that parse: the file must hold exactly the
// bytes the shape needs. A file that fails a check gives an error wrapping
// ErrNpy, never a panic, and nothing is allocated before the header and the
// file's length agree.
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
	shape, total, err := parseNpyHeader(data[10:10+hlen], maxNpyElements)
	if err != nil {
		return nil, fmt.Errorf("header: %w: %w", err, ErrNpy)
	}
	body := data[10+hlen:]
	if got, want := len(body), 4*total; got != want {
		return nil, fmt.Errorf("shape %v needs %d data bytes, the file has %d (truncated or corrupt): %w", shape, want, got, ErrNpy)
	}
	values := make([]float32, total)
	for i := range values {
		values[i] = math.Float32frombits(binary.LittleEndian.Uint32(body[4*i:]))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(values)), nil
}

// ReadNpyFile reads the .npy file path (see ReadNpy); only a regular file
// of at most maxNpyBytes is read.
func ReadNpyFile(path string) (*tensor.Dense, error) {
	data, err := readfile.ReadFile(path, maxNpyBytes)
	if err != nil {
		return nil, err
	}
	t, err := ReadNpy(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// parseNpyHeader parses an .npy header, the one place that decides what
// this package accepts: a Python dict literal with exactly the keys
// 'descr' ('<f4'), 'fortran_order' (False) and 'shape' (a tuple of one or
// more positive sizes whose product is at most maxElements), each once, in
// any order, written as numpy.save and gorgonia's WriteNpy write them:
// single-quoted keys each followed directly by a colon, spaces (and only
// spaces) between tokens, a comma after the last entry allowed, a 1-tuple
// with its comma, decimal sizes without signs or leading zeros, and after
// the closing brace spaces and at most one final newline. Every header it
// accepts, gorgonia's reader reads as the same shape (FuzzReadNpy).
func parseNpyHeader(h []byte, maxElements int) (shape []int, total int, err error) {
	p := npyParser{s: h}
	p.spaces()
	if !p.take('{') {
		return nil, 0, errors.New("does not start with '{'")
	}
	seen := map[string]bool{}
	total = 1
	for {
		p.spaces()
		if p.take('}') {
			break
		}
		if len(seen) > 0 {
			if !p.take(',') {
				return nil, 0, fmt.Errorf("expected ',' or '}' at byte %d", p.i)
			}
			p.spaces()
			if p.take('}') {
				break
			}
		}
		key, ok := p.quoted()
		if !ok {
			return nil, 0, fmt.Errorf("expected a quoted key at byte %d", p.i)
		}
		if seen[key] {
			return nil, 0, fmt.Errorf("key '%s' given twice", key)
		}
		seen[key] = true
		if !p.take(':') {
			return nil, 0, fmt.Errorf("expected ':' right after '%s'", key)
		}
		p.spaces()
		switch key {
		case "descr":
			if d, ok := p.quoted(); !ok || d != "<f4" {
				return nil, 0, errors.New("dtype is not little-endian float32 ('<f4')")
			}
		case "fortran_order":
			if !p.word("False") {
				return nil, 0, errors.New("not in C order (fortran_order must be False)")
			}
		case "shape":
			if shape, total, err = p.shape(maxElements); err != nil {
				return nil, 0, err
			}
		default:
			return nil, 0, fmt.Errorf("unknown key '%s'", key)
		}
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return nil, 0, fmt.Errorf("no '%s'", k)
		}
	}
	p.spaces()
	p.take('\n')
	if p.i != len(h) {
		return nil, 0, fmt.Errorf("unexpected %q after the dict", h[p.i:min(len(h), p.i+8)])
	}
	return shape, total, nil
}

// npyParser reads an .npy header from byte i on.
type npyParser struct {
	s []byte
	i int
}

func (p *npyParser) spaces() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

// take consumes c if it comes next.
func (p *npyParser) take(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// word consumes w if it comes next.
func (p *npyParser) word(w string) bool {
	if bytes.HasPrefix(p.s[p.i:], []byte(w)) {
		p.i += len(w)
		return true
	}
	return false
}

// quoted consumes a single-quoted string of printable characters other
// than quotes and backslashes.
func (p *npyParser) quoted() (string, bool) {
	if !p.take('\'') {
		return "", false
	}
	start := p.i
	for p.i < len(p.s) && p.s[p.i] != '\'' {
		if c := p.s[p.i]; c < ' ' || c > '~' || c == '\\' || c == '"' {
			return "", false
		}
		p.i++
	}
	if p.i == len(p.s) {
		return "", false
	}
	p.i++
	return string(p.s[start : p.i-1]), true
}

// shape consumes a tuple of positive sizes whose product is at most max:
// '(' size (',' size)* [','] ')', with a comma after a single size.
func (p *npyParser) shape(max int) ([]int, int, error) {
	bad := func(why string) ([]int, int, error) {
		return nil, 0, fmt.Errorf("shape is not a tuple of positive sizes totalling at most %d: %s", max, why)
	}
	if !p.take('(') {
		return bad("no '('")
	}
	var shape []int
	total := 1
	for {
		p.spaces()
		if len(shape) > 0 && p.take(')') { // after a comma
			return shape, total, nil
		}
		start := p.i
		for p.i < len(p.s) && '0' <= p.s[p.i] && p.s[p.i] <= '9' {
			p.i++
		}
		digits := string(p.s[start:p.i])
		if digits == "" {
			return bad(fmt.Sprintf("expected a size at byte %d", start))
		}
		n, err := strconv.Atoi(digits)
		if err != nil || digits[0] == '0' || n > max/total {
			return bad("size " + digits)
		}
		total *= n
		shape = append(shape, n)
		p.spaces()
		switch {
		case p.take(','):
		case p.take(')'):
			if len(shape) == 1 {
				return bad("a 1-tuple needs its comma, (n,)")
			}
			return shape, total, nil
		default:
			return bad(fmt.Sprintf("expected ',' or ')' at byte %d", p.i))
		}
	}
}

// WriteNpy writes t to path as .npy, atomically: a float32 tensor as
// npyWriter writes it, any other with gorgonia tensor's writer.
func WriteNpy(path string, t *tensor.Dense) error {
	if data, ok := t.Data().([]float32); ok {
		return atomicfile.Write(path, npyWriter(data, t.Shape()...))
	}
	return atomicfile.Write(path, t.WriteNpy)
}

// NpyFile is a file to write: its name and what writes its content.
type NpyFile struct {
	Name  string
	Write func(io.Writer) error
}

// npyWriter writes data, of the given shape, as .npy: the bytes gorgonia
// tensor's WriteNpy writes (its header, then the values little-endian),
// with one write of all the values instead of one call per value
// (docs/speed.md has what that saves).
func npyWriter(data []float32, shape ...int) func(io.Writer) error {
	return func(w io.Writer) error {
		dims := fmt.Sprint(tensor.Shape(shape))
		if len(shape) == 1 { // numpy's "(N,)", as tensor's writer writes it
			dims = fmt.Sprintf("(%d,)", shape[0])
		}
		header := "{'descr': '<f4', 'fortran_order': False, 'shape': " + dims + "}"
		header += strings.Repeat(" ", 16-(10+len(header))%16)
		buf := make([]byte, 0, 10+len(header)+4*len(data))
		buf = append(buf, "\x93NUMPY\x01\x00"...)
		buf = binary.LittleEndian.AppendUint16(buf, uint16(len(header)))
		buf = append(buf, header...)
		for _, x := range data {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(x))
		}
		_, err := w.Write(buf)
		return err
	}
}

// ParamFiles returns m's parameter files as SaveParams writes them, for
// writing elsewhere (with other outputs, or into a checkpoint). They write
// a copy of the parameters taken now.
func ParamFiles(m *graph.Model) []NpyFile {
	w, vb, hb := m.Params()
	return []NpyFile{
		{FileW, npyWriter(w, m.Hidden(), m.Visible())},
		{FileVBias, npyWriter(vb, m.Visible())},
		{FileHBias, npyWriter(hb, m.Hidden())},
	}
}

// SaveParams writes m's parameters into dir as W.npy (Hidden×Visible, the
// script's layout), v_bias.npy and h_bias.npy, readable by numpy.load, each
// atomically.
func SaveParams(dir string, m *graph.Model) error {
	for _, f := range ParamFiles(m) {
		if err := atomicfile.Write(filepath.Join(dir, f.Name), f.Write); err != nil {
			return err
		}
	}
	return nil
}

// ErrNotFinite reports parameters that are NaN or ±Inf.
var ErrNotFinite = errors.New("parameters are not finite")

// LoadParams reads W.npy, v_bias.npy and h_bias.npy from dir (as SaveParams
// or numpy.save write them) into a new model. W must be
// Hidden×Visible, the biases must match it, and every value must be finite
// (an error wrapping ErrNotFinite names the first that is not). Errors name
// the file.
func LoadParams(dir string) (*graph.Model, error) {
	var ts [3]*tensor.Dense
	for i, name := range []string{FileW, FileVBias, FileHBias} {
		t, err := ReadNpyFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		ts[i] = t
	}
	return modelFrom(dir, ts[0], ts[1], ts[2])
}

// modelFrom returns the model of the parameters w, vb and hb read from dir
// (named in errors), which must fit together and be finite.
func modelFrom(dir string, w, vb, hb *tensor.Dense) (*graph.Model, error) {
	if w.Dims() != 2 || vb.Dims() != 1 || hb.Dims() != 1 || vb.Shape()[0] != w.Shape()[1] || hb.Shape()[0] != w.Shape()[0] {
		return nil, fmt.Errorf("%s: shapes W %v, v_bias %v, h_bias %v do not fit together (want H×V, V, H)", dir, w.Shape(), vb.Shape(), hb.Shape())
	}
	hidden, visible := w.Shape()[0], w.Shape()[1]
	m, err := graph.FromParams(visible, hidden, w.Data().([]float32), vb.Data().([]float32), hb.Data().([]float32))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	if err := m.CheckFinite(); err != nil {
		return nil, fmt.Errorf("%s: %w: %w", dir, ErrNotFinite, err)
	}
	return m, nil
}
