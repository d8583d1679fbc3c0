package f32

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestBinaryKernels checks onesOffsets, isBinary, Bernoulli and
// BernoulliFlips with the
// AVX2 kernels (where the machine has them) against the same functions
// with the kernels switched off, for lengths around the kernels' blocks of
// 8 and rows with every pattern of ones in a block.
func TestBinaryKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	type result struct {
		off     []int32
		binary  bool
		bern    []float32
		flipped []float32 // x after BernoulliFlips
		on, of  []int32   // its flips
	}
	run := func(x, p, u []float32, stride int) result {
		off := make([]int32, len(x))
		n := OnesOffsets(off, x, stride)
		bern := slices.Clone(u)
		Bernoulli(bern, p, bern) // the uniforms in dst, as the sampler passes them
		flipped, on, of := slices.Clone(x), make([]int32, len(x)), make([]int32, len(x))
		non, noff := BernoulliFlips(flipped, p, u, on, of, stride)
		return result{off: off[:n], binary: IsBinary(x), bern: bern, flipped: flipped, on: on[:non], of: of[:noff]}
	}
	for _, n := range []int{0, 1, 7, 8, 9, 16, 17, 63, 500, 784, 2048} {
		for _, density := range []float64{0, 0.13, 0.5, 1} {
			x := make([]float32, n)
			for i := range x {
				if rng.Float64() < density {
					x[i] = 1
				}
			}
			if n == 2048 { // all 256 patterns of 8
				for i := range x {
					x[i] = float32(i / 8 >> (i % 8) & 1)
				}
			}
			p, u := make([]float32, n), make([]float32, n)
			for i := range p {
				p[i], u[i] = rng.Float32(), rng.Float32()
			}
			if n > 3 {
				p[1], p[2], u[3] = u[1], float32(math.NaN()), p[3] // ties and NaN: never a 1
			}
			for _, stride := range []int{1, 500} {
				saved := useAsm
				want := func() result {
					useAsm = false
					defer func() { useAsm = saved }()
					return run(x, p, u, stride)
				}()
				got := run(x, p, u, stride)
				if !slices.Equal(got.off, want.off) || got.binary != want.binary || !slices.Equal(got.bern, want.bern) {
					t.Fatalf("n=%d density %v stride %d: kernels give %v, %t, %v; Go %v, %t, %v",
						n, density, stride, got.off, got.binary, got.bern, want.off, want.binary, want.bern)
				}
				if !slices.Equal(got.flipped, want.flipped) || !slices.Equal(got.on, want.on) || !slices.Equal(got.of, want.of) {
					t.Fatalf("n=%d density %v stride %d: BernoulliFlips' kernel gives %v, on %v, off %v; Go %v, on %v, off %v",
						n, density, stride, got.flipped, got.on, got.of, want.flipped, want.on, want.of)
				}
				var ones, on, of []int32
				for j, v := range x {
					if v == 1 {
						ones = append(ones, int32(j*stride))
					}
					switch {
					case v == 0 && got.bern[j] == 1:
						on = append(on, int32(j*stride))
					case v == 1 && got.bern[j] == 0:
						of = append(of, int32(j*stride))
					}
				}
				if !slices.Equal(got.flipped, got.bern) || !slices.Equal(got.on, on) || !slices.Equal(got.of, of) {
					t.Fatalf("n=%d: BernoulliFlips gives %v, on %v, off %v; want Bernoulli's %v, on %v, off %v",
						n, got.flipped, got.on, got.of, got.bern, on, of)
				}
				if !slices.Equal(got.off, ones) || !got.binary {
					t.Fatalf("n=%d: offsets %v, want %v (binary %t)", n, got.off, ones, got.binary)
				}
				for i := range p {
					if want := p[i] > u[i]; (got.bern[i] == 1) != want || (got.bern[i] != 0 && got.bern[i] != 1) {
						t.Fatalf("n=%d: Bernoulli(p=%v, u=%v) = %v", n, p[i], u[i], got.bern[i])
					}
				}
			}
		}
	}
}
