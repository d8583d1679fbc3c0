package graph

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"math/rand/v2"
)

// UniformFiller is a Uniform that can also hand out many variates at once:
// FillFloat32 sets dst to the next len(dst) variates, those len(dst) calls
// of Float32 would return. The sampler uses it when its source has it.
type UniformFiller interface {
	Uniform
	FillFloat32(dst []float32)
}

// FillUniform sets dst to the next len(dst) variates of src, through
// FillFloat32 when src is a UniformFiller.
func FillUniform(dst []float32, src Uniform) {
	if f, ok := src.(UniformFiller); ok {
		f.FillFloat32(dst)
		return
	}
	for i := range dst {
		dst[i] = src.Float32()
	}
}

// Rand is a *rand.Rand on a PCG generator that is also a UniformFiller:
// FillFloat32 runs the generator's steps inline, some four times faster
// than a call of Float32 per variate through the rand.Source interface,
// and leaves the generator where those calls would. It is a Uniform and a
// Normal; the PCG stays the generator's state (for MarshalBinary).
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
	var err error
	if r.state, err = r.pcg.AppendBinary(r.state[:0]); err != nil || len(r.state) != pcgState || string(r.state[:4]) != "pcg:" {
		panic(fmt.Sprintf("graph: unexpected PCG state %q (%v)", r.state, err))
	}
	hi, lo := binary.BigEndian.Uint64(r.state[4:]), binary.BigEndian.Uint64(r.state[12:])
	// math/rand/v2's PCG: a 128-bit LCG and the DXSM output function.
	const (
		mulHi    = 2549297995355413924
		mulLo    = 4865540595714422341
		incHi    = 6364136223846793005
		incLo    = 1442695040888963407
		cheapMul = 0xda942042e4dd58b5
	)
	for i := range dst {
		h, l := bits.Mul64(lo, mulLo)
		h += hi*mulLo + lo*mulHi
		l, c := bits.Add64(l, incLo, 0)
		h, _ = bits.Add64(h, incHi, c)
		hi, lo = h, l
		x := h ^ h>>32
		x *= cheapMul
		x ^= x >> 48
		x *= l | 1
		// rand.Rand.Float32: Uint32 is the top half of Uint64; its low 24 bits over 2²⁴
		dst[i] = float32(uint32(x>>32)<<8>>8) / (1 << 24)
	}
	binary.BigEndian.PutUint64(r.state[4:], hi)
	binary.BigEndian.PutUint64(r.state[12:], lo)
	if err := r.pcg.UnmarshalBinary(r.state); err != nil {
		panic(fmt.Sprintf("graph: restoring the PCG state: %v", err))
	}
}
