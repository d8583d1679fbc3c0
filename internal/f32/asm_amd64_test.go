//go:build !purego

package f32

import (
	"slices"
	"testing"

	"gorbm.dev/gorbm/internal/f32/consts"
)

// The tables of kernels_amd64.s. A Go variable declared without a value
// and defined with DATA in assembly holds the assembly's words (the
// linker keeps the definition with content), so these are the words the
// kernels read.
var (
	vSign, vExpMin, vLog2e, vShift, vLn2Hi, vLn2Lo, vExpBias, vTwo, vOne, vPixelMax, vLane [consts.Lanes]uint32

	vExpP    [len(consts.ExpP) * consts.Lanes]uint32
	vLog1pQ  [len(consts.Log1pQ) * consts.Lanes]uint32
	compress [consts.Lanes << consts.Lanes]uint32
	tailMask [2 * consts.Lanes]uint32
)

// TestKernelTables checks that each table of the assembly holds the words
// that consts.Tables builds from the Go twins' constants: it fails when a
// constant changed in Go and the assembly was not regenerated.
func TestKernelTables(t *testing.T) {
	kernel := map[string][]uint32{
		"vSign": vSign[:], "vExpMin": vExpMin[:], "vLog2e": vLog2e[:], "vShift": vShift[:],
		"vLn2Hi": vLn2Hi[:], "vLn2Lo": vLn2Lo[:], "vExpP": vExpP[:], "vExpBias": vExpBias[:],
		"vTwo": vTwo[:], "vLog1pQ": vLog1pQ[:], "vOne": vOne[:], "vPixelMax": vPixelMax[:],
		"vLane": vLane[:], "compress": compress[:], "tailMask": tailMask[:],
	}
	tables := consts.Tables()
	for _, tab := range tables {
		got, ok := kernel[tab.Name]
		switch {
		case !ok:
			t.Errorf("table %s: not declared in this test", tab.Name)
		case !slices.Equal(got, tab.Words):
			t.Errorf("table %s: the assembly holds %#x…, consts.Tables %#x… (run go generate ./internal/f32)",
				tab.Name, got[:min(len(got), 8)], tab.Words[:min(len(tab.Words), 8)])
		}
	}
	if len(kernel) != len(tables) {
		t.Errorf("%d tables declared here, %d in consts.Tables", len(kernel), len(tables))
	}
}
