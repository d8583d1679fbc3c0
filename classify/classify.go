package classify

import (
	"errors"
	"fmt"
	"math"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Shuffler permutes n items by calling swap, as *math/rand/v2.Rand's
// Shuffle does: the one random draw of training, the order of each epoch.
type Shuffler interface {
	Shuffle(n int, swap func(i, j int))
}

// Options set up Train.
type Options struct {
	Epochs    int     // passes over the training rows, at least 1
	BatchSize int     // rows per Adam step, at least 1
	LearnRate float64 // Adam's step size η (Gorgonia's default is 0.001)
	// LearnRateFinal, if positive, is the step size at the last epoch:
	// η falls geometrically from LearnRate, epoch by epoch, so the last
	// steps settle the weights instead of rattling around the optimum.
	// 0 keeps LearnRate throughout.
	LearnRateFinal float64
	L2             float64 // weight of ½·‖W‖² in the cost (0: none)
	// Classes is the number of classes K; 0 means one more than the
	// largest training label.
	Classes int
	// OnEpoch, if not nil, is told after each epoch of its number (from
	// 0) and the mean cost of its batches.
	OnEpoch func(epoch int, cost float64)
	// Refresh, if not nil, gives the training rows of each epoch (from 0)
	// in place of those Train was given: rows×inputs values with the same
	// labels, such as the images binarized afresh (data augmentation).
	// Train checks them as it checks its own.
	Refresh func(epoch int) ([]float32, error)
}

// DefaultOptions returns the settings tuned on MNIST (docs/uses.md):
// 20 epochs of batches of 100, Adam's step size falling from 0.01 to
// 0.0003, no L2. Chosen on a validation split (the last 10,000 training
// images) for an RBM's features; raw pixels validate best at 0.003 falling
// to 0.0001, half a point better.
func DefaultOptions() Options {
	return Options{Epochs: 20, BatchSize: 100, LearnRate: 0.01, LearnRateFinal: 0.0003}
}

// Validate reports the first invalid option.
func (o Options) Validate() error {
	switch {
	case o.Epochs < 1:
		return fmt.Errorf("classify: %d epochs: use at least 1", o.Epochs)
	case o.BatchSize < 1:
		return fmt.Errorf("classify: batch size %d: use at least 1", o.BatchSize)
	case !(o.LearnRate > 0) || math.IsInf(o.LearnRate, 0):
		return fmt.Errorf("classify: learning rate %g: use a positive number", o.LearnRate)
	case o.LearnRateFinal < 0 || math.IsNaN(o.LearnRateFinal) || o.LearnRateFinal > o.LearnRate:
		return fmt.Errorf("classify: final learning rate %g: use 0 (none) or a positive number up to the learning rate %g", o.LearnRateFinal, o.LearnRate)
	case !(o.L2 >= 0) || math.IsInf(o.L2, 0):
		return fmt.Errorf("classify: L2 weight %g: use 0 or a positive number", o.L2)
	case o.Classes < 0 || o.Classes > 256:
		return fmt.Errorf("classify: %d classes: use 0 (from the labels) to 256 (labels are uint8)", o.Classes)
	}
	return nil
}

// learnRate returns the step size of epoch e (see LearnRateFinal).
func (o Options) learnRate(e int) float64 {
	if o.LearnRateFinal == 0 || o.Epochs == 1 {
		return o.LearnRate
	}
	return o.LearnRate * math.Pow(o.LearnRateFinal/o.LearnRate, float64(e)/float64(o.Epochs-1))
}

// Classifier is a trained softmax classifier: p(y|x) = softmax(x·W + b).
type Classifier struct {
	Inputs, Classes int
	W               []float32 // Inputs×Classes, row-major
	B               []float32 // Classes
}

// ErrShape reports inputs whose length does not match rows×Inputs, or
// labels that do not match the rows.
var ErrShape = errors.New("classify: values do not match rows×inputs")

// checkData checks rows×inputs values x, their labels (if not nil) and that
// every value is finite.
func checkData(x []float32, labels []uint8, rows, inputs int) error {
	if rows < 1 || inputs < 1 {
		return fmt.Errorf("classify: %d rows of %d inputs: need at least one of each: %w", rows, inputs, ErrShape)
	}
	if len(x) != rows*inputs {
		return fmt.Errorf("classify: %d values for %d rows of %d inputs: %w", len(x), rows, inputs, ErrShape)
	}
	if labels != nil && len(labels) != rows {
		return fmt.Errorf("classify: %d labels for %d rows: %w", len(labels), rows, ErrShape)
	}
	for i, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("classify: value %d (row %d) is %g: inputs must be finite", i, i/inputs, v)
		}
	}
	return nil
}

// Train fits a softmax classifier to rows rows of x (rows×inputs) with
// their labels, by opt.Epochs passes of Adam over batches in an order
// drawn from src each epoch (see the package documentation).
func Train(x []float32, labels []uint8, rows, inputs int, opt Options, src Shuffler) (*Classifier, error) {
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	if err := checkData(x, labels, rows, inputs); err != nil {
		return nil, err
	}
	classes := opt.Classes
	if classes == 0 {
		for _, l := range labels {
			classes = max(classes, int(l)+1)
		}
	}
	if classes < 2 {
		return nil, fmt.Errorf("classify: %d class: the labels need at least two", classes)
	}
	for r, l := range labels {
		if int(l) >= classes {
			return nil, fmt.Errorf("classify: label %d of row %d is not below the %d classes", l, r, classes)
		}
	}
	c := &Classifier{Inputs: inputs, Classes: classes}
	t := &trainer{
		c:      c,
		w:      tensor.New(tensor.WithShape(inputs, classes), tensor.Of(tensor.Float32)),
		b:      tensor.New(tensor.WithShape(classes), tensor.Of(tensor.Float32)),
		l2:     opt.L2,
		steps:  map[int]*step{},
		solver: gorgonia.NewAdamSolver(gorgonia.WithLearnRate(opt.LearnRate)),
	}
	order := make([]int, rows)
	for i := range order {
		order[i] = i
	}
	for e := 0; e < opt.Epochs; e++ {
		if opt.Refresh != nil {
			var err error
			if x, err = opt.Refresh(e); err != nil {
				return nil, err
			}
			if err := checkData(x, labels, rows, inputs); err != nil {
				return nil, fmt.Errorf("epoch %d's rows: %w", e, err)
			}
		}
		gorgonia.WithLearnRate(opt.learnRate(e))(t.solver) // in place: Adam keeps its moments
		src.Shuffle(rows, func(i, j int) { order[i], order[j] = order[j], order[i] })
		var sum float64
		batches := 0
		for lo := 0; lo < rows; lo += opt.BatchSize {
			cost, err := t.batch(x, labels, order[lo:min(lo+opt.BatchSize, rows)])
			if err != nil {
				return nil, err
			}
			sum += cost
			batches++
		}
		if opt.OnEpoch != nil {
			opt.OnEpoch(e, sum/float64(batches))
		}
	}
	c.W = append([]float32(nil), t.w.Data().([]float32)...)
	c.B = append([]float32(nil), t.b.Data().([]float32)...)
	for _, s := range t.steps {
		s.vm.Close()
	}
	return c, nil
}

// trainer holds the parameters, which every batch size's graph shares, and
// the solver that steps them.
type trainer struct {
	c      *Classifier
	w, b   *tensor.Dense
	l2     float64
	steps  map[int]*step // by batch size
	solver *gorgonia.AdamSolver
}

// step is the cost graph for one batch size, compiled once.
type step struct {
	x, y       *tensor.Dense // the batch's inputs and one-hot labels
	cost       *gorgonia.Node
	learnables gorgonia.Nodes // W, b
	vm         gorgonia.VM
}

// batch runs one Adam step on the rows idx of x and returns the batch's
// cost.
func (t *trainer) batch(x []float32, labels []uint8, idx []int) (float64, error) {
	s, err := t.step(len(idx))
	if err != nil {
		return 0, err
	}
	D, K := t.c.Inputs, t.c.Classes
	xs, ys := s.x.Data().([]float32), s.y.Data().([]float32)
	clear(ys)
	for r, i := range idx {
		copy(xs[r*D:(r+1)*D], x[i*D:(i+1)*D])
		ys[r*K+int(labels[i])] = 1
	}
	if err := s.vm.RunAll(); err != nil {
		return 0, fmt.Errorf("classify: running the cost graph: %w", err)
	}
	defer s.vm.Reset()
	cost := float64(s.cost.Value().Data().(float32))
	if err := t.solver.Step(gorgonia.NodesToValueGrads(s.learnables)); err != nil { // takes and zeroes the gradients
		return 0, fmt.Errorf("classify: Adam step: %w", err)
	}
	return cost, nil
}

// step returns the compiled graph for batches of n rows.
func (t *trainer) step(n int) (*step, error) {
	if s, ok := t.steps[n]; ok {
		return s, nil
	}
	s, err := t.build(n)
	if err != nil {
		return nil, err
	}
	t.steps[n] = s
	return s, nil
}

// build builds and compiles the cost graph (see the package documentation)
// for batches of n rows, on the trainer's W and b tensors.
func (t *trainer) build(n int) (s *step, err error) {
	defer func() { // gorgonia.Must panics when a shape does not fit
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("classify: building the cost graph: %v", r)
		}
	}()
	D, K := t.c.Inputs, t.c.Classes
	g := gorgonia.NewGraph()
	s = &step{
		x: tensor.New(tensor.WithShape(n, D), tensor.Of(tensor.Float32)),
		y: tensor.New(tensor.WithShape(n, K), tensor.Of(tensor.Float32)),
	}
	must := gorgonia.Must
	x := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(n, D), gorgonia.WithName("x"), gorgonia.WithValue(s.x))
	y := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(n, K), gorgonia.WithName("y"), gorgonia.WithValue(s.y))
	w := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(D, K), gorgonia.WithName("W"), gorgonia.WithValue(t.w))
	b := gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(K), gorgonia.WithName("b"), gorgonia.WithValue(t.b))

	logits := must(gorgonia.BroadcastAdd(must(gorgonia.Mul(x, w)), b, nil, []byte{0})) // x·W + b
	logp := must(gorgonia.LogSoftMax(logits, 1))                                       // log p(k|x), per row
	s.cost = must(gorgonia.Neg(must(gorgonia.Mean(must(gorgonia.Sum(must(gorgonia.HadamardProd(y, logp)), 1))))))
	if t.l2 != 0 { // + ½·L2·‖W‖²
		half := gorgonia.NewScalar(g, tensor.Float32, gorgonia.WithName("½·L2"), gorgonia.WithValue(float32(t.l2/2)))
		s.cost = must(gorgonia.Add(s.cost, must(gorgonia.Mul(half, must(gorgonia.Sum(must(gorgonia.Square(w))))))))
	}
	s.learnables = gorgonia.Nodes{w, b}
	grads, err := gorgonia.Grad(s.cost, s.learnables...)
	if err != nil {
		return nil, fmt.Errorf("classify: gradients: %w", err)
	}
	sub := g.SubgraphRoots(append(gorgonia.Nodes{s.cost}, grads...)...)
	s.vm = gorgonia.NewTapeMachine(sub, gorgonia.BindDualValues(s.learnables...))
	return s, nil
}

// Predict returns the most probable class of each of the rows of x
// (rows×Inputs); ties go to the lower class.
func (c *Classifier) Predict(x []float32, rows int) ([]uint8, error) {
	if err := checkData(x, nil, rows, c.Inputs); err != nil {
		return nil, err
	}
	pred := make([]uint8, rows)
	logits := make([]float64, c.Classes)
	for r := range pred {
		c.logits(logits, x[r*c.Inputs:(r+1)*c.Inputs])
		best := 0
		for k, l := range logits {
			if l > logits[best] {
				best = k
			}
		}
		pred[r] = uint8(best)
	}
	return pred, nil
}

// logits sets dst to x·W + b for one row x, in float64.
func (c *Classifier) logits(dst []float64, x []float32) {
	K := c.Classes
	for k := range dst {
		dst[k] = float64(c.B[k])
	}
	for i, xi := range x {
		if xi == 0 {
			continue
		}
		row := c.W[i*K : (i+1)*K]
		for k, w := range row {
			dst[k] += float64(xi) * float64(w)
		}
	}
}

// Accuracy returns the fraction of the rows of x whose predicted class is
// their label.
func (c *Classifier) Accuracy(x []float32, labels []uint8, rows int) (float64, error) {
	if len(labels) != rows {
		return 0, fmt.Errorf("classify: %d labels for %d rows: %w", len(labels), rows, ErrShape)
	}
	pred, err := c.Predict(x, rows)
	if err != nil {
		return 0, err
	}
	right := 0
	for r, p := range pred {
		if p == labels[r] {
			right++
		}
	}
	return float64(right) / float64(rows), nil
}

// Data is a classification task: training and test rows of Inputs values
// each (0/1 pixels, or features) with their labels.
type Data struct {
	Train, Test             []float32
	TrainLabels, TestLabels []uint8
	Inputs                  int
}

// check reports the first way d does not fit together.
func (d Data) check() error {
	if err := checkData(d.Train, d.TrainLabels, len(d.TrainLabels), d.Inputs); err != nil {
		return fmt.Errorf("training set: %w", err)
	}
	if err := checkData(d.Test, d.TestLabels, len(d.TestLabels), d.Inputs); err != nil {
		return fmt.Errorf("test set: %w", err)
	}
	return nil
}

// Result is a classifier trained on a Data's training rows and its
// accuracy on both sets.
type Result struct {
	Classifier                  *Classifier
	TrainAccuracy, TestAccuracy float64
}

// Evaluate trains a classifier on d's training rows (Train, with opt and
// src) and measures its accuracy on both sets. Every input is checked
// before training starts.
func Evaluate(d Data, opt Options, src Shuffler) (Result, error) {
	if err := opt.Validate(); err != nil {
		return Result{}, err
	}
	if err := d.check(); err != nil {
		return Result{}, err
	}
	c, err := Train(d.Train, d.TrainLabels, len(d.TrainLabels), d.Inputs, opt, src)
	if err != nil {
		return Result{}, err
	}
	r := Result{Classifier: c}
	if r.TrainAccuracy, err = c.Accuracy(d.Train, d.TrainLabels, len(d.TrainLabels)); err != nil {
		return Result{}, err
	}
	if r.TestAccuracy, err = c.Accuracy(d.Test, d.TestLabels, len(d.TestLabels)); err != nil {
		return Result{}, err
	}
	return r, nil
}
