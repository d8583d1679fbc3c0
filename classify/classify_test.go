package classify

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"gorbm.dev/gorbm/graph"
)

// blobs returns rows points of dim inputs in classes Gaussian clusters,
// cluster k centred at 3·e_k (unit spread), with their labels, drawn from
// src: separable enough for a linear classifier to reach well above 95 %.
func blobs(rows, dim, classes int, src *rand.Rand) ([]float32, []uint8) {
	x := make([]float32, rows*dim)
	labels := make([]uint8, rows)
	for r := range labels {
		k := src.IntN(classes)
		labels[r] = uint8(k)
		for i := 0; i < dim; i++ {
			c := 0.0
			if i == k {
				c = 3
			}
			x[r*dim+i] = float32(c + src.NormFloat64())
		}
	}
	return x, labels
}

// gradTol bounds the graph's gradients against the closed form computed in
// float64: float32 products of a few terms of magnitude ≤ 3, ε ≈ 6e-8
// each, and Gorgonia's float32 log-softmax.
const gradTol = 1e-5

// TestGradients checks gorgonia.Grad's gradients of the cost graph against
// the closed form ∂cost/∂W = xᵀ(softmax(x·W + b) − y)/n + L2·W,
// ∂cost/∂b = mean_rows(softmax − y), and the cost against its definition.
func TestGradients(t *testing.T) {
	const n, D, K = 5, 4, 3
	src := rand.New(rand.NewPCG(1, 2))
	x, labels := blobs(n, D, K, src)
	for _, l2 := range []float64{0, 0.3} {
		tr := &trainer{c: &Classifier{Inputs: D, Classes: K},
			w: tensor.New(tensor.WithShape(D, K), tensor.Of(tensor.Float32)), b: tensor.New(tensor.WithShape(K), tensor.Of(tensor.Float32)),
			l2: l2, steps: map[int]*step{}}
		w, b := tr.w.Data().([]float32), tr.b.Data().([]float32)
		for i := range w {
			w[i] = float32(src.NormFloat64())
		}
		for i := range b {
			b[i] = float32(src.NormFloat64())
		}
		s, err := tr.step(n)
		if err != nil {
			t.Fatal(err)
		}
		xs, ys := s.x.Data().([]float32), s.y.Data().([]float32)
		copy(xs, x)
		for r, l := range labels {
			ys[r*K+int(l)] = 1
		}
		if err := s.vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		// The closed form, in float64.
		dW, db := make([]float64, D*K), make([]float64, K)
		var cost float64
		for r := 0; r < n; r++ {
			logits := make([]float64, K)
			var norm float64
			for k := range logits {
				logits[k] = float64(b[k])
				for i := 0; i < D; i++ {
					logits[k] += float64(x[r*D+i]) * float64(w[i*K+k])
				}
				norm += math.Exp(logits[k])
			}
			cost -= (logits[labels[r]] - math.Log(norm)) / n
			for k := range logits {
				g := math.Exp(logits[k]) / norm
				if k == int(labels[r]) {
					g--
				}
				db[k] += g / n
				for i := 0; i < D; i++ {
					dW[i*K+k] += float64(x[r*D+i]) * g / n
				}
			}
		}
		for i, wi := range w {
			cost += l2 / 2 * float64(wi) * float64(wi)
			dW[i] += l2 * float64(wi)
		}
		if got := float64(s.cost.Value().Data().(float32)); math.Abs(got-cost) > gradTol*math.Max(1, math.Abs(cost)) {
			t.Errorf("L2 %g: cost %v, closed form %v", l2, got, cost)
		}
		for j, want := range [][]float64{dW, db} {
			g, err := s.learnables[j].Grad()
			if err != nil {
				t.Fatal(err)
			}
			for i, got := range g.Data().([]float32) {
				if math.Abs(float64(got)-want[i]) > gradTol {
					t.Errorf("L2 %g: gradient of %s[%d] = %v, closed form %v", l2, s.learnables[j].Name(), i, got, want[i])
				}
			}
		}
		s.vm.Close()
	}
}

// TestTrainLearns trains on seeded clusters, with batches that do and do
// not divide the rows, and checks the held-out accuracy and that the cost
// falls.
func TestTrainLearns(t *testing.T) {
	const D, K = 6, 4
	src := rand.New(rand.NewPCG(3, 4))
	x, labels := blobs(400, D, K, src)
	tx, tl := blobs(400, D, K, src)
	for _, tc := range []struct {
		name string
		opt  Options
	}{
		{"batches of 40", Options{Epochs: 10, BatchSize: 40, LearnRate: 0.05}},
		{"batches of 64, the last of 16", Options{Epochs: 10, BatchSize: 64, LearnRate: 0.05}},
		{"one batch, L2 and a decaying rate", Options{Epochs: 60, BatchSize: 400, LearnRate: 0.1, LearnRateFinal: 0.01, L2: 0.01}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var costs []float64
			tc.opt.OnEpoch = func(e int, c float64) { costs = append(costs, c) }
			r, err := Evaluate(Data{Train: x, TrainLabels: labels, Test: tx, TestLabels: tl, Inputs: D}, tc.opt, rand.New(rand.NewPCG(5, 6)))
			if err != nil {
				t.Fatal(err)
			}
			// The Bayes rate of these clusters is about 97 %; a model that
			// did not learn sits at 25 %.
			if r.TestAccuracy < 0.9 || r.TrainAccuracy < 0.9 {
				t.Errorf("accuracy: train %.3f, test %.3f; want ≥ 0.9", r.TrainAccuracy, r.TestAccuracy)
			}
			if len(costs) != tc.opt.Epochs || !(costs[len(costs)-1] < costs[0]/2) {
				t.Errorf("epoch costs %v: want %d of them, the last below half the first", costs, tc.opt.Epochs)
			}
		})
	}
}

// TestSeeded: the shuffling source fixes the result; another source gives
// other weights.
func TestSeeded(t *testing.T) {
	x, labels := blobs(100, 3, 3, rand.New(rand.NewPCG(7, 8)))
	opt := Options{Epochs: 3, BatchSize: 10, LearnRate: 0.01}
	train := func(seed uint64) []float32 {
		c, err := Train(x, labels, 100, 3, opt, rand.New(rand.NewPCG(seed, 1)))
		if err != nil {
			t.Fatal(err)
		}
		return c.W
	}
	a, b, c := train(1), train(1), train(2)
	same := func(p, q []float32) bool {
		for i := range p {
			if math.Float32bits(p[i]) != math.Float32bits(q[i]) {
				return false
			}
		}
		return true
	}
	if !same(a, b) || same(a, c) {
		t.Errorf("same seed: same weights %v; other seed: same weights %v (want true, false)", same(a, b), same(a, c))
	}
}

// TestL2 checks that the L2 term shrinks W and leaves b alone: with one
// class far more frequent and a large L2, W is near 0 and b still says
// which class is frequent.
func TestL2(t *testing.T) {
	x, labels := blobs(200, 3, 2, rand.New(rand.NewPCG(9, 10)))
	for i := range labels[:150] {
		labels[i] = 0
	}
	norm := func(l2 float64) (float64, []float32) {
		c, err := Train(x, labels, 200, 3, Options{Epochs: 100, BatchSize: 200, LearnRate: 0.05, L2: l2}, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatal(err)
		}
		var s float64
		for _, w := range c.W {
			s += float64(w) * float64(w)
		}
		return math.Sqrt(s), c.B
	}
	free, _ := norm(0)
	held, b := norm(10)
	if !(held < free/10) || !(b[0] > b[1]+0.5) {
		t.Errorf("‖W‖ %.3f with L2 10, %.3f without; biases %v: want ‖W‖ shrunk tenfold and b favouring class 0", held, free, b)
	}
}

// TestFeatures checks Features against σ(W·v + c) in float64, for 0/1 and
// grey rows, in more rows than a chunk.
func TestFeatures(t *testing.T) {
	const V, H, rows = 7, 5, featureChunk + 3
	src := rand.New(rand.NewPCG(11, 12))
	w, c := make([]float32, H*V), make([]float32, H)
	for i := range w {
		w[i] = float32(src.NormFloat64())
	}
	for i := range c {
		c[i] = float32(src.NormFloat64())
	}
	m, err := graph.FromParams(V, H, w, make([]float32, V), c)
	if err != nil {
		t.Fatal(err)
	}
	for _, grey := range []bool{false, true} {
		v := make([]float32, rows*V)
		for i := range v {
			if grey {
				v[i] = src.Float32()
			} else if src.IntN(2) == 1 {
				v[i] = 1
			}
		}
		f, err := Features(m, v, rows)
		if err != nil {
			t.Fatal(err)
		}
		for r := 0; r < rows; r++ {
			for j := 0; j < H; j++ {
				a := float64(c[j])
				for i := 0; i < V; i++ {
					a += float64(w[j*V+i]) * float64(v[r*V+i])
				}
				want := 1 / (1 + math.Exp(-a))
				// float32 products of 7 terms and a σ within 3 ulps
				if got := float64(f[r*H+j]); math.Abs(got-want) > 1e-6 {
					t.Fatalf("grey %v: row %d, unit %d: %v, want σ(%v) = %v", grey, r, j, got, a, want)
				}
			}
		}
	}
	if _, err := Features(m, make([]float32, V+1), 1); err == nil {
		t.Error("Features of rows of another length gave no error")
	}
	// Data.Features: both sets described by the features, labels kept.
	v := make([]float32, 3*V)
	v[1], v[V+2], v[2*V+6] = 1, 1, 1
	d := Data{Train: v[:2*V], TrainLabels: []uint8{0, 1}, Test: v[2*V:], TestLabels: []uint8{1}, Inputs: V}
	f, err := d.Features(m)
	if err != nil {
		t.Fatal(err)
	}
	all, err := Features(m, v, 3)
	if err != nil {
		t.Fatal(err)
	}
	if f.Inputs != H || string(f.TrainLabels) != string(d.TrainLabels) || len(f.Train) != 2*H || len(f.Test) != H ||
		f.Train[H] != all[H] || f.Test[H-1] != all[3*H-1] {
		t.Errorf("Data.Features = %+v, want the rows' features %v", f, all)
	}
	if _, err := (Data{Train: v[:2*(V-1)], TrainLabels: []uint8{0, 1}, Test: v[:V-1], TestLabels: []uint8{1}, Inputs: V - 1}).Features(m); err == nil {
		t.Error("Data.Features with a model of another shape gave no error")
	}
}

// TestBadInput: each mistake is an error before training starts.
func TestBadInput(t *testing.T) {
	x, labels := blobs(10, 2, 2, rand.New(rand.NewPCG(1, 1)))
	good := Options{Epochs: 1, BatchSize: 5, LearnRate: 0.01}
	with := func(f func(*Options)) Options { o := good; f(&o); return o }
	big := append([]uint8(nil), labels...)
	big[4] = 5
	nan := append([]float32(nil), x...)
	nan[3] = float32(math.NaN())
	for _, tc := range []struct {
		name   string
		x      []float32
		labels []uint8
		rows   int
		opt    Options
		want   string
	}{
		{"no epochs", x, labels, 10, with(func(o *Options) { o.Epochs = 0 }), "0 epochs"},
		{"no batch", x, labels, 10, with(func(o *Options) { o.BatchSize = 0 }), "batch size 0"},
		{"negative rate", x, labels, 10, with(func(o *Options) { o.LearnRate = -1 }), "learning rate -1"},
		{"final rate above the rate", x, labels, 10, with(func(o *Options) { o.LearnRateFinal = 1 }), "final learning rate 1"},
		{"NaN L2", x, labels, 10, with(func(o *Options) { o.L2 = math.NaN() }), "L2 weight NaN"},
		{"too many classes", x, labels, 10, with(func(o *Options) { o.Classes = 300 }), "300 classes"},
		{"a label above the classes", x, big, 10, with(func(o *Options) { o.Classes = 2 }), "label 5 of row 4 is not below the 2 classes"},
		{"one class", x, make([]uint8, 10), 10, good, "at least two"},
		{"short labels", x, labels[:9], 10, good, "9 labels for 10 rows"},
		{"short inputs", x[:19], labels, 10, good, "19 values for 10 rows"},
		{"a NaN input", nan, labels, 10, good, "must be finite"},
		{"no rows", nil, nil, 0, good, "0 rows"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			_, err := Train(tc.x, tc.labels, tc.rows, 2, tc.opt, shuffleFunc(func(int, func(int, int)) { calls++ }))
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %v, want one line saying %q", err, tc.want)
			}
			if calls != 0 {
				t.Errorf("%d shuffles before the error", calls)
			}
		})
	}
	c := &Classifier{Inputs: 2, Classes: 2, W: make([]float32, 4), B: make([]float32, 2)}
	if _, err := c.Accuracy(x, labels[:5], 10); err == nil {
		t.Error("Accuracy with 5 labels for 10 rows gave no error")
	}
	if _, err := Evaluate(Data{Train: x, TrainLabels: labels, Test: x[:3], TestLabels: labels[:2], Inputs: 2}, good, rand.New(rand.NewPCG(1, 1))); err == nil {
		t.Error("Evaluate with a short test set gave no error")
	}
}

type shuffleFunc func(n int, swap func(i, j int))

func (f shuffleFunc) Shuffle(n int, swap func(i, j int)) { f(n, swap) }

// TestPredictTies: a classifier with equal logits picks the lower class.
func TestPredictTies(t *testing.T) {
	c := &Classifier{Inputs: 1, Classes: 3, W: []float32{0, 1, 1}, B: []float32{1, 0, 0}}
	got, err := c.Predict([]float32{0, 1, 2}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if want := []uint8{0, 0, 1}; string(got) != string(want) {
		t.Errorf("Predict = %v, want %v", got, want)
	}
}

// TestRefresh: the rows Refresh gives are the ones trained on (the rows
// Train was given carry no information here), checked as Train's own; its
// error stops training as it is.
func TestRefresh(t *testing.T) {
	x, labels := blobs(300, 3, 3, rand.New(rand.NewPCG(13, 14)))
	blank := make([]float32, len(x))
	opt := Options{Epochs: 5, BatchSize: 10, LearnRate: 0.05, Refresh: func(int) ([]float32, error) { return x, nil }}
	c, err := Train(blank, labels, 300, 3, opt, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if acc, err := c.Accuracy(x, labels, 300); err != nil || acc < 0.9 {
		t.Errorf("trained on the refreshed rows: accuracy %v (%v), want above 0.9", acc, err)
	}
	stop := errors.New("stop")
	for _, tc := range []struct {
		name    string
		refresh func(int) ([]float32, error)
		want    string
	}{
		{"short rows in epoch 2", func(e int) ([]float32, error) {
			if e == 2 {
				return x[:10], nil
			}
			return x, nil
		}, "epoch 2's rows"},
		{"NaN", func(int) ([]float32, error) { return append([]float32{float32(math.NaN())}, x[1:]...), nil }, "finite"},
		{"an error", func(int) ([]float32, error) { return nil, stop }, "stop"},
	} {
		opt.Refresh = tc.refresh
		_, err := Train(x, labels, 300, 3, opt, rand.New(rand.NewPCG(1, 1)))
		if err == nil || !strings.Contains(err.Error(), tc.want) || tc.name == "an error" && !errors.Is(err, stop) {
			t.Errorf("%s: error %v, want one naming %q", tc.name, err, tc.want)
		}
	}
}
