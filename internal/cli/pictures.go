package cli

import (
	"fmt"
	"image"
	"math"
	"path/filepath"

	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/internal/atomicfile"
	"gorbm.dev/gorbm/train"
	"gorbm.dev/gorbm/viz"
)

// stagePNG stages img as the PNG file path.
func stagePNG(set *atomicfile.Set, path string, img image.Image) error {
	b, err := viz.EncodePNG(img)
	if err != nil {
		return err
	}
	return set.WriteFile(path, b)
}

// stageScriptOutputs stages the script's two grids, the figure with both
// in place of its window, and the parameters.
func stageScriptOutputs(set *atomicfile.Set, dir string, m *graph.Model, res *train.Result) error {
	var grids []image.Image
	for _, p := range []struct {
		file   string
		pixels []float32
	}{{fileReal, res.LastData}, {fileGenerated, res.LastRecon}} {
		grid, err := viz.Grid(p.pixels, len(p.pixels)/train.Pixels, 28, 28) // the negative samples may be chains of their own (-chains), not LastRows
		if err != nil {
			return err
		}
		if err := stagePNG(set, filepath.Join(dir, p.file), grid); err != nil {
			return err
		}
		grids = append(grids, grid)
	}
	fig, err := viz.Figure(grids, []string{"real", "generated"})
	if err != nil {
		return err
	}
	if err := stagePNG(set, filepath.Join(dir, fileFigure), fig); err != nil {
		return err
	}
	for _, f := range train.ParamFiles(m) { // W.npy, v_bias.npy, h_bias.npy
		if err := set.Write(filepath.Join(dir, f.Name), f.Write); err != nil {
			return err
		}
	}
	return nil
}

// filtersPicture draws the first 100 hidden units' weights.
func filtersPicture(m *graph.Model) (image.Image, error) {
	w, _, _ := m.Params()
	n := min(100, m.Hidden())
	return viz.Filters(w[:n*train.Pixels], n, 28, 28)
}

// The moving average of the loss curve in RBM_loss.png spans
// smoothingEpochs of an epoch, or smoothingRun of the run if that is
// longer: a tenth of an epoch (the curve's grain) shows the changes within
// an epoch of a short run; a hundredth of a long run keeps its line as
// thin as the trend.
const (
	smoothingEpochs = 0.1
	smoothingRun    = 0.01
)

// smoothCurve returns the moving average of a loss curve (train.Result's
// Curve, parts parts an epoch) over the last span epochs (fewer parts at
// the start), with the positions of its points in epochs trained, and
// span: smoothingEpochs, or smoothingRun of the epochs if that is more.
func smoothCurve(curve []float64, parts int) (avg, at []float64, span float64) {
	if len(curve) == 0 || parts < 1 {
		return nil, nil, 0
	}
	epochs := float64(len(curve)) / float64(parts)
	span = math.Max(smoothingEpochs, smoothingRun*math.Ceil(epochs))
	window := max(1, int(math.Round(span*float64(parts))))
	var sum float64
	for i, l := range curve {
		sum += l
		if i >= window {
			sum -= curve[i-window]
		}
		avg = append(avg, sum/float64(min(i+1, window)))
		at = append(at, float64(i+1)/float64(parts))
	}
	return avg, at, span
}

// lossPicture draws RBM_loss.png: the loss curve (train.Result's tenths of
// epochs of batches batches, as a moving average) with the epoch means,
// and the test metrics after each epoch that has them (-eval).
func lossPicture(res *train.Result, batches int, epochs []epochRecord) (image.Image, error) {
	mid := make([]float64, len(res.Losses)) // an epoch's mean sits in its middle
	for e := range mid {
		mid[e] = float64(e) + 0.5
	}
	lines := []viz.Series{{Name: "epoch mean", Values: res.Losses, X: mid}}
	if avg, at, span := smoothCurve(res.Curve, train.CurveParts(batches)); avg != nil {
		lines = append([]viz.Series{{Name: fmt.Sprintf("batches (moving mean over %g epochs)", span), Values: avg, X: at}}, lines...)
	}
	const trained = "epochs trained"
	panels := []viz.Panel{{Title: "Training loss (mean F(data) − F(negative samples) per batch)", YLabel: "loss", XLabel: trained, Lines: lines}}
	var recon, fTrain, fTest, pll, at []float64
	for _, e := range epochs {
		if e.Report == nil {
			continue
		}
		recon = append(recon, e.ReconstructionError)
		fTrain = append(fTrain, e.FreeEnergyTrain)
		fTest = append(fTest, e.FreeEnergyTest)
		pll = append(pll, e.PseudoLogLikelihood)
		at = append(at, float64(e.Epoch+1))
	}
	if len(recon) > 0 {
		panels = append(panels,
			viz.Panel{Title: "Mean free energy", YLabel: "F(v)", XLabel: trained, Lines: []viz.Series{{Name: "train", Values: fTrain, X: at}, {Name: "test", Values: fTest, X: at}}},
			viz.Panel{Title: "Reconstruction error (test)", YLabel: "MSE", XLabel: trained, Lines: []viz.Series{{Name: "test", Values: recon, X: at}}},
			viz.Panel{Title: "Pseudo-log-likelihood (test)", YLabel: "nats", XLabel: trained, Lines: []viz.Series{{Name: "test", Values: pll, X: at}}})
	}
	return viz.Curves(panels)
}
