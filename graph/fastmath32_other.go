//go:build !amd64

package graph

var useFastMathAsm = false

func sigmoidAsm(dst, src *float32, n int) { panic("graph: no σ kernel on this architecture") }

func softplusAsm(sig, z *float32, n int, lanes *[8]float64) {
	panic("graph: no softplus kernel on this architecture")
}
