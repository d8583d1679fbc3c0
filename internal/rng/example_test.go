package rng_test

import (
	"fmt"
	"math/rand/v2"

	"gorbm.dev/gorbm/internal/rng"
)

// The training streams hand out their uniform variates in bulk, the same
// values as one Float32 call each.
func ExampleRand_FillFloat32() {
	bulk := rng.NewRand(rand.NewPCG(7, 8))
	u := make([]float32, 5)
	bulk.FillFloat32(u)

	oneByOne := rand.New(rand.NewPCG(7, 8))
	same := true
	for _, x := range u {
		same = same && x == oneByOne.Float32()
	}
	fmt.Println("same values:", same)
	fmt.Println("same state after:", bulk.Uint64() == oneByOne.Uint64())
	// Output:
	// same values: true
	// same state after: true
}

// Variates drawn beforehand (train.Fit draws the next batch's while the
// current one trains) are handed out in order, in place.
func ExampleDrawn() {
	u := rng.NewDrawn([]float32{0.1, 0.9, 0.5, 0.3})
	fmt.Println(u.Float32(), rng.Take(2, u, nil), "left:", u.Len())
	// Output:
	// 0.1 [0.9 0.5] left: 1
}
