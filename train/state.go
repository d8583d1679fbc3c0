package train

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"
)

// The files of a checkpoint that hold the training state beyond the
// parameters: a centered model's offsets (Run.Centered) and the momentum
// solver's velocities (Run.Momentum), W's in the script's Hidden×Pixels
// layout.
const (
	fileOffsetsV   = "offsets_visible.npy"
	fileOffsetsH   = "offsets_hidden.npy"
	fileVelocityW  = "velocity_W.npy"
	fileVelocityVB = "velocity_v_bias.npy"
	fileVelocityHB = "velocity_h_bias.npy"
)

// trainingArrays returns the state files a checkpoint of r has, with their
// shapes.
func trainingArrays(r Run) []array {
	var a []array
	if r.Centered {
		a = append(a, array{fileOffsetsV, tensor.Shape{Pixels}}, array{fileOffsetsH, tensor.Shape{r.Hidden}})
	}
	if r.Momentum {
		a = append(a, array{fileVelocityW, tensor.Shape{r.Hidden, Pixels}},
			array{fileVelocityVB, tensor.Shape{Pixels}}, array{fileVelocityHB, tensor.Shape{r.Hidden}})
	}
	return a
}

// trainingFiles returns the state files of res for a model of hidden
// units: those of its offsets and velocities it has.
func trainingFiles(res *Result, hidden int) []NpyFile {
	var files []NpyFile
	if res.Offsets[0] != nil {
		files = append(files, NpyFile{fileOffsetsV, npyWriter(res.Offsets[0], Pixels)},
			NpyFile{fileOffsetsH, npyWriter(res.Offsets[1], hidden)})
	}
	if res.Velocity[0] != nil {
		files = append(files, NpyFile{fileVelocityW, npyWriter(res.Velocity[0], hidden, Pixels)},
			NpyFile{fileVelocityVB, npyWriter(res.Velocity[1], Pixels)},
			NpyFile{fileVelocityHB, npyWriter(res.Velocity[2], hidden)})
	}
	return files
}

// setTrainingState sets res's offsets and velocities from a checkpoint's
// arrays (checked for their shapes already), refusing values that are not
// finite.
func setTrainingState(res *Result, arrays map[string]*tensor.Dense) error {
	for _, f := range []struct {
		name string
		dst  *[]float32
	}{
		{fileOffsetsV, &res.Offsets[0]}, {fileOffsetsH, &res.Offsets[1]},
		{fileVelocityW, &res.Velocity[0]}, {fileVelocityVB, &res.Velocity[1]}, {fileVelocityHB, &res.Velocity[2]},
	} {
		t := arrays[f.name]
		if t == nil {
			continue
		}
		data := t.Data().([]float32)
		for i, x := range data {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return fmt.Errorf("%s holds %v at %d", f.name, x, i)
			}
		}
		*f.dst = data
	}
	return nil
}

// checkCurve reports a loss curve that does not fit the epochs and batches
// done (nb batches an epoch), or holds a loss out of range.
func (st *state) checkCurve(nb int) error {
	parts := CurveParts(nb)
	open := curvePart(st.Batches, nb)      // the part under way
	first := (open*nb + parts - 1) / parts // its first batch
	if want := st.Epochs*parts + open; len(st.Curve) != want || st.CurveN != st.Batches-first {
		return fmt.Errorf("a loss curve of %d parts and %d batches in the next, the run's is %d and %d", len(st.Curve), st.CurveN, want, st.Batches-first)
	}
	for i, l := range st.Curve {
		if !(math.Abs(l) <= DivergedLoss) {
			return fmt.Errorf("the loss curve's part %d is %v", i, l)
		}
	}
	if !(math.Abs(st.CurveSum) <= float64(st.CurveN)*DivergedLoss) {
		return fmt.Errorf("a loss sum of %v over the %d batches of the loss curve's part", st.CurveSum, st.CurveN)
	}
	return nil
}
