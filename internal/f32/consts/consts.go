package consts

import "math"

// Bits of the float32 format.
const (
	SignBit  = 0x80000000 // the sign
	OneBits  = 0x3F800000 // the bits of 1
	ExpBias  = 127        // the exponent's bias
	MantBits = 23         // the mantissa's width: 2ⁿ is the bits of n+ExpBias shifted by it
)

// PixelMax is the largest 8-bit pixel value, whose intensity is 1.
const PixelMax = 255

// The constants of e^y for y ≤ 0 (Cephes's expf) and of log(1+e) as
// 2·atanh(e/(2+e)).
var (
	ExpMin = math.Float32frombits(0xc2ae0000) // −87: e^y is 0 below
	Log2e  = math.Float32frombits(0x3fb8aa3b) // log₂e
	Shift  = math.Float32frombits(0x4b400000) // 1.5·2²³: x+Shift−Shift rounds x to an integer
	Ln2Hi  = math.Float32frombits(0x3f318000) // 0.693359375, ln 2 = Ln2Hi + Ln2Lo
	Ln2Lo  = math.Float32frombits(0xb95e8083) // −2.12194440e-4

	// ExpP are the coefficients of e^r's minimax polynomial, highest
	// degree first.
	ExpP = [...]float32{
		math.Float32frombits(0x39506967), math.Float32frombits(0x3ab743ce), math.Float32frombits(0x3c088908),
		math.Float32frombits(0x3d2aa9c1), math.Float32frombits(0x3e2aaaaa), math.Float32frombits(0x3f000000),
	}

	// Log1pQ are 1/15, 1/13, …, 1/3: the series of 2·atanh(s)/(2s) in s².
	Log1pQ = [...]float32{
		math.Float32frombits(0x3d888889), math.Float32frombits(0x3d9d89d9), math.Float32frombits(0x3dba2e8c),
		math.Float32frombits(0x3de38e39), math.Float32frombits(0x3e124925), math.Float32frombits(0x3e4ccccd),
		math.Float32frombits(0x3eaaaaab),
	}
)

// Lanes is the number of float32 lanes of a YMM register.
const Lanes = 8

// A Table is a table the kernels read: its symbol in the assembly and its
// 32-bit words.
type Table struct {
	Name  string
	Words []uint32
}

// Tables returns the tables of the kernels: each constant the twins use,
// in the Lanes lanes of a YMM register, and the index tables of OnesOffsets
// and AccRows.
func Tables() []Table {
	return []Table{
		{"vSign", splatBits(SignBit)},
		{"vExpMin", splat(ExpMin)},
		{"vLog2e", splat(Log2e)},
		{"vShift", splat(Shift)},
		{"vLn2Hi", splat(Ln2Hi)},
		{"vLn2Lo", splat(Ln2Lo)},
		{"vExpP", splat(ExpP[:]...)},
		{"vExpBias", splatBits(ExpBias)},
		{"vTwo", splat(2)},
		{"vLog1pQ", splat(Log1pQ[:]...)},
		// 1: σ's numerator, the ends of the series, the value Bernoulli and
		// Binarize write and besides +0 the only bits IsBinary accepts.
		{"vOne", splatBits(OneBits)},
		{"vPixelMax", splat(PixelMax)},
		{"vLane", lane()},
		{"compress", compress()},
		{"tailMask", tailMask()},
	}
}

// splatBits returns each of bits in Lanes lanes.
func splatBits(bits ...uint32) []uint32 {
	w := make([]uint32, 0, Lanes*len(bits))
	for _, b := range bits {
		for range Lanes {
			w = append(w, b)
		}
	}
	return w
}

// splat returns each of xs in Lanes lanes.
func splat(xs ...float32) []uint32 {
	w := make([]uint32, 0, Lanes*len(xs))
	for _, x := range xs {
		w = append(w, splatBits(math.Float32bits(x))...)
	}
	return w
}

// lane returns the lane numbers 0 to Lanes−1.
func lane() []uint32 {
	w := make([]uint32, Lanes)
	for j := range w {
		w[j] = uint32(j)
	}
	return w
}

// compress returns for each mask m of Lanes bits a row of Lanes words:
// the lanes of the set bits of m in increasing order, then zeros. Row m is
// the permutation that moves the offsets of the ones of a block to its
// front (OnesOffsets' kernel).
func compress() []uint32 {
	w := make([]uint32, 0, Lanes<<Lanes)
	for m := range 1 << Lanes {
		row := make([]uint32, Lanes)
		n := 0
		for j := range Lanes {
			if m>>j&1 == 1 {
				row[n] = uint32(j)
				n++
			}
		}
		w = append(w, row...)
	}
	return w
}

// tailMask returns Lanes words of ones then Lanes of zeros: the Lanes from
// index Lanes−k on are the mask of the first k lanes (AccRows' tail).
func tailMask() []uint32 {
	w := make([]uint32, 2*Lanes)
	for j := range Lanes {
		w[j] = math.MaxUint32
	}
	return w
}
