package graph

import (
	"fmt"
	"sync"

	"gorbm.dev/gorbm/internal/f32"
	"gorbm.dev/gorbm/internal/linalg"
	"gorbm.dev/gorbm/internal/par"
	"gorbm.dev/gorbm/internal/rng"
)

// Uniform is a source of uniform variates in [0, 1). *math/rand/v2.Rand
// satisfies it; tests inject recorded draws.
type Uniform interface {
	Float32() float32
}

// Bernoulli sets dst[i] = 1 if p[i] > u else 0 for a fresh u from src per
// element, in order: the script's F.relu(torch.sign(p - torch.rand(p.size()))).
func Bernoulli(dst, p []float32, src Uniform) {
	dst = dst[:len(p)]
	f32.Bernoulli(dst, p, rng.Take(len(p), src, dst))
}

// Batch is the input of one contrastive-divergence step: Rows data vectors
// and the negative samples, the script's v and v1, row-major with Visible
// values per row. Recon has ReconRows rows, or Rows when ReconRows is 0 (CD
// and the script: one reconstruction per data vector; persistent chains
// may be more or fewer).
//
// Fields, when not nil, are the hidden fields x·Wᵀ + c of the data rows,
// then of the negative samples ((Rows + negative rows)×Hidden), under the
// parameters the step will use. Sampler.Gibbs and Sampler.Persistent
// compute them anyway and return them, and the fast graph then takes them
// as an input instead of multiplying again. A Batch made by hand has none,
// and the graph computes them; after changing a Batch's rows, or the
// model's parameters, set Fields to nil.
type Batch struct {
	Data, Recon []float32
	Rows        int
	ReconRows   int
	Fields      []float32
}

// negRows returns the number of rows of Recon.
func (b Batch) negRows() int {
	if b.ReconRows == 0 {
		return b.Rows
	}
	return b.ReconRows
}

// Sampler runs block Gibbs sampling on a model's current parameters, outside
// the graph, sharing its work with the helpers of a Pool: a long chain by
// ranges of its rows, anything else by the columns of its products. It
// keeps its buffers between calls, so a Sampler is not safe for concurrent
// use; make one per goroutine.
type Sampler struct {
	m            *Model
	pool         *par.Pool
	pH, h, pV, v []float32
	fields       []float32 // the hidden fields of the last Batch's rows
	capRows      int
	scratch      linalg.Scratch
	scratches    sync.Pool // of *linalg.Scratch, for the goroutines of a chain
	u            []float32 // a chain's draws, when its source is not a rng.Drawn
	job          chainJob
}

// NewSampler returns a sampler reading m's parameters, sharing its work
// with pool's helpers (nil: on the calling goroutine alone).
func NewSampler(m *Model, pool *Pool) *Sampler { return &Sampler{m: m, pool: pool.par()} }

// grow makes room for rows rows in the per-step buffers and fields rows in
// the fields.
func (s *Sampler) grow(rows, fields int) {
	V, H := s.m.visible, s.m.hidden
	if rows > s.capRows {
		s.pH, s.h = make([]float32, rows*H), make([]float32, rows*H)
		s.pV, s.v = make([]float32, rows*V), make([]float32, rows*V)
		s.capRows = rows
	}
	if len(s.fields) < fields*H {
		s.fields = make([]float32, fields*H)
	}
}

// sigmoid sets dst = σ(src), sharing long slices with p's helpers.
func sigmoid(p *par.Pool, dst, src []float32) {
	p.Do(sigmoidJob{dst, src}, len(dst), sigmoidMinShared)
}

type sigmoidJob struct{ dst, src []float32 }

func (j sigmoidJob) Run(lo, hi int) { f32.Sigmoid(j.dst[lo:hi], j.src[lo:hi]) }

// sigmoidMinShared is the length below which σ stays on one goroutine.
const sigmoidMinShared = 8192

// VisibleProbabilities sets pV (rows×Visible) to σ(h·W + b) for h
// (rows×Hidden).
func (m *Model) VisibleProbabilities(pV, h []float32, rows int) {
	var s linalg.Scratch
	m.visibleField(nil, pV, h, rows, &s, func(r, c0, c1 int) {
		k0, k1 := r*m.visible+c0, r*m.visible+c1
		f32.Sigmoid(pV[k0:k1], pV[k0:k1])
	})
}

// HiddenProbabilities sets pH (rows×Hidden) to p(h=1|v) = σ(v·Wᵀ + c) for
// v (rows×Visible): the script's v_to_h without its sample, the RBM's
// features of v.
func (m *Model) HiddenProbabilities(pH, v []float32, rows int) {
	var s linalg.Scratch
	H := m.hidden
	m.hiddenField(nil, pH, v, rows, &s, func(r, c0, c1 int) {
		k0, k1 := r*H+c0, r*H+c1
		f32.Sigmoid(pH[k0:k1], pH[k0:k1])
	})
}

// hiddenField sets a (rows×Hidden) to v·Wᵀ + c, the script's wx_b, and
// calls then on its blocks.
func (m *Model) hiddenField(p *par.Pool, a, v []float32, rows int, s *linalg.Scratch, then linalg.Then) {
	linalg.Affine(p, a, v, rows, m.visible, m.weights(), m.hidden, m.hBias(), s, then)
}

// visibleField sets a (rows×Visible) to h·W + b and calls then on its
// blocks.
func (m *Model) visibleField(p *par.Pool, a, h []float32, rows int, s *linalg.Scratch, then linalg.Then) {
	linalg.AffineTrans(p, a, h, rows, m.hidden, m.weights(), m.wt, m.visible, m.vBias(), s, then)
}

// sampleHidden sets a to v·Wᵀ + c, pH = σ(a), and h to a sample of it
// with the draws u, in row-major order (rows×Hidden each): σ and the
// comparisons are done block by block as the product finishes them.
func (m *Model) sampleHidden(p *par.Pool, a, pH, h, v, u []float32, rows int, s *linalg.Scratch) {
	H := m.hidden
	m.hiddenField(p, a, v, rows, s, func(r, c0, c1 int) {
		k0, k1 := r*H+c0, r*H+c1
		f32.Sigmoid(pH[k0:k1], a[k0:k1])
		f32.Bernoulli(h[k0:k1], pH[k0:k1], u[k0:k1])
	})
}

// sampleVisible sets pV to σ(h·W + b) and v to a sample of it with the
// draws u (rows×Visible each), as sampleHidden does.
func (m *Model) sampleVisible(p *par.Pool, pV, v, h, u []float32, rows int, s *linalg.Scratch) {
	V := m.visible
	m.visibleField(p, pV, h, rows, s, func(r, c0, c1 int) {
		k0, k1 := r*V+c0, r*V+c1
		f32.Sigmoid(pV[k0:k1], pV[k0:k1])
		f32.Bernoulli(v[k0:k1], pV[k0:k1], u[k0:k1])
	})
}

// VisibleToHidden returns p(h=1|v) and a sample of h for v (rows×Visible),
// the script's v_to_h. The returned slices are the sampler's buffers, valid
// until its next call.
func (s *Sampler) VisibleToHidden(v []float32, rows int, src Uniform) (pH, h []float32) {
	s.grow(rows, rows)
	n := rows * s.m.hidden
	pH, h = s.pH[:n], s.h[:n]
	s.m.sampleHidden(s.pool, s.fields[:n], pH, h, v, rng.Take(n, src, h), rows, &s.scratch)
	return pH, h
}

// HiddenToVisible returns p(v=1|h) and a sample of v for h (rows×Hidden),
// the script's h_to_v. The returned slices are the sampler's buffers.
func (s *Sampler) HiddenToVisible(h []float32, rows int, src Uniform) (pV, v []float32) {
	s.grow(rows, 0)
	n := rows * s.m.visible
	pV, v = s.pV[:n], s.v[:n]
	s.m.sampleVisible(s.pool, pV, v, h, rng.Take(n, src, v), rows, &s.scratch)
	return pV, v
}

// GibbsDraws returns the number of uniform variates Gibbs draws for rows
// rows and k steps: rows·Hidden for h, then per step rows·Visible for v′
// and rows·Hidden for h (the last one discarded, as the script does).
func (s *Sampler) GibbsDraws(rows, k int) int {
	return rows*s.m.hidden + k*rows*(s.m.visible+s.m.hidden)
}

// GibbsSkipped returns how many of GibbsDraws' variates for rows rows, the
// last ones, are those of the discarded hidden sample: Gibbs passes over
// them with Skip when its source can (rng.Skipper), without using them, so
// a caller that draws ahead may skip them rather than draw them.
func (s *Sampler) GibbsSkipped(rows int) int { return rows * s.m.hidden }

// Gibbs runs the script's forward pass: from v (rows×Visible) it samples
// h, then k times v′ ~ p(v|h) and h ~ p(h|v′), and returns the Batch of v
// and the last v′ (a sampler buffer, valid until the next call), with the
// hidden fields of both (Batch.Fields, also a sampler buffer). It consumes
// the draws in the script's order, including those of the last hidden
// sample, which the script draws and discards (so Gibbs draws them without
// computing that sample).
func (s *Sampler) Gibbs(v []float32, rows, k int, src Uniform) (Batch, error) {
	if k < 1 {
		return Batch{}, fmt.Errorf("graph: %d Gibbs steps: use k ≥ 1", k)
	}
	if rows < 1 || len(v) != rows*s.m.visible {
		return Batch{}, fmt.Errorf("graph: Gibbs on %d values for %d rows of %d: %w", len(v), rows, s.m.visible, ErrShape)
	}
	s.grow(rows, 2*rows)
	nH := rows * s.m.hidden
	vk := s.chain(v, s.fields[:nH], rows, k, s.fields[nH:2*nH], nil, 0, nil, src)
	return Batch{Data: v, Recon: vk, Rows: rows, Fields: s.fields[:2*nH]}, nil
}

// chain runs k Gibbs steps from v (rows×Visible): it samples h with v's
// field in start, then k times v′ ~ p(v|h) and h ~ p(h|v′) with the field
// of v′ in end, and draws the last h's variates without computing it. It
// returns the last v′; end holds its field. start and end may be the same,
// and v may be the sampler's v′ buffer. With data (dataRows×Visible), it
// also sets dataEnd to the data's hidden fields, beside the chains.
//
// The rows of a chain do not depend on each other, so a long chain is
// shared out by rows, each range of rows taken through every step on one
// goroutine: one hand-over per call instead of one per product. The draws
// are taken first, in the order of the steps, and each row uses its own;
// every product is summed in the order of its rows, so the bits do not
// depend on the sharing.
func (s *Sampler) chain(v, start []float32, rows, k int, end []float32, data []float32, dataRows int, dataEnd []float32, src Uniform) []float32 {
	V, H := s.m.visible, s.m.hidden
	nH, nV := rows*H, rows*V
	if _, drawn := src.(*rng.Drawn); !drawn && len(s.u) < k*(nH+nV) {
		s.u = make([]float32, k*(nH+nV))
	}
	j := &s.job
	*j = chainJob{s: s, v: v, start: start, end: end, rows: rows, k: k, data: data, dataRows: dataRows, dataEnd: dataEnd,
		uH: j.uH[:0], uV: j.uV[:0]}
	j.uH = append(j.uH, rng.Take(nH, src, s.u))
	for i, u := 0, s.u[min(nH, len(s.u)):]; i < k; i++ {
		j.uV = append(j.uV, rng.Take(nV, src, u))
		u = u[min(nV, len(u)):]
		if i < k-1 {
			j.uH = append(j.uH, rng.Take(nH, src, u))
			u = u[min(nH, len(u)):]
		}
	}
	rng.Skip(nH, src) // the discarded last hidden sample's draws
	s.pool.Do(j, rows, chainMinRows)
	return s.v[:nV]
}

// chainMinRows is the fewest rows of a chain a goroutine takes at a time:
// a range reads all of W once per product (a shared product reads only
// its columns), so the ranges are few and long, several times the time it
// takes to wake a helper; a shorter chain shares its products instead.
const chainMinRows = 50

// chainJob is Sampler.chain's work on ranges of its rows.
type chainJob struct {
	s             *Sampler
	v, start, end []float32
	rows, k       int
	uH, uV        [][]float32 // the draws of each hidden and visible sample, rows×Hidden and rows×Visible
	data, dataEnd []float32
	dataRows      int
}

// Run takes rows lo to hi−1 through the chain, and the data rows in the
// same share of the data. A range of all the rows (a chain too short to
// split) shares each product with the pool's helpers instead.
func (j *chainJob) Run(lo, hi int) {
	s := j.s
	m := s.m
	V, H := m.visible, m.hidden
	var p *par.Pool
	if lo == 0 && hi == j.rows {
		p = s.pool
	}
	sc, _ := s.scratches.Get().(*linalg.Scratch)
	if sc == nil {
		sc = new(linalg.Scratch)
	}
	defer s.scratches.Put(sc)
	n := hi - lo
	h, pH := s.h[lo*H:hi*H], s.pH[lo*H:hi*H]
	pV, vk := s.pV[lo*V:hi*V], s.v[lo*V:hi*V]
	m.sampleHidden(p, j.start[lo*H:hi*H], pH, h, j.v[lo*V:hi*V], j.uH[0][lo*H:hi*H], n, sc)
	for i := 0; i < j.k; i++ {
		m.sampleVisible(p, pV, vk, h, j.uV[i][lo*V:hi*V], n, sc)
		if end := j.end[lo*H : hi*H]; i < j.k-1 {
			m.sampleHidden(p, end, pH, h, vk, j.uH[i+1][lo*H:hi*H], n, sc)
		} else {
			m.hiddenField(p, end, vk, n, sc, nil)
		}
	}
	if j.data != nil {
		d0, d1 := lo*j.dataRows/j.rows, hi*j.dataRows/j.rows
		m.hiddenField(p, j.dataEnd[d0*H:d1*H], j.data[d0*V:d1*V], d1-d0, sc, nil)
	}
}

// Persistent runs persistent contrastive divergence's sampling (Tieleman
// 2008): k Gibbs steps from the chains' states chain (chains×Visible), as
// Gibbs does from data (the same draws in the same order), and returns the
// Batch of the data (rows×Visible) and the chains' new states, its
// negative samples (a sampler buffer, valid until the next call; the
// caller keeps it as the next start). chain may be that buffer, the last
// call's negative samples, so the caller need not copy them: the states
// are read before they are overwritten, and rows of it beyond chains are
// left as they are. The number of chains is the caller's, independent of
// the batch size. The data's hidden fields are computed here (without
// draws) and travel in the Batch for the graph.
func (s *Sampler) Persistent(data []float32, rows int, chain []float32, chains, k int, src Uniform) (Batch, error) {
	V, H := s.m.visible, s.m.hidden
	if k < 1 {
		return Batch{}, fmt.Errorf("graph: %d Gibbs steps: use k ≥ 1", k)
	}
	if rows < 1 || len(data) != rows*V {
		return Batch{}, fmt.Errorf("graph: persistent step on %d data values for %d rows of %d: %w", len(data), rows, V, ErrShape)
	}
	if chains < 1 || len(chain) != chains*V {
		return Batch{}, fmt.Errorf("graph: persistent chains of %d values for %d chains of %d: %w", len(chain), chains, V, ErrShape)
	}
	s.grow(max(rows, chains), rows+chains)
	end := s.fields[rows*H : (rows+chains)*H] // the chains' start's field, then their end's
	vk := s.chain(chain, end, chains, k, end, data, rows, s.fields[:rows*H], src)
	return Batch{Data: data, Rows: rows, Recon: vk, ReconRows: chains, Fields: s.fields[:(rows+chains)*H]}, nil
}
