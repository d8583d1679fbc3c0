package linalg

import (
	"math/rand/v2"
	"testing"
)

// TestTranspose compares Transpose with the definition for shapes around
// the kernel's 8×8 blocks and large enough to be shared.
func TestTranspose(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	{
		for _, sz := range [][2]int{{1, 1}, {1, 9}, {8, 8}, {7, 8}, {8, 7}, {9, 17}, {16, 24}, {784, 500}, {500, 784}, {13, 11}} {
			R, C := sz[0], sz[1]
			src := make([]float32, R*C)
			for i := range src {
				src[i] = rng.Float32()
			}
			dst := make([]float32, R*C)
			Transpose(pool, dst, src, R, C)
			for r := 0; r < R; r++ {
				for c := 0; c < C; c++ {
					if dst[c*R+r] != src[r*C+c] {
						t.Fatalf("%d×%d: dst[%d][%d] = %v, want src[%d][%d] = %v", R, C, c, r, dst[c*R+r], r, c, src[r*C+c])
					}
				}
			}
		}
	}
}
