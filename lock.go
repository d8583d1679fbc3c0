package main

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
// kernel, so a stale lock file is simply taken over. unlock removes the
// file and releases the lock.
func lockDir(dir, flag string) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create the %s folder: %w (choose another with %s)", flag, err, flag)
	}
	path := filepath.Join(dir, lockName)
	for {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("%s folder %s is not writable: %w (choose another with %s)", flag, dir, err, flag)
		}
		st, err := f.Stat()
		if err == nil && !st.Mode().IsRegular() {
			err = fmt.Errorf("%w: remove it", readfile.ErrNotRegular)
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock file %s: %w", path, err)
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
		// and our lock: then we hold a lock on nothing; try again.
		if now, err := os.Stat(path); err != nil || !os.SameFile(st, now) {
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
