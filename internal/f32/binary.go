package f32

import (
	"math"

	"gorbm.dev/gorbm/internal/f32/consts"
)

// IsBinary reports whether every element of x is +0 or 1 (−0, NaN and any
// other value make it false).
func IsBinary(x []float32) bool {
	if useAsm && len(x) >= 8 {
		head := len(x) &^ 7
		if !isBinaryAsm(&x[0], head) {
			return false
		}
		x = x[head:]
	}
	return isBinaryGo(x)
}

func isBinaryGo(x []float32) bool {
	var bad uint64
	for _, v := range x {
		b := uint64(math.Float32bits(v))
		bad |= b * (b ^ consts.OneBits) // 0 only for b = 0 or b = 1.0's bits
	}
	return bad == 0
}

// OnesOffsets writes to off, for each element of the 0/1 row x that is 1,
// its index times stride, and returns the number written. off needs
// len(x) elements.
func OnesOffsets(off []int32, x []float32, stride int) int {
	off = off[:len(x)]
	n, head := 0, 0
	if useAsm && len(x) >= 8 {
		head = len(x) &^ 7
		n = onesOffsetsAsm(&off[0], &x[0], head, stride)
	}
	return n + onesOffsetsGo(off[n:], x[head:], head, stride)
}

// onesOffsetsGo is OnesOffsets for x, whose first element has index first.
func onesOffsetsGo(off []int32, x []float32, first, stride int) int {
	n := 0
	for j, v := range x {
		off[n] = int32((first + j) * stride)
		if v != 0 {
			n++
		}
	}
	return n
}

// Bernoulli sets dst[i] = 1 if p[i] > u[i] else 0: a Bernoulli sample of
// p with the uniforms u. dst may be u; a NaN p gives 0.
func Bernoulli(dst, p, u []float32) {
	dst, u = dst[:len(p)], u[:len(p)]
	head := 0
	if useAsm && len(p) >= 8 {
		head = len(p) &^ 7
		bernoulliAsm(&dst[0], &p[0], &u[0], head)
	}
	bernoulliGo(dst[head:], p[head:], u[head:])
}

func bernoulliGo(dst, p, u []float32) {
	for i := range p {
		if p[i] > u[i] {
			dst[i] = 1
		} else {
			dst[i] = 0
		}
	}
}

// BernoulliFlips sets x[i] = 1 if p[i] > u[i] else 0, as Bernoulli does,
// for a 0/1 x (its old values), and writes the flips: to on the offsets
// i·stride of the elements that went from 0 to 1, to off those of the
// elements that went from 1 to 0, each in increasing i. It returns their
// numbers. on and off need len(p) elements; the offsets must fit in
// int32.
func BernoulliFlips(x, p, u []float32, on, off []int32, stride int) (non, noff int) {
	x, u, on, off = x[:len(p)], u[:len(p)], on[:len(p)], off[:len(p)]
	head := 0
	if useAsm && len(p) >= 8 {
		head = len(p) &^ 7
		non, noff = bernoulliFlipsAsm(&x[0], &p[0], &u[0], head, &on[0], &off[0], stride)
	}
	a, b := bernoulliFlipsGo(x[head:], p[head:], u[head:], on[non:], off[noff:], head, stride)
	return non + a, noff + b
}

// bernoulliFlipsGo is BernoulliFlips for x, whose first element has index
// first.
func bernoulliFlipsGo(x, p, u []float32, on, off []int32, first, stride int) (non, noff int) {
	for j := range p {
		old := x[j] != 0
		o := int32((first + j) * stride)
		on[non], off[noff] = o, o
		if p[j] > u[j] {
			x[j] = 1
			if !old {
				non++
			}
		} else {
			x[j] = 0
			if old {
				noff++
			}
		}
	}
	return non, noff
}

// Intensity returns the 8-bit pixel value x as x/255 in float32:
// torchvision's ToTensor scaling.
func Intensity(x uint8) float32 { return intensity[x] }

var intensity = func() (t [256]float32) {
	for x := range t {
		t[x] = float32(x) / consts.PixelMax
	}
	return t
}()

// Binarize sets dst[i] = 1 if dst[i] < Intensity(pixels[i]) else 0, for
// dst holding one uniform per pixel: torch's bernoulli on ToTensor's values.
func Binarize(dst []float32, pixels []uint8) {
	dst = dst[:len(pixels)]
	head := 0
	if useAsm && len(pixels) >= 8 {
		head = len(pixels) &^ 7
		binarizeAsm(&dst[0], &pixels[0], head)
	}
	binarizeGo(dst[head:], pixels[head:])
}

func binarizeGo(dst []float32, pixels []uint8) {
	for i, x := range pixels {
		if dst[i] < intensity[x] {
			dst[i] = 1
		} else {
			dst[i] = 0
		}
	}
}
