//go:build !amd64

package train

var useBinarizeAsm = false // a variable, so that tests can switch the kernel off everywhere

func binarizeAsm(dst *float32, pixels *uint8, n int) { panic("train: no Binarize kernel") }
