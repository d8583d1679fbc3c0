package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"gorbm.dev/gorbm/internal/linalg"
)

// uniforms returns n values uniform in [lo, hi).
func uniforms(rng *rand.Rand, n int, lo, hi float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(lo + (hi-lo)*rng.Float64())
	}
	return x
}

// TestCenteredGradientsClosedForm checks both graphs' cost and gradients
// against the closed form, for the plain and the centered parameterisation,
// with as many negative samples as data rows and with more or fewer
// (persistent chains), for batches made by hand (the graph computes the
// hidden fields) and by Sampler.Persistent (it carries them).
func TestCenteredGradientsClosedForm(t *testing.T) {
	for _, g := range graphs {
		for _, tc := range []struct {
			name            string
			visible, hidden int
			nd, nr          int
			centered        bool
			sampled         bool
		}{
			{"plain, 3 data rows, 5 chains", 30, 7, 3, 5, false, false},
			{"plain, 6 data rows, 2 chains, sampled", 30, 7, 6, 2, false, true},
			{"centered, equal rows", 30, 7, 4, 4, true, false},
			{"centered, 3 data rows, 5 chains", 50, 10, 3, 5, true, false},
			{"centered, 5 data rows, 2 chains, sampled", 50, 10, 5, 2, true, true},
			{"centered, script init", 784, 20, 8, 8, true, true},
		} {
			t.Run(fmt.Sprintf("%v/%s", g, tc.name), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(21, uint64(tc.visible+tc.nd)))
				m := randomModel(t, rng, tc.visible, tc.hidden, 0.5, 1)
				tr := newTestTrainer(t, m, 0.1)
				if err := tr.SetGraph(g); err != nil {
					t.Fatal(err)
				}
				var mu, lambda []float32
				if tc.centered {
					mu, lambda = uniforms(rng, tc.visible, 0, 1), uniforms(rng, tc.hidden, 0, 1)
					if err := tr.SetOffsets(mu, lambda); err != nil {
						t.Fatal(err)
					}
				}
				b := Batch{Data: binaryRows(rng, tc.nd, tc.visible, 0.3), Rows: tc.nd,
					Recon: binaryRows(rng, tc.nr, tc.visible, 0.3), ReconRows: tc.nr}
				if tc.sampled {
					var err error
					if b, err = NewSampler(m, tr.Pool()).Persistent(b.Data, tc.nd, b.Recon, tc.nr, 1, rng); err != nil {
						t.Fatal(err)
					}
				}
				got, err := tr.Gradients(b)
				if err != nil {
					t.Fatal(err)
				}
				wantCost, wantW, wantB, wantC := closedFormCentered(m, b.Data, tc.nd, b.Recon, tc.nr, mu, lambda)
				checkClosedForm(t, got, wantCost, wantW, wantB, wantC)
			})
		}
	}
}

// TestCenteredStep checks that a step of the centered model is SGD on W
// and the centered biases, with the plain biases derived back:
// W′ = W − lr·gW, b′ = (b_c − lr·gb) − W′·λ, c′ = (c_c − lr·gc) − μ·W′.
func TestCenteredStep(t *testing.T) {
	// stepTol bounds the difference to the float64 recomputation,
	// relative to each parameter's largest magnitude: the derivation of
	// the plain biases sums 30 float32 products.
	const lr, stepTol = 0.1, 1e-5
	for _, g := range graphs {
		t.Run(g.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(22, 23))
			const V, H, rows = 30, 7, 4
			m := randomModel(t, rng, V, H, 0.5, 1)
			tr := newTestTrainer(t, m, lr)
			if err := tr.SetGraph(g); err != nil {
				t.Fatal(err)
			}
			mu, lambda := uniforms(rng, V, 0, 1), uniforms(rng, H, 0, 1)
			if err := tr.SetOffsets(mu, lambda); err != nil {
				t.Fatal(err)
			}
			b, err := NewSampler(m, tr.Pool()).Gibbs(binaryRows(rng, rows, V, 0.3), rows, 1, rng)
			if err != nil {
				t.Fatal(err)
			}
			grad, err := tr.Gradients(b)
			if err != nil {
				t.Fatal(err)
			}
			w, _, _ := m.Params()
			bc, cc := tr.CenteredBiases()
			if _, err := tr.Step(b); err != nil {
				t.Fatal(err)
			}
			w1 := make([]float64, V*H)
			for i := range w1 {
				w1[i] = float64(w[i]) - lr*float64(grad.W[i])
			}
			wantB, wantC := make([]float64, V), make([]float64, H)
			for i := range wantB {
				wantB[i] = float64(bc[i]) - lr*float64(grad.VBias[i])
				for j := 0; j < H; j++ {
					wantB[i] -= w1[j*V+i] * float64(lambda[j])
				}
			}
			for j := range wantC {
				wantC[j] = float64(cc[j]) - lr*float64(grad.HBias[j])
				for i := 0; i < V; i++ {
					wantC[j] -= w1[j*V+i] * float64(mu[i])
				}
			}
			gotW, gotB, gotC := m.Params()
			for _, p := range []struct {
				name string
				got  []float32
				want []float64
			}{{"W", gotW, w1}, {"v_bias", gotB, wantB}, {"h_bias", gotC, wantC}} {
				if d := maxRel(p.got, p.want); d > stepTol {
					t.Errorf("%s after the centered step differs by %.2g relative (> %g)", p.name, d, stepTol)
				}
			}
		})
	}
}

// TestMoveOffsets checks the moving average of the offsets and that moving
// them leaves the plain parameters, and so every free energy, bit for bit
// as they were; the centered biases move with the offsets instead.
func TestMoveOffsets(t *testing.T) {
	const V, H, rows, rate = 20, 6, 5, 0.25
	// offsetTol: the moving average is computed in float64 from float32
	// inputs and rounded once; σ is the float32 kernel (2–3 ulps).
	const offsetTol = 1e-6
	rng := rand.New(rand.NewPCG(24, 25))
	m := randomModel(t, rng, V, H, 0.5, 1)
	tr := newTestTrainer(t, m, 0.1)
	mu0, lambda0 := uniforms(rng, V, 0, 1), uniforms(rng, H, 0, 1)
	if err := tr.SetOffsets(mu0, lambda0); err != nil {
		t.Fatal(err)
	}
	data := binaryRows(rng, rows, V, 0.4)
	for _, sampled := range []bool{false, true} {
		if err := tr.SetOffsets(mu0, lambda0); err != nil {
			t.Fatal(err)
		}
		b := Batch{Data: data, Recon: data, Rows: rows}
		if sampled {
			var err error
			if b, err = NewSampler(m, tr.Pool()).Gibbs(data, rows, 1, rng); err != nil {
				t.Fatal(err)
			}
		}
		w0, b0, c0 := m.Params()
		f0 := make([]float32, rows)
		if err := m.FreeEnergies(f0, data, rows); err != nil {
			t.Fatal(err)
		}
		bc0, _ := tr.CenteredBiases()
		if err := tr.MoveOffsets(b, rate); err != nil {
			t.Fatal(err)
		}
		mu, lambda := tr.Offsets()
		for i := range mu {
			var mean float64
			for r := 0; r < rows; r++ {
				mean += float64(data[r*V+i]) / rows
			}
			if want := (1-rate)*float64(mu0[i]) + rate*mean; math.Abs(float64(mu[i])-want) > offsetTol {
				t.Fatalf("sampled %v: μ[%d] = %v, want %v", sampled, i, mu[i], want)
			}
		}
		for j := range lambda {
			var mean float64
			for r := 0; r < rows; r++ {
				a := float64(c0[j])
				for i := 0; i < V; i++ {
					a += float64(data[r*V+i]) * float64(w0[j*V+i])
				}
				mean += Logistic(a) / rows
			}
			if want := (1-rate)*float64(lambda0[j]) + rate*mean; math.Abs(float64(lambda[j])-want) > offsetTol {
				t.Fatalf("sampled %v: λ[%d] = %v, want %v", sampled, j, lambda[j], want)
			}
		}
		w1, b1, c1 := m.Params()
		f1 := make([]float32, rows)
		if err := m.FreeEnergies(f1, data, rows); err != nil {
			t.Fatal(err)
		}
		for _, p := range [][2][]float32{{w0, w1}, {b0, b1}, {c0, c1}, {f0, f1}} {
			if !sameBits(p[0], p[1]) {
				t.Fatalf("sampled %v: moving the offsets changed the plain parameters or free energies", sampled)
			}
		}
		if bc1, _ := tr.CenteredBiases(); sameBits(bc0, bc1) {
			t.Errorf("sampled %v: the centered visible biases did not follow λ", sampled)
		}
	}
	if err := tr.MoveOffsets(Batch{Data: data, Rows: rows}, 1.5); err == nil {
		t.Error("MoveOffsets with rate 1.5 gave no error")
	}
	if err := tr.MoveOffsets(Batch{Data: data, Rows: rows, Fields: make([]float32, H)}, rate); err == nil {
		t.Error("MoveOffsets with one row's hidden fields for five gave no error")
	}
	if err := tr.SetOffsets(nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := tr.MoveOffsets(Batch{Data: data, Rows: rows}, rate); err == nil {
		t.Error("MoveOffsets without offsets gave no error")
	}
	if err := tr.SetOffsets(make([]float32, V), make([]float32, H+1)); err == nil {
		t.Error("SetOffsets with H+1 hidden offsets gave no error")
	}
}

// TestCenteredFreeEnergyIsShifted checks the textbook CenteredFreeEnergy,
// evaluated row by row, against the plain free energy: the centered model
// with biases b_c = b + W·λ, c_c = c + μ·W is the plain one, so the two
// free energies differ by the same constant for every v.
func TestCenteredFreeEnergyIsShifted(t *testing.T) {
	const V, H, rows = 30, 8, 6
	rng := rand.New(rand.NewPCG(26, 27))
	m := randomModel(t, rng, V, H, 0.5, 1)
	tr := newTestTrainer(t, m, 0.1)
	if err := tr.SetOffsets(uniforms(rng, V, 0, 1), uniforms(rng, H, 0, 1)); err != nil {
		t.Fatal(err)
	}
	bc, cc := tr.CenteredBiases()
	mu, lambda := tr.Offsets()
	v := binaryRows(rng, rows, V, 0.4)
	plain := make([]float32, rows)
	if err := m.FreeEnergies(plain, v, rows); err != nil {
		t.Fatal(err)
	}
	vec := func(g *gorgonia.ExprGraph, name string, x []float32) *gorgonia.Node {
		return gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(len(x)), gorgonia.WithName(name),
			gorgonia.WithValue(tensor.New(tensor.WithShape(len(x)), tensor.WithBacking(append([]float32(nil), x...)))))
	}
	var shift []float64
	for r := 0; r < rows; r++ {
		g := gorgonia.NewGraph()
		w := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(V, H), gorgonia.WithName("W"), gorgonia.WithValue(m.w))
		row := tensor.New(tensor.WithShape(1, V), tensor.WithBacking(append([]float32(nil), v[r*V:(r+1)*V]...)))
		x := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(1, V), gorgonia.WithName("v"), gorgonia.WithValue(row))
		f, err := CenteredFreeEnergy(x, w, vec(g, "b_c", bc), vec(g, "c_c", cc), vec(g, "μ", mu), vec(g, "λ", lambda))
		if err != nil {
			t.Fatal(err)
		}
		vm := gorgonia.NewTapeMachine(g)
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		shift = append(shift, float64(f.Value().Data().(float32))-float64(plain[r]))
		vm.Close()
	}
	for r, s := range shift {
		if d := math.Abs(s - shift[0]); d > energyTol*math.Max(math.Abs(float64(plain[r])), 1) {
			t.Errorf("row %d: F_c − F = %v, row 0: %v; the shift must not depend on v", r, s, shift[0])
		}
	}
}

// TestTextbookMatchesFastCentered checks the two centered graphs against
// each other at MNIST's size, with 64 data rows and 100 chains.
func TestTextbookMatchesFastCentered(t *testing.T) {
	const V, H, nd, nr = 784, 500, 64, 100
	rng := rand.New(rand.NewPCG(28, 29))
	m := randomModel(t, rng, V, H, 0.05, 1)
	tr := newTestTrainer(t, m, 0.1)
	if err := tr.SetOffsets(uniforms(rng, V, 0, 0.5), uniforms(rng, H, 0, 1)); err != nil {
		t.Fatal(err)
	}
	b := Batch{Data: binaryRows(rng, nd, V, 0.13), Rows: nd, Recon: binaryRows(rng, nr, V, 0.13), ReconRows: nr}
	var got [2]Gradients
	for i, g := range graphs {
		if err := tr.SetGraph(g); err != nil {
			t.Fatal(err)
		}
		var err error
		if got[i], err = tr.Gradients(b); err != nil {
			t.Fatal(err)
		}
	}
	scale := meanAbsF(t, m, b.Data, nd) + meanAbsF(t, m, b.Recon, nr)
	if d := math.Abs(float64(got[0].Cost - got[1].Cost)); d > costTol*scale {
		t.Errorf("cost: fast %v, textbook %v (difference %.2g > %g·%.4g)", got[0].Cost, got[1].Cost, d, costTol, scale)
	}
	// The centered weight gradient adds the rank-one term μ⊗Σg, of the
	// size of the other terms: the same absolute bound holds.
	for _, c := range []struct {
		name     string
		fast, tb []float32
	}{{"dW", got[0].W, got[1].W}, {"dv_bias", got[0].VBias, got[1].VBias}, {"dh_bias", got[0].HBias, got[1].HBias}} {
		if d := maxAbs(c.tb, c.fast); d > gradAbsTol {
			t.Errorf("%s: textbook differs from fast by %.2g (> %g)", c.name, d, gradAbsTol)
		}
	}
}

// TestPersistentSampler checks that Sampler.Persistent runs the chains as
// Gibbs does (the same draws, the same states) and hands the data with
// its hidden fields to the step.
func TestPersistentSampler(t *testing.T) {
	const V, H, rows, chains, k = 20, 6, 3, 5, 2
	rng := rand.New(rand.NewPCG(30, 31))
	m := randomModel(t, rng, V, H, 0.5, 1)
	data, chain := binaryRows(rng, rows, V, 0.4), binaryRows(rng, chains, V, 0.4)
	s := NewSampler(m, nil)
	want, err := s.Gibbs(chain, chains, k, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	wantRecon := append([]float32(nil), want.Recon...)
	wantEnd := append([]float32(nil), want.Fields[chains*H:]...)
	src := &countingUniform{r: rand.New(rand.NewPCG(1, 1))}
	b, err := NewSampler(m, nil).Persistent(data, rows, chain, chains, k, src)
	if err != nil {
		t.Fatal(err)
	}
	if n := s.GibbsDraws(chains, k); src.n != n {
		t.Errorf("Persistent drew %d uniforms, Gibbs on the chains draws %d", src.n, n)
	}
	if !sameBits(b.Recon, wantRecon) || b.ReconRows != chains || b.Rows != rows || !sameBits(b.Data, data) {
		t.Fatal("Persistent's batch is not the data and the chains' Gibbs states")
	}
	wantData := make([]float32, rows*H)
	var sc linalg.Scratch
	linalg.Affine(nil, wantData, data, rows, V, m.weights(), H, m.hBias(), &sc, nil)
	if len(b.Fields) != (rows+chains)*H || !sameBits(b.Fields[:rows*H], wantData) || !sameBits(b.Fields[rows*H:], wantEnd) {
		t.Error("the batch's hidden fields are not those of the data, then of the chains' states")
	}
	if _, err := s.Persistent(data[:V], rows, chain, chains, k, src); err == nil {
		t.Error("Persistent with one row of data for three gave no error")
	}

	// The last call's negative samples as the next start, in place, for all
	// the chains and then for fewer: the same as from a copy, and the rows
	// beyond those advanced kept.
	for _, n := range []int{chains, chains - 2} {
		own := NewSampler(m, nil)
		b, err := own.Persistent(data, rows, chain, chains, k, rand.New(rand.NewPCG(2, 2)))
		if err != nil {
			t.Fatal(err)
		}
		start := append([]float32(nil), b.Recon...)
		want, err := NewSampler(m, nil).Persistent(data, rows, append([]float32(nil), start[:n*V]...), n, k, rand.New(rand.NewPCG(3, 3)))
		if err != nil {
			t.Fatal(err)
		}
		got, err := own.Persistent(data, rows, b.Recon[:n*V], n, k, rand.New(rand.NewPCG(3, 3)))
		if err != nil {
			t.Fatal(err)
		}
		if !sameBits(got.Recon, want.Recon) || !sameBits(got.Fields, want.Fields) {
			t.Errorf("%d chains started from the sampler's own last states differ from a copy's", n)
		}
		if !sameBits(b.Recon[n*V:chains*V], start[n*V:]) {
			t.Errorf("%d chains started in place changed the states of the chains beyond them", n)
		}
	}
}

type countingUniform struct {
	r *rand.Rand
	n int
}

func (c *countingUniform) Float32() float32 { c.n++; return c.r.Float32() }
