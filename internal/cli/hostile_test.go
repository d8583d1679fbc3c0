package cli

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gorbm.dev/gorbm/train"
)

// hostileTimeout is how long a refused run may take before the test calls
// it a hang: refusals come before any training, in milliseconds.
const hostileTimeout = 20 * time.Second

// hostileCase is a command line that must be refused: before any work
// (nothing printed on stdout, the -out folder as it was, or not made),
// with status code and a one-line message naming wants.
type hostileCase struct {
	name  string
	args  []string // after testArgs(out), or after -out out alone
	alone bool     // args without testArgs
	setup func(t *testing.T, out string) []string
	code  int
	wants []string
}

// runHostile runs each case in this process (a panic or a fatal error
// fails the whole test binary) with a time limit.
func runHostile(t *testing.T, cases []hostileCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			var extra []string
			if tc.setup != nil {
				extra = tc.setup(t, out)
			}
			var before map[string]string
			if _, err := os.Stat(out); err == nil {
				before = snapshot(t, out)
			}
			type result struct {
				stdout, stderr string
				code           int
			}
			done := make(chan result, 1)
			args := testArgs(out)
			if tc.alone {
				args = []string{"-out", out}
			}
			go func() {
				stdout, stderr, code := cliRun(t, append(append(args, tc.args...), extra...)...)
				done <- result{stdout, stderr, code}
			}()
			var r result
			select {
			case r = <-done:
			case <-time.After(hostileTimeout):
				t.Fatalf("no answer after %v: the run hangs", hostileTimeout)
			}
			checkFailure(t, r.stderr, r.code, tc.code, tc.wants...)
			if r.stdout != "" {
				t.Errorf("a refused run printed %q", r.stdout)
			}
			switch _, err := os.Stat(out); {
			case before != nil:
				sameSnapshot(t, "-out", before, snapshot(t, out))
			case tc.code == 2 && err == nil:
				t.Errorf("a usage error made the -out folder")
			case err == nil:
				sameSnapshot(t, "-out", map[string]string{}, snapshot(t, out))
			}
		})
	}
}

// TestSizeBounds covers class 1: each size flag at an absurd value, and
// at the largest int, is a usage error naming the memory the run would
// need and the memory there is, before anything is allocated.
func TestSizeBounds(t *testing.T) {
	maxInt := fmt.Sprint(math.MaxInt)
	var cases []hostileCase
	for _, f := range []struct{ flag, absurd, want string }{
		{"-hidden", "100000000", "-hidden"},
		{"-batch", "", "-batch"},
		{"-k", "1000000", "-k"},
		{"-sample-chains", "100000000", "-sample-chains"},
		{"-ais-chains", "1000000000", "-ais-chains"},
		{"-ais-betas", "100000000000", "-ais-betas"},
		{"-sample-steps", "", "-sample-steps"},
		{"-chains", "1000000", "-chains"}, // below train.MaxImages: the memory estimate refuses it
		{"-epochs", "", "-epochs"},
	} {
		values := []string{maxInt}
		if f.absurd != "" {
			values = append(values, f.absurd)
		}
		for _, v := range values {
			args := []string{f.flag, v, "-ais"}
			switch f.flag {
			case "-sample-steps":
				args = append(args, "-sample-every", "1")
			case "-chains":
				args = append(args, "-pcd")
			}
			if f.flag == "-batch" {
				args = append(args, "-limit", "0")
			}
			cases = append(cases, hostileCase{name: f.flag + " " + v, args: args, code: 2, wants: []string{f.want}})
		}
	}
	runHostile(t, cases)
}

// TestMemoryEstimate checks the estimate against a memory of 1 GB: the
// default job fits, a run with 100 times the hidden units does not, and no
// product overflows at the largest ints.
func TestMemoryEstimate(t *testing.T) {
	const gb = 1e9
	limit := MemoryLimit{gb, "a test's"}
	p := testPlan(t, t.TempDir(), "-hidden", "500", "-limit", "0")
	n := p.need(mnistTrainImages, mnistTestImages)
	if err := n.check(limit); err != nil {
		t.Errorf("the default job does not fit in 1 GB: %v", err)
	}
	// The default job's peak resident memory is about 80 MB (README);
	// an estimate from above lies between that and a few times it.
	if total := n.total(); total < 60e6 || total > 400e6 {
		t.Errorf("the default job's estimate is %d bytes, want 60 to 400 MB", total)
	}
	n.hidden = 50000
	if err := n.check(limit); err == nil || !strings.Contains(err.Error(), "-hidden 50000") {
		t.Errorf("50,000 hidden units in 1 GB: error %v, want one naming -hidden", err)
	}
	n = need{trainFile: math.MaxInt, images: math.MaxInt, test: math.MaxInt, hidden: math.MaxInt, training: true,
		batch: math.MaxInt, k: math.MaxInt, pcd: true, chains: math.MaxInt, evalData: true, ais: true,
		aisChains: math.MaxInt, raiseImages: math.MaxInt, aisBetas: math.MaxInt, sampleChains: math.MaxInt, sampleFrames: math.MaxInt}
	for _, c := range n.costs() {
		if c.bytes < gb {
			t.Errorf("%s at the largest ints: %d bytes (an overflow)", c.flags, c.bytes)
		}
	}
}

// memoryOverestimate bounds how far the estimate may exceed a run's peak:
// it counts every buffer at once and the pictures at their largest, while
// the collector frees some before others are made.
const memoryOverestimate = 3

// TestMemoryFromAbove runs the command where the model, or the batch with
// its Gibbs draws and pictures, takes most of the memory, and compares
// the peak resident memory above a tiny run's (the binary, the runtime,
// the data) with the estimate's growth over that run's: the estimate must
// not fall short, nor exceed it by more than memoryOverestimate times.
func TestMemoryFromAbove(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's shadow memory is most of a run's peak; the default build measures it")
	}
	t.Parallel() // processes of their own
	// peak runs gorbm and returns its peak RSS and the plan's estimate; it
	// runs on a goroutine of its own, so it reports a failure as an error.
	peak := func(args ...string) (rss, estimate uint64, err error) {
		args = testArgs(t.TempDir(), append([]string{"-epochs", "1"}, args...)...)
		cmd := command(args...)
		peakFile := filepath.Join(t.TempDir(), "peak")
		cmd.Env = append(cmd.Env, peakEnv+"="+peakFile)
		if out, err := cmd.CombinedOutput(); err != nil {
			return 0, 0, fmt.Errorf("%v: %w: %s", args, err, out)
		}
		b, err := os.ReadFile(peakFile)
		if err != nil {
			return 0, 0, err
		}
		kb, err := strconv.ParseUint(string(b), 10, 64)
		if err != nil {
			return 0, 0, err
		}
		p, err := plan(args...)
		if err != nil {
			return 0, 0, err
		}
		return kb * 1024, p.need(trainImages, testImages).total(), nil
	}
	runs := [][]string{
		{"-hidden", "10", "-limit", "64"}, // the tiny run the others are measured against
		{"-hidden", "2000", "-limit", "64"},
		{"-batch", "600", "-k", "4", "-limit", "0"},
	}
	rss, estimate, errs := make([]uint64, len(runs)), make([]uint64, len(runs)), make([]error, len(runs))
	var wg sync.WaitGroup
	for i, args := range runs { // side by side: each peak is its own process's
		wg.Go(func() { rss[i], estimate[i], errs[i] = peak(args...) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	baseRSS, baseEstimate := rss[0], estimate[0]
	for i, args := range runs[1:] {
		rss, estimate := rss[i+1], estimate[i+1]
		grew, estimated := rss-min(rss, baseRSS), estimate-baseEstimate
		t.Logf("%v: the peak grew by %s over a tiny run's, the estimate by %s", args, bytesString(grew), bytesString(estimated))
		if estimated < grew || estimated > memoryOverestimate*grew {
			t.Errorf("%v: the peak grew by %s over a tiny run's, the estimate by %s", args, bytesString(grew), bytesString(estimated))
		}
	}
}

// TestUsageErrors covers class 7's command lines: every mistake is found
// before any work, with status 2.
func TestUsageErrors(t *testing.T) {
	runHostile(t, []hostileCase{
		{name: "positional argument", args: []string{"oops", "-epochs", "1"}, code: 2, wants: []string{`unexpected argument "oops"`, "-epochs 1 would be ignored"}},
		{name: "learning rate 0 in float32", args: []string{"-lr", "1e-46"}, code: 2, wants: []string{"-lr 1e-46", "float32"}},
		{name: "learning rate beyond float32", args: []string{"-lr", "1e39"}, code: 2, wants: []string{"-lr 1e+39", "float32"}},
		{name: "learning rate NaN", args: []string{"-lr", "NaN"}, code: 2, wants: []string{"-lr NaN"}},
		{name: "not a number", args: []string{"-hidden", "many"}, code: 2, wants: []string{"-hidden", "gorbm -h"}},
		{name: "unknown flag", args: []string{"-hiden", "5"}, code: 2, wants: []string{"-hiden", "gorbm -h"}},
		{name: "negative batch", args: []string{"-batch", "-1"}, code: 2, wants: []string{"batch -1"}},
		{name: "zero epochs", args: []string{"-epochs", "0"}, code: 2, wants: []string{"epochs 0"}},
		{name: "resume and restart", args: []string{"-resume", "-restart"}, code: 2, wants: []string{"-resume with -restart"}},
		{name: "resume and load", args: []string{"-resume", "-load", "x"}, code: 2, wants: []string{"-resume with -load"}},
		{name: "empty -out", args: []string{"-out", ""}, code: 2, wants: []string{"-out is empty"}},
		{name: "profile is a folder", setup: func(t *testing.T, out string) []string {
			return []string{"-cpuprofile", t.TempDir()}
		}, code: 2, wants: []string{"-cpuprofile", "not a file"}},
		{name: "profile in a missing folder", setup: func(t *testing.T, out string) []string {
			return []string{"-cpuprofile", filepath.Join(t.TempDir(), "no", "cpu.out")}
		}, code: 1, wants: []string{"-cpuprofile", "no such file"}},
	})
}

// TestHostileFiles covers classes 2, 7 and 8: crafted -load folders
// (testdata/hostile, made by its gen.go), broken MNIST files, and FIFOs,
// devices and folders where files belong. Each is refused before training,
// at once, with a message naming the file and the problem.
func TestHostileFiles(t *testing.T) {
	hostile := func(name string) string { return filepath.Join("..", "..", "testdata", "hostile", name) }
	// dataWith is testData with the files of the hostile folder name.
	dataWith := func(t *testing.T, name string) string {
		d := filepath.Join(t.TempDir(), "data")
		copyDir(t, testData, d)
		copyDir(t, hostile(name), d)
		return d
	}
	// replaced is testData with one file replaced by what make makes.
	replaced := func(file string, make func(path string) error) func(*testing.T, string) []string {
		return func(t *testing.T, out string) []string {
			d := filepath.Join(t.TempDir(), "data")
			copyDir(t, testData, d)
			p := filepath.Join(d, file)
			os.Remove(p)
			if err := make(p); err != nil {
				t.Fatal(err)
			}
			return []string{"-data", d}
		}
	}
	fifo := func(p string) error { return syscall.Mkfifo(p, 0o644) }
	devZero := func(p string) error { return os.Symlink("/dev/zero", p) }
	folder := func(p string) error { return os.Mkdir(p, 0o755) }
	// checkpointWith is a complete run's folder with checkpoint/latest
	// replaced by what make makes.
	checkpointWith := func(make func(path string) error) func(*testing.T, string) []string {
		return func(t *testing.T, out string) []string {
			copyDir(t, completeRun(t), out)
			p := filepath.Join(out, "checkpoint", train.Latest)
			os.Remove(p)
			if err := make(p); err != nil {
				t.Fatal(err)
			}
			return append(completeArgs(out)[len(testArgs(out)):], "-resume", "-epochs", "3")
		}
	}
	runHostile(t, []hostileCase{
		{name: "npy with a repeated shape key", args: []string{"-load", hostile("load-duplicate-shape")}, code: 1,
			wants: []string{"W.npy", "'shape' given twice", "-load"}},
		{name: "npy with an unknown key", args: []string{"-load", hostile("load-unknown-key")}, code: 1, wants: []string{"W.npy", "unknown key 'order'"}},
		{name: "npy with a huge shape", args: []string{"-load", hostile("load-huge-shape")}, code: 1, wants: []string{"W.npy", "totalling at most"}},
		{name: "npy truncated", args: []string{"-load", hostile("load-truncated")}, code: 1, wants: []string{"W.npy", "truncated"}},
		{name: "NaN in -load's W", args: []string{"-load", hostile("load-nan")}, code: 1, wants: []string{"W[1][5] is NaN", "load another folder"}},
		{name: "-Inf in -load's W", args: []string{"-load", hostile("load-inf")}, code: 1, wants: []string{"W[1][783] is -Inf"}},
		{name: "-hidden against -load", args: []string{"-load", hostile("load-valid"), "-hidden", "3"}, code: 1, wants: []string{"-hidden 3 with -load", "2 hidden units"}},
		{name: "W.npy is a FIFO", setup: func(t *testing.T, out string) []string {
			d := filepath.Join(t.TempDir(), "load")
			copyDir(t, hostile("load-valid"), d)
			os.Remove(filepath.Join(d, train.FileW))
			if err := fifo(filepath.Join(d, train.FileW)); err != nil {
				t.Fatal(err)
			}
			return []string{"-load", d}
		}, code: 1, wants: []string{"W.npy", "not a regular file (a FIFO)"}},
		{name: "corrupt test set with -eval", setup: func(t *testing.T, out string) []string {
			return []string{"-data", dataWith(t, "mnist-corrupt-test"), "-eval"}
		}, code: 1, wants: []string{"-eval needs the test set", "t10k-images", "checksum"}},
		{name: "missing test set with -ais", setup: replaced(train.TestImages, func(string) error { return nil }), args: []string{"-ais"}, code: 1,
			wants: []string{"-ais needs the test set", "no such file"}},
		{name: "too few test images for the chains", args: []string{"-sample-from", "test", "-sample-chains", "101"}, code: 1,
			wants: []string{"-sample-chains 101", "only 100 test images"}},
		{name: "training images not gzip", setup: func(t *testing.T, out string) []string {
			return []string{"-data", dataWith(t, "mnist-not-gzip")}
		}, code: 1, wants: []string{"train-images", "not a gzip file"}},
		{name: "training images are a FIFO", setup: replaced(train.TrainImages, fifo), code: 1, wants: []string{"train-images", "a FIFO"}},
		{name: "training images are /dev/zero", setup: replaced(train.TrainImages, devZero), code: 1, wants: []string{"train-images", "a device"}},
		{name: "test labels are a folder", setup: replaced(train.TestLabels, folder), args: []string{"-eval"}, code: 1, wants: []string{"t10k-labels", "a folder"}},
		{name: "checkpoint/latest is a FIFO", setup: checkpointWith(fifo), code: 1, wants: []string{"latest", "a FIFO", "-restart"}},
		{name: "checkpoint/latest is /dev/zero", setup: checkpointWith(devZero), code: 1, wants: []string{"latest", "a device"}},
		{name: "-out below a file", setup: func(t *testing.T, out string) []string {
			f := filepath.Join(t.TempDir(), "file")
			os.WriteFile(f, nil, 0o644)
			return []string{"-out", filepath.Join(f, "out")}
		}, code: 1, wants: []string{"-out", "not a directory"}},
		{name: "-checkpoint in /proc", args: []string{"-checkpoint", "/proc/self/checkpoint"}, code: 1, wants: []string{"-checkpoint"}},
	})
}
