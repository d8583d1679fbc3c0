package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
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
	for _, tc := range []struct {
		name       string
		persistent bool
		stopDraws  int // Binarize draws after which to cancel; 0: after epoch 1
	}{
		{"CD after epoch 1", false, 0},
		{"CD in epoch 1", false, 3*batchDraws + 8*Pixels + 2*batchDraws + 1}, // epoch 0 is 3 full batches and 8 rows; stop in the third batch of epoch 1
		{"PCD after epoch 1", true, 0},
		{"PCD in epoch 0", true, batchDraws + 1}, // in the second batch
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{Epochs: epochs, BatchSize: batch, K: 1, Persistent: tc.persistent}
			src := NewSources(seed)
			m := newTestModel(t, hidden, lr, src)
			want, err := Fit(m, data, cfg, src, nil)
			if err != nil {
				t.Fatal(err)
			}
			wantW, wantV, wantH := m.Params()

			src = NewSources(seed)
			m = newTestModel(t, hidden, lr, src)
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
			settings := map[string]string{"hidden": "16"}
			if err := SaveCheckpoint(dir, m, part, src, settings); err != nil {
				t.Fatal(err)
			}

			ck, err := LoadCheckpoint(dir, lr)
			if err != nil {
				t.Fatal(err)
			}
			if ck.Settings["hidden"] != "16" {
				t.Errorf("settings %v, want what was saved", ck.Settings)
			}
			if ck.Result.Batches != part.Batches || len(ck.Result.Losses) != len(part.Losses) {
				t.Errorf("checkpoint at epoch %d batch %d, run stopped at %d, %d", len(ck.Result.Losses), ck.Result.Batches, len(part.Losses), part.Batches)
			}
			resumed := NewSources(seed + 100)
			if err := resumed.UnmarshalBinary(ck.Random); err != nil {
				t.Fatal(err)
			}
			got, err := FitContext(context.Background(), ck.Model, data, cfg, resumed, ck.Result, nil)
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

func saveTestCheckpoint(t *testing.T, dir string, epochs int) (*graph.Model, *Result) {
	t.Helper()
	src := NewSources(1)
	m := newTestModel(t, 4, 0.1, src)
	res := &Result{Losses: make([]float64, epochs)}
	for i := range res.Losses {
		res.Losses[i] = float64(i) + 0.5
	}
	if err := SaveCheckpoint(dir, m, res, src, map[string]string{"epochs": "x"}); err != nil {
		t.Fatal(err)
	}
	return m, res
}

// TestCheckpointAtomic checks what LoadCheckpoint makes of interrupted and
// damaged saves: an unfinished subfolder is ignored, a damaged checkpoint is
// refused with a message, diverged parameters are never saved.
func TestCheckpointAtomic(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadCheckpoint(dir, 0.1); !errors.Is(err, ErrNoCheckpoint) {
		t.Errorf("empty folder: error %v, want ErrNoCheckpoint", err)
	}
	saveTestCheckpoint(t, dir, 1)
	saveTestCheckpoint(t, dir, 2)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 { // latest and one subfolder
		t.Errorf("after two saves the folder holds %d entries, want 2 (old checkpoints removed)", len(entries))
	}

	// A save that stopped before switching Latest leaves a subfolder that
	// LoadCheckpoint must not read.
	half := filepath.Join(dir, "epoch3-batch0-123")
	if err := os.Mkdir(half, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(half, FileW), []byte("\x93NUMPY half"), 0o644); err != nil {
		t.Fatal(err)
	}
	ck, err := LoadCheckpoint(dir, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	if len(ck.Result.Losses) != 2 || ck.Result.Losses[1] != 1.5 {
		t.Errorf("loaded losses %v, want the last complete checkpoint's [0.5 1.5]", ck.Result.Losses)
	}

	// Diverged parameters: refused, the last good checkpoint stays.
	src := NewSources(1)
	m := newTestModel(t, 4, 0.1, src)
	w, vb, hb := m.Params()
	w[3] = float32(math.Inf(1))
	if err := m.SetParams(w, vb, hb); err != nil {
		t.Fatal(err)
	}
	if err := SaveCheckpoint(dir, m, &Result{Losses: []float64{1, 2, 3}}, src, nil); !errors.Is(err, ErrDiverged) {
		t.Errorf("saving +Inf parameters: error %v, want ErrDiverged", err)
	}
	if ck, err := LoadCheckpoint(dir, 0.1); err != nil || len(ck.Result.Losses) != 2 {
		t.Errorf("after a refused save: %v, want the 2-epoch checkpoint", err)
	}

	sub := func(d string) string {
		b, err := os.ReadFile(filepath.Join(d, Latest))
		if err != nil {
			t.Fatal(err)
		}
		return filepath.Join(d, strings.TrimSpace(string(b)))
	}
	for _, tc := range []struct {
		name   string
		damage func(dir string) error
		want   string
	}{
		{"latest names nothing", func(d string) error { return os.WriteFile(filepath.Join(d, Latest), []byte("\n"), 0o644) }, "does not name"},
		{"latest escapes", func(d string) error { return os.WriteFile(filepath.Join(d, Latest), []byte("../x"), 0o644) }, "does not name"},
		{"subfolder gone", func(d string) error { return os.RemoveAll(sub(d)) }, "damaged"},
		{"state not JSON", func(d string) error { return os.WriteFile(filepath.Join(sub(d), StateFile), []byte("{"), 0o644) }, StateFile},
		{"losses do not match", func(d string) error {
			return os.WriteFile(filepath.Join(sub(d), StateFile), []byte(`{"version":1,"epochs_done":3,"losses":[1]}`), 0o644)
		}, "3 epochs done"},
		{"random state cut", func(d string) error {
			return os.WriteFile(filepath.Join(sub(d), StateFile), []byte(`{"version":1,"epochs_done":0,"random_state":"AAAA"}`), 0o644)
		}, "random state"},
		{"W truncated", func(d string) error {
			p := filepath.Join(sub(d), FileW)
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(p, b[:len(b)-1], 0o644)
		}, "truncated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := t.TempDir()
			saveTestCheckpoint(t, d, 1)
			if err := tc.damage(d); err != nil {
				t.Fatal(err)
			}
			_, err := LoadCheckpoint(d, 0.1)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one mentioning %q", err, tc.want)
			}
		})
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
	m, _ := graph.New(Pixels, 8, 0.1, src.Init)
	ctx, stop := context.WithCancel(context.Background())
	res, err := FitContext(ctx, m, d, cfg, src, nil, func(Epoch) error { stop(); return nil })
	fmt.Println("stopped:", errors.Is(err, context.Canceled), "epochs done:", len(res.Losses))

	dir, _ := os.MkdirTemp("", "checkpoint")
	defer os.RemoveAll(dir)
	if err := SaveCheckpoint(dir, m, res, src, map[string]string{"hidden": "8"}); err != nil {
		fmt.Println(err)
		return
	}
	ck, err := LoadCheckpoint(dir, 0.1)
	if err != nil {
		fmt.Println(err)
		return
	}
	resumed := NewSources(1)
	if err := resumed.UnmarshalBinary(ck.Random); err != nil {
		fmt.Println(err)
		return
	}
	res, err = FitContext(context.Background(), ck.Model, d, cfg, resumed, ck.Result, nil)
	fmt.Println("resumed:", err, "epochs done:", len(res.Losses), "settings:", ck.Settings)
	// Output:
	// stopped: true epochs done: 1
	// resumed: <nil> epochs done: 3 settings: map[hidden:8]
}
