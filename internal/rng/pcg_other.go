//go:build !amd64 || purego

package rng

// useAVX512 is false: the Go code runs. A variable, as on amd64, so that
// the tests build everywhere.
var useAVX512 = false

func pcgFillAsm(dst *float32, n int, states *[32]uint64, k *[9]uint64) { panic("rng: no kernel") }
