package graph

import (
	"math/rand/v2"
	"testing"
)

// TestRandFillFloat32 checks that FillFloat32 hands out exactly the values
// of successive Float32 calls on an identical generator, and leaves the
// generator where they leave it, for fills of several lengths in a row.
func TestRandFillFloat32(t *testing.T) {
	for _, seed := range [][2]uint64{{0, 0}, {1, 2}, {^uint64(0), 12345}} {
		fast := NewRand(rand.NewPCG(seed[0], seed[1]))
		slow := rand.New(rand.NewPCG(seed[0], seed[1]))
		for _, n := range []int{0, 1, 7, 1000, 3} {
			got := make([]float32, n)
			fast.FillFloat32(got)
			for i, g := range got {
				if want := slow.Float32(); g != want {
					t.Fatalf("seed %v, fill of %d, value %d: %v, Float32 gives %v", seed, n, i, g, want)
				}
			}
			if a, b := fast.Uint64(), slow.Uint64(); a != b {
				t.Fatalf("seed %v after a fill of %d: next Uint64 %d, want %d", seed, n, a, b)
			}
		}
	}
}

// TestFillUniform checks both paths of FillUniform against Float32 calls.
func TestFillUniform(t *testing.T) {
	for _, src := range []Uniform{rand.New(rand.NewPCG(3, 4)), NewRand(rand.NewPCG(3, 4))} {
		want := rand.New(rand.NewPCG(3, 4))
		got := make([]float32, 100)
		FillUniform(got, src)
		for i, g := range got {
			if w := want.Float32(); g != w {
				t.Fatalf("%T: value %d = %v, want %v", src, i, g, w)
			}
		}
	}
}

// TestDrawn checks that a Drawn hands out its values in order through
// Float32, FillFloat32 and Bernoulli, and panics when asked for more.
func TestDrawn(t *testing.T) {
	u := []float32{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.05, 0.15}
	d := NewDrawn(u)
	if got := d.Float32(); got != 0.1 {
		t.Fatalf("first value %v, want 0.1", got)
	}
	fill := make([]float32, 2)
	d.FillFloat32(fill)
	if fill[0] != 0.2 || fill[1] != 0.3 {
		t.Fatalf("fill %v, want [0.2 0.3]", fill)
	}
	p := []float32{0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5} // against 0.4 … 0.05
	got := make([]float32, len(p))
	Bernoulli(got, p, d)
	want := []float32{1, 0, 0, 0, 0, 0, 1, 1}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Bernoulli from drawn values: %v, want %v", got, want)
		}
	}
	if d.Len() != 0 {
		t.Fatalf("%d values left, want 0", d.Len())
	}
	defer func() {
		if recover() == nil {
			t.Error("a Float32 past the drawn values did not panic")
		}
	}()
	d.Float32()
}
