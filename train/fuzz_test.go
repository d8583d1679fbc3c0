package train

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
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
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		return data
	}
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzLoadSet writes an image and a label file (IDX, gzip'd unless the
// input is gzip already) and loads them with LoadSet, both of its passes
// (the check and the read into the Dataset): it must return the images and labels the
// files hold, or an error, and never panic or allocate from a header.
func FuzzLoadSet(f *testing.F) {
	pixels := make([]byte, 3*Pixels)
	for i := range pixels {
		pixels[i] = byte(i * 7)
	}
	images := idx(0x803, []uint32{3, 28, 28}, pixels)
	labels := idx(0x801, []uint32{3}, []byte{4, 1, 9})
	f.Add(images, labels)
	f.Add(images[:len(images)-1], labels)
	f.Add(images, labels[:len(labels)-1])
	f.Add(append(append([]byte{}, images...), 0), labels)
	f.Add(idx(0x803, []uint32{1 << 30, 28, 28}, nil), labels)
	f.Add(idx(0x803, []uint32{3, 28, 27}, pixels), labels)
	f.Add(idx(0x801, []uint32{3}, nil), images)
	f.Add(gz(f, images)[:20], gz(f, labels))
	corrupt := gz(f, images)
	corrupt[len(corrupt)-6] ^= 1 // the CRC-32 in the gzip trailer
	f.Add(corrupt, labels)
	f.Fuzz(func(t *testing.T, images, labels []byte) {
		dir := t.TempDir()
		ip, lp := filepath.Join(dir, "images.gz"), filepath.Join(dir, "labels.gz")
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
	z, err := gzip.NewReader(bytes.NewReader(gz(t, data)))
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
// to exactly the header and the items it claims.
func FuzzReadIDX(f *testing.F) {
	images := idx(0x803, []uint32{2, 28, 28}, make([]byte, 2*Pixels))
	labels := idx(0x801, []uint32{2}, []byte{3, 5})
	f.Add(images, true)
	f.Add(labels, false)
	f.Add(images[:len(images)-1], true)
	f.Add(idx(0x803, []uint32{1 << 30, 28, 28}, nil), true)
	f.Fuzz(func(t *testing.T, data []byte, isImages bool) {
		magic, dims, size := uint32(0x801), 1, 1
		if isImages {
			magic, dims, size = 0x803, 3, Pixels
		}
		g := gz(t, data)
		body, n, err := readIDX(bytes.NewReader(g), int64(len(g)), "fuzz", magic, dims)
		if err != nil {
			return
		}
		r := raw(t, data)
		if got, want := len(r), 4*(1+dims)+n*size; got != want || len(body) != n*size {
			t.Fatalf("accepted %d items of %d bytes (body %d) from a stream of %d bytes, want %d", n, size, len(body), got, want)
		}
		if !bytes.Equal(body, r[4*(1+dims):]) {
			t.Fatal("the body read differs from the stream's")
		}
	})
}
