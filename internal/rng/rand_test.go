package rng

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestRandFillFloat32 checks that FillFloat32 hands out exactly the values
// of successive Float32 calls on an identical generator, and leaves the
// generator where they leave it, for fills of several lengths in a row
// (around the blocks of the Go code's 4 and the kernel's 16 states), with
// the AVX-512 kernel (where the machine has it) and without.
func TestRandFillFloat32(t *testing.T) {
	saved := useAVX512
	defer func() { useAVX512 = saved }()
	for _, kernel := range []bool{saved, false} {
		useAVX512 = kernel
		testFillFloat32(t)
	}
	// The Go code's stride of 4 is pcgJump's.
	if h, l, ch, cl := pcgJump(4); h != pcgMul4Hi || l != pcgMul4Lo || ch != pcgInc4Hi || cl != pcgInc4Lo {
		t.Errorf("the constants of 4 steps are not pcgJump(4)")
	}
}

func testFillFloat32(t *testing.T) {
	for _, seed := range [][2]uint64{{0, 0}, {1, 2}, {^uint64(0), 12345}} {
		fast := NewRand(rand.NewPCG(seed[0], seed[1]))
		slow := rand.New(rand.NewPCG(seed[0], seed[1]))
		for _, n := range []int{0, 1, 7, 1000, 3, 31, 32, 33, 47, 48, 64, 128400} {
			got := make([]float32, n)
			fast.FillFloat32(got)
			for i, g := range got {
				if want := slow.Float32(); g != want {
					t.Fatalf("seed %v, kernel %t, fill of %d, value %d: %v, Float32 gives %v", seed, useAVX512, n, i, g, want)
				}
			}
			if a, b := fast.Uint64(), slow.Uint64(); a != b {
				t.Fatalf("seed %v after a fill of %d: next Uint64 %d, want %d", seed, n, a, b)
			}
		}
	}
}

// TestRandSkip checks that Skip(n) leaves the generator where n Float32
// calls leave it, for strides from 0 to beyond 2³², in a row.
func TestRandSkip(t *testing.T) {
	for _, seed := range [][2]uint64{{0, 0}, {1, 2}, {^uint64(0), 12345}} {
		fast := NewRand(rand.NewPCG(seed[0], seed[1]))
		slow := rand.New(rand.NewPCG(seed[0], seed[1]))
		for _, n := range []int{0, 1, 2, 3, 7, 64, 1000, 32000, 123457} {
			fast.Skip(n)
			for range n {
				slow.Float32()
			}
			if a, b := fast.Uint64(), slow.Uint64(); a != b {
				t.Fatalf("seed %v after skipping %d: next Uint64 %d, want %d", seed, n, a, b)
			}
		}
		// far strides: Skip(a) then Skip(b) is Skip(a+b)
		one, two := NewRand(rand.NewPCG(seed[0], seed[1])), NewRand(rand.NewPCG(seed[0], seed[1]))
		one.Skip(1<<33 + 5)
		two.Skip(1 << 32)
		two.Skip(1<<32 + 5)
		if a, b := one.Uint64(), two.Uint64(); a != b {
			t.Fatalf("seed %v: Skip(2³³+5) and Skip(2³²), Skip(2³²+5) disagree", seed)
		}
	}
}

// TestSkip checks Skip on a Skipper and on a plain Uniform, and a Drawn's
// skipped variates.
func TestSkip(t *testing.T) {
	for _, src := range []Uniform{rand.New(rand.NewPCG(3, 4)), NewRand(rand.NewPCG(3, 4))} {
		want := rand.New(rand.NewPCG(3, 4))
		Skip(10, src)
		for range 10 {
			want.Float32()
		}
		if g, w := src.Float32(), want.Float32(); g != w {
			t.Fatalf("%T: after Skip(10) %v, want %v", src, g, w)
		}
	}
	d := &Drawn{}
	d.ResetSkipped([]float32{0.1, 0.2}, 3)
	if d.Len() != 5 {
		t.Fatalf("Len %d, want 5", d.Len())
	}
	if d.Float32() != 0.1 {
		t.Fatal("first value is not 0.1")
	}
	Skip(4, d)
	if d.Len() != 0 {
		t.Fatalf("%d left after skipping all, want 0", d.Len())
	}
	defer func() {
		if recover() == nil {
			t.Error("skipping past the skipped variates did not panic")
		}
	}()
	d.Skip(1)
}

// TestFill checks both paths of Fill against Float32 calls.
func TestFill(t *testing.T) {
	for _, src := range []Uniform{rand.New(rand.NewPCG(3, 4)), NewRand(rand.NewPCG(3, 4))} {
		want := rand.New(rand.NewPCG(3, 4))
		got := make([]float32, 100)
		Fill(got, src)
		for i, g := range got {
			if w := want.Float32(); g != w {
				t.Fatalf("%T: value %d = %v, want %v", src, i, g, w)
			}
		}
	}
}

// TestDrawn checks that a Drawn hands out its values in order through
// Float32, FillFloat32 and Take (in place), and panics when asked for more.
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
	got := Take(8, d, nil)
	if &got[0] != &u[3] || len(got) != 8 {
		t.Fatalf("Take(8) gave %v, want u[3:11] in place", got)
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

// BenchmarkUniforms compares the ways the sampler gets its uniform
// variates: Rand.FillFloat32 (the AVX-512 kernel where the machine has
// it, else the PCG run inline, four chains interleaved: FillFloat32/go)
// and a Float32 call per variate through the Uniform interface, 50,000
// variates (a batch's visible units) per operation.
//
//	go test -run XXX -bench Uniforms -count 5 ./internal/rng/
func BenchmarkUniforms(b *testing.B) {
	dst := make([]float32, 50000)
	b.Run("FillFloat32", func(b *testing.B) {
		r := NewRand(rand.NewPCG(1, 2))
		for range b.N {
			r.FillFloat32(dst)
		}
	})
	b.Run("FillFloat32/go", func(b *testing.B) {
		defer func(saved bool) { useAVX512 = saved }(useAVX512)
		useAVX512 = false
		r := NewRand(rand.NewPCG(1, 2))
		for range b.N {
			r.FillFloat32(dst)
		}
	})
	b.Run("Float32", func(b *testing.B) {
		var u Uniform = rand.New(rand.NewPCG(1, 2))
		for range b.N {
			for i := range dst {
				dst[i] = u.Float32()
			}
		}
	})
}

// TestNewStreamSeedsIndependent draws the first uniform of streams seeded
// 1, 2, …, n: if nearby seeds gave related streams, these would not look
// like n independent uniforms. Mean and lag-1 correlation must lie within
// streamZ standard errors (1/√(12n) and 1/√n) of 0.5 and 0.
func TestNewStreamSeedsIndependent(t *testing.T) {
	const n, streamZ = 4096, 5.0 // 5 standard errors: a one-in-a-million miss for independent draws
	for _, stream := range []uint64{Init, Binarize, Sample} {
		u := make([]float64, n)
		var mean float64
		for s := range u {
			u[s] = rand.New(NewStream(uint64(s+1), stream)).Float64()
			mean += u[s] / n
		}
		var cov, variance float64
		for s := range u {
			variance += (u[s] - mean) * (u[s] - mean)
			if s > 0 {
				cov += (u[s] - mean) * (u[s-1] - mean)
			}
		}
		if se := 1 / math.Sqrt(12*n); math.Abs(mean-0.5) > streamZ*se {
			t.Errorf("stream %d: mean of first draws over seeds %v, want 0.5 ± %v", stream, mean, streamZ*se)
		}
		if r := cov / variance; math.Abs(r) > streamZ/math.Sqrt(n) {
			t.Errorf("stream %d: consecutive seeds' first draws correlate, r = %v", stream, r)
		}
	}
}
