//go:build !amd64

package graph

const useAccRowsAsm = false

func accRowsAsm(dst, src *float32, n int, off *int32, noff int) {
	panic("graph: no accRows kernel on this architecture")
}
