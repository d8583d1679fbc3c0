package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// WriteFile writes data to path atomically (see Write).
func WriteFile(path string, data []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// Write writes to path what write writes, through a buffered temporary file
// in the same folder, synced to disk, then renamed over path, and the
// folder synced: path holds either the old file or the whole new one, also
// after a crash of the machine. The data is not held in memory. On an error
// the temporary file is removed and path is untouched; the error names
// path.
func Write(path string, write func(io.Writer) error) error {
	tmp, err := stage(path, write)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return SyncDir(filepath.Dir(path))
}

// stage writes what write writes into a new temporary file beside path,
// synced to disk, and returns its name. On an error it removes the file.
func stage(path string, write func(io.Writer) error) (tmp string, err error) {
	f, err := os.CreateTemp(filepath.Dir(path), TempPrefix(path)+"*")
	if err != nil {
		return "", fmt.Errorf("cannot write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = fmt.Errorf("writing %s: %w", path, err)
		}
	}()
	b := bufio.NewWriter(f)
	if err = write(b); err != nil {
		return "", err
	}
	if err = b.Flush(); err != nil {
		return "", err
	}
	if err = f.Chmod(0o644); err != nil {
		return "", err
	}
	if err = f.Sync(); err != nil {
		return "", err
	}
	if err = f.Close(); err != nil {
		return "", err
	}
	return f.Name(), nil
}

// Set writes files that belong together, so that a failure leaves the old
// ones: Write puts each file's content in a synced temporary file beside
// it, and only Commit, once all are written, renames them over their
// targets (then syncs their folders). Abort removes the temporary files of
// what was not committed. A Set may be written to from several goroutines.
type Set struct {
	mu      sync.Mutex
	pending []staged
	remove  []string
}

type staged struct{ path, tmp string }

// Write stages path's new content, what write writes (see Write).
func (s *Set) Write(path string, write func(io.Writer) error) error {
	tmp, err := stage(path, write)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.pending = append(s.pending, staged{path, tmp})
	s.mu.Unlock()
	return nil
}

// WriteFile stages data as path's new content.
func (s *Set) WriteFile(path string, data []byte) error {
	return s.Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// Remove has Commit remove path after it has renamed every staged file: a
// file of the set that the new set does not make again, which would
// otherwise stand beside the new files as if it were one of them. A path
// that does not exist is no error.
func (s *Set) Remove(path string) {
	s.mu.Lock()
	s.remove = append(s.remove, path)
	s.mu.Unlock()
}

// Paths returns the paths staged and not yet committed, in the order they
// were staged.
func (s *Set) Paths() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var p []string
	for _, f := range s.pending {
		p = append(p, f.path)
	}
	return p
}

// Commit renames every staged file over its target, in the order they
// were staged, then removes the paths given to Remove, and syncs their
// folders. It returns the paths it renamed; after an error, those not
// renamed keep their old content and their temporary files are removed,
// and nothing is removed.
func (s *Set) Commit() (done []string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	dirs := map[string]bool{}
	for i, f := range s.pending {
		if err := os.Rename(f.tmp, f.path); err != nil {
			for _, g := range s.pending[i:] {
				os.Remove(g.tmp)
			}
			s.pending, s.remove = nil, nil
			return done, fmt.Errorf("writing %s: %w", f.path, err)
		}
		done = append(done, f.path)
		dirs[filepath.Dir(f.path)] = true
	}
	s.pending = nil
	for _, p := range s.remove {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			s.remove = nil
			return done, fmt.Errorf("removing %s: %w", p, err)
		}
		dirs[filepath.Dir(p)] = true
	}
	s.remove = nil
	for dir := range dirs {
		if err := SyncDir(dir); err != nil {
			return done, fmt.Errorf("syncing %s: %w", dir, err)
		}
	}
	return done, nil
}

// Abort removes the temporary files of what was staged and not committed.
func (s *Set) Abort() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.pending {
		os.Remove(f.tmp)
	}
	s.pending, s.remove = nil, nil
}

// RemoveTemp removes the temporary files that Write and Set would leave
// beside path if the program stopped before renaming them. Only the
// program that writes path may call it.
func RemoveTemp(path string) error {
	matches, err := filepath.Glob(filepath.Join(filepath.Dir(path), globEscape(TempPrefix(path))+"*"))
	if err != nil {
		return err
	}
	var errs []error
	for _, m := range matches {
		errs = append(errs, os.Remove(m))
	}
	return errors.Join(errs...)
}

// globEscape escapes the characters that filepath.Match treats specially.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// TempPrefix is the start of the names of Write's temporary files for
// path: a dot, path's base name and ".tmp".
func TempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp" }

// SyncDir syncs the folder dir, so that the names created, renamed or
// removed in it survive a crash of the machine.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
