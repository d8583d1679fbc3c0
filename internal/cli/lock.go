package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gorbm.dev/gorbm/internal/readfile"
)

// lockName is the lock file a run keeps in -out and in -checkpoint.
const lockName = ".gorbm.lock"

// errLocked reports a folder another run holds.
var errLocked = errors.New("in use by another gorbm")

// lockDir makes dir (the folder of flag) if needed and takes its lock: the
// file lockName, locked with flock and holding this process's PID. A second
// run on the same folder fails at once with an error wrapping errLocked
// that names the owner's PID; a lock whose owner died is released by the
// kernel, so a stale lock file is simply taken over. The lock file must be
// what lockDir makes, a regular file with one name, inside dir: a symbolic
// link, a hard link or anything else in its place is refused before it is
// written to, so the file it points to is never touched. unlock removes
// the file and releases the lock.
func lockDir(dir, flag string) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create the %s folder: %w (choose another with %s)", flag, err, flag)
	}
	path := filepath.Join(dir, lockName)
	foreign := func(what string) error {
		return fmt.Errorf("lock file %s is %s, not a lock file of gorbm: remove it (gorbm makes its own)", path, what)
	}
	for {
		if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
			return nil, foreign(readfile.Kind(fi.Mode()))
		}
		f, err := openLock(path)
		if err != nil {
			if fi, lerr := os.Lstat(path); lerr == nil && !fi.Mode().IsRegular() {
				return nil, foreign(readfile.Kind(fi.Mode()))
			}
			return nil, fmt.Errorf("%s folder %s is not writable: %w (choose another with %s)", flag, dir, err, flag)
		}
		st, err := f.Stat()
		switch {
		case err != nil:
			f.Close()
			return nil, fmt.Errorf("lock file %s: %w", path, err)
		case !st.Mode().IsRegular():
			f.Close()
			return nil, foreign(readfile.Kind(st.Mode()))
		case links(st) != 1:
			f.Close()
			return nil, foreign(fmt.Sprintf("a file with %d names (a hard link)", links(st)))
		}
		if err := flock(f); err != nil {
			pid := "unknown"
			if b, rerr := readfile.ReadAll(f, path, 32); rerr == nil && len(b) > 0 {
				pid = strings.TrimSpace(string(b))
			}
			f.Close()
			if errors.Is(err, errWouldBlock) {
				return nil, fmt.Errorf("%s folder %s is %w (PID %s, lock file %s): wait for it to end, or choose another %s",
					flag, dir, errLocked, pid, path, flag)
			}
			return nil, fmt.Errorf("lock file %s: %w", path, err)
		}
		// The previous owner may have removed the file between our open
		// and our lock, or another name may have taken its place: then we
		// hold a lock on nothing; try again.
		if now, err := os.Lstat(path); err != nil || !os.SameFile(st, now) {
			f.Close()
			continue
		}
		if err := f.Truncate(0); err == nil {
			_, err = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s folder %s is not writable: %w (choose another with %s)", flag, dir, err, flag)
		}
		return func() {
			os.Remove(path)
			f.Close()
		}, nil
	}
}
