package graph

import (
	"errors"
	"fmt"
	"runtime"

	"gorbm.dev/gorbm/internal/enum"
	"gorbm.dev/gorbm/internal/linalg"
)

// Trainer trains a Model by contrastive divergence: it owns the compiled
// cost graphs, the solver's settings and momentum velocities, a centered
// model's offsets, and a Pool of helper goroutines that share each step's
// work. The Model it trains changes only through its Step. A Trainer is
// not safe for concurrent use; Close it when done, to stop its helpers.
type Trainer struct {
	m    *Model
	pool *Pool

	graph Graph
	fast  map[fastKey]*fastStep
	text  map[blocks]*textbookStep

	// decay is the L2 weight decay of the cost graphs (SetWeightDecay);
	// center the centered parameterisation's offsets, nil without
	// (SetOffsets).
	decay  float64
	center *centering

	solver solver
}

// NewTrainer returns a trainer of m by plain SGD (torch.optim.SGD, the
// script's) with learning rate lr, on the fast graph, with a Pool of
// GOMAXPROCS−1 helper goroutines.
func NewTrainer(m *Model, lr float64) (*Trainer, error) {
	if m == nil {
		return nil, errors.New("graph: a trainer needs a model")
	}
	if err := checkLearnRate(lr); err != nil {
		return nil, err
	}
	return &Trainer{
		m:      m,
		pool:   NewPool(runtime.GOMAXPROCS(0) - 1),
		fast:   map[fastKey]*fastStep{},
		text:   map[blocks]*textbookStep{},
		solver: newSolver(lr),
	}, nil
}

// Close stops the trainer's helper goroutines. A closed trainer still
// trains, on the calling goroutine alone.
func (t *Trainer) Close() { t.pool.Close() }

// Model returns the model the trainer trains.
func (t *Trainer) Model() *Model { return t.m }

// Pool returns the trainer's pool of helper goroutines, for a Sampler
// (NewSampler) that samples for the trainer's steps.
func (t *Trainer) Pool() *Pool { return t.pool }

// Graph names a cost graph: both compute mean F(v) − mean F(v′) and its
// gradients with Gorgonia, and agree to float32 rounding.
type Graph int

const (
	// Fast is the default: the free-energy difference of fused float32
	// ops, which take the sampler's hidden fields as an input and add up
	// rows for 0/1 inputs.
	Fast Graph = iota
	// Textbook is the script's free_energy written with Gorgonia's stock
	// ops (FreeEnergy), line for line.
	Textbook
)

var graphNames = []string{Fast: "fast", Textbook: "textbook"}

func (g Graph) String() string { return enum.Name(graphNames, g, "Graph") }

// ParseGraph returns the Graph named s ("fast" or "textbook").
func ParseGraph(s string) (Graph, error) {
	if g, ok := enum.Parse[Graph](graphNames, s); ok {
		return g, nil
	}
	return 0, fmt.Errorf("graph: unknown cost graph %q: use %s", s, enum.Choices(graphNames))
}

// SetGraph selects the cost graph Step and Gradients run on. The solver's
// velocities are the trainer's, the same for both graphs.
func (t *Trainer) SetGraph(g Graph) error {
	if g != Fast && g != Textbook {
		return fmt.Errorf("graph: unknown cost graph %v: use Fast or Textbook", g)
	}
	t.graph = g
	return nil
}

// CostGraph returns the cost graph Step and Gradients run on.
func (t *Trainer) CostGraph() Graph { return t.graph }

// compiled is a cost graph compiled for one batch shape.
type compiled interface {
	run(b Batch) error // evaluate the cost and its gradients
	cost() float32
	gradients() (dW, dVBias, dHBias []float32, err error) // copies, W stored Visible×Hidden
	update() error                                        // the solver's step
	reset()                                               // ready the machine for the next run
}

// Step performs one contrastive-divergence update: it evaluates
// cost = mean F(b.Data) − mean F(b.Recon) and its gradients on the graph,
// and applies them: p ← p − lr·∂cost/∂p, the script's torch.optim.SGD,
// unless SetMomentum, SetWeightDecay or SetOffsets changed the update. It
// returns the cost before the update, the script's loss (without the
// weight-decay term).
func (t *Trainer) Step(b Batch) (float32, error) {
	c, err := t.run(b)
	if err != nil {
		return 0, err
	}
	defer c.reset()
	loss := c.cost()
	if err := c.update(); err != nil {
		return 0, fmt.Errorf("graph: solver step: %w", err)
	}
	return loss, nil
}

// Gradients are the cost of a batch and its gradients with respect to the
// parameters, W in the script's Hidden×Visible layout. With centering
// (SetOffsets) they are the gradients with respect to the centered
// parameters W, b_c and c_c.
type Gradients struct {
	Cost            float32
	W, VBias, HBias []float32
}

// Gradients evaluates the cost and its gradients on b without updating the
// parameters.
func (t *Trainer) Gradients(b Batch) (Gradients, error) {
	c, err := t.run(b)
	if err != nil {
		return Gradients{}, err
	}
	defer c.reset()
	dW, db, dc, err := c.gradients()
	if err != nil {
		return Gradients{}, err
	}
	g := Gradients{Cost: c.cost(), W: make([]float32, len(dW)), VBias: db, HBias: dc}
	linalg.Transpose(t.pool.par(), g.W, dW, t.m.visible, t.m.hidden)
	return g, nil
}

// ErrShape reports a batch whose length does not match its rows.
var ErrShape = errors.New("batch length does not match rows×units")

// blocks are the rows of a batch's data and of its negative samples: the
// shape a compiled graph is made for.
type blocks [2]int

func (t *Trainer) run(b Batch) (compiled, error) {
	V, H := t.m.visible, t.m.hidden
	rows, neg := b.Rows, b.negRows()
	if rows < 1 || neg < 1 || len(b.Data) != rows*V || len(b.Recon) != neg*V {
		return nil, fmt.Errorf("graph: %d and %d values for %d and %d rows of %d: %w", len(b.Data), len(b.Recon), rows, neg, V, ErrShape)
	}
	if b.Fields != nil && len(b.Fields) != (rows+neg)*H {
		return nil, fmt.Errorf("graph: %d hidden fields for %d rows of %d: %w", len(b.Fields), rows+neg, H, ErrShape)
	}
	c, err := t.compiled(blocks{rows, neg}, b.Fields != nil)
	if err != nil {
		return nil, err
	}
	if t.center != nil {
		t.centerBiases()
	}
	if err := c.run(b); err != nil {
		c.reset()
		return nil, fmt.Errorf("graph: running the cost graph: %w", err)
	}
	return c, nil
}

// compiled returns the current graph for batches of the shape bl, with or
// without the hidden fields as an input, compiling it on first use. The
// textbook graph always computes the fields.
func (t *Trainer) compiled(bl blocks, fields bool) (compiled, error) {
	if t.graph == Textbook {
		return compileOnce(t.text, bl, t.compileTextbook)
	}
	return compileOnce(t.fast, fastKey{bl, fields}, t.compileFast)
}

// compileOnce returns cache[k], compiling and storing it on first use.
func compileOnce[K comparable, S compiled](cache map[K]S, k K, compile func(K) (S, error)) (compiled, error) {
	if s, ok := cache[k]; ok {
		return s, nil
	}
	s, err := compile(k)
	if err != nil {
		return nil, err
	}
	cache[k] = s
	return s, nil
}

// recompile drops the compiled graphs; the next steps compile them anew
// with the trainer's current settings. The solver's velocities stay.
func (t *Trainer) recompile() {
	clear(t.fast)
	clear(t.text)
}
