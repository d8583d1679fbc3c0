package f32

import (
	"math/rand/v2"
	"testing"
)

// TestBinarizeKernel checks Binarize with its kernel (where the machine has
// it) against the Go twin, over every pixel value, for lengths around the
// kernel's blocks of 8, including uniforms exactly equal to x/255 (a tie
// is a 0).
func TestBinarizeKernel(t *testing.T) {
	for _, n := range []int{1, 7, 8, 9, 256, 784, 1000} {
		pixels := make([]uint8, n)
		for i := range pixels {
			pixels[i] = uint8(i * 97) // every value once in 256
		}
		u := tieUniforms(pixels, 9)
		got, want := append([]float32(nil), u...), append([]float32(nil), u...)
		Binarize(got, pixels)
		binarizeGo(want, pixels)
		for i := range got {
			if got[i] != want[i] || (got[i] != 0 && got[i] != 1) {
				t.Fatalf("n=%d, pixel %d (value %d): kernel %v, Go %v", n, i, pixels[i], got[i], want[i])
			}
			if u, p := u[i], Intensity(pixels[i]); (got[i] == 1) != (u < p) {
				t.Fatalf("n=%d, pixel %d: u=%v, intensity %v, gave %v", n, i, u, p, got[i])
			}
		}
	}
}

// tieUniforms returns a uniform per pixel: every third the intensity of
// that pixel (a tie), the others from a seeded stream.
func tieUniforms(pixels []uint8, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, seed))
	u := make([]float32, len(pixels))
	for i, x := range pixels {
		u[i] = rng.Float32()
		if i%3 == 0 {
			u[i] = Intensity(x)
		}
	}
	return u
}

// TestIntensity checks Intensity against ToTensor's float32(x)/255.
func TestIntensity(t *testing.T) {
	for x := 0; x < 256; x++ {
		if got, want := Intensity(uint8(x)), float32(x)/255; got != want {
			t.Fatalf("Intensity(%d) = %v, want %v", x, got, want)
		}
	}
}

// TestTransposeBand checks TransposeBand, kernel and Go twin, against the
// definition for bands of 1 to 8 rows and widths around the kernel's
// blocks of 8, with strides wider than the band; nothing else of dst is
// written.
func TestTransposeBand(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, kernel := range []bool{true, false} {
		saved := useAsm
		useAsm = useAsm && kernel
		for rows := 1; rows <= 8; rows++ {
			for _, cols := range []int{1, 7, 8, 9, 16, 23, 500} {
				srcStride, dstStride := cols+3, rows+2
				src := make([]float32, rows*srcStride)
				for i := range src {
					src[i] = rng.Float32()
				}
				dst := make([]float32, cols*dstStride)
				for i := range dst {
					dst[i] = -1
				}
				TransposeBand(dst, dstStride, src, srcStride, rows, cols)
				for c := 0; c < cols; c++ {
					for r := 0; r < dstStride; r++ {
						want := float32(-1)
						if r < rows {
							want = src[r*srcStride+c]
						}
						if got := dst[c*dstStride+r]; got != want {
							t.Fatalf("kernel %t, %d×%d: dst[%d][%d] = %v, want %v", useAsm, rows, cols, c, r, got, want)
						}
					}
				}
			}
		}
		useAsm = saved
	}
}
