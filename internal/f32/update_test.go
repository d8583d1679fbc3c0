package f32

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestUpdateKernels checks Scale, Add and Momentum with the AVX2 kernels
// (where the machine has them) against their Go twins bit for bit, for
// lengths around the kernels' blocks of 8 and 32, on values of every
// magnitude with zeros, subnormals, infinities and NaNs among them, and
// against the float32 formulas they stand for.
func TestUpdateKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	values := func(n int) []float32 {
		x := wideValues(rng, n, 8)
		specials := []float32{0, float32(math.Copysign(0, -1)), 1e-41, -3e-44, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), math.MaxFloat32}
		for i := 0; i < n; i += 7 {
			x[i] = specials[rng.IntN(len(specials))]
		}
		return x
	}
	type result struct{ scaled, added, p, c []float32 }
	for _, n := range []int{0, 1, 7, 8, 9, 31, 32, 33, 40, 63, 500, 1000} {
		for _, k := range []struct{ s, negLR, mom float32 }{{-0.1, -0.1, 0.5}, {-0.0137, -3, 0.9}, {2.5e-5, -1e-7, 0}} {
			x, y, g, p0, c0 := values(n), values(n), values(n), values(n), values(n)
			run := func() result {
				r := result{slices.Clone(x), slices.Clone(x), slices.Clone(p0), slices.Clone(c0)}
				Scale(r.scaled, k.s)
				Add(r.added, y)
				Momentum(r.p, g, r.c, k.negLR, k.mom)
				return r
			}
			saved := useAsm
			useAsm = false
			want := run()
			useAsm = saved
			got := run()
			for _, c := range []struct {
				name      string
				got, want []float32
			}{{"Scale", got.scaled, want.scaled}, {"Add", got.added, want.added}, {"Momentum p", got.p, want.p}, {"Momentum c", got.c, want.c}} {
				if !sameBits(c.got, c.want) {
					t.Fatalf("n=%d %+v: %s differs between the kernel and the Go twin", n, k, c.name)
				}
			}
			for i := range n {
				cw := float32(c0[i]*k.mom) + float32(g[i]*k.negLR)
				if !sameBits([]float32{want.scaled[i], want.added[i], want.c[i], want.p[i]},
					[]float32{x[i] * k.s, x[i] + y[i], cw, p0[i] + cw}) {
					t.Fatalf("n=%d %+v: element %d is not the float32 formula", n, k, i)
				}
			}
		}
	}
}

// sameBits reports whether a and b hold the same bits, element by element.
func sameBits(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) })
}
