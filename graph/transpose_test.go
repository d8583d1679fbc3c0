package graph

import (
	"math/rand/v2"
	"testing"
)

// TestTransposeInto compares transposeInto with the definition for shapes
// around the kernel's 8×8 blocks, with the kernel and without.
func TestTransposeInto(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, kernel := range []bool{useTransposeAsm, false} {
		saved := useTransposeAsm
		useTransposeAsm = kernel
		for _, sz := range [][2]int{{1, 1}, {1, 9}, {8, 8}, {7, 8}, {8, 7}, {9, 17}, {16, 24}, {784, 500}, {500, 784}, {13, 11}} {
			R, C := sz[0], sz[1]
			src := make([]float32, R*C)
			for i := range src {
				src[i] = rng.Float32()
			}
			dst := make([]float32, R*C)
			transposeInto(dst, src, R, C)
			for r := 0; r < R; r++ {
				for c := 0; c < C; c++ {
					if dst[c*R+r] != src[r*C+c] {
						t.Fatalf("kernel %t, %d×%d: dst[%d][%d] = %v, want src[%d][%d] = %v", kernel, R, C, c, r, dst[c*R+r], r, c, src[r*C+c])
					}
				}
			}
		}
		useTransposeAsm = saved
	}
}

// TestStepTransposes checks that after Model.Step, whose solver parts
// transpose the rows of W they update, the cached Wᵀ is the transpose of
// the new W, for a visible size whose halves are not whole bands of 8.
func TestStepTransposes(t *testing.T) {
	rng := NewRand(rand.NewPCG(13, 14))
	for _, V := range []int{20, 784} {
		m, err := New(V, 7, 0.1, rng)
		if err != nil {
			t.Fatal(err)
		}
		s := NewSampler(m)
		v := make([]float32, 3*V)
		for i := range v {
			if rng.Float32() < 0.3 {
				v[i] = 1
			}
		}
		for step := range 3 {
			v1, err := s.Gibbs(v, 3, 1, rng)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := m.Step(v, v1, 3); err != nil {
				t.Fatal(err)
			}
			wt, w := m.transposedWeights(), m.weights()
			for i := 0; i < V; i++ {
				for j := 0; j < 7; j++ {
					if wt[j*V+i] != w[i*7+j] {
						t.Fatalf("V=%d, after step %d: Wᵀ[%d][%d] = %v, W[%d][%d] = %v", V, step, j, i, wt[j*V+i], i, j, w[i*7+j])
					}
				}
			}
		}
	}
}
