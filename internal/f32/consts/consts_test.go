package consts

import (
	"math"
	"math/bits"
	"testing"
)

// TestTables checks the tables against their definitions: the constants in
// every lane, the rows of compress from the set bits of their masks, and
// the masks of tailMask.
func TestTables(t *testing.T) {
	want := map[string][]float32{
		"vExpMin": {ExpMin}, "vLog2e": {Log2e}, "vShift": {Shift}, "vLn2Hi": {Ln2Hi}, "vLn2Lo": {Ln2Lo},
		"vExpP": ExpP[:], "vTwo": {2}, "vLog1pQ": Log1pQ[:], "vOne": {1}, "vPixelMax": {PixelMax},
	}
	wantBits := map[string]uint32{"vSign": SignBit, "vExpBias": ExpBias}
	seen := 0
	for _, tab := range Tables() {
		w := tab.Words
		switch xs, ok := want[tab.Name]; {
		case ok:
			seen++
			for i, x := range xs {
				for j := range Lanes {
					if got := w[i*Lanes+j]; got != math.Float32bits(x) {
						t.Errorf("%s[%d] lane %d = %#x, want %#x (%v)", tab.Name, i, j, got, math.Float32bits(x), x)
					}
				}
			}
			if len(w) != Lanes*len(xs) {
				t.Errorf("%s: %d words for %d constants", tab.Name, len(w), len(xs))
			}
		case wantBits[tab.Name] != 0:
			seen++
			for j, got := range w {
				if got != wantBits[tab.Name] || len(w) != Lanes {
					t.Errorf("%s: lane %d of %d = %#x, want %#x", tab.Name, j, len(w), got, wantBits[tab.Name])
				}
			}
		case tab.Name == "vLane":
			seen++
			for j, got := range w {
				if got != uint32(j) || len(w) != Lanes {
					t.Errorf("vLane: lane %d of %d = %d", j, len(w), got)
				}
			}
		case tab.Name == "compress":
			seen++
			if len(w) != Lanes<<Lanes {
				t.Fatalf("compress: %d words", len(w))
			}
			for m := range 1 << Lanes {
				rest := uint(m) // lane k of row m is the position of the k-th set bit of m
				for k, got := range w[m*Lanes : (m+1)*Lanes] {
					want := uint32(0)
					if rest != 0 {
						want = uint32(bits.TrailingZeros(rest))
						rest &= rest - 1
					}
					if got != want {
						t.Fatalf("compress row %08b: lane %d = %d, want %d", m, k, got, want)
					}
				}
			}
		case tab.Name == "tailMask":
			seen++
			for k := 0; k <= Lanes; k++ { // the mask of the first k lanes
				for j, got := range w[Lanes-k : 2*Lanes-k] {
					want := uint32(0)
					if j < k {
						want = math.MaxUint32
					}
					if got != want {
						t.Fatalf("tailMask from %d: lane %d = %#x, want %#x", Lanes-k, j, got, want)
					}
				}
			}
		default:
			t.Errorf("table %s: not checked here", tab.Name)
		}
	}
	if seen != len(want)+len(wantBits)+3 {
		t.Errorf("checked %d tables, want %d", seen, len(want)+len(wantBits)+3)
	}
}
