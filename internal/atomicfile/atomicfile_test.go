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

// TestSet writes three files as a set: a failure while staging the second
// must leave all three old files, a commit replaces all three, and
// RemoveTemp clears what a killed writer would leave.
func TestSet(t *testing.T) {
	dir := t.TempDir()
	names := []string{"a.png", "b.npy", "c.json"}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("old "+n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	contents := func() string {
		var s []string
		for _, n := range names {
			b, err := os.ReadFile(filepath.Join(dir, n))
			if err != nil {
				t.Fatal(err)
			}
			s = append(s, string(b))
		}
		return strings.Join(s, ",")
	}
	onlyTargets := func(when string) {
		entries, _ := os.ReadDir(dir)
		if len(entries) != len(names) {
			t.Errorf("%s: the folder holds %d entries, want the %d targets", when, len(entries), len(names))
		}
	}
	fail := errors.New("no space left on device")

	var s atomicfile.Set
	if err := s.WriteFile(filepath.Join(dir, names[0]), []byte("new a")); err != nil {
		t.Fatal(err)
	}
	err := s.Write(filepath.Join(dir, names[1]), func(w io.Writer) error { w.Write([]byte("ne")); return fail })
	if !errors.Is(err, fail) {
		t.Fatalf("failing write: error %v, want %v", err, fail)
	}
	if got := s.Paths(); len(got) != 1 || got[0] != filepath.Join(dir, names[0]) {
		t.Errorf("staged %v, want only %s", got, names[0])
	}
	s.Abort()
	if got, want := contents(), "old a.png,old b.npy,old c.json"; got != want {
		t.Errorf("after a failed set: %q, want %q", got, want)
	}
	onlyTargets("after Abort")

	for i, n := range names {
		if err := s.WriteFile(filepath.Join(dir, n), []byte("new "+names[i])); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := contents(), "old a.png,old b.npy,old c.json"; got != want {
		t.Errorf("staged, not committed: %q, want the old %q", got, want)
	}
	done, err := s.Commit()
	if err != nil || len(done) != 3 {
		t.Fatalf("Commit: %v, %v", done, err)
	}
	if got, want := contents(), "new a.png,new b.npy,new c.json"; got != want {
		t.Errorf("after Commit: %q, want %q", got, want)
	}
	onlyTargets("after Commit")

	// A set that does not make c.json again removes the old one, and only
	// when it commits.
	stale := filepath.Join(dir, "d.png")
	if err := os.WriteFile(stale, []byte("old d.png"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteFile(filepath.Join(dir, names[0]), []byte("newer a")); err != nil {
		t.Fatal(err)
	}
	s.Remove(stale)
	s.Remove(filepath.Join(dir, "never.png"))
	s.Abort()
	if _, err := os.Stat(stale); err != nil {
		t.Errorf("an aborted set removed a file: %v", err)
	}
	if err := s.WriteFile(filepath.Join(dir, names[0]), []byte("new a.png")); err != nil {
		t.Fatal(err)
	}
	s.Remove(stale)
	s.Remove(filepath.Join(dir, "never.png"))
	if _, err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a committed set left the file it removes: %v", err)
	}
	onlyTargets("after a Commit with a removal")

	// What a killed writer leaves: temporary files of every target.
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, atomicfile.TempPrefix(n)+"123"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := atomicfile.RemoveTemp(filepath.Join(dir, n)); err != nil {
			t.Fatal(err)
		}
	}
	onlyTargets("after RemoveTemp")
}
