package complete_test

import (
	"fmt"
	"math/rand/v2"

	"gorbm.dev/gorbm/complete"
	"gorbm.dev/gorbm/graph"
)

// A two-pixel RBM whose one hidden unit switches both pixels on together:
// given that the first pixel is on, the second is on with probability
// σ(F(1,0) − F(1,1)) ≈ 0.95 (exact); given that it is off, ½. Completing
// 1000 copies of each estimates both.
func ExampleComplete() {
	m, err := graph.FromParams(2, 1, []float32{6, 6}, []float32{-3, -3}, []float32{-3})
	if err != nil {
		fmt.Println(err)
		return
	}
	src := rand.New(rand.NewPCG(1, 2)) // every draw from a seeded source
	given := []bool{true, false}       // the first pixel is given
	for _, first := range []float32{1, 0} {
		v := make([]float32, 0, 2000)
		for range 1000 {
			v = append(v, first, 0) // the second pixel's value is not read
		}
		r, err := complete.Complete(m, v, 1000, given, 20, src)
		if err != nil {
			fmt.Println(err)
			return
		}
		var on float32
		for i := 1; i < len(r.Mean); i += 2 {
			on += r.Mean[i]
		}
		fmt.Printf("first pixel %v: second on with probability ≈ %.2f\n", first, on/1000)
	}
	// Output:
	// first pixel 1: second on with probability ≈ 0.95
	// first pixel 0: second on with probability ≈ 0.49
}
