package train

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"gorbm.dev/gorbm/graph"
)

var (
	mnistOnce sync.Once
	mnist     *Dataset
	mnistErr  error
)

// trainHead returns the first n training images of the bundled MNIST.
func trainHead(t testing.TB, n int) *Dataset {
	t.Helper()
	mnistOnce.Do(func() {
		var dir string
		if dir, mnistErr = DataDir(); mnistErr == nil {
			mnist, _, mnistErr = Load(dir)
		}
	})
	if mnistErr != nil {
		t.Fatal(mnistErr)
	}
	return mnist.Head(n)
}

// newTestTrainer returns a trainer with learning rate lr of a new model of
// hidden units drawn from src.Init, closed when the test ends.
func newTestTrainer(t testing.TB, hidden int, lr float64, src Sources) *graph.Trainer {
	t.Helper()
	m, err := graph.New(Pixels, hidden, src.Init)
	if err != nil {
		t.Fatal(err)
	}
	return trainerOf(t, m, lr)
}

// trainerOf returns a trainer of m with learning rate lr, closed when the
// test ends.
func trainerOf(t testing.TB, m *graph.Model, lr float64) *graph.Trainer {
	t.Helper()
	tr, err := graph.NewTrainer(m, lr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tr.Close)
	return tr
}

func TestFitBatches(t *testing.T) {
	for _, tc := range []struct {
		images, batch       int
		wantBatches, lastRs int
	}{
		{128, 64, 2, 64},
		{100, 64, 2, 36}, // the last batch is shorter, as the script's 60000 = 937·64 + 32
		{5, 64, 1, 5},
		{7, 1, 7, 1},
	} {
		src := NewSources(1)
		m := newTestTrainer(t, 8, 0.1, src)
		var got []Epoch
		res, err := Fit(m, trainHead(t, tc.images), Config{Epochs: 2, BatchSize: tc.batch, K: 1}, src, func(e Epoch) error {
			got = append(got, e)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Epoch != 0 || got[1].Epoch != 1 {
			t.Fatalf("%d images: epochs reported %+v", tc.images, got)
		}
		for _, e := range got {
			if e.Batches != tc.wantBatches {
				t.Errorf("%d images in batches of %d: %d batches, want %d", tc.images, tc.batch, e.Batches, tc.wantBatches)
			}
		}
		if res.LastRows != tc.lastRs || len(res.LastData) != tc.lastRs*Pixels || len(res.LastRecon) != tc.lastRs*Pixels {
			t.Errorf("%d images: last batch of %d rows (%d, %d values), want %d rows", tc.images, res.LastRows, len(res.LastData), len(res.LastRecon), tc.lastRs)
		}
		if len(res.Losses) != 2 || res.Losses[0] != got[0].Loss || res.Losses[1] != got[1].Loss {
			t.Errorf("Result.Losses %v, reported %v and %v", res.Losses, got[0].Loss, got[1].Loss)
		}
	}
}

func TestFitDeterministic(t *testing.T) {
	data := trainHead(t, 200)
	runOnce := func(seed uint64, persistent bool) []float64 {
		src := NewSources(seed)
		m := newTestTrainer(t, 16, 0.1, src)
		res, err := Fit(m, data, Config{Epochs: 2, BatchSize: 32, K: 1, Persistent: persistent}, src, nil)
		if err != nil {
			t.Fatal(err)
		}
		return res.Losses
	}
	a, b := runOnce(3, false), runOnce(3, false)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed, epoch %d: losses %v and %v", i, a[i], b[i])
		}
	}
	if c := runOnce(4, false); c[0] == a[0] {
		t.Errorf("seeds 3 and 4 gave the same first-epoch loss %v", a[0])
	}
	if p := runOnce(3, true); p[0] == a[0] && p[1] == a[1] {
		t.Errorf("PCD gave the same losses as CD-1: %v", p)
	}
}

func TestFitStops(t *testing.T) {
	data := trainHead(t, 256)
	t.Run("cancelled", func(t *testing.T) {
		src := NewSources(1)
		m := newTestTrainer(t, 8, 0.1, src)
		ctx, cancel := context.WithCancel(context.Background())
		res, err := FitContext(ctx, m, data, Config{Epochs: 3, BatchSize: 64, K: 1}, src, nil, func(e Epoch) error {
			cancel() // after the first epoch
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v, want context.Canceled", err)
		}
		if len(res.Losses) != 1 || res.LastRows != 64 {
			t.Errorf("stopped with %d epochs and a last batch of %d rows, want 1 and 64", len(res.Losses), res.LastRows)
		}
	})
	t.Run("diverged", func(t *testing.T) {
		src := NewSources(1)
		m := newTestTrainer(t, 8, 1e4, src)
		_, err := Fit(m, data, Config{Epochs: 3, BatchSize: 64, K: 1}, src, nil)
		var d *DivergedError
		if !errors.Is(err, ErrDiverged) || !errors.As(err, &d) || d.Epoch < 0 || d.Batch < 0 || strings.Contains(err.Error(), "-lr") {
			t.Fatalf("lr 1e4: error %v, want a *DivergedError that names no flag", err)
		}
	})
	t.Run("callback error", func(t *testing.T) {
		src := NewSources(1)
		m := newTestTrainer(t, 8, 0.1, src)
		stop := errors.New("stop")
		if _, err := Fit(m, data, Config{Epochs: 3, BatchSize: 64, K: 1}, src, func(Epoch) error { return stop }); !errors.Is(err, stop) {
			t.Errorf("error %v, want the callback's", err)
		}
	})
}

// binarizeTol bounds the gap between the mean of binarized pixels and the
// mean intensity: with n draws the standard error is at most 0.5/√n; 5 of
// those is a one-in-a-million miss for a correct sampler.
func TestBinarizeMean(t *testing.T) {
	const n = 200000
	src := NewSources(9)
	for _, x := range []uint8{0, 1, 64, 128, 254, 255} {
		pixels := make([]uint8, n)
		for i := range pixels {
			pixels[i] = x
		}
		dst := make([]float32, n)
		Binarize(dst, pixels, src.Binarize)
		var sum float64
		for _, v := range dst {
			sum += float64(v)
		}
		want := float64(x) / 255
		if tol := 5 * 0.5 / math.Sqrt(n); math.Abs(sum/n-want) > tol {
			t.Errorf("pixel %d: mean %v, want %v ± %v", x, sum/n, want, tol)
		}
		if (x == 0 && sum != 0) || (x == 255 && sum != n) {
			t.Errorf("pixel %d must binarize deterministically, mean %v", x, sum/n)
		}
	}
}

// TestFitMatchesPlainLoop checks that Fit, which makes each next batch's
// draws on a second goroutine, trains exactly as the script's loop written
// plainly: binarize, Gibbs chain and SGD step, one batch after the other,
// drawing from the streams as it goes. The parameters must be bit-identical.
func TestFitMatchesPlainLoop(t *testing.T) {
	const images, hidden, batch, epochs, seed = 200, 16, 64, 2, 5 // batches of 64, 64, 64, 8
	data := trainHead(t, images)
	for _, k := range []int{1, 2} {
		src := NewSources(seed)
		m := newTestTrainer(t, hidden, 0.1, src)
		if _, err := Fit(m, data, Config{Epochs: epochs, BatchSize: batch, K: k}, src, nil); err != nil {
			t.Fatal(err)
		}
		gotW, gotV, gotH := m.Model().Params()

		src = NewSources(seed)
		plain := newTestTrainer(t, hidden, 0.1, src)
		s := graph.NewSampler(plain.Model(), nil)
		for range epochs {
			for lo := 0; lo < images; lo += batch {
				rows := min(batch, images-lo)
				v := make([]float32, rows*Pixels)
				Binarize(v, data.Images[lo*Pixels:(lo+rows)*Pixels], src.Binarize)
				b, err := s.Gibbs(v, rows, k, src.Sample)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := plain.Step(b); err != nil {
					t.Fatal(err)
				}
			}
		}
		wantW, wantV, wantH := plain.Model().Params()
		for _, p := range []struct {
			name      string
			got, want []float32
		}{{"W", gotW, wantW}, {"v_bias", gotV, wantV}, {"h_bias", gotH, wantH}} {
			for i := range p.want {
				if math.Float32bits(p.got[i]) != math.Float32bits(p.want[i]) {
					t.Fatalf("k=%d: %s[%d] = %v after Fit, %v after the plain loop", k, p.name, i, p.got[i], p.want[i])
				}
			}
		}
	}
}

// TestFitOnBatch checks that OnBatch sees every step in order, with the
// epoch's number of batches and the losses whose means Fit reports.
func TestFitOnBatch(t *testing.T) {
	const images, batch = 150, 64 // batches of 64, 64, 22
	data := trainHead(t, images)
	src := NewSources(3)
	m := newTestTrainer(t, 8, 0.1, src)
	var seen [][3]int
	sums := map[int]float64{}
	cfg := Config{Epochs: 2, BatchSize: batch, K: 1, OnBatch: func(epoch, b, batches int, loss float32) {
		seen = append(seen, [3]int{epoch, b, batches})
		sums[epoch] += float64(loss)
	}}
	res, err := Fit(m, data, cfg, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := [][3]int{{0, 0, 3}, {0, 1, 3}, {0, 2, 3}, {1, 0, 3}, {1, 1, 3}, {1, 2, 3}}
	if !slices.Equal(seen, want) {
		t.Fatalf("OnBatch calls %v, want %v", seen, want)
	}
	for e, l := range res.Losses {
		if got := sums[e] / 3; got != l {
			t.Errorf("epoch %d: mean of the OnBatch losses %v, Fit reports %v", e, got, l)
		}
	}
}

// TestLossCurve checks Result.Curve against the batch losses OnBatch
// reports: the mean of each tenth of each epoch (each batch when an epoch
// has fewer than ten), parts of as even a size as the batches allow.
func TestLossCurve(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	d := &Dataset{N: 25, Images: make([]uint8, 25*Pixels), Labels: make([]uint8, 25)}
	for i := range d.Images {
		d.Images[i] = uint8(rng.IntN(256))
	}
	// curveTol: the parts' means are float64 sums of a few float32 losses.
	const curveTol = 1e-12
	for _, tc := range []struct {
		batch int
		sizes []int // batches in each part of an epoch
	}{
		{10, []int{1, 1, 1}},                     // 3 batches an epoch
		{1, []int{3, 2, 3, 2, 3, 2, 3, 2, 3, 2}}, // 25 batches an epoch, tenths of 2 or 3
		{2, []int{2, 1, 1, 2, 1, 1, 2, 1, 1, 1}}, // 13 batches an epoch: batch b is in part ⌊10b/13⌋
	} {
		var losses []float64
		cfg := Config{Epochs: 2, BatchSize: tc.batch, K: 1, OnBatch: func(_, _, _ int, loss float32) { losses = append(losses, float64(loss)) }}
		src := NewSources(3)
		res, err := Fit(newTestTrainer(t, 5, 0.05, src), d, cfg, src, nil)
		if err != nil {
			t.Fatal(err)
		}
		var want []float64
		i := 0
		for range 2 {
			for _, n := range tc.sizes {
				var sum float64
				for _, l := range losses[i : i+n] {
					sum += l
				}
				want = append(want, sum/float64(n))
				i += n
			}
		}
		if i != len(losses) || len(res.Curve) != len(want) || res.CurveN != 0 {
			t.Fatalf("batch %d: a curve of %d parts (%d batches open) for %d batches, want %d parts", tc.batch, len(res.Curve), res.CurveN, len(losses), len(want))
		}
		for k := range want {
			if math.Abs(res.Curve[k]-want[k]) > curveTol {
				t.Errorf("batch %d: part %d is %v, want %v", tc.batch, k, res.Curve[k], want[k])
			}
		}
	}
}
