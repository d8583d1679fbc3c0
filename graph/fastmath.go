package graph

import "math"

// The element-wise functions of the sampler and the graph, σ(x) and
// softplus(x), evaluated for float32 arguments. They work in float64 with a
// short polynomial exp and log1p (relative error below 1e-9, far under
// float32's ε ≈ 6e-8) and round once at the end, so the float32 results are
// those of the exact function except when the exact value lies within 1e-9
// of a rounding boundary. They are 3–5 times faster than math.Exp and
// math.Log1p, which handle the whole float64 range and its special values.
// The same build gives the same bits on every run (on amd64 the compiler
// does not fuse multiply-adds unless asked; other architectures may round
// differently in the last bit).

const (
	ln2Hi = 6.93147180369123816490e-01 // ln 2 = ln2Hi + ln2Lo, ln2Hi with zero low bits
	ln2Lo = 1.90821492927058770002e-10
	// expMin: below, e^x underflows float64's normal range; exp returns 0
	expMin = -708.0
	// expTable entries per octave: eˣ = 2^(k/expTable)·e^r with
	// |r| ≤ ln2/(2·expTable) ≈ 0.0054.
	expTable = 64
)

// exp2Frac[j] = 2^(j/expTable), from math.Exp2 (correctly rounded to within
// an ulp, and the same on every run).
var exp2Frac = func() (t [expTable]float64) {
	for j := range t {
		t[j] = math.Exp2(float64(j) / expTable)
	}
	return t
}()

// expNeg returns eˣ for x ≤ 0 (any x > 0 is treated as 0), the classic
// table method: x = (64m + j)·ln2/64 + r with the reduction in two parts
// (Cody–Waite), eˣ = 2^m · 2^(j/64) · e^r, and e^r as its Taylor polynomial
// of degree 4 on |r| ≤ 0.0054 (truncation error r⁵/5! < 4e-14). k is
// x·64/ln2 rounded to nearest by adding and subtracting 1.5·2⁵² (whose ulp
// is 1), which also leaves k in the low bits, without the latency of two
// float–integer conversions.
func expNeg(x float64) float64 {
	if x > 0 {
		x = 0
	}
	if x < expMin {
		return 0
	}
	const shifter = 1.5 * (1 << 52)
	t := x*(expTable/math.Ln2) + shifter
	k := int64(math.Float64bits(t) - math.Float64bits(shifter))
	n := t - shifter
	r := x - n*(ln2Hi/expTable) - n*(ln2Lo/expTable)
	r2 := r * r
	p := (1 + r) + r2*(1.0/2+r*(1.0/6)+r2*(1.0/24))
	return p * exp2Frac[k&(expTable-1)] * math.Float64frombits(uint64((k>>6)+1023)<<52)
}

// log1pUnit returns log(1+e) for 0 ≤ e ≤ 1, with y = 1+e written as
// 2^k·(1+s)/(1−s), |s| ≤ 0.172, and log((1+s)/(1−s)) = 2·atanh(s) as its
// series to s¹⁵ (truncation error < 2·0.172¹⁷/17 ≈ 1e-14). For small e the
// argument s = e/(2+e) carries no cancellation, so log1p keeps its relative
// accuracy down to the smallest e.
func log1pUnit(e float64) float64 {
	var s, k float64
	if e <= math.Sqrt2-1 {
		s = e / (2 + e)
	} else { // y/2 ∈ (0.707, 1]: log y = ln 2 + log(y/2)
		s, k = (e-1)/(e+3), 1 // (y/2 − 1)/(y/2 + 1) with y = 1+e
	}
	z := s * s
	p := 2 * s * (1 + z*(1.0/3+z*(1.0/5+z*(1.0/7+z*(1.0/9+z*(1.0/11+z*(1.0/13+z*(1.0/15))))))))
	return p + k*(ln2Hi+ln2Lo)
}

// softplus64 returns log(1+eˣ) without overflow for large x.
func softplus64(x float64) float64 {
	if x > 0 {
		return x + log1pUnit(expNeg(-x))
	}
	return log1pUnit(expNeg(x))
}

// sigmoid64 returns 1/(1+e^−x) without overflow for large |x|.
func sigmoid64(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + expNeg(-x))
	}
	e := expNeg(x)
	return e / (1 + e)
}

// sigmoidInto sets dst[i] = σ(a[i]); dst and a may be the same slice.
// Large slices are shared with the helper goroutine (see parallel.go).
func sigmoidInto(dst, a []float32) {
	parallel(job{kind: jobSigmoid, dst: dst, src: a}, len(a), sigmoidMinParallel)
}

// sigmoidMinParallel is the length below which sigmoidInto stays on the
// calling goroutine: a hand-over costs about a microsecond, σ of 4096
// values some 20.
const sigmoidMinParallel = 4096

func sigmoidRange(dst, a []float32) {
	for i, x := range a {
		dst[i] = float32(sigmoid64(float64(x)))
	}
}
