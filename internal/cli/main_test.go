package cli

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"gorbm.dev/gorbm/train"
)

// The tests train on a small copy of MNIST, made once by TestMain: the
// first trainImages training and testImages test images. Reading it costs
// milliseconds where the full set costs a third of a second a run.
const (
	trainImages = 600
	testImages  = 100
)

// testLimit keeps the end-to-end tests small: 300 images are 4 batches of
// 64 and a last batch of 44, so the partial batch is exercised too.
const testLimit = 300

var (
	testData string // the small MNIST folder
	testTmp  string // TestMain's folder, for the binary
)

func TestMain(m *testing.M) {
	if os.Getenv(asCommand) != "" {
		env := OSEnv()
		env.Hook = signalHook()
		TuneGC()
		code := Main(os.Args[1:], env)
		writePeak()
		os.Exit(code)
	}
	os.Exit(func() int {
		var err error
		if testTmp, err = os.MkdirTemp("", "gorbm-test-"); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(testTmp)
		testData = filepath.Join(testTmp, "mnist")
		if err := smallMNIST(testData); err != nil {
			fmt.Fprintln(os.Stderr, "making the small MNIST copy:", err)
			return 1
		}
		return m.Run()
	}())
}

// smallMNIST writes into dir the first images of each bundled MNIST file,
// with headers that say so.
func smallMNIST(dir string) error {
	src, err := train.DataDir()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range []struct {
		name      string
		n, header int
		itemSize  int
	}{
		{train.TrainImages, trainImages, 16, train.Pixels}, {train.TrainLabels, trainImages, 8, 1},
		{train.TestImages, testImages, 16, train.Pixels}, {train.TestLabels, testImages, 8, 1},
	} {
		in, err := os.Open(filepath.Join(src, f.name))
		if err != nil {
			return err
		}
		z, err := gzip.NewReader(in)
		if err != nil {
			return err
		}
		b := make([]byte, f.header+f.n*f.itemSize)
		_, err = io.ReadFull(z, b)
		in.Close()
		if err != nil {
			return err
		}
		binary.BigEndian.PutUint32(b[4:], uint32(f.n))
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write(b)
		w.Close()
		if err := os.WriteFile(filepath.Join(dir, f.name), buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// testPlan is the plan of a small run into out, with extra flags.
func testPlan(t *testing.T, out string, extra ...string) *Plan {
	t.Helper()
	p, err := plan(testArgs(out, extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// plan parses args and makes their plan.
func plan(args ...string) (*Plan, error) {
	f, err := Parse(args, io.Discard)
	if err != nil {
		return nil, err
	}
	return NewPlan(f, Env{})
}

// testArgs are the flags of a small run into out, before extra.
func testArgs(out string, extra ...string) []string {
	return append([]string{"-hidden", "50", "-seed", "7", "-data", testData, "-out", out, "-limit", fmt.Sprint(testLimit),
		"-sample-steps", "20", "-sample-every", "5"}, extra...)
}

// cliRun runs the command in this process with args and returns what it
// printed and its status.
func cliRun(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = Main(args, Env{Stdout: &o, Stderr: &e})
	return o.String(), e.String(), code
}

// checkFailure checks a failed run: the status, a single line on stderr
// that names each of wants, and neither a panic nor a goroutine dump.
func checkFailure(t *testing.T, stderr string, code, wantCode int, wants ...string) {
	t.Helper()
	if code != wantCode {
		t.Errorf("status %d, want %d; stderr: %s", code, wantCode, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "gorbm: ") || !strings.HasSuffix(stderr, "\n") {
		t.Errorf("the last line of stderr is not one gorbm message: %q", stderr)
	}
	for _, w := range wants {
		if !strings.Contains(lines[len(lines)-1], w) {
			t.Errorf("message %q lacks %q", lines[len(lines)-1], w)
		}
	}
	for _, bad := range []string{"panic", "goroutine ", "fatal error"} {
		if strings.Contains(stderr, bad) {
			t.Errorf("stderr has %q: %s", bad, stderr)
		}
	}
}

// checkpointSub matches the random part of a checkpoint subfolder's name
// (os.MkdirTemp's), which snapshot replaces by "*".
var checkpointSub = regexp.MustCompile(`(epoch[0-9]+-batch[0-9]+-)[0-9]+`)

// snapshot returns every file below dir with its content (symbolic links
// and other special files by their type), for comparing a folder before
// and after a run. Checkpoint subfolders are named without their random
// part, in paths and in the file latest, so that a checkpoint written
// again with the same content compares equal.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = checkpointSub.ReplaceAllString(rel, "$1*")
		switch {
		case e.Type().IsRegular():
			b, err := os.ReadFile(path)
			files[rel] = checkpointSub.ReplaceAllString(string(b), "$1*")
			return err
		case !e.IsDir():
			files[rel] = e.Type().String()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// sameSnapshot fails the test when the files differ between two snapshots.
func sameSnapshot(t *testing.T, what string, before, after map[string]string) {
	t.Helper()
	for name, b := range before {
		if a, ok := after[name]; !ok {
			t.Errorf("%s: %s is gone", what, name)
		} else if a != b {
			t.Errorf("%s: %s changed", what, name)
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok {
			t.Errorf("%s: %s appeared", what, name)
		}
	}
}

// copyDir copies the folder src (files and folders only) to dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if e.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

var (
	completeOnce sync.Once
	completeDir  string
	completeLog  string // what it printed
	completeErr  error
)

// completeRun returns a copy of the -out folder of a finished small run
// (testArgs, 2 epochs, -pcd, -eval: every output and a checkpoint).
func completeRun(t *testing.T) string {
	t.Helper()
	completeOnce.Do(func() {
		completeDir = filepath.Join(testTmp, "complete")
		var stderr string
		var code int
		if completeLog, stderr, code = cliRun(t, completeArgs(completeDir)...); code != 0 {
			completeErr = fmt.Errorf("the complete run failed: %s", stderr)
		}
	})
	if completeErr != nil {
		t.Fatal(completeErr)
	}
	out := filepath.Join(t.TempDir(), "out")
	copyDir(t, completeDir, out)
	return out
}

// completeArgs are the flags of completeRun's run into out.
func completeArgs(out string, extra ...string) []string {
	return testArgs(out, append([]string{"-pcd", "-eval"}, extra...)...)
}

// outputs are the outputs of a training run without -complete.
var outputs = slices.DeleteFunc(outputNames(true), func(name string) bool { return name == fileCompletion })

// TestReproducible runs the job with GOMAXPROCS 1 and 2 and the same seed:
// the printed losses and every output file must be byte-identical; another
// seed must print other losses.
func TestReproducible(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var first map[string]string
	var firstLog string
	for _, procs := range []int{1, 2} {
		runtime.GOMAXPROCS(procs)
		out := t.TempDir()
		log, stderr, code := cliRun(t, testArgs(out)...)
		if code != 0 {
			t.Fatal(stderr)
		}
		files := snapshot(t, out)
		for _, name := range outputs {
			if _, ok := files[name]; !ok {
				t.Errorf("GOMAXPROCS=%d: %s not written", procs, name)
			}
		}
		if first == nil {
			first, firstLog = files, log
			continue
		}
		if log != firstLog {
			t.Errorf("GOMAXPROCS=%d printed\n%s\nfirst run printed\n%s", procs, log, firstLog)
		}
		sameSnapshot(t, fmt.Sprintf("GOMAXPROCS=%d", procs), first, files)
	}
	// A different seed must give different results, or the test above
	// could pass on a program that ignores its randomness.
	log, stderr, code := cliRun(t, testArgs(t.TempDir(), "-seed", "8")...)
	if code != 0 {
		t.Fatal(stderr)
	}
	if log == firstLog {
		t.Errorf("seed 8 printed the same losses as seed 7")
	}
}

// TestCPUProfile checks -cpuprofile: a run writes a profile that pprof
// accepts the magic of (gzip), a failed run none.
func TestCPUProfile(t *testing.T) {
	out := t.TempDir()
	path := filepath.Join(out, "cpu.out")
	if err := profiled(path, func() error { return errors.New("failed") }); err == nil || err.Error() != "failed" {
		t.Fatalf("a failed run: error %v, want the run's", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a failed run left a profile: %v", err)
	}
	if err := profiled(path, func() error { return nil }); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Fatalf("profile %s: %d bytes, error %v; want a gzip'd profile", path, len(b), err)
	}
}

// command returns a command that runs gorbm with args as a process of its
// own: this test binary, which TestMain turns into the command.
func command(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), asCommand+"=1")
	return cmd
}

// scriptOutputNames are the outputs of the script: its pictures and the
// parameters.
func scriptOutputNames() []string {
	return []string{fileReal, fileGenerated, fileFigure, train.FileW, train.FileVBias, train.FileHBias}
}
