package f32

// AccF64 sets dst[k] = dst[k] + float64(src[k]) for the elements of dst:
// column sums in float64, a row at a time.
func AccF64(dst []float64, src []float32) {
	src = src[:len(dst)]
	head := 0
	if useAsm && len(dst) >= 8 {
		head = len(dst) &^ 7
		accF64Asm(&dst[0], &src[0], head)
	}
	accF64Go(dst[head:], src[head:])
}

func accF64Go(dst []float64, src []float32) {
	for k, v := range src {
		dst[k] += float64(v)
	}
}

// DotAxpy returns x·y and sets acc = acc + a·x, in one pass over x (the
// centered model's b + W_i·λ and Σ μ_i·W_i, row by row): the first
// len(x)&^7 products summed in eight lanes (product k into lane k mod 8),
// the lanes added up in order, then the rest one by one; each product is
// rounded before its add.
func DotAxpy(x, y, acc []float32, a float32) float32 {
	y, acc = y[:len(x)], acc[:len(x)]
	var lanes [8]float32
	head := len(x) &^ 7
	if useAsm && head > 0 {
		dotAxpyAsm(&x[0], &y[0], &acc[0], head, a, &lanes)
	} else {
		dotAxpyGo(x[:head], y[:head], acc[:head], a, &lanes)
	}
	var dot float32
	for _, l := range lanes {
		dot += l
	}
	for k := head; k < len(x); k++ {
		dot += float32(x[k] * y[k])
		acc[k] += float32(a * x[k])
	}
	return dot
}

// dotAxpyGo is dotAxpyAsm: len(x) a multiple of 8.
func dotAxpyGo(x, y, acc []float32, a float32, lanes *[8]float32) {
	for k, v := range x {
		lanes[k&7] += float32(v * y[k])
		acc[k] += float32(a * v)
	}
}

// SubScale sets dst[k] = (x[k] − y[k])·a: the gradient g_r·(σ − λ) of a
// row of the centered free energy (with y all zeros, g_r·σ exactly).
func SubScale(dst, x, y []float32, a float32) {
	x, y = x[:len(dst)], y[:len(dst)]
	head := 0
	if useAsm && len(dst) >= 8 {
		head = len(dst) &^ 7
		subScaleAsm(&dst[0], &x[0], &y[0], head, a)
	}
	subScaleGo(dst[head:], x[head:], y[head:], a)
}

func subScaleGo(dst, x, y []float32, a float32) {
	for k, v := range x {
		dst[k] = (v - y[k]) * a
	}
}
