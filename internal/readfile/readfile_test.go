package readfile_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"gorbm.dev/gorbm/internal/readfile"
)

// TestReadFile checks what ReadFile opens: a regular file (also through a
// symbolic link) up to its limit; a FIFO (without waiting for a writer), a
// device, a folder and a file over the limit are errors naming the path.
func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	path := func(name string) string { return filepath.Join(dir, name) }
	if err := os.WriteFile(path("file"), []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(path("file"), path("link")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(path("fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", path("zero")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(path("folder"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		limit int64
		want  error  // nil: the file's content
		kind  string // in the message
	}{
		{"file", 10, nil, ""},
		{"link", 10, nil, ""},
		{"file", 9, readfile.ErrTooLarge, "more than 9 bytes"},
		{"fifo", 10, readfile.ErrNotRegular, "a FIFO"},
		{"zero", 10, readfile.ErrNotRegular, "a device"},
		{"folder", 10, readfile.ErrNotRegular, "a folder"},
		{"missing", 10, os.ErrNotExist, ""},
	} {
		done := make(chan struct{})
		var b []byte
		var err error
		go func() {
			b, err = readfile.ReadFile(path(tc.name), tc.limit)
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: ReadFile hangs", tc.name)
		}
		switch {
		case tc.want == nil && (err != nil || string(b) != "0123456789"):
			t.Errorf("%s: %q, %v; want the content", tc.name, b, err)
		case tc.want != nil && (!errors.Is(err, tc.want) || !strings.Contains(err.Error(), path(tc.name)) || !strings.Contains(err.Error(), tc.kind)):
			t.Errorf("%s: error %v, want %v naming the path and %q", tc.name, err, tc.want, tc.kind)
		}
	}
}
