package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// energyTol bounds |FreeEnergies − graph| relative to max(|F|, 1). Both are
// float32 products of up to 784 terms (ε ≈ 6e-8 each, a few hundred
// roundings at worst), summed in a different order; 1e-5 leaves room for
// that and catches any wrong term, which would be of order 1.
const energyTol = 1e-5

// graphFreeEnergy evaluates the textbook FreeEnergy node on a single row,
// which is that row's free energy.
func graphFreeEnergy(t *testing.T, m *Model, row []float32) float32 {
	t.Helper()
	g := gorgonia.NewGraph()
	V, H := m.Visible(), m.Hidden()
	w := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(V, H), gorgonia.WithName("W"), gorgonia.WithValue(m.w))
	vb := gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(V), gorgonia.WithName("v_bias"), gorgonia.WithValue(m.vb))
	hb := gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(H), gorgonia.WithName("h_bias"), gorgonia.WithValue(m.hb))
	vt := tensor.New(tensor.WithShape(1, V), tensor.WithBacking(append([]float32(nil), row...)))
	v := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(1, V), gorgonia.WithName("v"), gorgonia.WithValue(vt))
	f, err := FreeEnergy(v, w, vb, hb)
	if err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	return f.Value().Data().(float32)
}

func TestFreeEnergiesMatchGraph(t *testing.T) {
	for _, tc := range []struct {
		visible, hidden, rows int
		weightStd, biasStd    float64
	}{
		{784, 20, 3, InitScale, 0},
		{50, 10, 300, 0.5, 1}, // more rows than one chunk
		{7, 3, 1, 3, 2},       // large activations: softplus's overflow branch
	} {
		t.Run(fmt.Sprintf("%dx%d_rows%d", tc.visible, tc.hidden, tc.rows), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, uint64(tc.rows)))
			m := randomModel(t, rng, tc.visible, tc.hidden, tc.weightStd, tc.biasStd)
			v := binaryRows(rng, tc.rows, tc.visible, 0.5)
			got := make([]float32, tc.rows)
			if err := m.FreeEnergies(got, v, tc.rows); err != nil {
				t.Fatal(err)
			}
			for _, r := range []int{0, tc.rows / 2, tc.rows - 1} {
				want := graphFreeEnergy(t, m, v[r*tc.visible:(r+1)*tc.visible])
				if d := math.Abs(float64(got[r]-want)) / math.Max(math.Abs(float64(want)), 1); d > energyTol {
					t.Errorf("row %d: FreeEnergies %v, graph %v (relative difference %.2g > %g)", r, got[r], want, d, energyTol)
				}
			}
		})
	}
	m, _ := New(4, 2, rand.New(rand.NewPCG(1, 1)))
	if err := m.FreeEnergies(make([]float32, 2), make([]float32, 7), 2); err == nil {
		t.Error("FreeEnergies on 7 values for 2 rows of 4 gave no error")
	}
}

// TestFreeEnergyShapeError checks that FreeEnergy returns an error, not a
// panic, for inputs whose shapes do not fit.
func TestFreeEnergyShapeError(t *testing.T) {
	g := gorgonia.NewGraph()
	v := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(2, 5), gorgonia.WithName("v"))
	w := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(4, 3), gorgonia.WithName("W"))
	vb := gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(5), gorgonia.WithName("v_bias"))
	hb := gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(3), gorgonia.WithName("h_bias"))
	if _, err := FreeEnergy(v, w, vb, hb); err == nil {
		t.Error("FreeEnergy of a 2×5 v with a 4×3 W gave no error")
	}
}

// TestTextbookDot checks that the textbook graph's picture names the
// script's tensors, and that the gradients add nodes.
func TestTextbookDot(t *testing.T) {
	m, err := New(6, 3, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	tr := newTestTrainer(t, m, 0.1)
	loss, err := tr.TextbookDot(2, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"digraph", "v_bias", "h_bias", "v1", "softplus"} {
		if !strings.Contains(loss, name) {
			t.Errorf("the loss graph does not mention %q", name)
		}
	}
	full, err := tr.TextbookDot(2, true)
	if err != nil {
		t.Fatal(err)
	}
	if n, nf := strings.Count(loss, "Node_"), strings.Count(full, "Node_"); nf <= n {
		t.Errorf("%d node references with the gradients, %d without", nf, n)
	}
	if _, err := tr.TextbookDot(0, false); err == nil {
		t.Error("a graph for 0 rows gave no error")
	}
}
