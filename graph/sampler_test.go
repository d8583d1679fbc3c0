package graph

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gorbm.dev/gorbm/internal/rng"
)

// TestChainShared checks Gibbs and Persistent, whose chains are shared
// out by rows, against the chain made of the public steps VisibleToHidden
// and HiddenToVisible with the same draws: the same states and hidden
// fields, bit for bit, with no helpers, one or three, k of 1 to 3, more or
// fewer chains than data rows, and draws from a generator or drawn ahead
// (rng.Drawn, as training does).
func TestChainShared(t *testing.T) {
	const V, H = 784, 64
	rnd := rand.New(rand.NewPCG(40, 41))
	m := randomModel(t, rnd, V, H, 0.3, 0.5)
	for _, tc := range []struct {
		rows, chains, k int
		persistent      bool
	}{
		{64, 64, 1, false},
		{100, 100, 3, false},
		{64, 100, 1, true},
		{100, 30, 2, true},
		{7, 57, 3, true},
		{64, 150, 2, true},
	} {
		data := binaryRows(rnd, tc.rows, V, 0.13)
		chain := binaryRows(rnd, tc.chains, V, 0.13)
		start, n := data, tc.rows // the chain's start and rows
		if tc.persistent {
			start, n = chain, tc.chains
		}

		// The reference: the steps one by one, drawing in the same order.
		ref := NewSampler(m, nil)
		src := rand.New(rand.NewPCG(7, 8))
		_, h := ref.VisibleToHidden(start, n, src)
		var vk []float32
		for i := range tc.k {
			_, vk = ref.HiddenToVisible(h, n, src)
			vk = append([]float32(nil), vk...)
			if i < tc.k-1 {
				_, h = ref.VisibleToHidden(vk, n, src)
			}
		}
		for range n * H { // the last hidden sample's, which Gibbs passes over
			src.Float32()
		}
		wantNext := src.Float32() // the first draw after the chain's
		wantFields := make([]float32, (tc.rows+n)*H)
		if tc.persistent {
			m.hiddenField(nil, wantFields[:tc.rows*H], data, tc.rows, &ref.scratch, nil)
			m.hiddenField(nil, wantFields[tc.rows*H:], vk, n, &ref.scratch, nil)
		} else {
			m.hiddenField(nil, wantFields[:n*H], data, n, &ref.scratch, nil)
			m.hiddenField(nil, wantFields[n*H:], vk, n, &ref.scratch, nil)
		}

		for _, helpers := range []int{0, 1, 3} {
			for _, drawn := range []bool{false, true} {
				name := fmt.Sprintf("rows=%d chains=%d k=%d persistent=%v helpers=%d drawn=%v", tc.rows, tc.chains, tc.k, tc.persistent, helpers, drawn)
				pool := NewPool(helpers)
				s := NewSampler(m, pool)
				gen := rand.New(rand.NewPCG(7, 8))
				var u Uniform = gen
				var d *rng.Drawn
				if drawn {
					all := make([]float32, s.GibbsDraws(n, tc.k))
					for i := range all {
						all[i] = gen.Float32()
					}
					d = rng.NewDrawn(all)
					u = d
				}
				var b Batch
				var err error
				if tc.persistent {
					b, err = s.Persistent(data, tc.rows, append([]float32(nil), chain...), tc.chains, tc.k, u)
				} else {
					b, err = s.Gibbs(data, tc.rows, tc.k, u)
				}
				pool.Close()
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if !sameBits(b.Recon, vk) {
					t.Errorf("%s: the chains' states differ from the steps'", name)
				}
				if !sameBits(b.Fields, wantFields) {
					t.Errorf("%s: the hidden fields differ from the data's and the states'", name)
				}
				if drawn && d.Len() != 0 {
					t.Errorf("%s: %d draws left unused", name, d.Len())
				}
				if !drawn && gen.Float32() != wantNext {
					t.Errorf("%s: the source is not where the steps leave it", name)
				}
			}
		}
	}
}
