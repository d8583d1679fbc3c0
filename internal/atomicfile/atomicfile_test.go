package atomicfile_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorbm.dev/gorbm/internal/atomicfile"
)

// TestWriteAtomic checks that a failing writer leaves neither the file nor a
// temporary one, that an existing file survives such a failure, and that a
// successful write replaces it whole.
func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "data.bin")
	fail := errors.New("disk full")
	for _, tc := range []struct {
		name  string
		write func(io.Writer) error
		want  string // the file's content afterwards; "" for no file
		err   bool
	}{
		{"fails half-way, no old file", func(w io.Writer) error { w.Write([]byte("half")); return fail }, "", true},
		{"writes", func(w io.Writer) error { _, err := w.Write([]byte("first")); return err }, "first", false},
		{"fails half-way over the old file", func(w io.Writer) error { w.Write([]byte("sec")); return fail }, "first", true},
		{"replaces", func(w io.Writer) error { _, err := w.Write([]byte("second")); return err }, "second", false},
	} {
		err := atomicfile.Write(path, tc.write)
		if (err != nil) != tc.err || (err != nil && !errors.Is(err, fail)) {
			t.Fatalf("%s: error %v, want error %t wrapping %v", tc.name, err, tc.err, fail)
		}
		got, rerr := os.ReadFile(path)
		switch {
		case tc.want == "" && !os.IsNotExist(rerr):
			t.Fatalf("%s: file exists (%q, %v), want none", tc.name, got, rerr)
		case tc.want != "" && string(got) != tc.want:
			t.Fatalf("%s: file holds %q (%v), want %q", tc.name, got, rerr, tc.want)
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if e.Name() != "data.bin" {
				t.Fatalf("%s: left %s behind", tc.name, e.Name())
			}
		}
	}
}

// TestWriteNamesFile checks that an error names the file, not a flag.
func TestWriteNamesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "x.bin")
	err := atomicfile.WriteFile(path, []byte("x"))
	if err == nil || !strings.Contains(err.Error(), path) || strings.Contains(err.Error(), "-out") {
		t.Fatalf("error %v, want one naming %s and no flag", err, path)
	}
}
