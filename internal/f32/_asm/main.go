// Command _asm writes the AVX2 kernels of package f32 with avo: the
// assembly (kernels_amd64.s) and its Go declarations (kernels_amd64.go).
// go generate runs it (see internal/f32/doc.go):
//
//	go run -C _asm . -out ../kernels_amd64.s -stubs ../kernels_amd64.go -pkg f32
//
// The kernels perform the float32 operations of the Go twins in the same
// order, with no fused multiply-add. Their constants are not typed here:
// the tables of the assembly are written from consts.Tables, which builds
// them from the constants the Go twins compute with. The immediates left
// are instruction encodings (comparison predicates, shuffle selectors),
// sizes (4-byte floats, 32-byte registers, the kernels' block lengths) and
// consts.MantBits.
//
// The registers are physical, so that the code reads like the hand-written
// kernels it replaced and each line can be checked against the Go twin.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/ir"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"

	"gorbm.dev/gorbm/internal/f32/consts"
)

// c is the file being built.
var c = build.NewContext()

// tables holds the size in bytes of each table of consts.Tables.
var tables = map[string]int{}

func main() {
	fs := flag.NewFlagSet(os.Args[0], flag.ExitOnError) // build's own flags sit on flag.CommandLine
	flags := build.NewFlags(fs)
	fs.Parse(os.Args[1:])

	c.ConstraintExpr("!purego")
	for _, t := range consts.Tables() {
		c.StaticGlobal(t.Name)
		c.DataAttributes(attr.RODATA | attr.NOPTR)
		for i, w := range t.Words {
			c.AddDatum(4*i, U32(w))
		}
		tables[t.Name] = 4 * len(t.Words)
	}
	accRows()
	addSubRows()
	transpose()
	isBinary()
	onesOffsets()
	bernoulli()
	bernoulliFlips()
	binarize()
	sigmoid()
	sigmoidMix()
	softplus()
	softplusScaled()
	scale()
	add()
	momentum()
	accF64()
	dotAxpy()
	subScale()

	// The tables are package symbols, not static ones, so that the tests
	// can read them.
	f, err := c.Result()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, s := range f.Sections {
		if g, ok := s.(*ir.Global); ok {
			g.Symbol = Symbol{Name: "·" + g.Symbol.Name}
		}
	}
	os.Exit(build.Main(flags.Config(), c))
}

// ymmBytes is the size of a YMM register and of one row of a table.
const ymmBytes = 4 * consts.Lanes

// text starts the function name with the Go signature sig.
func text(name, sig string) {
	c.Function(name)
	c.Attributes(attr.NOSPLIT)
	c.SignatureExpr(sig)
}

// tab returns the address of row i (ymmBytes long) of the table name.
func tab(name string, i int) Mem {
	size, ok := tables[name]
	if !ok || (i+1)*ymmBytes > size {
		panic(fmt.Sprintf("no row %d in table %s of consts.Tables", i, name))
	}
	return NewDataAddr(Symbol{Name: "·" + name}, i*ymmBytes)
}

// param returns the address of the argument name of the current function.
func param(name string) Mem {
	b, err := c.Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}

// result returns the address of the current function's result.
func result() Mem {
	b, err := c.ReturnIndex(0).Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}

// at returns the memory operand disp(base).
func at(base Register, disp int) Mem { return Mem{Base: base, Disp: disp} }

// idx returns the memory operand disp(base)(index*scale).
func idx(base Register, disp int, index Register, scale uint8) Mem {
	return Mem{Base: base, Disp: disp, Index: index, Scale: scale}
}

// Predicates of VCMPPS, as Go compares: false for a NaN operand, except
// != (non-signalling, like Go's comparisons).
const (
	cmpNE = 0x04 // NEQ_UQ
	cmpLT = 0x11 // LT_OQ
	cmpGE = 0x1d // GE_OQ
	cmpGT = 0x1e // GT_OQ
)
