package train

import (
	"testing"
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
