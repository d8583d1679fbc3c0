package f32

// Scale sets x[i] = x[i]·s: the scaling of a gradient by −lr.
func Scale(x []float32, s float32) {
	head := 0
	if useAsm && len(x) >= 8 {
		head = len(x) &^ 7
		scaleAsm(&x[0], head, s)
	}
	scaleGo(x[head:], s)
}

func scaleGo(x []float32, s float32) {
	for i := range x {
		x[i] *= s
	}
}

// Add sets dst[i] = dst[i] + x[i] for the elements of dst.
func Add(dst, x []float32) {
	x = x[:len(dst)]
	head := 0
	if useAsm && len(dst) >= 8 {
		head = len(dst) &^ 7
		addAsm(&dst[0], &x[0], head)
	}
	addGo(dst[head:], x[head:])
}

func addGo(dst, x []float32) {
	for i, v := range x {
		dst[i] += v
	}
}

// Momentum is Gorgonia's momentum step in float32 for the parameters p,
// their gradient g and velocity c: c ← c·mom + g·negLR, each product
// rounded before the sum, then p ← p + c.
func Momentum(p, g, c []float32, negLR, mom float32) {
	g, c = g[:len(p)], c[:len(p)]
	head := 0
	if useAsm && len(p) >= 8 {
		head = len(p) &^ 7
		momentumAsm(&p[0], &g[0], &c[0], head, negLR, mom)
	}
	momentumGo(p[head:], g[head:], c[head:], negLR, mom)
}

func momentumGo(p, g, c []float32, negLR, mom float32) {
	for i, x := range g {
		// The conversions round each product: without them Go may fuse
		// a product and the sum into one rounding.
		v := float32(c[i]*mom) + float32(x*negLR)
		c[i] = v
		p[i] += v
	}
}
