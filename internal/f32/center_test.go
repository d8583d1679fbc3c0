package f32

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestCenterKernels checks AccF64, DotAxpy and SubScale with the AVX2 kernels (where
// the machine has them) against their Go twins bit for bit, for lengths
// around the kernels' blocks of 8, on values of every magnitude, and
// against the float64 sums and the stated lane order.
func TestCenterKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(71, 72))
	values := func(n int) []float32 { return wideValues(rng, n, 6) }
	type result struct {
		sums []float64
		dot  float32
		acc  []float32
		diff []float32
	}
	for _, n := range []int{0, 1, 7, 8, 9, 31, 64, 500, 784} {
		for _, a := range []float32{0.13, -2.5e-3, 0} {
			x, y, acc0 := values(n), values(n), values(n)
			sums0 := make([]float64, n)
			for k := range sums0 {
				sums0[k] = rng.NormFloat64()
			}
			run := func() result {
				r := result{sums: slices.Clone(sums0), acc: slices.Clone(acc0)}
				AccF64(r.sums, x)
				r.dot = DotAxpy(x, y, r.acc, a)
				r.diff = make([]float32, n)
				SubScale(r.diff, x, y, a)
				return r
			}
			saved := useAsm
			useAsm = false
			want := run()
			useAsm = saved
			got := run()
			if !slices.Equal(got.sums, want.sums) {
				t.Fatalf("n=%d: AccF64 differs between the kernel and the Go twin", n)
			}
			if !sameBits(got.diff, want.diff) {
				t.Fatalf("n=%d a=%v: SubScale differs between the kernel and the Go twin", n, a)
			}
			if math.Float32bits(got.dot) != math.Float32bits(want.dot) || !sameBits(got.acc, want.acc) {
				t.Fatalf("n=%d a=%v: DotAxpy differs between the kernel and the Go twin", n, a)
			}
			var lanes [8]float32
			for k := range n &^ 7 {
				lanes[k%8] += float32(x[k] * y[k])
			}
			var dot float32
			for _, l := range lanes {
				dot += l
			}
			for k := n &^ 7; k < n; k++ {
				dot += float32(x[k] * y[k])
			}
			if math.Float32bits(want.dot) != math.Float32bits(dot) {
				t.Fatalf("n=%d: DotAxpy's dot product is %v, the lanes give %v", n, want.dot, dot)
			}
			for k := range n {
				if want.sums[k] != sums0[k]+float64(x[k]) || want.acc[k] != acc0[k]+float32(a*x[k]) || !sameBits(want.diff[k:k+1], []float32{(x[k] - y[k]) * a}) {
					t.Fatalf("n=%d: element %d is not the formula", n, k)
				}
			}
		}
	}
}

// wideValues returns n normal draws from rng, each scaled by 10^k for k
// uniform in [−decades, decades): values of every magnitude the kernels
// may meet.
func wideValues(rng *rand.Rand, n, decades int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(2*decades)-decades)))
	}
	return x
}
