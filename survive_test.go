package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"gorbm.dev/gorbm/train"
)

// sameFiles fails the test when a name differs between the folders a and b.
func sameFiles(t *testing.T, a, b string, names ...string) {
	t.Helper()
	for _, name := range names {
		x, err := os.ReadFile(filepath.Join(a, name))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(b, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between %s and %s", name, a, b)
		}
	}
}

// TestResumeEqualsUninterrupted runs 3 epochs at once, and 1 epoch then 2
// more with -resume (fresh options, as a new process would have): the
// printed lines together and every output file must be identical.
func TestResumeEqualsUninterrupted(t *testing.T) {
	whole := testOptions(t, t.TempDir())
	whole.config.Epochs = 3
	whole.checkpoint = defaultCheckpoint(whole.out)
	var wantLog bytes.Buffer
	if err := run(whole, &wantLog); err != nil {
		t.Fatal(err)
	}

	split := testOptions(t, t.TempDir())
	split.config.Epochs = 1
	split.checkpoint = defaultCheckpoint(split.out)
	var log bytes.Buffer
	if err := run(split, &log); err != nil {
		t.Fatal(err)
	}
	split.config.Epochs, split.resume = 3, true
	if err := run(split, &log); err != nil {
		t.Fatal(err)
	}
	if log.String() != wantLog.String() {
		t.Errorf("1 + 2 epochs printed\n%s\n3 epochs printed\n%s", log.String(), wantLog.String())
	}
	sameFiles(t, whole.out, split.out, outputs...)
}

// TestResumeRefusesOtherFlags changes one setting at a time: -resume must
// refuse with a message naming the flag and both values.
func TestResumeRefusesOtherFlags(t *testing.T) {
	base := testOptions(t, t.TempDir())
	base.config.Epochs = 1
	base.checkpoint = defaultCheckpoint(base.out)
	if err := run(base, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		change func(*options)
		want   string
	}{
		{func(o *options) { o.hidden = 40 }, "-hidden 50, this run has -hidden 40"},
		{func(o *options) { o.config.BatchSize = 32 }, "-batch 64, this run has -batch 32"},
		{func(o *options) { o.config.K = 2 }, "-k 1, this run has -k 2"},
		{func(o *options) { o.lr = 0.05 }, "-lr 0.1, this run has -lr 0.05"},
		{func(o *options) { o.seed = 8 }, "-seed 7, this run has -seed 8"},
		{func(o *options) { o.limit = 200 }, "-limit 300, this run has -limit 200"},
		{func(o *options) { o.config.Persistent = true }, "-pcd false, this run has -pcd true"},
		{func(o *options) {}, "1 epochs done, -epochs is 1"},
		{func(o *options) { o.checkpoint = t.TempDir() }, "no checkpoint"},
	} {
		o := base
		o.out = t.TempDir()
		o.resume = true
		tc.change(&o)
		var log bytes.Buffer
		err := run(o, &log)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want one containing %q", err, tc.want)
		}
		if log.Len() > 0 {
			t.Errorf("a refused -resume trained: %q", log.String())
		}
	}
}

// TestUnwritableCheckpoint points -checkpoint below a regular file, which
// no one can create a folder in, root included (tests run as root here, so
// permission bits would not stop them), and into /proc: both must fail
// before training, naming the flag.
func TestUnwritableCheckpoint(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{filepath.Join(file, "checkpoint"), "/proc/self/checkpoint"} {
		o := testOptions(t, t.TempDir())
		o.checkpoint = dir
		var log bytes.Buffer
		err := run(o, &log)
		if err == nil || !strings.Contains(err.Error(), "-checkpoint") {
			t.Errorf("-checkpoint %s: error %v, want one naming -checkpoint", dir, err)
		}
		if log.Len() > 0 {
			t.Errorf("-checkpoint %s: training started before the folder was checked: %q", dir, log.String())
		}
	}
}

// buildBinary builds the command into a temporary folder.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gorbm")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// binaryArgs are the flags of the subprocess runs: enough images that an
// epoch takes a while (a signal sent after the first epoch's line arrives
// well before the last epoch ends), few enough to keep the test short.
func binaryArgs(out string, epochs string) []string {
	return []string{"-limit", "2000", "-hidden", "50", "-seed", "3", "-epochs", epochs, "-out", out}
}

// runBinary runs bin and returns its stdout, stderr and exit status.
func runBinary(t *testing.T, bin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return o.String(), e.String(), cmd.ProcessState.ExitCode()
}

// interrupt starts bin, sends sigs once the first epoch's line is out and
// returns stdout, stderr and the exit status.
func interrupt(t *testing.T, bin string, args []string, sigs ...os.Signal) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var e bytes.Buffer
	cmd.Stderr = &e
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewReader(pipe)
	first, err := lines.ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("no epoch line: %v; stderr: %s", err, e.String())
	}
	for _, s := range sigs {
		if err := cmd.Process.Signal(s); err != nil {
			t.Fatal(err)
		}
	}
	var rest bytes.Buffer
	rest.ReadFrom(lines)
	err = cmd.Wait()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return first + rest.String(), e.String(), cmd.ProcessState.ExitCode()
}

// TestBinary runs the built command: Ctrl-C after the first epoch (status
// 130, checkpoint, pictures and parameters written, and a resumed run that
// ends as an uninterrupted one), a second signal, and divergence.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; -short skips it")
	}
	bin := buildBinary(t)

	t.Run("SIGINT then resume", func(t *testing.T) {
		const epochs = "4"
		whole := t.TempDir()
		wantLog, stderr, code := runBinary(t, bin, binaryArgs(whole, epochs)...)
		if code != 0 {
			t.Fatalf("uninterrupted run: status %d: %s", code, stderr)
		}

		out := t.TempDir()
		log, stderr, code := interrupt(t, bin, binaryArgs(out, epochs), syscall.SIGINT)
		if code != exitInterrupted {
			t.Fatalf("status %d after SIGINT, want %d; stderr: %s", code, exitInterrupted, stderr)
		}
		ck := filepath.Join(out, "checkpoint")
		if !strings.Contains(stderr, "interrupted: checkpoint "+ck) || !strings.Contains(stderr, "so far in "+out) {
			t.Errorf("stderr does not say where the checkpoint and pictures are:\n%s", stderr)
		}
		for _, name := range append(outputs, filepath.Join("checkpoint", train.Latest)) {
			if _, err := os.Stat(filepath.Join(out, name)); err != nil {
				t.Errorf("after SIGINT: %v", err)
			}
		}
		more, stderr, code := runBinary(t, bin, append(binaryArgs(out, epochs), "-resume")...)
		if code != 0 {
			t.Fatalf("resumed run: status %d: %s", code, stderr)
		}
		if log+more != wantLog {
			t.Errorf("interrupted and resumed runs printed\n%s%s\nthe uninterrupted run\n%s", log, more, wantLog)
		}
		sameFiles(t, whole, out, outputs...)
	})

	t.Run("second signal", func(t *testing.T) {
		// SIGINT then SIGTERM: two different signals, which the kernel
		// does not merge as it would two pending SIGINTs.
		out := t.TempDir()
		_, stderr, code := interrupt(t, bin, binaryArgs(out, "4"), syscall.SIGINT, syscall.SIGTERM)
		if code != exitInterrupted || !strings.Contains(stderr, "quitting without saving") {
			t.Errorf("status %d, stderr\n%s\nwant %d and the message of the second signal", code, stderr, exitInterrupted)
		}
	})

	t.Run("divergence", func(t *testing.T) {
		// With one batch per epoch at -lr 1e4, epoch 0's loss (taken
		// before the step) is fine and epoch 1's first batch diverges.
		args := func(out, epochs string) []string {
			return []string{"-limit", "64", "-hidden", "20", "-lr", "1e4", "-epochs", epochs, "-out", out}
		}
		good := t.TempDir()
		if _, stderr, code := runBinary(t, bin, args(good, "1")...); code != 0 {
			t.Fatalf("one epoch: status %d: %s", code, stderr)
		}
		out := t.TempDir()
		_, stderr, code := runBinary(t, bin, args(out, "3")...)
		for _, want := range []string{"diverged in epoch 1, batch 0", "smaller learning rate (-lr)", "last good checkpoint is " + filepath.Join(out, "checkpoint") + " (after epoch 0)"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr %q lacks %q", stderr, want)
			}
		}
		if code != 1 {
			t.Errorf("status %d, want 1", code)
		}
		ck, err := train.LoadCheckpoint(filepath.Join(out, "checkpoint"), 1e4)
		if err != nil {
			t.Fatal(err)
		}
		if len(ck.Result.Losses) != 1 {
			t.Errorf("checkpoint has %d epochs, want the last good one, 1", len(ck.Result.Losses))
		}
		if err := train.SaveParams(out, ck.Model); err != nil {
			t.Fatal(err)
		}
		sameFiles(t, good, out, train.FileW, train.FileVBias, train.FileHBias)
	})
}

// TestInterruptedBeforeTraining: a context cancelled before the first batch
// saves nothing and reports the interruption.
func TestInterruptedBeforeTraining(t *testing.T) {
	o := testOptions(t, t.TempDir())
	o.checkpoint = defaultCheckpoint(o.out)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := runContext(ctx, o, &bytes.Buffer{})
	if exitCode(err) != exitInterrupted || !strings.Contains(err.Error(), "nothing saved") {
		t.Errorf("error %v (status %d), want an interruption with nothing saved", err, exitCode(err))
	}
	if _, err := os.Stat(filepath.Join(o.checkpoint, train.Latest)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a checkpoint was written: %v", err)
	}
}
