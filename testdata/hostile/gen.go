//go:build ignore

// gen writes the crafted files of the hostile-input tests
// (internal/cli/hostile_test.go) into this folder: go run
// testdata/hostile/gen.go (from the module root).
// Each folder is one -load or -data input; the comments below say what is
// wrong with each.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"log"
	"math"
	"os"
	"path/filepath"
	"strings"

	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/train"
)

const dir = "testdata/hostile"

func main() {
	// A valid model of 2 hidden units, the base of the -load folders.
	w := make([]float32, 2*train.Pixels)
	for i := range w {
		w[i] = float32(i%7) / 100
	}
	m, err := graph.FromParams(train.Pixels, 2, w, make([]float32, train.Pixels), make([]float32, 2))
	if err != nil {
		log.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range train.ParamFiles(m) {
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			log.Fatal(err)
		}
		files[f.Name] = buf.Bytes()
	}
	load := func(name string, edit func(wNpy []byte) []byte) {
		d := filepath.Join(dir, name)
		must(os.MkdirAll(d, 0o755))
		for n, b := range files {
			if n == train.FileW {
				b = edit(append([]byte(nil), b...))
			}
			must(os.WriteFile(filepath.Join(d, n), b, 0o644))
		}
	}
	load("load-valid", func(b []byte) []byte { return b })
	// Issue 14's header: the first 'shape' fits the data, the second
	// claims 400 GB; a reader that takes the last key allocates it.
	load("load-duplicate-shape", func(b []byte) []byte {
		return withHeader(b, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 784), 'shape': (99999999999, 784), }")
	})
	load("load-unknown-key", func(b []byte) []byte {
		return withHeader(b, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 784), 'order': 'C', }")
	})
	load("load-huge-shape", func(b []byte) []byte {
		return withHeader(b, "{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536), }")
	})
	load("load-truncated", func(b []byte) []byte { return b[:len(b)-3] })
	load("load-nan", func(b []byte) []byte {
		binary.LittleEndian.PutUint32(b[len(b)-4*train.Pixels+5*4:], math.Float32bits(float32(math.NaN())))
		return b
	})
	load("load-inf", func(b []byte) []byte {
		binary.LittleEndian.PutUint32(b[len(b)-4:], math.Float32bits(float32(math.Inf(-1))))
		return b
	})

	// MNIST files: a test-image file whose gzip checksum is wrong, and a
	// training-image file that is not gzip at all.
	d := filepath.Join(dir, "mnist-corrupt-test")
	must(os.MkdirAll(d, 0o755))
	images := idx(0x803, []uint32{3, 28, 28}, make([]byte, 3*train.Pixels))
	bad := gz(images)
	bad[len(bad)-6] ^= 1 // the CRC-32 in the gzip trailer
	must(os.WriteFile(filepath.Join(d, train.TestImages), bad, 0o644))
	must(os.WriteFile(filepath.Join(d, train.TestLabels), gz(idx(0x801, []uint32{3}, []byte{1, 2, 3})), 0o644))
	d = filepath.Join(dir, "mnist-not-gzip")
	must(os.MkdirAll(d, 0o755))
	must(os.WriteFile(filepath.Join(d, train.TrainImages), []byte(strings.Repeat("not gzip\n", 10)), 0o644))
}

// withHeader replaces an .npy file's header by h, padded to 16 bytes.
func withHeader(b []byte, h string) []byte {
	hlen := int(binary.LittleEndian.Uint16(b[8:10]))
	for (10+len(h)+1)%16 != 0 {
		h += " "
	}
	h += "\n"
	out := append([]byte(nil), b[:8]...)
	out = binary.LittleEndian.AppendUint16(out, uint16(len(h)))
	out = append(out, h...)
	return append(out, b[10+hlen:]...)
}

func idx(magic uint32, dims []uint32, body []byte) []byte {
	var buf bytes.Buffer
	binary.Write(&buf, binary.BigEndian, magic)
	binary.Write(&buf, binary.BigEndian, dims)
	buf.Write(body)
	return buf.Bytes()
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
