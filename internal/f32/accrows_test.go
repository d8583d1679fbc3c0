package f32

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestIsBinary checks that isBinary accepts only the bit patterns of +0
// and 1, wherever the other values sit in the slice.
func TestIsBinary(t *testing.T) {
	long := func(bad float32, at int) []float32 {
		x := make([]float32, 1000)
		for i := range x {
			x[i] = float32(i % 2)
		}
		x[at] = bad
		return x
	}
	for _, tc := range []struct {
		name string
		x    []float32
		want bool
	}{
		{"nil", nil, true},
		{"empty", []float32{}, true},
		{"zeros and ones", []float32{0, 1, 1, 0}, true},
		{"zeros", make([]float32, 17), true},
		{"long binary", long(1, 999), true},
		{"half", []float32{0, 1, 0.5, 1}, false},
		{"negative zero", []float32{0, float32(math.Copysign(0, -1)), 1}, false},
		{"NaN", []float32{1, float32(math.NaN())}, false},
		{"NaN negative", []float32{math.Float32frombits(0xFFC00000)}, false},
		{"two", []float32{0, 2}, false},
		{"denormal", []float32{0, 1e-45}, false},
		{"minus one", []float32{-1, 0}, false},
		{"+Inf", []float32{float32(math.Inf(1)), 1}, false},
		{"-Inf", []float32{float32(math.Inf(-1))}, false},
		{"above one", []float32{math.Nextafter32(1, 2)}, false},
		{"below one", []float32{math.Nextafter32(1, 0)}, false},
		{"bad first", long(0.5, 0), false},
		{"bad last", long(float32(math.Copysign(0, -1)), 999), false},
	} {
		if got := IsBinary(tc.x); got != tc.want {
			t.Errorf("%s: IsBinary(%v…) = %t, want %t", tc.name, tc.x[:min(len(tc.x), 4)], got, tc.want)
		}
	}
}

// addSubRowsRef is AddSubRows (and with no minus AccRows) as its comment
// states it, one row after the other.
func addSubRowsRef(dst, src []float32, plus, minus []int32) {
	for _, o := range plus {
		for c := range dst {
			dst[c] += src[int(o)+c]
		}
	}
	for _, o := range minus {
		for c := range dst {
			dst[c] -= src[int(o)+c]
		}
	}
}

// accSpecials are values whose sums test signed zeros, denormals, overflow
// and NaN propagation. There is one NaN payload and no −Inf, so no sum
// meets two different NaNs, whose result the Go spec leaves open.
var accSpecials = []float32{
	0, float32(math.Copysign(0, -1)), 1e-45, -1e-45, 1, -1,
	math.MaxFloat32, float32(math.Inf(1)), math.Float32frombits(0x7FC01234),
}

// TestAccRows checks AccRows, AddSubRows and their Go twins against the
// stated sums bit for bit, with the AVX2 kernel where the machine has it and then with
// useAsm false, for lengths around the kernel's blocks of 64, 32
// and 8 and for offsets at the ends of src, unaligned and repeated; and
// that nothing outside dst or in src is written.
func TestAccRows(t *testing.T) {
	t.Logf("AVX2 kernel in use: %t", useAsm)
	testAccRows(t)
	t.Run("no kernel", func(t *testing.T) {
		saved := useAsm
		t.Cleanup(func() { useAsm = saved })
		useAsm = false
		testAccRows(t)
	})
}

func testAccRows(t *testing.T) {
	const rowsOfSrc = 5
	const guard = float32(12345)
	rng := rand.New(rand.NewPCG(21, 22))
	for _, fill := range []struct {
		name string
		draw func() float32
	}{
		// magnitudes from 2⁻¹⁰ to 2¹⁰, so that most additions round
		{"normal", func() float32 { return float32(math.Ldexp(rng.NormFloat64(), rng.IntN(21)-10)) }},
		{"special", func() float32 { return accSpecials[rng.IntN(len(accSpecials))] }},
	} {
		for _, n := range []int{1, 7, 8, 9, 31, 32, 33, 63, 64, 65, 127, 500, 784} {
			src := make([]float32, rowsOfSrc*n+3)
			for i := range src {
				src[i] = fill.draw()
			}
			last := int32(len(src) - n)
			many := make([]int32, 40)
			for i := range many {
				many[i] = rng.Int32N(last + 1)
			}
			slices.Sort(many)
			n32 := int32(n)
			type offsets struct {
				name string
				off  []int32
			}
			cases := []offsets{
				{"none", nil},
				{"first", []int32{0}},
				{"last", []int32{last}},
				{"rows", []int32{0, n32, 2 * n32, 3 * n32, 4 * n32}},
				{"unaligned", []int32{1, n32 + 3, 2*n32 + 2}},
				{"repeated", []int32{n32, n32, n32, 3*n32 + 1, 3*n32 + 1, last, last}},
				{"many", many},
			}
			for _, oc := range cases {
				for _, mc := range cases {
					init := make([]float32, n)
					for i := range init {
						init[i] = fill.draw()
					}
					want := slices.Clone(init)
					addSubRowsRef(want, src, oc.off, mc.off)
					impls := []struct {
						name string
						acc  func(dst, src []float32, plus, minus []int32)
					}{
						{"AddSubRows", AddSubRows},
						{"addSubRowsGo", addSubRowsGo},
					}
					if mc.off == nil {
						impls = append(impls, []struct {
							name string
							acc  func(dst, src []float32, plus, minus []int32)
						}{
							{"AccRows", func(dst, src []float32, plus, _ []int32) { AccRows(dst, src, plus) }},
							{"AccRowsChecked", func(dst, src []float32, plus, _ []int32) { AccRowsChecked(dst, src, plus) }},
							{"accRowsGo", func(dst, src []float32, plus, _ []int32) { accRowsGo(dst, src, plus) }},
						}...)
					}
					for _, impl := range impls {
						buf := make([]float32, n+2)
						buf[0], buf[n+1] = guard, guard
						dst := buf[1 : n+1]
						copy(dst, init)
						srcCopy := slices.Clone(src)
						impl.acc(dst, src, oc.off, mc.off)
						for c := range dst {
							if math.Float32bits(dst[c]) != math.Float32bits(want[c]) {
								t.Fatalf("%s, %s values, n=%d, offsets %s − %s: dst[%d] = %v (%#x), want %v (%#x)",
									impl.name, fill.name, n, oc.name, mc.name, c, dst[c], math.Float32bits(dst[c]), want[c], math.Float32bits(want[c]))
							}
						}
						if buf[0] != guard || buf[n+1] != guard {
							t.Fatalf("%s, %s values, n=%d, offsets %s − %s: wrote outside dst: %v before, %v after",
								impl.name, fill.name, n, oc.name, mc.name, buf[0], buf[n+1])
						}
						if !slices.Equal(accBits(src), accBits(srcCopy)) {
							t.Fatalf("%s, %s values, n=%d, offsets %s − %s: changed src", impl.name, fill.name, n, oc.name, mc.name)
						}
					}
				}
			}
		}
	}
}

// accBits returns the bit patterns of x, for comparisons that NaN passes.
func accBits(x []float32) []uint32 {
	b := make([]uint32, len(x))
	for i, v := range x {
		b[i] = math.Float32bits(v)
	}
	return b
}

// TestAccRowsOutOfRange checks that AccRows and AddSubRows (with the bad
// offsets in either list) panic, before writing to dst, when the first
// offset is negative or the last one runs past src.
func TestAccRowsOutOfRange(t *testing.T) {
	for _, tc := range []struct {
		name   string
		n, src int
		off    []int32
	}{
		{"last one past the end", 16, 64, []int32{0, 49}},
		{"last far past the end", 9, 64, []int32{0, 8, math.MaxInt32}},
		{"single past the end", 1, 10, []int32{10}},
		{"src shorter than dst", 33, 32, []int32{0}},
		{"empty src", 8, 0, []int32{0}},
		{"negative first", 8, 64, []int32{-1, 8}},
		{"negative single", 64, 64, []int32{-8}},
	} {
		dst := make([]float32, tc.n)
		for i := range dst {
			dst[i] = float32(i + 1)
		}
		before := slices.Clone(dst)
		src := make([]float32, tc.src)
		for i := range src {
			src[i] = 1
		}
		for _, call := range []struct {
			name string
			f    func()
		}{
			{"AccRows", func() { AccRows(dst, src, tc.off) }},
			{"AddSubRows plus", func() { AddSubRows(dst, src, tc.off, []int32{0}) }},
			{"AddSubRows minus", func() { AddSubRows(dst, src, nil, tc.off) }},
		} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s: %s(len %d, len %d, %v) did not panic", tc.name, call.name, tc.n, tc.src, tc.off)
					}
				}()
				call.f()
			}()
			if !slices.Equal(dst, before) {
				t.Errorf("%s: %s wrote to dst before panicking", tc.name, call.name)
			}
		}
	}
}
