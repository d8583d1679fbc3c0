package graph

import "gorbm.dev/gorbm/internal/par"

// Pool is a set of helper goroutines that share the work of training steps
// and Gibbs sampling with the calling goroutine: the products, σ and
// softplus, the rows of a long Gibbs chain and the solver's update are cut
// into chunks that the caller and the helpers claim in turn. Between pieces of work the helpers sleep;
// a helper that is slow to start leaves its chunks to the caller, and
// after a helper came late to a piece (descheduled by a busy machine) the
// next pieces run on the caller alone for a while (internal/par's
// pacing). The results are the same bits with any number of helpers.
//
// A Trainer makes its own (NewTrainer); pass Trainer.Pool to NewSampler
// to sample with it. A nil *Pool has no helpers.
type Pool struct{ p *par.Pool }

// NewPool returns a pool of helpers goroutines (none for helpers < 1);
// NewPool(runtime.GOMAXPROCS(0) − 1) keeps every processor busy while a
// step runs. Close stops them.
func NewPool(helpers int) *Pool { return &Pool{p: par.New(helpers)} }

// Close stops the pool's helpers; the pool then runs everything on the
// calling goroutine. It must not be called during a step or a sampling
// call that uses the pool.
func (p *Pool) Close() {
	if p != nil {
		p.p.Close()
	}
}

// Helpers returns the number of helper goroutines.
func (p *Pool) Helpers() int { return p.par().Helpers() }

// par returns the pool's par.Pool; nil for a nil pool.
func (p *Pool) par() *par.Pool {
	if p == nil {
		return nil
	}
	return p.p
}
