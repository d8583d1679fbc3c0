package train

import (
	"math/rand/v2"
	"testing"

	"gorbm.dev/gorbm/graph"
)

// TestPersistentChangesOnlyTheStart checks that PCD differs from CD only in
// where the negative chain starts: with a single batch the chain starts at
// the data, so both give bit-identical losses and parameters; with several
// batches they part, and the chain kept is the last reconstruction.
func TestPersistentChangesOnlyTheStart(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	d := &Dataset{N: 40, Images: make([]uint8, 40*Pixels), Labels: make([]uint8, 40)}
	for i := range d.Images {
		d.Images[i] = uint8(rng.IntN(256))
	}
	fit := func(persistent bool, batch int) (*Result, []float32) {
		src := NewSources(4)
		m := newTestTrainer(t, 6, 0.1, src)
		res, err := Fit(m, d, Config{Epochs: 2, BatchSize: batch, K: 1, Persistent: persistent}, src, nil)
		if err != nil {
			t.Fatal(err)
		}
		w, _, _ := m.Model().Params()
		return res, w
	}
	for _, tc := range []struct {
		name      string
		batch     int
		wantEqual bool
	}{
		{"one batch per epoch", 40, false}, // epoch 2 starts from epoch 1's chain, not the data
		{"a batch larger than the data", 64, false},
		{"four batches", 10, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cd, wCD := fit(false, tc.batch)
			pcd, wPCD := fit(true, tc.batch)
			if cd.Chain != nil {
				t.Error("CD kept a persistent chain")
			}
			rows := pcd.LastRows
			for i, x := range pcd.LastRecon[:rows*Pixels] {
				if pcd.Chain[i] != x {
					t.Fatalf("the persistent chain differs from the last reconstruction at %d", i)
				}
			}
			// After two epochs the negative samples differed, so must the results.
			same := cd.Losses[1] == pcd.Losses[1]
			for i := range wCD {
				same = same && wCD[i] == wPCD[i]
			}
			if same != tc.wantEqual {
				t.Errorf("CD and PCD identical: %v, want %v", same, tc.wantEqual)
			}
		})
	}
	// A single epoch of a single batch: PCD is CD.
	one := &Dataset{N: 10, Images: d.Images[:10*Pixels], Labels: d.Labels[:10]}
	var losses [2]float64
	var weights [2][]float32
	for i, p := range []bool{false, true} {
		src := NewSources(4)
		m := newTestTrainer(t, 6, 0.1, src)
		res, err := Fit(m, one, Config{Epochs: 1, BatchSize: 10, K: 1, Persistent: p}, src, nil)
		if err != nil {
			t.Fatal(err)
		}
		losses[i] = res.Losses[0]
		weights[i], _, _ = m.Model().Params()
	}
	if losses[0] != losses[1] {
		t.Errorf("one batch: CD loss %v, PCD loss %v; the first chain must start at the data", losses[0], losses[1])
	}
	for i := range weights[0] {
		if weights[0][i] != weights[1][i] {
			t.Fatalf("one batch: W[%d] differs between CD and PCD", i)
		}
	}
}

// TestChainsOfTheirOwn checks Config.Chains: every batch advances all the
// chains whatever its size (the last batch here has 4 images, the chains
// are 7), their states are the last negative samples, and the offsets of
// a centered model move while its plain parameters are what is trained.
func TestChainsOfTheirOwn(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	d := &Dataset{N: 24, Images: make([]uint8, 24*Pixels), Labels: make([]uint8, 24)}
	for i := range d.Images {
		d.Images[i] = uint8(rng.IntN(256))
	}
	const chains = 7
	cfg := Config{Epochs: 2, BatchSize: 10, K: 2, Persistent: true, Chains: chains, Centered: true, OffsetRate: 0.1}
	src := NewSources(5)
	m := newTestTrainerCentered(t, 6, 0.05, src)
	mu0, _ := m.Offsets()
	var drawn int
	counting := src
	counting.Sample = uniformFunc(func() float32 { drawn++; return src.Sample.Float32() })
	res, err := Fit(m, d, cfg, counting, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := graph.NewSampler(m.Model(), nil)
	if want := 2 * 3 * s.GibbsDraws(chains, cfg.K); drawn != want {
		t.Errorf("%d sampling draws, want %d: 3 batches per epoch, each advancing all %d chains", drawn, want, chains)
	}
	if len(res.Chain) != chains*Pixels || len(res.LastRecon) != chains*Pixels || res.LastRows != 4 {
		t.Fatalf("chain of %d rows, last negative samples %d rows, last batch %d rows; want %d, %d, 4",
			len(res.Chain)/Pixels, len(res.LastRecon)/Pixels, res.LastRows, chains, chains)
	}
	for i, x := range res.LastRecon {
		if res.Chain[i] != x {
			t.Fatalf("the chains differ from the last negative samples at %d", i)
		}
	}
	mu, _ := m.Offsets()
	if sameFloats(mu, mu0) || res.Offsets[0] == nil || !sameFloats(res.Offsets[0], mu) {
		t.Error("the offsets did not move, or the Result does not carry them")
	}
	plain := newTestTrainer(t, 6, 0.1, NewSources(5))
	if _, err := Fit(plain, d, cfg, NewSources(5), nil); err == nil {
		t.Error("a centered run on a model without offsets gave no error")
	}
}

type uniformFunc func() float32

func (f uniformFunc) Float32() float32 { return f() }

func sameFloats(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
