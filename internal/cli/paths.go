package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"gorbm.dev/gorbm/internal/readfile"
	"gorbm.dev/gorbm/train"
)

// paths are a run's files and folders as the flags name them (cleaned),
// with the defaults filled in: GoMNIST's MNIST folder, 'checkpoint' inside
// -out. findPaths checks them by looking at what is there; the run makes
// the folders.
type paths struct {
	data, out, checkpoint, load, profile string
}

// mnistFiles are the four files of the MNIST folder.
var mnistFiles = []string{train.TrainImages, train.TrainLabels, train.TestImages, train.TestLabels}

// loadFiles are the files -load reads.
var loadFiles = []string{train.FileW, train.FileVBias, train.FileHBias}

// findPaths resolves and checks the paths of a run of s: the folders are
// folders or not there yet, no output is taken by a folder, and the CPU
// profile is none of the files the run reads or writes. Nothing is made.
func findPaths(f Flags, s settings, dataDir func() (string, error)) (paths, error) {
	p := paths{data: f.data, out: filepath.Clean(f.out), load: f.load, profile: f.cpuProfile}
	if p.data == "" {
		dir, err := dataDir()
		if err != nil {
			return p, fmt.Errorf("%w (or pass -data DIR with the four MNIST .gz files)", err)
		}
		p.data = dir
	}
	if err := folder(p.out, "-out"); err != nil {
		return p, err
	}
	training := s.epochs > 0
	outputs := outputNames(training)
	for _, name := range outputs {
		fi, err := os.Lstat(filepath.Join(p.out, name))
		if err == nil && !fi.Mode().IsRegular() && fi.Mode()&fs.ModeSymlink == 0 {
			return p, fmt.Errorf("-out %s: %s is %s, where the run writes its file %s: remove it, or choose another -out", p.out, filepath.Join(p.out, name), readfile.Kind(fi.Mode()), name)
		}
	}
	written := make([]string, 0, len(outputs)+2)
	for _, name := range append(outputs, lockName) {
		written = append(written, filepath.Join(p.out, name))
	}
	if training {
		p.checkpoint = filepath.Join(p.out, "checkpoint")
		if f.checkpoint != "" {
			p.checkpoint = filepath.Clean(f.checkpoint)
		}
		if err := folder(p.checkpoint, "-checkpoint"); err != nil {
			return p, err
		}
		for _, w := range written {
			if samePath(p.checkpoint, w) {
				return p, fmt.Errorf("-checkpoint %s is %s, an output of the run: choose another folder", p.checkpoint, w)
			}
		}
		written = append(written, filepath.Join(p.checkpoint, lockName))
	}
	if p.profile != "" {
		if err := p.checkProfile(written); err != nil {
			return p, err
		}
	}
	return p, nil
}

// checkProfile checks that -cpuprofile names a file that can be written in
// an existing folder, and that it is none of the run's inputs, none of its
// outputs (written) and nothing in its checkpoint folder, which the
// profile would overwrite.
func (p paths) checkProfile(written []string) error {
	if st, err := os.Stat(p.profile); err == nil && !st.Mode().IsRegular() {
		return usagef("-cpuprofile %s is not a file (%s): name a file to write", p.profile, readfile.Kind(st.Mode()))
	}
	var inputs []string
	for _, name := range mnistFiles {
		inputs = append(inputs, filepath.Join(p.data, name))
	}
	if p.load != "" {
		for _, name := range loadFiles {
			inputs = append(inputs, filepath.Join(p.load, name))
		}
	}
	for _, what := range []struct {
		role  string
		files []string
	}{{"an input", inputs}, {"an output", written}} {
		for _, file := range what.files {
			if samePath(p.profile, file) {
				return fmt.Errorf("-cpuprofile %s is %s, %s of the run, which the profile would overwrite: name another file", p.profile, file, what.role)
			}
		}
	}
	if p.checkpoint != "" && within(p.profile, p.checkpoint) {
		return fmt.Errorf("-cpuprofile %s is inside the checkpoint folder %s, whose files the profile must not replace: name a file elsewhere", p.profile, p.checkpoint)
	}
	if st, err := os.Stat(filepath.Dir(p.profile)); err != nil || !st.IsDir() {
		if err == nil {
			err = fmt.Errorf("%s is not a folder", filepath.Dir(p.profile))
		}
		return fmt.Errorf("-cpuprofile %s: %w (choose a file in a writable folder)", p.profile, err)
	}
	return nil
}

// folder checks that path, named by flag, is a folder or not there yet.
func folder(path, flag string) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("%s %s: %w (choose another %s)", flag, path, err, flag)
	case !st.IsDir():
		return fmt.Errorf("%s %s is %s, not a folder: choose another %s", flag, path, readfile.Kind(st.Mode()), flag)
	}
	return nil
}

// resolved returns the absolute path of p with the symbolic links of the
// part of it that exists followed: two spellings of one place, relative
// and absolute or through a link, resolve alike.
func resolved(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	rest := ""
	for dir := abs; ; {
		if r, err := filepath.EvalSymlinks(dir); err == nil {
			return filepath.Join(r, rest)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return abs
		}
		rest = filepath.Join(filepath.Base(dir), rest)
		dir = parent
	}
}

// samePath reports whether a and b name the same file or folder: by
// identity (os.SameFile) when both exist, else by their resolved paths.
func samePath(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(sa, sb)
	}
	return resolved(a) == resolved(b)
}

// within reports whether p is dir or below it.
func within(p, dir string) bool {
	rp, rd := resolved(p), resolved(dir)
	return rp == rd || strings.HasPrefix(rp, rd+string(filepath.Separator))
}
