package f32

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
)

// Sizes of the script's job: 784 visible units, 500 hidden, batches of 64,
// and the share of pixels set in a binarized MNIST image (about 13 %).
const (
	benchVisible = 784
	benchHidden  = 500
	benchRows    = 64
	benchInk     = 0.13
)

// inkedRow returns n values, each 1 with MNIST's share of ink, else 0.
func inkedRow(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		if rng.Float64() < benchInk {
			x[i] = 1
		}
	}
	return x
}

// BenchmarkKernels runs each exported function on one call's worth of the
// script's job, with the AVX2 kernel (where the machine has it) and with
// the Go twin:
//
//	go test -run XXX -bench Kernels ./internal/f32/
func BenchmarkKernels(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	uniforms := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = rng.Float32()
		}
		return x
	}
	inked := func(n int) []float32 { return inkedRow(rng, n) }
	normals := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(4 * rng.NormFloat64())
		}
		return x
	}

	w := uniforms(benchVisible * benchHidden)
	row := inked(benchVisible)
	off := make([]int32, benchVisible)
	ones := off[:OnesOffsets(off, row, benchHidden)]
	acc := make([]float32, benchHidden)
	band := make([]float32, benchVisible*benchHidden)
	batch := inked(benchRows * benchVisible)
	p, u := uniforms(benchRows*benchHidden), uniforms(benchRows*benchHidden)
	pixels := make([]uint8, benchRows*benchVisible)
	for i := range pixels {
		pixels[i] = uint8(rng.IntN(256))
	}
	dst := uniforms(benchRows * benchVisible) // Binarize's uniforms, overwritten with 0/1
	z := normals(benchRows * benchHidden)
	sig := make([]float32, len(z))
	// an annealing chain's visible state, resampled from probabilities
	// near 0 and 1 with two sets of uniforms in turn: a few units flip
	state, pState := make([]float32, benchVisible), make([]float32, benchVisible)
	for i, x := range row {
		pState[i] = 0.03 + 0.94*x
	}
	uState := [2][]float32{uniforms(benchVisible), uniforms(benchVisible)}
	on, of := make([]int32, benchVisible), make([]int32, benchVisible)
	turn := 0

	for _, k := range []struct {
		name string
		run  func()
	}{
		// a row of x·W for a 0/1 row x: the rows of W at its ones
		{"AccRows", func() { AccRows(acc, w, ones) }},
		// the same row after 20 of its units flipped
		{"AddSubRows", func() { AddSubRows(acc, w, ones[:10], ones[10:20]) }},
		// an 8-row band of a 784×500 matrix into its transpose
		{"TransposeBand", func() { TransposeBand(band, benchHidden, w, benchVisible, 8, benchVisible) }},
		{"IsBinary", func() { IsBinary(batch) }},
		{"OnesOffsets", func() { OnesOffsets(off, row, benchHidden) }},
		{"Bernoulli", func() { Bernoulli(dst[:len(p)], p, u) }},
		{"BernoulliFlips", func() {
			turn = 1 - turn
			BernoulliFlips(state, pState, uState[turn], on, of, benchHidden)
		}},
		{"Binarize", func() { Binarize(dst, pixels) }},
		{"Sigmoid", func() { Sigmoid(sig, z) }},
		{"SigmoidMix", func() { SigmoidMix(sig[:benchVisible], z[:benchVisible], z[benchVisible:2*benchVisible], 0.3, 0.7) }},
		{"SoftplusSigmoidRow", func() { SoftplusSigmoidRow(sig[:benchHidden], z[:benchHidden]) }},
		{"SoftplusSigmoidScaled", func() { SoftplusSigmoidScaled(sig[:benchHidden], z[:benchHidden], 0.7) }},
	} {
		for _, kernel := range []bool{true, false} {
			name := k.name + "/twin"
			if kernel {
				if !useAsm {
					continue
				}
				name = k.name + "/kernel"
			}
			b.Run(name, func(b *testing.B) {
				saved := useAsm
				defer func() { useAsm = saved }()
				useAsm = kernel
				for b.Loop() {
					k.run()
				}
			})
		}
	}
}

// BenchmarkAccRowsConcurrent sums the script's batch against W (x·W by
// rows, as the products do) on one goroutine and on two at once, each with
// its own copy of W, and reports the additions per nanosecond of all of
// them together: what a second processor adds to the kernel that takes
// most of training's time. The speed notes (docs/speed.md) quote it.
//
//	go test -run XXX -bench AccRowsConcurrent ./internal/f32/
func BenchmarkAccRowsConcurrent(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, g := range []int{1, 2} {
		type work struct {
			w, acc []float32
			ones   [][]int32
			adds   int
		}
		ws := make([]work, g)
		for k := range ws {
			wk := &ws[k]
			wk.w = make([]float32, benchVisible*benchHidden)
			for i := range wk.w {
				wk.w[i] = rng.Float32()
			}
			wk.acc = make([]float32, benchHidden)
			for range benchRows {
				off := make([]int32, benchVisible)
				n := OnesOffsets(off, inkedRow(rng, benchVisible), benchHidden)
				wk.ones = append(wk.ones, off[:n])
				wk.adds += n * benchHidden
			}
		}
		b.Run(fmt.Sprintf("goroutines=%d", g), func(b *testing.B) {
			adds := 0
			for b.Loop() {
				var wg sync.WaitGroup
				for k := range ws {
					wg.Go(func() {
						for _, off := range ws[k].ones {
							AccRows(ws[k].acc, ws[k].w, off)
						}
					})
					adds += ws[k].adds
				}
				wg.Wait()
			}
			b.ReportMetric(float64(adds)/float64(b.Elapsed().Nanoseconds()), "adds/ns")
		})
	}
}

// BenchmarkStepShared runs the shape of a training step on one goroutine
// and on two: the momentum update of W (the script's 784×500), then the
// products of the script's batch with W by column bands of 64, each
// goroutine on its share of the bands, every row of W, as the trainer
// shares them. The update is left out (update=none), done by the first
// goroutine alone (caller), or shared by blocks of rows (rows, as the
// trainer does) or by the products' own column bands (bands). With own,
// the update is shared by rows and each goroutine then sums only the rows
// of W it updated, into sums of its own that are added at the end: other
// sums than the trainer's, so other bits, but no line of W passes
// between the processors. The goroutines keep running and meet at
// spinning barriers, so that no wake-up is timed: only the work, and the
// cache lines one processor writes and the other then reads. The speed
// notes (docs/speed.md) quote it.
//
//	go test -run XXX -bench StepShared ./internal/f32/
func BenchmarkStepShared(b *testing.B) {
	rng := rand.New(rand.NewPCG(9, 10))
	const V, H, band = benchVisible, benchHidden, 64
	w := make([]float32, V*H)
	g := make([]float32, len(w))
	vel := make([]float32, len(w))
	for i := range w {
		w[i], g[i] = rng.Float32(), 1e-3*rng.Float32()
	}
	var ones [][]int32
	for range benchRows {
		off := make([]int32, V)
		ones = append(ones, off[:OnesOffsets(off, inkedRow(rng, V), H)])
	}
	dst := make([]float32, benchRows*H)
	bands := (H + band - 1) / band
	// For own: mine[n-1][k][r] are row r's offsets in goroutine k's rows
	// of W, and part[k] its sums.
	var mine [2][][][]int32
	var part [2][]float32
	for n := 1; n <= 2; n++ {
		for k := range n {
			lo, hi := int32(k*V/n*H), int32((k+1)*V/n*H)
			var rows [][]int32
			for _, off := range ones {
				var o []int32
				for _, x := range off {
					if lo <= x && x < hi {
						o = append(o, x)
					}
				}
				rows = append(rows, o)
			}
			mine[n-1] = append(mine[n-1], rows)
			part[k] = make([]float32, benchRows*H)
		}
	}
	// step runs goroutine k's share of a step of n goroutines; meet
	// waits for the others between the update and the products.
	step := func(k, n int, update string, meet func()) {
		b0, b1 := k*bands/n, (k+1)*bands/n // my bands
		switch update {
		case "caller":
			if k == 0 {
				Momentum(w, g, vel, -0.01, 0.5)
			}
		case "rows", "own":
			lo, hi := k*V/n*H, (k+1)*V/n*H
			Momentum(w[lo:hi], g[lo:hi], vel[lo:hi], -0.01, 0.5)
		case "bands":
			c0, c1 := b0*band, min(b1*band, H)
			for i := range V {
				lo, hi := i*H+c0, i*H+c1
				Momentum(w[lo:hi], g[lo:hi], vel[lo:hi], -0.01, 0.5)
			}
		}
		meet()
		if update == "own" {
			for r, off := range mine[n-1][k] {
				d := part[k][r*H : (r+1)*H]
				clear(d)
				AccRows(d, w, off)
			}
			meet()
			for r := k * benchRows / n; r < (k+1)*benchRows/n; r++ {
				d := dst[r*H : (r+1)*H]
				copy(d, part[0][r*H:(r+1)*H])
				for j := 1; j < n; j++ {
					Add(d, part[j][r*H:(r+1)*H])
				}
			}
			return
		}
		for bd := b0; bd < b1; bd++ {
			c0, c1 := bd*band, min(bd*band+band, H)
			for r, off := range ones {
				d := dst[r*H+c0 : r*H+c1]
				clear(d)
				AccRows(d, w[c0:], off)
			}
		}
	}
	for _, n := range []int{1, 2} {
		for _, update := range []string{"none", "caller", "rows", "bands", "own"} {
			b.Run(fmt.Sprintf("goroutines=%d/update=%s", n, update), func(b *testing.B) {
				var arrived, passed atomic.Int64
				meet := func(gen *int64) func() {
					return func() {
						*gen++
						if arrived.Add(1) == *gen*int64(n) {
							passed.Store(*gen)
						}
						for passed.Load() < *gen {
						}
					}
				}
				var stop atomic.Bool
				var wg sync.WaitGroup
				for k := 1; k < n; k++ {
					wg.Go(func() {
						var gen int64
						m := meet(&gen)
						for m(); !stop.Load(); m() {
							step(k, n, update, m)
						}
					})
				}
				var gen int64
				m := meet(&gen)
				for b.Loop() {
					m()
					step(0, n, update, m)
				}
				stop.Store(true)
				m()
				wg.Wait()
			})
		}
	}
}
