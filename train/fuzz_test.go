package train

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"gorgonia.org/tensor"
)

// FuzzReadNpy feeds ReadNpy arbitrary bytes: it must return a tensor whose
// shape accounts for every data byte, or an error wrapping ErrNpy, and
// never panic or allocate more than the file's size suggests. Whatever it
// accepts, gorgonia's reader (which parses headers with looser rules) must
// read to the same shape and the same bits: one header, one meaning.
func FuzzReadNpy(f *testing.F) {
	for _, shape := range [][]int{{1}, {3, 4}, {2, 1, 3}} {
		var buf bytes.Buffer
		if err := tensor.New(tensor.WithShape(shape...), tensor.Of(tensor.Float32)).WriteNpy(&buf); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
		f.Add(buf.Bytes()[:buf.Len()-1])
	}
	for _, h := range []string{
		"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1), }          \n", // numpy.save's layout
		"{'shape': (2,), 'descr': '<f4', 'fortran_order': False}",
		"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'shape': (99999999999,)}", // issue 14
		"{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536), }\n",
	} {
		f.Add(append(npyHeader(h), make([]byte, 8)...))
	}
	f.Add([]byte("\x93NUMPY\x01\x00\xff\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ReadNpy(data)
		if err != nil {
			if !errors.Is(err, ErrNpy) {
				t.Fatalf("error %v does not wrap ErrNpy", err)
			}
			return
		}
		values := d.Data().([]float32)
		if len(values) != d.Shape().TotalSize() || len(values) == 0 {
			t.Fatalf("shape %v with %d values", d.Shape(), len(values))
		}
		hlen := int(binary.LittleEndian.Uint16(data[8:10]))
		if 10+hlen+4*len(values) != len(data) {
			t.Fatalf("%d values from a file of %d bytes with a %d-byte header", len(values), len(data), hlen)
		}
		theirs := new(tensor.Dense)
		if err := theirs.ReadNpy(bytes.NewReader(data)); err != nil {
			t.Fatalf("accepted %q (shape %v), gorgonia's reader says %v", data[10:10+hlen], d.Shape(), err)
		}
		if !theirs.Shape().Eq(d.Shape()) || theirs.Dtype() != tensor.Float32 {
			t.Fatalf("header %q: shape %v, gorgonia's reader reads %v %v", data[10:10+hlen], d.Shape(), theirs.Shape(), theirs.Dtype())
		}
		for i, x := range theirs.Data().([]float32) {
			if math.Float32bits(x) != math.Float32bits(values[i]) {
				t.Fatalf("value %d: %v, gorgonia's reader reads %v", i, values[i], x)
			}
		}
	})
}

// npyHeader returns the first bytes of a version 1.0 .npy file with the
// header h.
func npyHeader(h string) []byte {
	b := []byte("\x93NUMPY\x01\x00")
	b = binary.LittleEndian.AppendUint16(b, uint16(len(h)))
	return append(b, h...)
}

// idx returns an IDX file's bytes: the magic, the dimensions, the body.
func idx(magic uint32, dims []uint32, body []byte) []byte {
	var buf bytes.Buffer
	binary.Write(&buf, binary.BigEndian, magic)
	binary.Write(&buf, binary.BigEndian, dims)
	buf.Write(body)
	return buf.Bytes()
}

// gz compresses data unless it already starts with gzip's magic, so the
// fuzzer can vary both the IDX content and the gzip framing.
func gz(t testing.TB, data []byte) []byte {
	if isGzip(data) {
		return data
	}
	var buf bytes.Buffer
	gzWriter.Reset(&buf)
	if _, err := gzWriter.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := gzWriter.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// gzWriter is gz's compressor, made once: a new one allocates about a
// megabyte, which would make it most of a fuzz execution's cost (fuzz
// functions run one at a time in each worker process).
var gzWriter, _ = gzip.NewWriterLevel(nil, gzip.BestSpeed)

func isGzip(data []byte) bool { return len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b }

// FuzzLoadSet writes an image and a label file (IDX, gzip'd unless the
// input is gzip already) and loads them with LoadSet, which opens, checks
// and reads them: it must return the images and labels the files hold, or
// an error, and never panic or allocate from a header. The files are
// rewritten in one folder per worker process, and the seeds hold one image
// each, so that executions stay fast; FuzzReadIDX explores the headers and
// streams more quickly still.
func FuzzLoadSet(f *testing.F) {
	pixels := make([]byte, Pixels)
	for i := range pixels {
		pixels[i] = byte(i * 7)
	}
	images := idx(0x803, []uint32{1, 28, 28}, pixels)
	labels := idx(0x801, []uint32{1}, []byte{4})
	f.Add(images, labels)
	f.Add(images[:len(images)-1], labels)
	f.Add(images, labels[:len(labels)-1])
	f.Add(append(append([]byte{}, images...), 0), labels)
	f.Add(idx(0x803, []uint32{1 << 30, 28, 28}, nil), labels)
	f.Add(idx(0x803, []uint32{1, 28, 27}, pixels[:28*27]), labels)
	f.Add(idx(0x801, []uint32{1}, nil), images)
	f.Add(gz(f, images)[:20], gz(f, labels))
	corrupt := gz(f, images)
	corrupt[len(corrupt)-6] ^= 1 // the CRC-32 in the gzip trailer
	f.Add(corrupt, labels)
	dir := f.TempDir()
	ip, lp := filepath.Join(dir, "images.gz"), filepath.Join(dir, "labels.gz")
	f.Fuzz(func(t *testing.T, images, labels []byte) {
		if err := os.WriteFile(ip, gz(t, images), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(lp, gz(t, labels), 0o644); err != nil {
			t.Fatal(err)
		}
		d, err := LoadSet(ip, lp)
		if err != nil {
			return
		}
		// Accepted: the body must be exactly what the headers promise.
		if d.N < 1 || len(d.Images) != d.N*Pixels || len(d.Labels) != d.N {
			t.Fatalf("N %d with %d pixels and %d labels", d.N, len(d.Images), len(d.Labels))
		}
		if !bytes.Equal(d.Images, raw(t, images)[16:]) || !bytes.Equal(d.Labels, raw(t, labels)[8:]) {
			t.Fatal("loaded data differs from the files' bodies")
		}
	})
}

// raw is the decompressed content of a file gz wrote.
func raw(t *testing.T, data []byte) []byte {
	if !isGzip(data) {
		return data
	}
	z, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(z); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestLoadSetRejects(t *testing.T) {
	pixels := make([]byte, 2*Pixels)
	images := idx(0x803, []uint32{2, 28, 28}, pixels)
	labels := idx(0x801, []uint32{2}, []byte{3, 5})
	badCRC := gz(t, images)
	badCRC[len(badCRC)-6] ^= 1
	for _, tc := range []struct {
		name           string
		images, labels []byte
		want           string // in the error; "" for a valid pair
	}{
		{"valid", images, labels, ""},
		{"truncated images", images[:len(images)-1], labels, "truncated"},
		{"truncated header", images[:10], labels, "header"},
		{"trailing data", append(append([]byte{}, images...), 0), labels, "more data"},
		{"wrong magic", idx(0x801, []uint32{2, 28, 28}, pixels), labels, "magic number"},
		{"absurd count", idx(0x803, []uint32{1 << 31, 28, 28}, nil), labels, "claims 2147483648 items"},
		{"zero count", idx(0x803, []uint32{0, 28, 28}, nil), labels, "claims 0 items"},
		{"not 28×28", idx(0x803, []uint32{2, 28, 27}, pixels[:2*28*27]), labels, "28×27"},
		{"bad checksum", badCRC, labels, "checksum"},
		{"not gzip", []byte{0x1f, 0x8b, 0}, labels, "not a gzip"},
		{"fewer labels", images, idx(0x801, []uint32{1}, []byte{3}), "2 images but"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			ip, lp := filepath.Join(dir, "images.gz"), filepath.Join(dir, "labels.gz")
			if err := os.WriteFile(ip, gz(t, tc.images), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(lp, gz(t, tc.labels), 0o644); err != nil {
				t.Fatal(err)
			}
			d, err := LoadSet(ip, lp)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("valid files rejected: %v", err)
			case tc.want == "" && (d.N != 2 || d.Labels[1] != 5):
				t.Fatalf("loaded %d images, labels %v", d.N, d.Labels)
			case tc.want != "" && (err == nil || !bytes.Contains([]byte(err.Error()), []byte(tc.want))):
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// FuzzReadIDX fuzzes the header and body check alone, in memory, much
// faster than FuzzLoadSet with its files: an accepted stream must decompress
// to exactly the header and the items it claims. Its images are 2×2
// pixels (readIDX takes the size as an argument), so that inputs stay
// small and each execution, and the minimization of what it finds, is
// fast.
func FuzzReadIDX(f *testing.F) {
	images := idx(0x803, []uint32{3, 2, 2}, []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
	labels := idx(0x801, []uint32{2}, []byte{3, 5})
	f.Add(images, true)
	f.Add(labels, false)
	f.Add(images[:len(images)-1], true)
	f.Add(idx(0x803, []uint32{1 << 30, 2, 2}, nil), true)
	f.Add(gz(f, images), true)
	f.Fuzz(func(t *testing.T, data []byte, isImages bool) {
		magic, dims, size := uint32(0x801), []uint32(nil), 1
		if isImages {
			magic, dims, size = 0x803, []uint32{2, 2}, 4
		}
		g := gz(t, data)
		body, n, err := readIDX(bytes.NewReader(g), int64(len(g)), "fuzz", magic, dims)
		if err != nil {
			return
		}
		r := raw(t, data)
		if got, want := len(r), 4*(2+len(dims))+n*size; got != want || len(body) != n*size {
			t.Fatalf("accepted %d items of %d bytes (body %d) from a stream of %d bytes, want %d", n, size, len(body), got, want)
		}
		if !bytes.Equal(body, r[4*(2+len(dims)):]) {
			t.Fatal("the body read differs from the stream's")
		}
	})
}

// FuzzLoadCheckpoint writes arbitrary bytes as the state.json of a valid
// checkpoint (a small run, saved once) and loads it: LoadCheckpoint must
// refuse it with an error, or return a checkpoint that fits its own Run
// (every array's shape, the counters, finite losses), and never panic.
func FuzzLoadCheckpoint(f *testing.F) {
	d := &Dataset{Images: make([]uint8, 10*Pixels), Labels: make([]uint8, 10), N: 10}
	for i := range d.Images {
		d.Images[i] = uint8(i % 251)
	}
	cfg := Config{Epochs: 1, BatchSize: 4, K: 1, Persistent: true}
	src := NewSources(1)
	m := newTestTrainer(f, 3, 0.1, src)
	res, err := Fit(m, d, cfg, src, nil)
	if err != nil {
		f.Fatal(err)
	}
	dir := f.TempDir()
	if err := SaveCheckpoint(dir, Checkpoint{Model: m.Model(), Result: res, Run: cfg.Run(3, d.N), Settings: map[string]string{"seed": "1"}, History: json.RawMessage("[1]")}, src); err != nil {
		f.Fatal(err)
	}
	sub, _, err := readLatest(dir)
	if err != nil {
		f.Fatal(err)
	}
	state := filepath.Join(dir, sub, StateFile)
	valid, err := os.ReadFile(state)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	for _, edit := range [][2]string{
		{`"batches_done_in_next_epoch": 0`, `"batches_done_in_next_epoch": 2`},
		{`"batches_done_in_next_epoch": 0`, `"batches_done_in_next_epoch": 9223372036854775807`},
		{`"last_rows": 2`, `"last_rows": -1`},
		{`"hidden": 3`, `"hidden": 0`},
		{`"images": 10`, `"images": 8`},
		{`"loss_sum_in_next_epoch": 0`, `"loss_sum_in_next_epoch": 1e308`},
	} {
		f.Add(bytes.Replace(valid, []byte(edit[0]), []byte(edit[1]), 1))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(state, data, 0o644); err != nil {
			t.Fatal(err)
		}
		rehash(t, dir) // the checks behind the checksum
		ck, err := LoadCheckpoint(dir)
		if err != nil {
			return
		}
		r, res := ck.Run, ck.Result
		switch {
		case ck.Model.Hidden() != r.Hidden || ck.Model.Visible() != Pixels:
			t.Fatalf("a model of %d×%d for a run of %d hidden units", ck.Model.Hidden(), ck.Model.Visible(), r.Hidden)
		case res.Batches < 0 || res.Batches >= r.Batches() || len(res.Losses) == 0 && res.Batches == 0:
			t.Fatalf("%d batches done of %d, %d epochs", res.Batches, r.Batches(), len(res.Losses))
		case res.LastRows < 1 || res.LastRows > r.BatchSize || len(res.LastData) != res.LastRows*Pixels || len(res.LastRecon) != len(res.LastData):
			t.Fatalf("a last batch of %d rows with %d and %d values", res.LastRows, len(res.LastData), len(res.LastRecon))
		case r.Persistent != (res.Chain != nil) || r.Persistent && len(res.Chain) != min(r.BatchSize, r.Images)*Pixels:
			t.Fatalf("a chain of %d values for %+v", len(res.Chain), r)
		case math.IsNaN(res.Sum) || math.IsInf(res.Sum, 0):
			t.Fatalf("loss sum %v", res.Sum)
		}
		for _, l := range res.Losses {
			if math.IsNaN(l) || math.IsInf(l, 0) {
				t.Fatalf("loss %v", l)
			}
		}
		if err := ck.Restore(NewSources(2)); err != nil {
			t.Fatalf("an accepted random state does not restore: %v", err)
		}
	})
}
