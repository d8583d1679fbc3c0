package train

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorbm.dev/gorbm/graph"
	"gorgonia.org/tensor"
)

func TestParamsRoundTrip(t *testing.T) {
	m, err := graph.New(Pixels, 7, rand.New(rand.NewPCG(5, 6)))
	if err != nil {
		t.Fatal(err)
	}
	w, vb, hb := m.Params()
	copy(vb, []float32{1, -2, 3})
	copy(hb, []float32{-4, 5})
	if err := m.SetParams(w, vb, hb); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := SaveParams(dir, m); err != nil {
		t.Fatal(err)
	}
	got, err := LoadParams(dir)
	if err != nil {
		t.Fatal(err)
	}
	w1, v1, h1 := m.Params()
	w2, v2, h2 := got.Params()
	for _, c := range []struct {
		name string
		a, b []float32
	}{{"W", w1, w2}, {"v_bias", v1, v2}, {"h_bias", h1, h2}} {
		if len(c.a) != len(c.b) {
			t.Fatalf("%s: %d values saved, %d loaded", c.name, len(c.a), len(c.b))
		}
		for i := range c.a {
			if c.a[i] != c.b[i] {
				t.Fatalf("%s[%d]: saved %v, loaded %v", c.name, i, c.a[i], c.b[i])
			}
		}
	}
	// The files carry the script's shapes.
	data, err := os.ReadFile(filepath.Join(dir, FileW))
	if err != nil {
		t.Fatal(err)
	}
	wt, err := ReadNpy(data)
	if err != nil {
		t.Fatal(err)
	}
	if !wt.Shape().Eq(tensor.Shape{7, Pixels}) {
		t.Errorf("W.npy has shape %v, want (7, 784)", wt.Shape())
	}
}

// npyBytes encodes a float32 tensor of the given shape with tensor's writer.
func npyBytes(t *testing.T, shape ...int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := tensor.New(tensor.WithShape(shape...), tensor.Of(tensor.Float32)).WriteNpy(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadNpyRejects(t *testing.T) {
	good := npyBytes(t, 3, 4)
	if _, err := ReadNpy(good); err != nil {
		t.Fatalf("valid file rejected: %v", err)
	}
	withHeader := func(old, new string) []byte {
		return bytes.Replace(good, []byte(old), []byte(new), 1)
	}
	float64File := func() []byte {
		var buf bytes.Buffer
		if err := tensor.New(tensor.WithShape(2), tensor.Of(tensor.Float64)).WriteNpy(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}()
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "magic"},
		{"wrong magic", append([]byte("\x93NUMPX"), good[6:]...), "magic"},
		{"version 2", append(append([]byte{}, good[:6]...), append([]byte{2, 0}, good[8:]...)...), "version"},
		{"truncated data", good[:len(good)-1], "truncated"},
		{"extra data", append(append([]byte{}, good...), 0, 0, 0, 0), "truncated"},
		{"truncated header", good[:20], "header"},
		{"float64", float64File, "float32"},
		{"negative dimension", withHeader("(3, 4)", "(-3, 4)"), "positive"},
		{"absurd dimension", withHeader("(3, 4)", "(99999999999, 4)"), "positive"},
		{"absurd total", withHeader("(3, 4)", "(65536, 65536)"), "positive"},
		{"no shape", withHeader("'shape'", "'shope'"), "unknown key 'shope'"},
		{"fortran", withHeader("False", "True "), "C order"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadNpy(tc.data)
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, ErrNpy) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not wrap ErrNpy or lacks %q", err, tc.want)
			}
		})
	}
}

// TestNpyHeader decides, header by header, what parseNpyHeader accepts:
// numpy.save's and gorgonia's layouts, keys in any order; nothing that is
// ambiguous, foreign or that a looser reader would read otherwise.
func TestNpyHeader(t *testing.T) {
	const numpy = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }"
	for _, tc := range []struct {
		header string
		want   string // the error; "" for accepted
	}{
		{numpy + "      \n", ""},
		{numpy, ""},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4)}     ", ""}, // gorgonia's WriteNpy
		{"{'shape':(3,4),'fortran_order':False,'descr':'<f4'}", ""},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4,), }", ""},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (12,), }", ""},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), 'shape': (99999999999,)}", "'shape' given twice"},
		{"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (3, 4)}", "'descr' given twice"},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), 'extra': 1}", "unknown key 'extra'"},
		{"{'descr': '<f4', 'fortran_order': False}", "no 'shape'"},
		{"{'descr' : '<f4', 'fortran_order': False, 'shape': (3, 4)}", "':' right after 'descr'"},
		{"{\"descr\": '<f4', 'fortran_order': False, 'shape': (3, 4)}", "quoted key"},
		{"{'descr':\t'<f4', 'fortran_order': False, 'shape': (3, 4)}", "float32"},
		{"{'descr': '>f4', 'fortran_order': False, 'shape': (3, 4)}", "float32"},
		{"{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4)}", "float32"},
		{"{'descr': '<f4', 'fortran_order': True, 'shape': (3, 4)}", "C order"},
		{"{'descr': '<f4', 'fortran_order': 0, 'shape': (3, 4)}", "C order"},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (12)}", "1-tuple"},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': ()}", "expected a size"},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (3,, 4)}", "expected a size"},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (03, 4)}", "size 03"},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4)}", "size 0"},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (+3, 4)}", "expected a size"},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (3 4)}", "expected ',' or ')'"},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': [3, 4]}", "no '('"},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536)}", "totalling at most"},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999, 1)}", "size 99999999999999999999"},
		{"{'descr': '<f4' 'fortran_order': False, 'shape': (3, 4)}", "expected ',' or '}'"},
		{numpy + "\n\n", "after the dict"},
		{numpy + " x", "after the dict"},
		{"", "does not start with '{'"},
	} {
		shape, total, err := parseNpyHeader([]byte(tc.header), maxNpyElements)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q: %v", tc.header, err)
		case tc.want == "" && (total != 12 || len(shape) == 0):
			t.Errorf("%q: shape %v, total %d; want 12 values", tc.header, shape, total)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%q: error %v, want one containing %q", tc.header, err, tc.want)
		}
	}
}

// TestReadNpyNumpyFiles reads the files numpy.save wrote (testdata/npy,
// made by testdata/npy/make.py): the values must be the ones saved.
func TestReadNpyNumpyFiles(t *testing.T) {
	for name, shape := range map[string][]int{"numpy_3x4.npy": {3, 4}, "numpy_5.npy": {5}} {
		d, err := ReadNpyFile(filepath.Join("testdata", "npy", name))
		if err != nil {
			t.Fatal(err)
		}
		if !d.Shape().Eq(tensor.Shape(shape)) {
			t.Errorf("%s: shape %v, want %v", name, d.Shape(), shape)
		}
		for i, x := range d.Data().([]float32) {
			if want := float32(i) - 1.5; x != want {
				t.Fatalf("%s: value %d is %v, want %v", name, i, x, want)
			}
		}
	}
}

func TestLoadParamsMismatch(t *testing.T) {
	dir := t.TempDir()
	for name, shape := range map[string][]int{FileW: {5, 10}, FileVBias: {10}, FileHBias: {4}} {
		if err := os.WriteFile(filepath.Join(dir, name), npyBytes(t, shape...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := LoadParams(dir); err == nil || !strings.Contains(err.Error(), "do not fit") {
		t.Errorf("h_bias of 4 for a 5×10 W: error %v, want a shape mismatch", err)
	}
	if _, err := LoadParams(t.TempDir()); err == nil {
		t.Error("empty folder: no error")
	}
}

// TestNpyWriterMatchesTensor checks that npyWriter writes the bytes of
// gorgonia tensor's WriteNpy, for vectors and matrices, with values of
// every kind (signed zeros, infinities, NaN, subnormals).
func TestNpyWriterMatchesTensor(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), math.SmallestNonzeroFloat32, math.MaxFloat32}
	for _, shape := range [][]int{{1}, {7}, {500}, {1, 1}, {2, 3}, {100, 784}, {784, 500}} {
		n := 1
		for _, d := range shape {
			n *= d
		}
		data := make([]float32, n)
		for i := range data {
			data[i] = float32(rng.NormFloat64())
			if i < len(special) {
				data[i] = special[i]
			}
		}
		var want, got bytes.Buffer
		if err := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data)).WriteNpy(&want); err != nil {
			t.Fatal(err)
		}
		if err := npyWriter(data, shape...)(&got); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("shape %v: npyWriter's %d bytes differ from tensor's WriteNpy's %d", shape, got.Len(), want.Len())
		}
	}
}
