package graph

import (
	"fmt"
	"unsafe"

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
// may be more or fewer). Sampler.Gibbs and Sampler.Persistent return one
// that also carries the hidden fields v·Wᵀ + c they computed, which the
// fast graph then reuses instead of multiplying again; a Batch made by hand
// has none, and the graph computes them.
type Batch struct {
	Data, Recon []float32
	Rows        int
	ReconRows   int

	fields *fields
}

// negRows returns the number of rows of Recon.
func (b Batch) negRows() int {
	if b.ReconRows == 0 {
		return b.Rows
	}
	return b.ReconRows
}

// fields are the hidden fields x·Wᵀ + c that a sampler computed for the
// data (0) and the reconstruction (1), with a copy of the rows they were
// computed for and the model and parameter version they were computed
// with. Step uses one only for rows with the same values under the same
// parameters, so a Batch changed after Gibbs (PCD puts the data in place of
// the chain's start) stays correct.
type fields struct {
	m       *Model
	version uint64
	x, a    [2][]float32
}

// keep records the field a (rows×Hidden) of the rows x as field k.
func (f *fields) keep(k int, x, a []float32) {
	f.x[k] = append(f.x[k][:0], x...)
	f.a[k] = append(f.a[k][:0], a...)
}

// lookup copies field k into dst if it was computed for m's current
// parameters and for rows rows holding the values of x, and reports
// whether it did.
func (f *fields) lookup(dst, x []float32, k int, m *Model) bool {
	a := f.field(x, k, m)
	copy(dst, a)
	return a != nil
}

// field returns field k if it was computed for m's current parameters and
// the rows x, or nil.
func (f *fields) field(x []float32, k int, m *Model) []float32 {
	if f == nil || f.m != m || f.version != m.version.Load() || len(f.x[k]) != len(x) || !sameBits(f.x[k], x) {
		return nil
	}
	return f.a[k]
}

// sameBits reports whether a and b hold the same float32 bit patterns
// (a byte comparison, so −0 ≠ 0 and NaNs compare by payload).
func sameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 {
		return true
	}
	return string(unsafe.Slice((*byte)(unsafe.Pointer(&a[0])), 4*len(a))) ==
		string(unsafe.Slice((*byte)(unsafe.Pointer(&b[0])), 4*len(b)))
}

// Sampler runs block Gibbs sampling on a model's current parameters, outside
// the graph. It keeps its buffers between calls, so a Sampler is not safe
// for concurrent use; make one per goroutine.
type Sampler struct {
	m                *Model
	aH, pH, h, pV, v []float32
	capRows          int
	scratch          linalg.Scratch
	fields           fields
}

// NewSampler returns a sampler reading m's parameters.
func NewSampler(m *Model) *Sampler { return &Sampler{m: m} }

func (s *Sampler) grow(rows int) {
	if rows <= s.capRows {
		return
	}
	V, H := s.m.visible, s.m.hidden
	s.aH, s.pH, s.h = make([]float32, rows*H), make([]float32, rows*H), make([]float32, rows*H)
	s.pV, s.v = make([]float32, rows*V), make([]float32, rows*V)
	s.capRows = rows
}

// sigmoid sets dst = σ(src), sharing long slices with the helper goroutine.
func sigmoid(dst, src []float32) { par.Do(sigmoidJob{dst, src}, len(dst), sigmoidMinShared) }

type sigmoidJob struct{ dst, src []float32 }

func (j sigmoidJob) Run(lo, hi int) { f32.Sigmoid(j.dst[lo:hi], j.src[lo:hi]) }

// sigmoidMinShared is the length below which σ stays on one goroutine.
const sigmoidMinShared = 8192

// VisibleProbabilities sets pV (rows×Visible) to σ(h·W + b) for h
// (rows×Hidden).
func (m *Model) VisibleProbabilities(pV, h []float32, rows int) {
	var s linalg.Scratch
	m.visibleProbabilities(pV, h, rows, &s)
}

func (m *Model) visibleProbabilities(pV, h []float32, rows int, s *linalg.Scratch) {
	V, H := m.visible, m.hidden
	linalg.AffineTrans(pV, h, rows, H, m.weights(), m.transposedWeights(), V, m.vBias(), s)
	sigmoid(pV[:rows*V], pV[:rows*V])
}

// VisibleToHidden returns p(h=1|v) and a sample of h for v (rows×Visible),
// the script's v_to_h. The returned slices are the sampler's buffers, valid
// until its next call.
func (s *Sampler) VisibleToHidden(v []float32, rows int, src Uniform) (pH, h []float32) {
	s.grow(rows)
	s.hiddenField(v, rows)
	return s.sampleHidden(rows, src)
}

// hiddenField sets the sampler's aH to v·Wᵀ + c, the script's wx_b.
func (s *Sampler) hiddenField(v []float32, rows int) {
	linalg.Affine(s.aH, v, rows, s.m.visible, s.m.weights(), s.m.hidden, s.m.hBias(), &s.scratch)
}

// sampleHidden sets pH = σ(aH) and samples h from it.
func (s *Sampler) sampleHidden(rows int, src Uniform) (pH, h []float32) {
	n := rows * s.m.hidden
	sigmoid(s.pH[:n], s.aH[:n])
	Bernoulli(s.h[:n], s.pH[:n], src)
	return s.pH[:n], s.h[:n]
}

// HiddenToVisible returns p(v=1|h) and a sample of v for h (rows×Hidden),
// the script's h_to_v. The returned slices are the sampler's buffers.
func (s *Sampler) HiddenToVisible(h []float32, rows int, src Uniform) (pV, v []float32) {
	s.grow(rows)
	n := rows * s.m.visible
	s.m.visibleProbabilities(s.pV, h, rows, &s.scratch)
	Bernoulli(s.v[:n], s.pV[:n], src)
	return s.pV[:n], s.v[:n]
}

// GibbsDraws returns the number of uniform variates Gibbs draws for rows
// rows and k steps: rows·Hidden for h, then per step rows·Visible for v′
// and rows·Hidden for h (the last one discarded, as the script does).
func (s *Sampler) GibbsDraws(rows, k int) int {
	return rows*s.m.hidden + k*rows*(s.m.visible+s.m.hidden)
}

// Gibbs runs the script's forward pass: from v (rows×Visible) it samples
// h, then k times v′ ~ p(v|h) and h ~ p(h|v′), and returns the Batch of v
// and the last v′ (a sampler buffer, valid until the next call). It
// consumes the draws in the script's order, including those of the last
// hidden sample, which the script draws and discards (so Gibbs draws them
// without computing that sample).
func (s *Sampler) Gibbs(v []float32, rows, k int, src Uniform) (Batch, error) {
	if k < 1 {
		return Batch{}, fmt.Errorf("graph: %d Gibbs steps: use k ≥ 1", k)
	}
	if rows < 1 || len(v) != rows*s.m.visible {
		return Batch{}, fmt.Errorf("graph: Gibbs on %d values for %d rows of %d: %w", len(v), rows, s.m.visible, ErrShape)
	}
	s.grow(rows)
	f := &s.fields
	f.m, f.version = s.m, s.m.version.Load()
	nH := rows * s.m.hidden
	s.hiddenField(v, rows)
	f.keep(0, v, s.aH[:nH])
	_, h := s.sampleHidden(rows, src)
	var vk []float32
	for i := 0; i < k; i++ {
		_, vk = s.HiddenToVisible(h, rows, src)
		s.hiddenField(vk, rows)
		if i < k-1 {
			_, h = s.sampleHidden(rows, src)
		}
	}
	f.keep(1, vk, s.aH[:nH])
	rng.Take(nH, src, s.h) // the discarded last hidden sample's draws
	return Batch{Data: v, Recon: vk, Rows: rows, fields: f}, nil
}

// Persistent runs persistent contrastive divergence's sampling (Tieleman
// 2008): k Gibbs steps from the chains' states chain (chains×Visible), as
// Gibbs does from data (the same draws in the same order), and returns the
// Batch of the data (rows×Visible) and the chains' new states, its
// negative samples (a sampler buffer, valid until the next call; the
// caller keeps it as the next start). The number of chains is the
// caller's, independent of the batch size. The data's hidden fields are
// computed here (without draws) and travel in the Batch for the graph.
func (s *Sampler) Persistent(data []float32, rows int, chain []float32, chains, k int, src Uniform) (Batch, error) {
	if rows < 1 || len(data) != rows*s.m.visible {
		return Batch{}, fmt.Errorf("graph: persistent step on %d data values for %d rows of %d: %w", len(data), rows, s.m.visible, ErrShape)
	}
	s.grow(max(rows, chains))
	b, err := s.Gibbs(chain, chains, k, src)
	if err != nil {
		return Batch{}, err
	}
	s.hiddenField(data, rows)
	s.fields.keep(0, data, s.aH[:rows*s.m.hidden])
	return Batch{Data: data, Rows: rows, Recon: b.Recon, ReconRows: chains, fields: &s.fields}, nil
}
