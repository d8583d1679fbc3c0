package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gorbm.dev/gorbm/internal/atomicfile"
	"gorbm.dev/gorbm/train"
)

// TestResumeEqualsUninterrupted runs 2 epochs at once (completeRun, with
// -eval and -pcd), and 1 epoch then 1 more with -resume: the printed lines
// together and every output file, metrics.json with both epochs' test
// metrics included (issue 14, class 5: history), must be identical.
func TestResumeEqualsUninterrupted(t *testing.T) {
	whole := completeRun(t)

	out := t.TempDir()
	log1, stderr, code := cliRun(t, completeArgs(out, "-epochs", "1")...)
	if code != 0 {
		t.Fatal(stderr)
	}
	log2, stderr, code := cliRun(t, completeArgs(out, "-epochs", "2", "-resume")...)
	if code != 0 {
		t.Fatal(stderr)
	}
	if withoutHeaders(log1+log2) != withoutHeaders(completeLog) {
		t.Errorf("1 + 1 epochs printed\n%s%s\n2 epochs printed\n%s", log1, log2, completeLog)
	}
	a, b := snapshot(t, whole), snapshot(t, out)
	for _, name := range outputs {
		if a[name] != b[name] {
			t.Errorf("%s differs between the resumed and the uninterrupted run", name)
		}
	}
	var m struct{ Epochs []struct{ Epoch int } }
	if err := json.Unmarshal([]byte(b["metrics.json"]), &m); err != nil || len(m.Epochs) != 2 {
		t.Errorf("metrics.json after a resume: %d epochs (%v), want 2", len(m.Epochs), err)
	}
}

// TestCheckpointKept covers issue 14's classes 3 and 5 at the command
// line: a run never silently replaces a checkpoint. Each case starts from
// a complete run's folder, runs the command, and checks the status, the
// message, and that the folder (checkpoint and outputs) is as it was.
func TestCheckpointKept(t *testing.T) {
	stateOf := func(out string) string {
		b, err := os.ReadFile(filepath.Join(out, "checkpoint", train.Latest))
		if err != nil {
			t.Fatal(err)
		}
		name, _, _ := strings.Cut(string(b), " ")
		return filepath.Join(out, "checkpoint", name)
	}
	// otherData is testData with another first image.
	otherData := filepath.Join(t.TempDir(), "other")
	copyDir(t, testData, otherData)
	if err := smallMNISTFrom(otherData, train.TrainImages, 1); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		damage func(out string)
		args   []string // after completeArgs(out)
		code   int
		wants  []string
	}{
		{"another run's settings, without -resume", nil, []string{"-hidden", "40"}, 1,
			[]string{"another run", "-hidden 50, this run has -hidden 40", "-restart"}},
		{"further than -epochs, without -resume", nil, []string{"-epochs", "1"}, 1,
			[]string{"after epoch 1", "past -epochs 1", "-resume -epochs 2"}},
		{"other -data, with -resume", nil, []string{"-resume", "-data", otherData}, 1,
			[]string{"-data sha256:", "this run has -data sha256:"}},
		{"other -batch, with -resume", nil, []string{"-resume", "-batch", "32"}, 1,
			[]string{"-batch 64, this run has -batch 32"}},
		{"-resume past -epochs", nil, []string{"-resume", "-epochs", "1"}, 1,
			[]string{"past -epochs 1", "raise -epochs"}},
		{"damaged, without -resume", func(out string) {
			os.WriteFile(filepath.Join(stateOf(out), "state.json"), []byte("{"), 0o644)
		}, nil, 1, []string{"damaged", "-restart"}},
		{"chain deleted", func(out string) { os.Remove(filepath.Join(stateOf(out), "chain.npy")) },
			[]string{"-resume", "-epochs", "3"}, 1, []string{"damaged", "chain.npy", "-restart"}},
		{"chain of another batch size", func(out string) {
			// A checkpoint of -batch 32 lends its chain, checksum and all.
			other := t.TempDir()
			if _, stderr, code := cliRun(t, completeArgs(other, "-batch", "32", "-epochs", "1")...); code != 0 {
				t.Fatal(stderr)
			}
			b, _ := os.ReadFile(filepath.Join(stateOf(other), "chain.npy"))
			os.WriteFile(filepath.Join(stateOf(out), "chain.npy"), b, 0o644)
			editState(t, stateOf(out), func(st map[string]any) {
				var o map[string]any
				sb, _ := os.ReadFile(filepath.Join(stateOf(other), "state.json"))
				json.Unmarshal(sb, &o)
				st["sha256"].(map[string]any)["chain.npy"] = o["sha256"].(map[string]any)["chain.npy"]
			})
		}, []string{"-resume", "-epochs", "3"}, 1, []string{"damaged", "chain.npy has shape (32, 784), the run needs (64, 784)"}},
		{"batches out of range", func(out string) {
			editState(t, stateOf(out), func(st map[string]any) { st["batches_done_in_next_epoch"] = 1e15 })
		}, []string{"-resume", "-epochs", "3"}, 1, []string{"damaged", "1000000000000000 batches done"}},
		{"history cut", func(out string) {
			editState(t, stateOf(out), func(st map[string]any) { st["history"] = []any{} })
		}, []string{"-resume", "-epochs", "3"}, 1, []string{"damaged", "history of 0 epochs"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := completeRun(t)
			if tc.damage != nil {
				tc.damage(out)
			}
			checkRefused(t, out, tc.code, tc.wants, append(completeArgs(out), tc.args...)...)
		})
	}
}

// checkRefused runs the command with args on the folder out: it must be
// refused with status code and a one-line message naming wants, print
// nothing (train nothing) and leave out as it was.
func checkRefused(t *testing.T, out string, code int, wants []string, args ...string) {
	t.Helper()
	before := snapshot(t, out)
	stdout, stderr, got := cliRun(t, args...)
	checkFailure(t, stderr, got, code, wants...)
	if stdout != "" {
		t.Errorf("a refused run trained: %q", stdout)
	}
	sameSnapshot(t, "-out", before, snapshot(t, out))
}

// TestResumeRefusesOtherFlags changes one setting at a time: -resume must
// refuse with a message naming the flag and both values, before training.
func TestResumeRefusesOtherFlags(t *testing.T) {
	base := completeRun(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-hidden", "40"}, "-hidden 50, this run has -hidden 40"},
		{[]string{"-batch", "32"}, "-batch 64, this run has -batch 32"},
		{[]string{"-k", "2"}, "-k 1, this run has -k 2"},
		{[]string{"-lr", "0.05"}, "-lr 0.1, this run has -lr 0.05"},
		{[]string{"-seed", "8"}, "-seed 7, this run has -seed 8"},
		{[]string{"-limit", "200"}, "-limit 300, this run has -limit 200"},
		{[]string{"-pcd=false"}, "-pcd true, this run has -pcd false"},
		{[]string{"-graph", "textbook"}, "-graph (unset), this run has -graph textbook"},
		{[]string{"-epochs", "1"}, "(after epoch 1) is past -epochs 1"},
		{[]string{"-checkpoint", t.TempDir()}, "no checkpoint"},
	} {
		stdout, stderr, code := cliRun(t, append(completeArgs(base, "-resume"), tc.args...)...)
		checkFailure(t, stderr, code, 1, tc.want)
		if stdout != "" {
			t.Errorf("%v: a refused -resume trained: %q", tc.args, stdout)
		}
	}
}

// smallMNISTFrom changes the first image's pixel in the image file name of
// dir's copy.
func smallMNISTFrom(dir, name string, pixel byte) error {
	return editGzip(filepath.Join(dir, name), func(data []byte) { data[16+300] ^= pixel })
}

// editGzip rewrites the gzip'd file path with its uncompressed bytes
// changed by edit.
func editGzip(path string, edit func([]byte)) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	z, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return err
	}
	data, err := io.ReadAll(z)
	if err != nil {
		return err
	}
	edit(data)
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(data); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// editState rewrites the state.json in sub through edit and gives the
// checkpoint folder's latest its new checksum, as a writer of consistent
// but wrong checkpoints would, so that the checks behind the checksum see
// the edit.
func editState(t *testing.T, sub string, edit func(map[string]any)) {
	t.Helper()
	p := filepath.Join(sub, train.StateFile)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	edit(st)
	if b, err = json.Marshal(st); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	latest := filepath.Join(filepath.Dir(sub), train.Latest)
	if err := os.WriteFile(latest, []byte(filepath.Base(sub)+" "+hex.EncodeToString(sum[:])+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRunTwice runs the same job twice in one -out (as `go run .` twice
// does), then once more with -restart and other settings: each run
// succeeds, and the second writes the same files as the first.
func TestRunTwice(t *testing.T) {
	out := completeRun(t)
	first := snapshot(t, out)
	log, stderr, code := cliRun(t, completeArgs(out)...)
	if code != 0 || !strings.Contains(log, "Training loss for 1 epoch") {
		t.Fatalf("second run: status %d, printed %q: %s", code, log, stderr)
	}
	sameSnapshot(t, "the second run", first, snapshot(t, out))
	if _, stderr, code := cliRun(t, completeArgs(out, "-hidden", "40", "-restart")...); code != 0 {
		t.Fatalf("-restart: status %d: %s", code, stderr)
	}
	ck, err := train.LoadCheckpoint(filepath.Join(out, "checkpoint"))
	if err != nil || ck.Run.Hidden != 40 {
		t.Errorf("after -restart -hidden 40: checkpoint %v, %v; want the new run's", ck, err)
	}
}

// TestFinishResumable covers class 4: a run killed while writing its
// outputs leaves some missing and temporary files behind; -resume without
// raising -epochs writes the missing outputs (the same bytes as the
// complete run's) and removes the temporary files.
func TestFinishResumable(t *testing.T) {
	out := completeRun(t)
	want := snapshot(t, out)
	for _, name := range []string{"W.npy", "RBM_samples.png", "metrics.json"} {
		if err := os.Remove(filepath.Join(out, name)); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(out, atomicfile.TempPrefix(name)+"4711"), []byte("half"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(out, "checkpoint", ".latest.tmp4711"), []byte("epoch"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := cliRun(t, completeArgs(out, "-resume")...)
	if code != 0 || stdout != "" || !strings.Contains(stderr, "writing the outputs") {
		t.Fatalf("-resume of a finished run: status %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	sameSnapshot(t, "after -resume", want, snapshot(t, out))
}

// TestLocked covers class 6: a second run on an -out (or -checkpoint) that
// a run holds refuses at once, naming the owner; a lock file whose owner
// died does not stop a run.
func TestLocked(t *testing.T) {
	out := t.TempDir()
	unlock, err := lockDir(out, "-out")
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := cliRun(t, testArgs(out)...)
	checkFailure(t, stderr, code, 1, "-out folder "+out+" is in use by another gorbm", "PID "+strconv.Itoa(os.Getpid()))
	if stdout != "" {
		t.Errorf("a locked-out run trained: %q", stdout)
	}
	ck := filepath.Join(t.TempDir(), "ck")
	unlockCk, err := lockDir(ck, "-checkpoint")
	if err != nil {
		t.Fatal(err)
	}
	_, stderr, code = cliRun(t, testArgs(t.TempDir(), "-checkpoint", ck)...)
	checkFailure(t, stderr, code, 1, "-checkpoint folder "+ck+" is in use")
	unlockCk()
	unlock()

	// A stale lock: the file of a process that is gone, no lock held.
	if err := os.WriteFile(filepath.Join(out, lockName), []byte("999999999\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := cliRun(t, testArgs(out, "-epochs", "1")...); code != 0 {
		t.Fatalf("a stale lock stopped the run: %s", stderr)
	}
	if _, err := os.Stat(filepath.Join(out, lockName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the lock file is left after the run: %v", err)
	}
}

// TestInterruptedBeforeTraining: a context cancelled before the first batch
// saves nothing and reports the interruption.
func TestInterruptedBeforeTraining(t *testing.T) {
	p := testPlan(t, t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := p.Run(ctx, Env{})
	if ExitCode(err) != exitInterrupted || !strings.Contains(err.Error(), "nothing saved") {
		t.Errorf("error %v (status %d), want an interruption with nothing saved", err, ExitCode(err))
	}
	if _, err := os.Stat(filepath.Join(p.checkpoint, train.Latest)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a checkpoint was written: %v", err)
	}
}

// runCommand runs the command in a process of its own with env added and
// returns its stdout, stderr and exit status.
func runCommand(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := command(args...)
	cmd.Env = append(cmd.Env, env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return o.String(), e.String(), cmd.ProcessState.ExitCode()
}

// signalAt returns the environment that makes the command send itself sigs
// (comma-separated) at point (testhook_test.go).
func signalAt(sigs, point string) []string { return []string{signalEnv + "=" + sigs + "@" + point} }

// TestSignals runs the command in processes of its own and signals them
// at known points (class 9): SIGINT in the middle of an epoch (status 130,
// checkpoint and outputs written, a resumed run ending as the
// uninterrupted one), SIGHUP (a closed terminal) likewise, SIGINT during
// the sample chains (what is done is written, the message names what is
// not, -resume makes the rest), a second signal, and divergence.
func TestSignals(t *testing.T) {
	t.Parallel()                        // processes of their own: they share nothing with the other tests
	want := snapshot(t, completeRun(t)) // 2 epochs, 5 batches each

	t.Run("SIGINT then resume", func(t *testing.T) {
		t.Parallel()
		out := t.TempDir()
		log, stderr, code := runCommand(t, signalAt("SIGINT", "batch 1.2"), completeArgs(out)...)
		ck := filepath.Join(out, "checkpoint")
		checkFailure(t, stderr, code, exitInterrupted, "interrupted: checkpoint "+ck+" (epoch 1, after batch 3)", "so far in "+out)
		for _, name := range append(scriptOutputNames(), fileMetrics, filepath.Join("checkpoint", train.Latest)) {
			if _, err := os.Stat(filepath.Join(out, name)); err != nil {
				t.Errorf("after SIGINT: %v", err)
			}
		}
		more, stderr, code := runCommand(t, nil, completeArgs(out, "-resume")...)
		if code != 0 {
			t.Fatalf("resumed run: status %d: %s", code, stderr)
		}
		if withoutHeaders(log+more) != withoutHeaders(completeLog) {
			t.Errorf("interrupted and resumed runs printed\n%s%s\nthe uninterrupted run\n%s", log, more, completeLog)
		}
		got := snapshot(t, out)
		for _, name := range outputs {
			if got[name] != want[name] {
				t.Errorf("%s differs from the uninterrupted run's", name)
			}
		}
	})

	t.Run("SIGHUP", func(t *testing.T) {
		t.Parallel()
		out := t.TempDir()
		_, stderr, code := runCommand(t, signalAt("SIGHUP", "epoch 0"), completeArgs(out)...)
		checkFailure(t, stderr, code, exitInterrupted, "interrupted: checkpoint "+filepath.Join(out, "checkpoint")+" (after epoch 0)")
		if ck, err := train.LoadCheckpoint(filepath.Join(out, "checkpoint")); err != nil || len(ck.Result.Losses) != 1 {
			t.Errorf("after SIGHUP: checkpoint %v, %v; want epoch 0's", ck, err)
		}
	})

	t.Run("SIGINT during the sample chains", func(t *testing.T) {
		t.Parallel()
		out := t.TempDir()
		_, stderr, code := runCommand(t, signalAt("SIGINT", "samples"), completeArgs(out)...)
		checkFailure(t, stderr, code, exitInterrupted, "RBM_samples.png not made", "-resume")
		got := snapshot(t, out)
		for _, name := range outputs {
			g, ok := got[name]
			if name == fileMetrics { // the set it belongs to is not finished
				g = strings.Replace(g, `"finished": false`, `"finished": true`, 1)
			}
			if ok == (name == fileSamples) {
				t.Errorf("%s written: %t", name, ok)
			} else if ok && g != want[name] {
				t.Errorf("%s differs from the uninterrupted run's", name)
			}
		}
		if _, stderr, code := runCommand(t, nil, completeArgs(out, "-resume")...); code != 0 {
			t.Fatalf("-resume after the interrupted chains: %s", stderr)
		}
		sameSnapshot(t, "after -resume", want, snapshot(t, out))
	})

	t.Run("second signal", func(t *testing.T) {
		t.Parallel()
		// SIGINT then SIGTERM: two different signals, which the kernel
		// does not merge as it would two pending SIGINTs.
		_, stderr, code := runCommand(t, signalAt("SIGINT,SIGTERM", "batch 0.1"), completeArgs(t.TempDir())...)
		if code != exitInterrupted || !strings.Contains(stderr, "quitting without saving") {
			t.Errorf("status %d, stderr\n%s\nwant %d and the message of the second signal", code, stderr, exitInterrupted)
		}
	})

	t.Run("divergence", func(t *testing.T) {
		t.Parallel()
		// With one batch per epoch at -lr 1e4, epoch 0's loss (taken
		// before the step) is fine and epoch 1's first batch diverges.
		args := func(out, epochs string) []string {
			return []string{"-data", testData, "-limit", "64", "-hidden", "20", "-lr", "1e4", "-epochs", epochs, "-out", out}
		}
		good := t.TempDir()
		if _, stderr, code := runCommand(t, nil, args(good, "1")...); code != 0 {
			t.Fatalf("one epoch: status %d: %s", code, stderr)
		}
		out := t.TempDir()
		_, stderr, code := runCommand(t, nil, args(out, "3")...)
		checkFailure(t, stderr, code, 1, "diverged in epoch 1, batch 0", "smaller learning rate (-lr)",
			"last good checkpoint is "+filepath.Join(out, "checkpoint")+" (after epoch 0)")
		ck, err := train.LoadCheckpoint(filepath.Join(out, "checkpoint"))
		if err != nil {
			t.Fatal(err)
		}
		if len(ck.Result.Losses) != 1 {
			t.Errorf("checkpoint has %d epochs, want the last good one, 1", len(ck.Result.Losses))
		}
		if err := train.SaveParams(out, ck.Model); err != nil {
			t.Fatal(err)
		}
		a, b := snapshot(t, good), snapshot(t, out)
		for _, name := range []string{train.FileW, train.FileVBias, train.FileHBias} {
			if a[name] != b[name] {
				t.Errorf("%s of the last good checkpoint differs from the one-epoch run's", name)
			}
		}
	})
}

// withoutHeaders drops the -eval table's header lines, which each process
// prints once.
func withoutHeaders(log string) string {
	var keep []string
	for _, l := range strings.Split(log, "\n") {
		if !strings.HasPrefix(l, "epoch ") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// TestDiskFull covers class 10: a run that cannot write its outputs (here
// a file size limit, RLIMIT_FSIZE, makes W.npy fail as a full disk would)
// leaves the previous outputs as they were, no temporary file, and says
// which were not written and how to write them.
func TestDiskFull(t *testing.T) {
	t.Parallel()
	out := completeRun(t)
	// The previous outputs, marked so that a new file in their place shows
	// (this run would write the same bytes as the run that wrote them).
	for _, name := range outputs {
		if err := os.WriteFile(filepath.Join(out, name), []byte("previous "+name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	before := snapshot(t, out)
	// The other outputs fit in 120 kB; W.npy (50×784 float32) does not.
	cmd := command(append([]string{"-c", `ulimit -f 240 && exec "$0" "$@"`, os.Args[0]}, completeArgs(out, "-resume")...)...)
	cmd.Path, cmd.Args[0] = "/bin/sh", "/bin/sh"
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("a run with a full disk: %v", err)
	}
	checkFailure(t, stderr.String(), exit.ExitCode(), 1, "W.npy", "file too large", "none of this run's outputs were written", "-resume")
	sameSnapshot(t, "-out", before, snapshot(t, out))
}
