package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"gorbm.dev/gorbm/train"
)

// testLimit keeps the end-to-end tests small: 300 images are 5 batches of
// 64 and a last batch of 44, so the partial batch is exercised too.
const testLimit = 300

func testOptions(t *testing.T, out string) options {
	t.Helper()
	dir, err := train.DataDir()
	if err != nil {
		t.Fatal(err)
	}
	var o options
	flagSet(&o) // the command's defaults
	o.hidden, o.seed, o.data, o.out, o.limit = 50, 7, dir, out, testLimit
	o.checkpoint = defaultCheckpoint(out)
	return o
}

var outputs = []string{"RBM_out_real.png", "RBM_out_generated.png", "RBM_out_figure.png", "W.npy", "v_bias.npy", "h_bias.npy"}

// TestReproducible runs the job twice per GOMAXPROCS setting with the same
// seed: the printed losses and every output file must be byte-identical,
// across runs and across GOMAXPROCS.
func TestReproducible(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var first map[string][]byte
	var firstLog string
	for _, procs := range []int{1, 2, 1, 2} {
		runtime.GOMAXPROCS(procs)
		out := t.TempDir()
		var log bytes.Buffer
		if err := run(testOptions(t, out), &log); err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		for _, name := range outputs {
			b, err := os.ReadFile(filepath.Join(out, name))
			if err != nil {
				t.Fatalf("GOMAXPROCS=%d: %v", procs, err)
			}
			files[name] = b
		}
		if first == nil {
			first, firstLog = files, log.String()
			continue
		}
		if log.String() != firstLog {
			t.Errorf("GOMAXPROCS=%d printed\n%s\nfirst run printed\n%s", procs, log.String(), firstLog)
		}
		for name, b := range files {
			if !bytes.Equal(b, first[name]) {
				t.Errorf("GOMAXPROCS=%d: %s differs from the first run's", procs, name)
			}
		}
	}
	// A different seed must give different results, or the test above
	// could pass on a program that ignores its randomness.
	o := testOptions(t, t.TempDir())
	o.seed++
	var log bytes.Buffer
	if err := run(o, &log); err != nil {
		t.Fatal(err)
	}
	if log.String() == firstLog {
		t.Errorf("seed %d printed the same losses as seed %d", o.seed, o.seed-1)
	}
}

func TestFlagValidation(t *testing.T) {
	base := testOptions(t, t.TempDir())
	for _, tc := range []struct {
		name string
		edit func(*options)
	}{
		{"batch 0", func(o *options) { o.config.BatchSize = 0 }},
		{"epochs 0", func(o *options) { o.config.Epochs = 0 }},
		{"k 0", func(o *options) { o.config.K = 0 }},
		{"hidden 0", func(o *options) { o.hidden = 0 }},
		{"lr 0", func(o *options) { o.lr = 0 }},
		{"lr negative", func(o *options) { o.lr = -1 }},
		{"limit negative", func(o *options) { o.limit = -5 }},
	} {
		o := base
		tc.edit(&o)
		if err := o.validate(); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	if err := base.validate(); err != nil {
		t.Errorf("the defaults were rejected: %v", err)
	}
}

func TestUnwritableOutput(t *testing.T) {
	// A path below a regular file cannot be created, even by root.
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	o := testOptions(t, filepath.Join(file, "out"))
	var log bytes.Buffer
	if err := run(o, &log); err == nil {
		t.Fatal("no error for an output folder below a regular file")
	}
	if log.Len() != 0 {
		t.Errorf("training started before the output folder was checked: %q", log.String())
	}
}

// TestCPUProfile checks -cpuprofile: a run writes a profile that pprof
// accepts the magic of (gzip), and a profile in a folder that does not
// exist fails before the run with an error naming the flag.
func TestCPUProfile(t *testing.T) {
	out := t.TempDir()
	o := testOptions(t, out)
	path := filepath.Join(out, "cpu.out")
	if err := profiled(path, func() error { return run(o, io.Discard) }); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Fatalf("profile %s: %d bytes, error %v; want a gzip'd profile", path, len(b), err)
	}
	ran := false
	err = profiled(filepath.Join(out, "missing", "cpu.out"), func() error { ran = true; return nil })
	if err == nil || ran || !strings.Contains(err.Error(), "-cpuprofile") {
		t.Fatalf("profile in a missing folder: error %v, ran %t; want an error naming -cpuprofile before the run", err, ran)
	}
}
