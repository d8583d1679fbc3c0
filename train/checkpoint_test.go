package train

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/internal/rng"
)

// TestSourcesState checks that NewSources' streams are rng.NewStream's PCG
// streams (capturing the state must not change the values) and that a
// restored state continues each stream exactly.
func TestSourcesState(t *testing.T) {
	const seed = 42
	src := NewSources(seed)
	for i, u := range []graph.Uniform{src.Binarize, src.Sample} {
		want := rand.New(rng.NewStream(seed, uint64(rng.Binarize+i)))
		for j := 0; j < 10; j++ {
			if a, b := u.Float32(), want.Float32(); a != b {
				t.Fatalf("stream %d draw %d: %v, rng.NewStream gives %v", rng.Binarize+i, j, a, b)
			}
		}
	}
	src.Init.NormFloat64()
	state, err := src.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	other := NewSources(seed + 1)
	if err := other.UnmarshalBinary(state); err != nil {
		t.Fatal(err)
	}
	for j := 0; j < 10; j++ {
		if a, b := src.Init.NormFloat64(), other.Init.NormFloat64(); a != b {
			t.Fatalf("Init draw %d after restore: %v, want %v", j, b, a)
		}
		if a, b := src.Binarize.Float32(), other.Binarize.Float32(); a != b {
			t.Fatalf("Binarize draw %d after restore: %v, want %v", j, b, a)
		}
		if a, b := src.Sample.Float32(), other.Sample.Float32(); a != b {
			t.Fatalf("Sample draw %d after restore: %v, want %v", j, b, a)
		}
	}
	custom := Sources{Init: rand.New(rand.NewPCG(1, 2))}
	if _, err := custom.MarshalBinary(); err == nil {
		t.Error("Sources not made by NewSources: state saved without error")
	}
	for _, bad := range [][]byte{nil, state[:len(state)-3], append([]byte("xyz"), state[3:]...)} {
		if err := NewSources(1).UnmarshalBinary(bad); err == nil {
			t.Errorf("state %q accepted", bad)
		}
	}
}

// cancelAfter is a Uniform that cancels a context after n draws, to stop a
// run in the middle of an epoch.
type cancelAfter struct {
	graph.Uniform
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Float32() float32 {
	if c.n--; c.n == 0 {
		c.cancel()
	}
	return c.Uniform.Float32()
}

// TestResumeEqualsUninterrupted stops runs after an epoch and in the middle
// of one, saves a checkpoint, loads it into fresh sources (seeded
// differently, so only the restored state can make them agree) and
// continues: losses and parameters must equal the uninterrupted run's
// bit for bit.
func TestResumeEqualsUninterrupted(t *testing.T) {
	const (
		images, hidden, epochs, batch = 200, 16, 3, 64 // 4 batches per epoch, the last of 8 rows
		lr                            = 0.1
		seed                          = 3
	)
	data := trainHead(t, images)
	batchDraws := batch * Pixels // Binarize draws per full batch
	// recipe trains with everything a checkpoint must carry beyond the
	// parameters: 10 persistent chains of their own, momentum velocities
	// (with a momentum and a learning-rate schedule) and a centered
	// model's offsets.
	recipe := Config{Epochs: epochs, BatchSize: batch, K: 1, Persistent: true, Chains: 10,
		LearnRate: Schedule{Start: lr, End: lr / 10, Shape: ShapeLinear}, Momentum: Schedule{Start: 0.5, End: 0.9, From: 1},
		WeightDecay: 1e-3, Centered: true, OffsetRate: 0.05}
	for _, tc := range []struct {
		name       string
		persistent bool
		stopDraws  int // Binarize draws after which to cancel; 0: after epoch 1
		recipe     bool
	}{
		{"CD after epoch 1", false, 0, false},
		{"CD in epoch 1", false, 3*batchDraws + 8*Pixels + 2*batchDraws + 1, false}, // epoch 0 is 3 full batches and 8 rows; stop in the third batch of epoch 1
		{"PCD after epoch 1", true, 0, false},
		{"PCD in epoch 0", true, batchDraws + 1, false}, // in the second batch
		{"centered PCD, 10 chains, momentum, after epoch 1", true, 0, true},
		{"centered PCD, 10 chains, momentum, in epoch 1", true, 3*batchDraws + 8*Pixels + batchDraws + 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{Epochs: epochs, BatchSize: batch, K: 1, Persistent: tc.persistent}
			newTestTrainer := newTestTrainer
			if tc.recipe {
				cfg = recipe
				newTestTrainer = newTestTrainerCentered
			}
			src := NewSources(seed)
			m := newTestTrainer(t, hidden, lr, src)
			want, err := Fit(m, data, cfg, src, nil)
			if err != nil {
				t.Fatal(err)
			}
			wantW, wantV, wantH := m.Model().Params()

			src = NewSources(seed)
			m = newTestTrainer(t, hidden, lr, src)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			stopped := src
			onEpoch := func(e Epoch) error {
				if tc.stopDraws == 0 && e.Epoch == 1 {
					cancel()
				}
				return nil
			}
			if tc.stopDraws > 0 {
				stopped.Binarize = &cancelAfter{Uniform: src.Binarize, n: tc.stopDraws, cancel: cancel}
			}
			part, err := FitContext(ctx, m, data, cfg, stopped, nil, onEpoch)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("interrupted run: error %v, want context.Canceled", err)
			}
			if len(part.Losses) == epochs {
				t.Fatal("the run was not interrupted")
			}
			dir := t.TempDir()
			settings := map[string]string{"seed": "3"}
			if err := SaveCheckpoint(dir, Checkpoint{Model: m.Model(), Result: part, Run: cfg.Run(hidden, images), Settings: settings}, src); err != nil {
				t.Fatal(err)
			}

			ck, err := LoadCheckpoint(dir)
			if err != nil {
				t.Fatal(err)
			}
			if ck.Settings["seed"] != "3" || ck.Run != cfg.Run(hidden, images) {
				t.Errorf("settings %v, want what was saved", ck.Settings)
			}
			if ck.Result.Batches != part.Batches || len(ck.Result.Losses) != len(part.Losses) {
				t.Errorf("checkpoint at epoch %d batch %d, run stopped at %d, %d", len(ck.Result.Losses), ck.Result.Batches, len(part.Losses), part.Batches)
			}
			resumed := NewSources(seed + 100)
			if err := ck.Restore(resumed); err != nil {
				t.Fatal(err)
			}
			got, err := FitContext(context.Background(), trainerOf(t, ck.Model, lr), data, cfg, resumed, ck.Result, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Losses) != len(want.Losses) {
				t.Fatalf("resumed run has %d losses, want %d", len(got.Losses), len(want.Losses))
			}
			for i := range want.Losses {
				if got.Losses[i] != want.Losses[i] {
					t.Errorf("epoch %d loss: resumed %v, uninterrupted %v", i, got.Losses[i], want.Losses[i])
				}
			}
			if len(got.Curve) != len(want.Curve) {
				t.Fatalf("resumed loss curve of %d parts, uninterrupted %d", len(got.Curve), len(want.Curve))
			}
			for i := range want.Curve {
				if got.Curve[i] != want.Curve[i] {
					t.Errorf("loss curve part %d: resumed %v, uninterrupted %v", i, got.Curve[i], want.Curve[i])
				}
			}
			gotW, gotV, gotH := ck.Model.Params()
			for _, p := range []struct {
				name      string
				got, want []float32
			}{{"W", gotW, wantW}, {"v_bias", gotV, wantV}, {"h_bias", gotH, wantH}, {"last recon", got.LastRecon, want.LastRecon}} {
				if len(p.got) != len(p.want) {
					t.Fatalf("%s: %d values, want %d", p.name, len(p.got), len(p.want))
				}
				for i := range p.want {
					if p.got[i] != p.want[i] {
						t.Fatalf("%s[%d]: resumed %v, uninterrupted %v", p.name, i, p.got[i], p.want[i])
					}
				}
			}
		})
	}
}

// testRun is the run of saveTestCheckpoint: 100 images in batches of 32,
// so epochs end on a batch of 4.
var testRun = Run{Hidden: 4, Images: 100, BatchSize: 32, K: 1, Persistent: true}

// saveTestCheckpoint trains testRun for epochs epochs and saves it into dir.
func saveTestCheckpoint(t *testing.T, dir string, epochs int) (*graph.Model, *Result) {
	t.Helper()
	src := NewSources(1)
	m := newTestTrainer(t, testRun.Hidden, 0.1, src)
	cfg := Config{Epochs: epochs, BatchSize: testRun.BatchSize, K: testRun.K, Persistent: testRun.Persistent}
	res, err := Fit(m, trainHead(t, testRun.Images), cfg, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	ck := Checkpoint{Model: m.Model(), Result: res, Run: testRun, Settings: map[string]string{"seed": "1"}, History: json.RawMessage(`[{"epoch":0}]`)}
	if err := SaveCheckpoint(dir, ck, src); err != nil {
		t.Fatal(err)
	}
	return m.Model(), res
}

// TestCheckpointAtomic checks what LoadCheckpoint makes of interrupted
// saves: an unfinished subfolder is ignored (and removed by the next save),
// diverged parameters are never saved.
func TestCheckpointAtomic(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadCheckpoint(dir); !errors.Is(err, ErrNoCheckpoint) {
		t.Errorf("empty folder: error %v, want ErrNoCheckpoint", err)
	}
	saveTestCheckpoint(t, dir, 1)
	_, want := saveTestCheckpoint(t, dir, 2)
	if entries, _ := os.ReadDir(dir); len(entries) != 2 { // latest and one subfolder
		t.Errorf("after two saves the folder holds %d entries, want 2 (the older checkpoint removed)", len(entries))
	}

	// A save that stopped before switching Latest leaves a subfolder that
	// LoadCheckpoint must not read, and maybe a temporary Latest.
	half := filepath.Join(dir, "epoch3-batch0-123")
	if err := os.Mkdir(half, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(half, FileW), []byte("\x93NUMPY half"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".latest.tmp123"), []byte("epoch3-batch0-123"), 0o644); err != nil {
		t.Fatal(err)
	}
	ck, err := LoadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	var history bytes.Buffer
	if err := json.Compact(&history, ck.History); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ck.Result.Losses, want.Losses) || history.String() != `[{"epoch":0}]` || ck.Settings["seed"] != "1" {
		t.Errorf("loaded losses %v, history %s, settings %v; want the last complete checkpoint's %v", ck.Result.Losses, ck.History, ck.Settings, want.Losses)
	}
	if err := RemoveStale(dir); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 { // latest and one subfolder
		t.Errorf("after RemoveStale the folder holds %d entries, want 2 (stale subfolder and temporary file removed)", len(entries))
	}

	// Diverged parameters: refused, the last good checkpoint stays.
	src := NewSources(1)
	m := newTestTrainer(t, testRun.Hidden, 0.1, src).Model()
	w, vb, hb := m.Params()
	w[3] = float32(math.Inf(1))
	if err := m.SetParams(w, vb, hb); err != nil {
		t.Fatal(err)
	}
	if err := SaveCheckpoint(dir, Checkpoint{Model: m, Result: want, Run: testRun}, src); !errors.Is(err, ErrDiverged) {
		t.Errorf("saving +Inf parameters: error %v, want ErrDiverged", err)
	}
	if ck, err := LoadCheckpoint(dir); err != nil || len(ck.Result.Losses) != 2 {
		t.Errorf("after a refused save: %v, want the 2-epoch checkpoint", err)
	}
}

// TestCheckpointDamaged damages a saved checkpoint one way at a time:
// LoadCheckpoint must refuse each with an error wrapping ErrDamaged that
// names the problem, and never panic.
func TestCheckpointDamaged(t *testing.T) {
	sub := func(t *testing.T, d string) string {
		name, _, err := readLatest(d)
		if err != nil {
			t.Fatal(err)
		}
		return filepath.Join(d, name)
	}
	// editState rewrites state.json through edit, on the decoded JSON,
	// and gives Latest its new checksum, as a writer of consistent but
	// wrong checkpoints would: the checks behind the checksum see it.
	editState := func(edit func(map[string]any)) func(*testing.T, string) {
		return func(t *testing.T, d string) {
			p := filepath.Join(sub(t, d), StateFile)
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
			rehash(t, d)
		}
	}
	run := func(key string, v any) func(*testing.T, string) {
		return editState(func(st map[string]any) { st["run"].(map[string]any)[key] = v })
	}
	// replace puts another checkpoint's file, with its checksum, in place of name.
	replace := func(name string, other Run) func(*testing.T, string) {
		return func(t *testing.T, d string) {
			o := t.TempDir()
			src := NewSources(1)
			m := newTestTrainer(t, other.Hidden, 0.1, src)
			cfg := Config{Epochs: 1, BatchSize: other.BatchSize, K: 1, Persistent: other.Persistent}
			res, err := Fit(m, trainHead(t, other.Images), cfg, src, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := SaveCheckpoint(o, Checkpoint{Model: m.Model(), Result: res, Run: other}, src); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(filepath.Join(sub(t, o), name))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(sub(t, d), name), b, 0o644); err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(b)
			editState(func(st map[string]any) { st["sha256"].(map[string]any)[name] = hex.EncodeToString(sum[:]) })(t, d)
		}
	}
	writeFile := func(name, content string) func(*testing.T, string) {
		return func(t *testing.T, d string) {
			if err := os.WriteFile(filepath.Join(d, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	bigger := testRun
	bigger.Hidden = 8
	otherBatch := testRun
	otherBatch.BatchSize = 16
	for _, tc := range []struct {
		name   string
		damage func(*testing.T, string)
		want   string
	}{
		{"latest names nothing", writeFile(Latest, "\n"), "does not name"},
		{"latest escapes", writeFile(Latest, "../x"), "does not name"},
		{"latest of an earlier version", func(t *testing.T, d string) {
			writeFile(Latest, filepath.Base(sub(t, d))+"\n")(t, d)
		}, "no checksum"},
		{"latest's checksum cut", func(t *testing.T, d string) {
			b, _ := os.ReadFile(filepath.Join(d, Latest))
			writeFile(Latest, string(b[:len(b)-2])+"\n")(t, d)
		}, "is not the SHA-256"},
		{"latest names a neighbour", func(t *testing.T, d string) {
			b, _ := os.ReadFile(filepath.Join(d, Latest))
			name, sum, _ := strings.Cut(string(b), " ")
			writeFile(Latest, name+"1 "+sum)(t, d)
		}, "no such file"},
		{"state edited, its checksum not", func(t *testing.T, d string) {
			p := filepath.Join(sub(t, d), StateFile)
			b, _ := os.ReadFile(p)
			os.WriteFile(p, bytes.Replace(b, []byte(`"loss_curve": [`), []byte(`"loss_curve": [ `), 1), 0o644)
		}, "state.json has changed"},
		{"latest is a folder", func(t *testing.T, d string) {
			os.Remove(filepath.Join(d, Latest))
			os.Mkdir(filepath.Join(d, Latest), 0o755)
		}, "not a regular file"},
		{"latest is /dev/zero", func(t *testing.T, d string) {
			os.Remove(filepath.Join(d, Latest))
			if err := os.Symlink("/dev/zero", filepath.Join(d, Latest)); err != nil {
				t.Fatal(err)
			}
		}, "not a regular file"},
		{"latest is a FIFO", func(t *testing.T, d string) {
			os.Remove(filepath.Join(d, Latest))
			if err := syscall.Mkfifo(filepath.Join(d, Latest), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "not a regular file"},
		{"latest is huge", writeFile(Latest, strings.Repeat("x", 1<<20)), "too large"},
		{"subfolder gone", func(t *testing.T, d string) { os.RemoveAll(sub(t, d)) }, "no such file"},
		{"state not JSON", func(t *testing.T, d string) { os.WriteFile(filepath.Join(sub(t, d), StateFile), []byte("{"), 0o644) }, StateFile},
		{"older version", editState(func(st map[string]any) { st["version"] = 1 }), "version 1"},
		{"unknown field", editState(func(st map[string]any) { st["extra"] = 1 }), "unknown field"},
		{"losses do not match", editState(func(st map[string]any) { st["epochs_done"] = 3 }), "3 epochs done but 1 losses"},
		{"batches beyond the epoch", editState(func(st map[string]any) { st["batches_done_in_next_epoch"] = 4 }), "4 batches done in the next epoch, which has 4"},
		{"huge batches", editState(func(st map[string]any) { st["batches_done_in_next_epoch"] = 1e18 }), "batches done"},
		{"negative batches", editState(func(st map[string]any) { st["batches_done_in_next_epoch"] = -1 }), "batches done"},
		{"huge loss sum", editState(func(st map[string]any) {
			st["batches_done_in_next_epoch"], st["loss_sum_in_next_epoch"], st["last_rows"] = 1, 1e308, 32
		}), "loss sum"},
		{"infinite loss", editState(func(st map[string]any) { st["losses"] = []any{1e300 * 10} }), "epoch 0's loss"},
		{"nothing trained", editState(func(st map[string]any) { st["epochs_done"], st["losses"] = 0, []any{} }), "nothing trained"},
		{"last rows", editState(func(st map[string]any) { st["last_rows"] = 32 }), "last batch of 32 rows"},
		{"hidden changed", run("hidden", 8), "has shape (4, 784), the run needs (8, 784)"},
		{"no hidden units", run("hidden", 0), "0 hidden units"},
		{"images changed", run("images", 101), "last batch"},
		{"random state cut", editState(func(st map[string]any) { st["random_state"] = "AAAA" }), "random state"},
		{"W truncated", func(t *testing.T, d string) {
			p := filepath.Join(sub(t, d), FileW)
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)-1], 0o644)
		}, "W.npy has changed"},
		{"W from a larger model", replace(FileW, bigger), "W.npy has shape (8, 784), the run needs (4, 784)"},
		{"chain from another batch size", replace(fileChain, otherBatch), "chain.npy has shape (16, 784), the run needs (32, 784)"},
		{"chain deleted", func(t *testing.T, d string) { os.Remove(filepath.Join(sub(t, d), fileChain)) }, "chain.npy: no such file"},
		{"chain unlisted", editState(func(st map[string]any) { delete(st["sha256"].(map[string]any), fileChain) }), "lists no chain.npy"},
		{"a file listed too many", editState(func(st map[string]any) { st["sha256"].(map[string]any)["../../x"] = "00" }), "does not have"},
		{"NaN in W", func(t *testing.T, d string) {
			p := filepath.Join(sub(t, d), FileW)
			b, _ := os.ReadFile(p)
			copy(b[len(b)-4:], []byte{0, 0, 0xc0, 0x7f})
			os.WriteFile(p, b, 0o644)
			sum := sha256.Sum256(b)
			editState(func(st map[string]any) { st["sha256"].(map[string]any)[FileW] = hex.EncodeToString(sum[:]) })(t, d)
		}, "not finite"},
		{"not binary", func(t *testing.T, d string) {
			p := filepath.Join(sub(t, d), fileLastV)
			b, _ := os.ReadFile(p)
			copy(b[len(b)-4:], []byte{0, 0, 0, 0x3f}) // 0.5
			os.WriteFile(p, b, 0o644)
			sum := sha256.Sum256(b)
			editState(func(st map[string]any) { st["sha256"].(map[string]any)[fileLastV] = hex.EncodeToString(sum[:]) })(t, d)
		}, "not a binary state"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := t.TempDir()
			saveTestCheckpoint(t, d, 1)
			tc.damage(t, d)
			_, err := LoadCheckpoint(d)
			if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want ErrDamaged mentioning %q", err, tc.want)
			}
		})
	}
}

// rehash gives the file Latest in dir the checksum of the state it names,
// as it is now.
func rehash(t *testing.T, dir string) {
	t.Helper()
	name, _, err := readLatest(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, name, StateFile))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if err := os.WriteFile(filepath.Join(dir, Latest), []byte(name+" "+hex.EncodeToString(sum[:])+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRemoveStaleVerifies damages Latest in a folder that holds a
// checkpoint and the subfolder of an interrupted save: RemoveStale must
// refuse and remove nothing, and remove the stale subfolder once Latest is
// whole again.
func TestRemoveStaleVerifies(t *testing.T) {
	dir := t.TempDir()
	saveTestCheckpoint(t, dir, 1)
	stale := filepath.Join(dir, "epoch2-batch0-123")
	if err := os.Mkdir(stale, 0o755); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(filepath.Join(dir, Latest))
	if err != nil {
		t.Fatal(err)
	}
	name, sum, _ := strings.Cut(string(good), " ")
	neighbour := name[:len(name)-1] + "0" // one digit of the name changed: a neighbour that does not exist
	if neighbour == name {
		neighbour = name[:len(name)-1] + "1"
	}
	for _, latest := range []string{
		neighbour + " " + sum,
		name + " " + strings.Repeat("0", 64) + "\n",
		name + "\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, Latest), []byte(latest), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := RemoveStale(dir); !errors.Is(err, ErrDamaged) {
			t.Errorf("latest %q: RemoveStale gave %v, want ErrDamaged", latest, err)
		}
		for _, d := range []string{stale, filepath.Join(dir, name)} {
			if _, err := os.Stat(d); err != nil {
				t.Errorf("latest %q: RemoveStale removed %s", latest, filepath.Base(d))
			}
		}
	}
	if err := os.WriteFile(filepath.Join(dir, Latest), good, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := RemoveStale(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("with latest whole, the stale subfolder is still there: %v", err)
	}
}

// ExampleSaveCheckpoint stops a run after its first epoch, saves it, and
// continues it from the checkpoint in fresh sources.
func ExampleSaveCheckpoint() {
	d := &Dataset{Images: make([]uint8, 10*Pixels), Labels: make([]uint8, 10), N: 10}
	for i := range d.Images {
		d.Images[i] = uint8(i % 251)
	}
	cfg := Config{Epochs: 3, BatchSize: 4, K: 1}
	src := NewSources(1)
	m, _ := graph.New(Pixels, 8, src.Init)
	t, _ := graph.NewTrainer(m, 0.1)
	defer t.Close()
	ctx, stop := context.WithCancel(context.Background())
	res, err := FitContext(ctx, t, d, cfg, src, nil, func(Epoch) error { stop(); return nil })
	fmt.Println("stopped:", errors.Is(err, context.Canceled), "epochs done:", len(res.Losses))

	dir, _ := os.MkdirTemp("", "checkpoint")
	defer os.RemoveAll(dir)
	run := cfg.Run(m.Hidden(), d.N)
	if err := SaveCheckpoint(dir, Checkpoint{Model: m, Result: res, Run: run, Settings: map[string]string{"seed": "1"}}, src); err != nil {
		fmt.Println(err)
		return
	}
	ck, err := LoadCheckpoint(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	resumed := NewSources(1)
	if err := ck.Restore(resumed); err != nil {
		fmt.Println(err)
		return
	}
	t2, _ := graph.NewTrainer(ck.Model, 0.1)
	defer t2.Close()
	res, err = FitContext(context.Background(), t2, d, cfg, resumed, ck.Result, nil)
	fmt.Println("resumed:", err, "epochs done:", len(res.Losses), "settings:", ck.Settings)
	// Output:
	// stopped: true epochs done: 1
	// resumed: <nil> epochs done: 3 settings: map[seed:1]
}

// newTestTrainerCentered is newTestTrainer with offsets: μ of the first
// test images' pixel means, λ = 0.5.
func newTestTrainerCentered(t testing.TB, hidden int, lr float64, src Sources) *graph.Trainer {
	t.Helper()
	m := newTestTrainer(t, hidden, lr, src)
	mu, lambda := make([]float32, Pixels), make([]float32, hidden)
	for i := range mu {
		mu[i] = float32(i%7) / 10
	}
	for j := range lambda {
		lambda[j] = 0.5
	}
	if err := m.SetOffsets(mu, lambda); err != nil {
		t.Fatal(err)
	}
	return m
}
