package train

import (
	"math/rand/v2"
	"testing"

	"gorbm.dev/gorbm/graph"
)

func TestIntensities(t *testing.T) {
	for _, tc := range []struct {
		name   string
		pixels []uint8
		want   []float32
	}{
		{"extremes", []uint8{0, 255}, []float32{0, 1}},
		{"mid grey", []uint8{51, 102, 204}, []float32{0.2, 0.4, 0.8}},
		{"empty", nil, []float32{}},
	} {
		d := &Dataset{Images: tc.pixels}
		got := d.Intensities()
		if len(got) != len(tc.want) {
			t.Fatalf("%s: %d values, want %d", tc.name, len(got), len(tc.want))
		}
		for i := range got {
			// x/255 in float32 is the value ToTensor produces; compare exactly.
			if got[i] != tc.want[i] {
				t.Errorf("%s: value %d is %v, want %v", tc.name, i, got[i], tc.want[i])
			}
		}
	}
}

// Intensities of the bundled MNIST lie in [0, 1] and binarize to the same
// batch as Binarize applied to the raw bytes with the same stream.
func TestIntensitiesMatchBinarize(t *testing.T) {
	d := trainHead(t, 4)
	x := d.Intensities()
	if len(x) != 4*Pixels {
		t.Fatalf("%d values for 4 images, want %d", len(x), 4*Pixels)
	}
	u := NewSources(3).Binarize
	bin := make([]float32, len(x))
	Binarize(bin, d.Images, NewSources(3).Binarize)
	for i, v := range x {
		if v < 0 || v > 1 {
			t.Fatalf("intensity %d is %v, outside [0, 1]", i, v)
		}
		want := float32(0)
		if u.Float32() < v {
			want = 1
		}
		if bin[i] != want {
			t.Fatalf("pixel %d: Binarize gave %v, u < intensity gives %v", i, bin[i], want)
		}
	}
}

// TestBinarizeKernel checks Binarize with its AVX2 kernel (where the
// machine has it) against the same with the kernel off, over every pixel
// value, for lengths around the kernel's blocks of 8, including uniforms
// exactly equal to x/255 (a tie is a 0).
func TestBinarizeKernel(t *testing.T) {
	for _, n := range []int{1, 7, 8, 9, 256, 784, 1000} {
		pixels := make([]uint8, n)
		for i := range pixels {
			pixels[i] = uint8(i * 97) // every value once in 256
		}
		u := tieUniforms(pixels, 9)
		got, want := make([]float32, n), make([]float32, n)
		Binarize(got, pixels, graph.NewDrawn(u))
		saved := useBinarizeAsm
		useBinarizeAsm = false
		Binarize(want, pixels, graph.NewDrawn(u))
		useBinarizeAsm = saved
		for i := range got {
			if got[i] != want[i] || (got[i] != 0 && got[i] != 1) {
				t.Fatalf("n=%d, pixel %d (value %d): kernel %v, Go %v", n, i, pixels[i], got[i], want[i])
			}
			if u, p := u[i], intensity[pixels[i]]; (got[i] == 1) != (u < p) {
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
			u[i] = intensity[x]
		}
	}
	return u
}
