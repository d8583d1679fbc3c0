package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/train"
)

// The tests of issue 20: what the command trusts without checking, and
// what it checked only after training. Each class has its test; each
// case failed on the command before it (a panic, a file lost or changed,
// a refusal after minutes of work, or a run that should have been
// refused).

// TestCheckedFirst covers the late failures, the silent acceptances and
// the step counts without a bound: every case is refused before any work,
// with nothing printed and -out as it was.
func TestCheckedFirst(t *testing.T) {
	load := filepath.Join("..", "..", "testdata", "hostile", "load-valid")
	runHostile(t, []hostileCase{
		// Found only after training before.
		{name: "fewer test images than -raise-images", args: []string{"-ais", "-raise-images", "101"}, code: 1,
			wants: []string{"-raise-images 101", "100 images"}},
		{name: "an output name taken by a folder", setup: func(t *testing.T, out string) []string {
			if err := os.MkdirAll(filepath.Join(out, fileLoss), 0o755); err != nil {
				t.Fatal(err)
			}
			return nil
		}, code: 1, wants: []string{fileLoss, "a folder", "-out"}},
		{name: "-lr-final 0 in float32", args: []string{"-lr-final", "1e-50", "-lr-decay", "geometric"}, code: 2,
			wants: []string{"-lr-final 1e-50", "float32"}},
		{name: "-lr-final -1 names -lr-final", args: []string{"-lr-final", "-1"}, code: 2, wants: []string{"-lr-final -1"}},
		{name: "more sample chains than the sampler takes", args: []string{"-sample-chains", "20000", "-sample-steps", "1", "-sample-every", "1"}, code: 2,
			wants: []string{"-sample-chains 20000"}},
		// Step counts without an upper bound in time.
		{name: "-sample-steps beyond the bound", args: []string{"-sample-steps", "100000000", "-sample-every", "100000000"}, code: 2,
			wants: []string{"-sample-steps 100000000", "chain steps"}},
		{name: "-k beyond the bound", args: []string{"-k", "5000"}, code: 2, wants: []string{"-k 5000"}},
		// Accepted silently before.
		{name: "-momentum-initial without -momentum-epochs", args: []string{"-momentum", "0.9", "-momentum-initial", "0.5"}, code: 2,
			wants: []string{"-momentum-initial without -momentum-epochs"}},
		{name: "negative -momentum-initial", args: []string{"-momentum", "0.9", "-momentum-initial", "-0.5", "-momentum-epochs", "1"}, code: 2,
			wants: []string{"-momentum-initial -0.5"}},
		{name: "-lr-decay-from beyond -epochs", args: []string{"-lr-final", "0.01", "-lr-decay-from", "5"}, code: 2,
			wants: []string{"-lr-decay-from 5 with -epochs 2"}},
		{name: "-momentum-epochs beyond -epochs", args: []string{"-momentum", "0.9", "-momentum-initial", "0.5", "-momentum-epochs", "2"}, code: 2,
			wants: []string{"-momentum-epochs 2 with -epochs 2"}},
		{name: "empty -checkpoint", args: []string{"-checkpoint", ""}, code: 2, wants: []string{"-checkpoint is empty"}},
		{name: "-ais-betas without -ais", args: []string{"-ais-betas", "100"}, code: 2, wants: []string{"-ais-betas without -ais"}},
		{name: "-raise-images without -ais", args: []string{"-raise-images", "10"}, code: 2, wants: []string{"-raise-images without -ais"}},
		{name: "-ais-chains without -ais", args: []string{"-ais-chains", "10"}, code: 2, wants: []string{"-ais-chains without -ais"}},
		{name: "-init-vbias data with -load", args: []string{"-load", load, "-init-vbias", "data"}, code: 2,
			wants: []string{"-init-vbias data with -load"}},
		{name: "weight decay that grows W", args: []string{"-weight-decay", "30"}, code: 2, wants: []string{"-weight-decay 30", "without bound"}},
		{name: "a training flag with -epochs 0", args: []string{"-load", load, "-epochs", "0", "-batch", "32"}, code: 2,
			wants: []string{"-batch with -epochs 0"}},
		{name: "-hidden with -epochs 0", args: []string{"-load", load, "-epochs", "0"}, code: 2,
			wants: []string{"-hidden with -epochs 0"}}, // testArgs gives -hidden
	})
	if _, err := plan("-load", load, "-epochs", "0", "-limit", "100", "-data", testData, "-out", t.TempDir()); ExitCode(err) != 2 || !strings.Contains(err.Error(), "-limit with -epochs 0") {
		t.Errorf("-limit that nothing reads: error %v, want a usage error naming it", err)
	}
}

// TestProfileNotOverwriting covers -cpuprofile onto the run's own files:
// an output, an input, a checkpoint file. Each is refused before any work,
// the file untouched.
func TestProfileNotOverwriting(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	copyDir(t, testData, data)
	input := filepath.Join(data, train.TrainImages)
	before, err := os.ReadFile(input)
	if err != nil {
		t.Fatal(err)
	}
	runHostile(t, []hostileCase{
		{name: "an output", setup: func(t *testing.T, out string) []string {
			return []string{"-cpuprofile", filepath.Join(out, train.FileW)}
		}, code: 1, wants: []string{"-cpuprofile", "an output"}},
		{name: "an input", args: []string{"-data", data, "-cpuprofile", input}, code: 1, wants: []string{"-cpuprofile", "an input"}},
		{name: "a checkpoint file", setup: func(t *testing.T, out string) []string {
			copyDir(t, completeRun(t), out)
			return append(completeArgs(out)[len(testArgs(out)):], "-resume", "-epochs", "3",
				"-cpuprofile", filepath.Join(out, "checkpoint", train.Latest))
		}, code: 1, wants: []string{"-cpuprofile", "checkpoint"}},
	})
	if after, _ := os.ReadFile(input); !bytes.Equal(before, after) {
		t.Errorf("the training images were overwritten")
	}
}

// TestLatestVerified covers a damaged checkpoint/latest and an edited
// state.json: one changed byte is refused, with or without -resume, and
// nothing is removed or changed; before, the run deleted the intact
// checkpoint latest no longer named, and an edited state changed W.npy.
func TestLatestVerified(t *testing.T) {
	// nameByte changes the last character of the subfolder latest names.
	nameByte := func(b []byte) []byte {
		i := bytes.IndexAny(b, " \n") - 1
		b[i] = '0' + (b[i]-'0'+1)%10
		return b
	}
	for _, tc := range []struct {
		name  string
		file  func(out string) string
		edit  func([]byte) []byte
		args  []string
		wants []string
	}{
		{"latest names a neighbour", func(out string) string { return filepath.Join(out, "checkpoint", train.Latest) }, nameByte, nil,
			[]string{"damaged", "-restart"}},
		{"latest names a neighbour, with -resume", func(out string) string { return filepath.Join(out, "checkpoint", train.Latest) }, nameByte,
			[]string{"-resume", "-epochs", "3"}, []string{"damaged", "-restart"}},
		{"state.json edited", func(out string) string {
			b, _ := os.ReadFile(filepath.Join(out, "checkpoint", train.Latest))
			name, _, _ := strings.Cut(strings.TrimSpace(string(b)), " ")
			return filepath.Join(out, "checkpoint", name, train.StateFile)
		}, func(b []byte) []byte { // the third digit of the loss curve's first part: still a loss in range
			i := bytes.IndexAny(b[bytes.Index(b, []byte(`"loss_curve": [`)):], "0123456789") + bytes.Index(b, []byte(`"loss_curve": [`)) + 2
			b[i] = '0' + (b[i]-'0'+1)%10
			return b
		}, []string{"-resume", "-epochs", "3"}, []string{"damaged", "state.json has changed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := completeRun(t)
			p := tc.file(out)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, tc.edit(b), 0o644); err != nil {
				t.Fatal(err)
			}
			checkRefused(t, out, 1, tc.wants, append(completeArgs(out), tc.args...)...)
		})
	}
}

// TestLockNotFollowed covers lock files that are links: a symbolic link or
// a hard link to a file outside -out is refused, and the file it points to
// keeps its content (before, the lock truncated it and wrote a PID).
func TestLockNotFollowed(t *testing.T) {
	for _, link := range []struct {
		name string
		make func(target, path string) error
		want string
	}{
		{"symbolic link", os.Symlink, "symbolic link"},
		{"hard link", os.Link, "hard link"},
	} {
		t.Run(link.name, func(t *testing.T) {
			target := filepath.Join(t.TempDir(), "precious.txt")
			if err := os.WriteFile(target, []byte("do not truncate me\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			out := t.TempDir()
			if err := link.make(target, filepath.Join(out, lockName)); err != nil {
				t.Fatal(err)
			}
			stdout, stderr, code := cliRun(t, testArgs(out, "-epochs", "1")...)
			checkFailure(t, stderr, code, 1, "lock file", link.want)
			if stdout != "" {
				t.Errorf("the run trained: %q", stdout)
			}
			if b, _ := os.ReadFile(target); string(b) != "do not truncate me\n" {
				t.Errorf("the lock's target now holds %q", b)
			}
		})
	}
}

// TestIdentity covers what a run is: with a learning-rate schedule
// -epochs is part of it, the test set is with -eval (its metrics are in
// the history), -eval too (a rerun without it would drop that history),
// and a -checkpoint that names -out by another path is the same folder.
func TestIdentity(t *testing.T) {
	otherTest := filepath.Join(t.TempDir(), "other")
	copyDir(t, testData, otherTest)
	if err := smallMNISTFrom(otherTest, train.TestImages, 1); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		args  []string // after completeArgs(out)
		wants []string
	}{
		{"other test images, -resume -eval", []string{"-resume", "-epochs", "3", "-data", otherTest}, []string{"-eval test images sha256:", "this run has -eval test images sha256:"}},
		{"a rerun without -eval", []string{"-eval=false"}, []string{"this run has -eval (unset)"}},
		{"-resume without -eval", []string{"-eval=false", "-resume", "-epochs", "3"}, []string{"this run has -eval (unset)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := completeRun(t)
			checkRefused(t, out, 1, tc.wants, append(completeArgs(out), tc.args...)...)
		})
	}

	t.Run("a schedule spans -epochs", func(t *testing.T) {
		out := t.TempDir()
		args := testArgs(out, "-limit", "64", "-lr-final", "0.01")
		if _, stderr, code := runStoppedAt(t, "epoch 0", args...); code != exitInterrupted {
			t.Fatalf("status %d: %s", code, stderr)
		}
		stdout, stderr, code := cliRun(t, append(args, "-resume", "-epochs", "3")...)
		checkFailure(t, stderr, code, 1, "-epochs 2, this run has -epochs 3")
		if stdout != "" {
			t.Errorf("a refused run trained: %q", stdout)
		}
	})

	t.Run("a -load run resumes", func(t *testing.T) {
		out := t.TempDir()
		load := filepath.Join("..", "..", "testdata", "hostile", "load-valid")
		args := testArgs(out, "-limit", "64", "-hidden", "2")
		if _, stderr, code := runStoppedAt(t, "epoch 0", append(args, "-load", load)...); code != exitInterrupted {
			t.Fatalf("status %d: %s", code, stderr)
		}
		stdout, stderr, code := runStoppedAt(t, "epoch 1", append(args, "-resume")...)
		if code != exitInterrupted || !strings.Contains(stdout, "Training loss for 1 epoch") {
			t.Errorf("-resume of a -load run: status %d, printed %q: %s", code, stdout, stderr)
		}
	})

	t.Run("-checkpoint is -out through a link", func(t *testing.T) {
		dir := t.TempDir()
		out, link := filepath.Join(dir, "out"), filepath.Join(dir, "link")
		if err := os.Mkdir(out, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(out, link); err != nil {
			t.Fatal(err)
		}
		if _, stderr, code := runStoppedAt(t, "epoch 0", testArgs(out, "-limit", "64", "-checkpoint", link)...); code != exitInterrupted {
			t.Fatalf("status %d: %s", code, stderr)
		}
		if _, err := train.LoadCheckpoint(out); err != nil {
			t.Errorf("no checkpoint in -out: %v", err)
		}
	})
}

// runStoppedAt runs the command with args in this process and interrupts
// it, as Ctrl-C would, at the hook's point.
func runStoppedAt(t *testing.T, point string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	p, err := plan(args...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var o, e bytes.Buffer
	err = p.Run(ctx, Env{Stdout: &o, Stderr: &e, Hook: func(_ context.Context, at string) {
		if at == point {
			cancel()
		}
	}})
	if err != nil {
		fmt.Fprintln(&e, "gorbm:", oneLine(err))
	}
	return o.String(), e.String(), ExitCode(err)
}

// TestFinishedKept covers interrupted reruns: a rerun of a finished run
// stopped in training, or in its sample chains, leaves the finished
// outputs as they were (before, partial ones replaced them); and a run
// whose sample chains were stopped leaves no RBM_samples.png of an older
// set beside its outputs.
func TestFinishedKept(t *testing.T) {
	for _, tc := range []struct {
		point string
		args  []string // after completeArgs(out)
	}{
		{"batch 1.2", nil}, // the same run: a partial set of it
		{hookSamples, []string{"-restart", "-limit", "64"}}, // another run: its set without the samples
	} {
		t.Run(fmt.Sprintf("stopped at %s with %q", tc.point, tc.args), func(t *testing.T) {
			out := completeRun(t)
			before := snapshot(t, out)
			_, stderr, code := runStoppedAt(t, tc.point, append(completeArgs(out), tc.args...)...)
			checkFailure(t, stderr, code, exitInterrupted, "keeps the outputs it had")
			got := snapshot(t, out)
			for _, name := range outputs {
				if got[name] != before[name] {
					t.Errorf("%s changed", name)
				}
			}
		})
	}
	t.Run("no stale samples", func(t *testing.T) {
		// -out holds a set that an interrupted run wrote, with its
		// RBM_samples.png; a run stopped in its sample chains replaces it.
		out := t.TempDir()
		for name, content := range map[string]string{fileSamples: "an older run's samples", fileMetrics: `{"finished": false}`} {
			if err := os.WriteFile(filepath.Join(out, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		_, stderr, code := runStoppedAt(t, hookSamples, testArgs(out, "-limit", "64", "-epochs", "1")...)
		checkFailure(t, stderr, code, exitInterrupted, "interrupted: "+fileSamples)
		if _, err := os.Stat(filepath.Join(out, fileSamples)); err == nil {
			t.Errorf("the older set's %s stands beside the new outputs", fileSamples)
		}
		if _, err := os.Stat(filepath.Join(out, train.FileW)); err != nil {
			t.Errorf("the new set is not written: %v", err)
		}
	})
}

// TestDivergenceAdvice: a model loaded with -load whose loss is already
// beyond train.DivergedLoss before the first step is named as the cause,
// not the learning rate.
func TestDivergenceAdvice(t *testing.T) {
	const hidden = 20
	w := make([]float32, hidden*train.Pixels)
	for i := range w {
		w[i] = float32(1000 * (1 - 2*float64(i*7919%13)/12)) // ±1000, no pattern of MNIST's
	}
	m, err := graph.FromParams(train.Pixels, hidden, w, make([]float32, train.Pixels), make([]float32, hidden))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := train.SaveParams(dir, m); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := cliRun(t, testArgs(t.TempDir(), "-limit", "64", "-load", dir, "-hidden", fmt.Sprint(hidden))...)
	checkFailure(t, stderr, code, 1, "diverged in epoch 0, batch 0", "-load "+dir, "load others")
	if strings.Contains(stderr, "(-lr)") {
		t.Errorf("the advice names -lr: %s", stderr)
	}
}

// TestEvaluateLoaded covers -load DIR -epochs 0: the loaded model is
// evaluated and sampled through the training run's pipeline, so its test
// metrics, samples and filters are those the training run wrote for the
// model it trained, bit for bit; and an -out that holds a training run's
// outputs is refused.
func TestEvaluateLoaded(t *testing.T) {
	trained := completeRun(t) // -eval, 2 epochs
	out := filepath.Join(t.TempDir(), "eval")
	args := func(out string) []string {
		return []string{"-load", trained, "-epochs", "0", "-eval", "-seed", "7", "-data", testData, "-out", out, "-limit", fmt.Sprint(testLimit),
			"-sample-steps", "20", "-sample-every", "5", "-ais", "-ais-betas", "20", "-ais-chains", "4", "-raise-images", "4"}
	}
	stdout, stderr, code := cliRun(t, args(out)...)
	if code != 0 {
		t.Fatalf("status %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "recon MSE (test)") || !strings.Contains(stdout, "AIS (20 betas") {
		t.Errorf("printed %q, want the test metrics and the AIS estimate", stdout)
	}
	got, want := snapshot(t, out), snapshot(t, trained)
	for _, name := range []string{fileSamples, fileFilters} {
		if got[name] != want[name] {
			t.Errorf("%s differs from the training run's", name)
		}
	}
	for _, name := range trainingOutputs {
		if _, ok := got[name]; ok {
			t.Errorf("%s written without training", name)
		}
	}
	var evaluated, trainedRec record
	decode(t, got[fileMetrics], &evaluated)
	decode(t, want[fileMetrics], &trainedRec)
	last := trainedRec.Epochs[len(trainedRec.Epochs)-1]
	if evaluated.Eval == nil || *evaluated.Eval != *last.Report || evaluated.AIS == nil || !evaluated.Finished || math.IsNaN(evaluated.AIS.TestLogProb) {
		t.Errorf("metrics.json: eval %+v, AIS %v, finished %v; want the training run's last test metrics %+v and an estimate", evaluated.Eval, evaluated.AIS, evaluated.Finished, *last.Report)
	}

	_, stderr, code = cliRun(t, args(trained)...)
	checkFailure(t, stderr, code, 1, "holds the outputs of a training run")
}

// decode unmarshals metrics.json's content.
func decode(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatal(err)
	}
}
