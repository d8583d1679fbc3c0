package rng

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
)

// Uniform is a source of uniform variates in [0, 1), as graph.Uniform.
type Uniform interface {
	Float32() float32
}

// Filler is a Uniform that can also hand out many variates at once:
// FillFloat32 sets dst to the next len(dst) variates, those len(dst) calls
// of Float32 would return.
type Filler interface {
	Uniform
	FillFloat32(dst []float32)
}

// Fill sets dst to the next len(dst) variates of src, through FillFloat32
// when src is a Filler.
func Fill(dst []float32, src Uniform) {
	if f, ok := src.(Filler); ok {
		f.FillFloat32(dst)
		return
	}
	for i := range dst {
		dst[i] = src.Float32()
	}
}

// Skipper is a Uniform that can pass over variates without making them:
// Skip(n) leaves it where n calls of Float32 would.
type Skipper interface {
	Uniform
	Skip(n int)
}

// Skip passes over the next n variates of src: through Skip when src is a
// Skipper, else by drawing them.
func Skip(n int, src Uniform) {
	if s, ok := src.(Skipper); ok {
		s.Skip(n)
		return
	}
	for range n {
		src.Float32()
	}
}

// Drawn is a Uniform that hands out variates drawn beforehand, in order:
// train.Fit draws a batch's Gibbs variates while the previous batch trains.
// Take hands them to the sampler in place, without copying them. After
// them it may stand for variates its maker skipped (ResetSkipped): those
// can only be passed over with Skip.
type Drawn struct {
	u       []float32
	skipped int
}

// NewDrawn returns a Drawn handing out the values of u, which it keeps.
func NewDrawn(u []float32) *Drawn { return &Drawn{u: u} }

// Reset makes d hand out the values of u, which it keeps.
func (d *Drawn) Reset(u []float32) { d.u, d.skipped = u, 0 }

// ResetSkipped makes d hand out the values of u, which it keeps, then stand
// for skipped variates that were passed over, not drawn.
func (d *Drawn) ResetSkipped(u []float32, skipped int) { d.u, d.skipped = u, skipped }

// Len returns the number of variates not yet handed out or passed over.
func (d *Drawn) Len() int { return len(d.u) + d.skipped }

// Skip passes over the next n variates: drawn ones first, then skipped
// ones. It panics when fewer than n are left.
func (d *Drawn) Skip(n int) {
	k := min(n, len(d.u))
	d.u = d.u[k:]
	if n-k > d.skipped {
		panic(fmt.Sprintf("rng: %d variates to skip, %d left", n, d.Len()+k))
	}
	d.skipped -= n - k
}

// Float32 returns the next variate; it panics when none is left.
func (d *Drawn) Float32() float32 { return d.take(1)[0] }

// FillFloat32 copies the next len(dst) variates into dst.
func (d *Drawn) FillFloat32(dst []float32) { copy(dst, d.take(len(dst))) }

// take hands out the next n variates.
func (d *Drawn) take(n int) []float32 {
	if n > len(d.u) {
		panic(fmt.Sprintf("rng: %d variates wanted, %d drawn", n, len(d.u)))
	}
	u := d.u[:n:n]
	d.u = d.u[n:]
	return u
}

// Take returns the next n variates of src: in place for a Drawn, else
// drawn into scratch (at least n long).
func Take(n int, src Uniform, scratch []float32) []float32 {
	if d, ok := src.(*Drawn); ok {
		return d.take(n)
	}
	Fill(scratch[:n], src)
	return scratch[:n]
}

// Rand is a *rand.Rand on a PCG generator that is also a Filler:
// FillFloat32 runs the generator's steps inline, four interleaved chains of
// them (faster than a Float32 call per variate, BenchmarkUniforms), and
// leaves the generator where those calls would. It is a Uniform and a
// normal source (NormFloat64); the PCG stays the generator's state (for
// MarshalBinary).
type Rand struct {
	*rand.Rand
	pcg   *rand.PCG
	state []byte // scratch for the PCG's binary state
}

// NewRand returns a Rand drawing from pcg.
func NewRand(pcg *rand.PCG) *Rand { return &Rand{Rand: rand.New(pcg), pcg: pcg} }

// pcgState is the length of the PCG's binary state: "pcg:", then the
// high and the low 64 bits of its 128-bit state, big-endian.
const pcgState = 4 + 8 + 8

// FillFloat32 sets dst to the next len(dst) values of r.Float32: the
// top 24 bits of the low half of each 64-bit PCG-DXSM output over 2²⁴.
func (r *Rand) FillFloat32(dst []float32) {
	hi, lo := r.load()
	i := 0
	switch {
	case useAVX512 && len(dst) >= 2*pcgLanes:
		// The kernel runs pcgLanes consecutive states at once, each moved
		// pcgLanes steps on at a time.
		var st [2 * pcgLanes]uint64
		for k := range pcgLanes {
			hi, lo = pcgStep(hi, lo, pcgMulHi, pcgMulLo, pcgIncHi, pcgIncLo)
			st[k], st[pcgLanes+k] = hi, lo
		}
		i = len(dst) &^ (pcgLanes - 1)
		pcgFillAsm(&dst[0], i, &st, &pcgStride)
		hi, lo = st[pcgLanes-1], st[2*pcgLanes-1]
	case len(dst) >= 4:
		// The states follow one another as s ← a·s + c (mod 2¹²⁸). Four
		// consecutive states are advanced together by four steps at a
		// time, s ← a⁴·s + c₄ with c₄ = (a³+a²+a+1)·c, which gives the
		// same states in the same order with four independent chains of
		// multiplications instead of one.
		var h, l [4]uint64
		for k := range 4 {
			hi, lo = pcgStep(hi, lo, pcgMulHi, pcgMulLo, pcgIncHi, pcgIncLo)
			h[k], l[k] = hi, lo
		}
		for ; ; i += 4 {
			dst[i] = pcgFloat32(h[0], l[0])
			dst[i+1] = pcgFloat32(h[1], l[1])
			dst[i+2] = pcgFloat32(h[2], l[2])
			dst[i+3] = pcgFloat32(h[3], l[3])
			if i+8 > len(dst) {
				break
			}
			h[0], l[0] = pcgStep(h[0], l[0], pcgMul4Hi, pcgMul4Lo, pcgInc4Hi, pcgInc4Lo)
			h[1], l[1] = pcgStep(h[1], l[1], pcgMul4Hi, pcgMul4Lo, pcgInc4Hi, pcgInc4Lo)
			h[2], l[2] = pcgStep(h[2], l[2], pcgMul4Hi, pcgMul4Lo, pcgInc4Hi, pcgInc4Lo)
			h[3], l[3] = pcgStep(h[3], l[3], pcgMul4Hi, pcgMul4Lo, pcgInc4Hi, pcgInc4Lo)
		}
		hi, lo = h[3], l[3]
		i += 4
	}
	for ; i < len(dst); i++ {
		hi, lo = pcgStep(hi, lo, pcgMulHi, pcgMulLo, pcgIncHi, pcgIncLo)
		dst[i] = pcgFloat32(hi, lo)
	}
	r.store(hi, lo)
}

// pcgLanes is the number of states pcgFillAsm runs at once.
const pcgLanes = 16

// pcgStride holds the constants of pcgFillAsm: the multiplier and the
// increment of pcgLanes steps (pcgJump), the high 32 bits of the
// multiplier's low half, the output function's multiplier, 1, the 32-bit
// mask, and the bits of the float32 2⁻²⁴.
var pcgStride = func() [9]uint64 {
	mulHi, mulLo, incHi, incLo := pcgJump(pcgLanes)
	return [9]uint64{mulHi, mulLo, incHi, incLo, mulLo >> 32, pcgCheapMul, 1, 1<<32 - 1, uint64(math.Float32bits(1.0 / (1 << 24)))}
}()

// load returns the PCG's 128-bit state.
func (r *Rand) load() (hi, lo uint64) {
	var err error
	if r.state, err = r.pcg.AppendBinary(r.state[:0]); err != nil || len(r.state) != pcgState || string(r.state[:4]) != "pcg:" {
		panic(fmt.Sprintf("rng: unexpected PCG state %q (%v)", r.state, err))
	}
	return binary.BigEndian.Uint64(r.state[4:]), binary.BigEndian.Uint64(r.state[12:])
}

// store sets the PCG's 128-bit state.
func (r *Rand) store(hi, lo uint64) {
	binary.BigEndian.PutUint64(r.state[4:], hi)
	binary.BigEndian.PutUint64(r.state[12:], lo)
	if err := r.pcg.UnmarshalBinary(r.state); err != nil {
		panic(fmt.Sprintf("rng: restoring the PCG state: %v", err))
	}
}

// Skip passes over the next n variates of r: it moves the PCG n steps at
// once (pcgJump), and leaves it where n calls of Float32 would.
func (r *Rand) Skip(n int) {
	if n <= 0 {
		return
	}
	hi, lo := r.load()
	mulHi, mulLo, incHi, incLo := pcgJump(uint64(n))
	hi, lo = mul128(mulHi, mulLo, hi, lo)
	hi, lo = add128(hi, lo, incHi, incLo)
	r.store(hi, lo)
}

// pcgJump returns the multiplier aⁿ and the increment
// cₙ = (aⁿ⁻¹ + … + a + 1)·c of n steps of the PCG, s ← aⁿ·s + cₙ, in
// log₂ n squarings (Brown, "Random number generation with arbitrary
// strides", 1994).
func pcgJump(n uint64) (mulHi, mulLo, incHi, incLo uint64) {
	accHi, accLo := uint64(0), uint64(1) // aⁿ so far
	addHi, addLo := uint64(0), uint64(0) // cₙ so far
	curHi, curLo := uint64(pcgMulHi), uint64(pcgMulLo)
	cHi, cLo := uint64(pcgIncHi), uint64(pcgIncLo)
	for k := n; k > 0; k >>= 1 {
		if k&1 == 1 {
			accHi, accLo = mul128(accHi, accLo, curHi, curLo)
			addHi, addLo = mul128(addHi, addLo, curHi, curLo)
			addHi, addLo = add128(addHi, addLo, cHi, cLo)
		}
		// c ← (a+1)·c, a ← a²: the step of twice the stride
		aHi, aLo := add128(curHi, curLo, 0, 1)
		cHi, cLo = mul128(aHi, aLo, cHi, cLo)
		curHi, curLo = mul128(curHi, curLo, curHi, curLo)
	}
	return accHi, accLo, addHi, addLo
}

// mul128 returns x·y mod 2¹²⁸.
func mul128(xHi, xLo, yHi, yLo uint64) (uint64, uint64) {
	h, l := bits.Mul64(xLo, yLo)
	return h + xHi*yLo + xLo*yHi, l
}

// add128 returns x+y mod 2¹²⁸.
func add128(xHi, xLo, yHi, yLo uint64) (uint64, uint64) {
	l, c := bits.Add64(xLo, yLo, 0)
	h, _ := bits.Add64(xHi, yHi, c)
	return h, l
}

// math/rand/v2's PCG: a 128-bit LCG, s ← a·s + c, and the DXSM output
// function; a⁴ and c₄ = (a³+a²+a+1)·c advance it by four steps.
const (
	pcgMulHi  = 2549297995355413924
	pcgMulLo  = 4865540595714422341
	pcgIncHi  = 6364136223846793005
	pcgIncLo  = 1442695040888963407
	pcgMul4Hi = 0xf4dd417327db7a9b
	pcgMul4Lo = 0xd194dfbe42d45771
	pcgInc4Hi = 0x93d2c4665cea0ea8
	pcgInc4Lo = 0xca268d515f068aa4

	pcgCheapMul = 0xda942042e4dd58b5 // DXSM's multiplier
)

// pcgStep returns a·s + c mod 2¹²⁸ for s = (hi, lo).
func pcgStep(hi, lo, mulHi, mulLo, incHi, incLo uint64) (uint64, uint64) {
	h, l := bits.Mul64(lo, mulLo)
	h += hi*mulLo + lo*mulHi
	l, c := bits.Add64(l, incLo, 0)
	h, _ = bits.Add64(h, incHi, c)
	return h, l
}

// pcgFloat32 returns rand.Rand.Float32 of the PCG output for state
// (hi, lo): DXSM gives a 64-bit value, Uint32 its top half, Float32 the low
// 24 bits of that over 2²⁴.
func pcgFloat32(hi, lo uint64) float32 {
	x := hi ^ hi>>32
	x *= pcgCheapMul
	x ^= x >> 48
	x *= lo | 1
	return float32(uint32(x>>32)<<8>>8) / (1 << 24)
}
