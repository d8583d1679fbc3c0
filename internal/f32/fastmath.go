package f32

import (
	"math"

	"gorbm.dev/gorbm/internal/f32/consts"
)

// σ(x) and softplus(x) in float32 for the sampler and the graph, eight at a
// time with the AVX2 kernels and one at a time in Go elsewhere and for the
// tails of slices.
//
// e^y for y ≤ 0 is Cephes's expf: y = n·ln2 + r with the reduction in two
// parts (Cody–Waite), e^r as its minimax polynomial, and 2ⁿ from the
// exponent bits; n is y·log₂e rounded to nearest by adding and subtracting
// 1.5·2²³. Results below float32's normal range (y < −87) are 0. The
// relative error is within 3 float32 ulps for σ and 4 for softplus against
// float64 reference values (TestFastMath32Accuracy).

// expNeg32 returns e^y for y ≤ 0, 0 for y < −87 or NaN.
func expNeg32(y float32) float32 {
	if !(y >= consts.ExpMin) {
		return 0
	}
	t := float32(y*consts.Log2e) + consts.Shift
	nf := t - consts.Shift
	n := int32(math.Float32bits(t) - math.Float32bits(consts.Shift))
	r := y - float32(nf*consts.Ln2Hi)
	r = r - float32(nf*consts.Ln2Lo)
	z := r * r
	p := float32(consts.ExpP[0]*r) + consts.ExpP[1]
	for _, c := range consts.ExpP[2:] {
		p = float32(p*r) + c
	}
	p = float32(float32(p*z)+r) + 1
	return float32(p * math.Float32frombits(uint32(n+consts.ExpBias)<<consts.MantBits)) // rounded: the callers add 1 or 2 to it
}

// negAbs32 returns −|x|.
func negAbs32(x float32) float32 {
	return math.Float32frombits(math.Float32bits(x) | consts.SignBit)
}

// sigmoid32 returns 1/(1+e^−x) as 1/(1+e^−|x|) for x ≥ 0 and
// e^−|x|/(1+e^−|x|) else, so that nothing overflows.
func sigmoid32(x float32) float32 {
	e := expNeg32(negAbs32(x))
	num := e
	if x >= 0 {
		num = 1
	}
	return num / (1 + e)
}

// softplusSigmoid32 returns softplus(x) = max(x, 0) + log(1 + e^−|x|) and
// σ(x), which share e^−|x|. log(1+e) for e ∈ [0, 1] is 2·atanh(s) with
// s = e/(2+e) ≤ 1/3, its series to s¹⁵.
func softplusSigmoid32(x float32) (sp, sig float32) {
	e := expNeg32(negAbs32(x))
	num := e
	if x >= 0 {
		num = 1
	}
	sig = num / (1 + e)
	s := e / (2 + e)
	z := s * s
	q := float32(consts.Log1pQ[0]*z) + consts.Log1pQ[1]
	for _, c := range consts.Log1pQ[2:] {
		q = float32(q*z) + c
	}
	q = float32(q*z) + 1
	lp := float32((s + s) * q) // rounded before the add: no FMA
	var m float32
	if x > 0 {
		m = x
	}
	return m + lp, sig
}

// Sigmoid sets dst[i] = σ(src[i]); dst and src may be the same slice.
func Sigmoid(dst, src []float32) {
	src = src[:len(dst)]
	head := 0
	if useAsm {
		head = len(dst) &^ 7
		if head > 0 {
			sigmoidAsm(&dst[0], &src[0], head)
		}
	}
	for i := head; i < len(dst); i++ {
		dst[i] = sigmoid32(src[i])
	}
}

// SigmoidMix sets dst[i] = σ(a·x[i] + b·y[i]), each product rounded to
// float32 before the sum; dst may be x or y.
func SigmoidMix(dst, x, y []float32, a, b float32) {
	x, y = x[:len(dst)], y[:len(dst)]
	head := 0
	if useAsm {
		head = len(dst) &^ 7
		if head > 0 {
			sigmoidMixAsm(&dst[0], &x[0], head, &y[0], a, b)
		}
	}
	for i := head; i < len(dst); i++ {
		dst[i] = sigmoid32(float32(a*x[i]) + float32(b*y[i]))
	}
}

// SoftplusSigmoidRow sets sig[j] = σ(z[j]) and returns Σ_j softplus(z[j]),
// accumulated in float64: the first len(z)&^7 terms in eight running sums
// (term j in sum j mod 8), added up in order, then the rest one by one.
func SoftplusSigmoidRow(sig, z []float32) float64 { return softplusSigmoidRow(sig, z, 1, false) }

// SoftplusSigmoidScaled is SoftplusSigmoidRow of the products β·z[j],
// each rounded to float32: sig[j] = σ(β·z[j]), and it returns
// Σ_j softplus(β·z[j]).
func SoftplusSigmoidScaled(sig, z []float32, beta float32) float64 {
	return softplusSigmoidRow(sig, z, beta, true)
}

// softplusSigmoidRow is SoftplusSigmoidRow of z, or with scaled of beta·z.
func softplusSigmoidRow(sig, z []float32, beta float32, scaled bool) float64 {
	sig = sig[:len(z)]
	at := func(j int) float32 {
		if scaled {
			return beta * z[j]
		}
		return z[j]
	}
	var lanes [8]float64
	head := len(z) &^ 7
	switch {
	case useAsm && head > 0 && scaled:
		softplusScaledAsm(&sig[0], &z[0], head, &lanes, beta)
	case useAsm && head > 0:
		softplusAsm(&sig[0], &z[0], head, &lanes)
	case !useAsm:
		for j := 0; j < head; j++ {
			var sp float32
			sp, sig[j] = softplusSigmoid32(at(j))
			lanes[j&7] += float64(sp)
		}
	}
	var sum float64
	for _, l := range lanes {
		sum += l
	}
	for j := head; j < len(z); j++ {
		var sp float32
		sp, sig[j] = softplusSigmoid32(at(j))
		sum += float64(sp)
	}
	return sum
}
