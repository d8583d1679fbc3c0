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
		m, err := graph.New(Pixels, 6, 0.1, src.Init)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Fit(m, d, Config{Epochs: 2, BatchSize: batch, K: 1, Persistent: persistent}, src, nil)
		if err != nil {
			t.Fatal(err)
		}
		w, _, _ := m.Params()
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
		m, err := graph.New(Pixels, 6, 0.1, src.Init)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Fit(m, one, Config{Epochs: 1, BatchSize: 10, K: 1, Persistent: p}, src, nil)
		if err != nil {
			t.Fatal(err)
		}
		losses[i] = res.Losses[0]
		weights[i], _, _ = m.Params()
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
