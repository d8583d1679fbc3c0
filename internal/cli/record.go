package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"gorbm.dev/gorbm/evaluate"
	"gorbm.dev/gorbm/internal/readfile"
	"gorbm.dev/gorbm/metrics"
	"gorbm.dev/gorbm/train"
)

// The outputs of a run. A training run writes them all (the completion
// with -complete); a run that only evaluates a loaded model (-epochs 0)
// writes the report's pictures but the loss curve, and metrics.json.
const (
	fileReal       = "RBM_out_real.png"
	fileGenerated  = "RBM_out_generated.png"
	fileFigure     = "RBM_out_figure.png"
	fileSamples    = "RBM_samples.png"
	fileFilters    = "RBM_filters.png"
	fileLoss       = "RBM_loss.png"
	fileCompletion = "RBM_completion.png"
	fileMetrics    = "metrics.json"
)

// trainingOutputs are the outputs only a training run writes: the script's
// and the loss curve.
var trainingOutputs = []string{fileReal, fileGenerated, fileFigure, train.FileW, train.FileVBias, train.FileHBias, fileLoss}

// outputNames returns the names of a run's outputs, training or not.
func outputNames(training bool) []string {
	names := []string{fileSamples, fileFilters, fileCompletion, fileMetrics}
	if training {
		names = append(append([]string{}, trainingOutputs...), names...)
	}
	return names
}

// epochRecord is one epoch in metrics.json and in a checkpoint's history.
type epochRecord struct {
	Epoch int     `json:"epoch"`
	Loss  float64 `json:"loss"`
	*metrics.Report
}

// record is metrics.json: every epoch trained (across resumes), with its
// test metrics under -eval; a loaded model's test metrics (-epochs 0
// -eval); the log-likelihood estimate (-ais); the classifiers' accuracies
// (-classify) and the completion's scores (-complete), each with its own
// settings; the run's identity; and whether the set of outputs it belongs
// to is finished (false for what an interrupted run writes).
type record struct {
	Epochs         []epochRecord           `json:"epochs,omitempty"`
	Eval           *metrics.Report         `json:"eval,omitempty"`
	AIS            *evaluate.LogLikelihood `json:"ais,omitempty"`
	Classification *classification         `json:"classification,omitempty"`
	Completion     *evaluate.Completion    `json:"completion,omitempty"`
	Settings       identity                `json:"settings"`
	Finished       bool                    `json:"finished"`
}

// classification is the record of -classify: the classifier on the raw
// pixels and on the model's p(h|v).
type classification struct {
	RawPixels *evaluate.Classified `json:"raw_pixels"`
	Features  *evaluate.Classified `json:"features"`
}

// maxRecordBytes bounds what is read of an existing metrics.json: a run of
// 100,000 epochs with -eval writes about 25 MB.
const maxRecordBytes = 64 << 20

// held is what an output folder holds of a set of outputs.
type held int

const (
	heldNothing  held = iota // none of the outputs
	heldPartial              // the set of an interrupted run (metrics.json says so)
	heldFinished             // a finished set, or one that does not say (kept as if finished)
)

// heldIn says what dir holds of the outputs names.
func heldIn(dir string, names []string) held {
	some := false
	for _, n := range names {
		if _, err := os.Lstat(filepath.Join(dir, n)); err == nil {
			some = true
		}
	}
	if !some {
		return heldNothing
	}
	b, err := readfile.ReadFile(filepath.Join(dir, fileMetrics), maxRecordBytes)
	var r struct{ Finished *bool }
	if err != nil || json.Unmarshal(b, &r) != nil || r.Finished == nil || *r.Finished {
		return heldFinished
	}
	return heldPartial
}

// history decodes a checkpoint's history, which must hold a record per
// epoch done with that epoch's loss.
func history(ck *train.Checkpoint) ([]epochRecord, error) {
	var h []epochRecord
	if len(ck.History) > 0 {
		if err := json.Unmarshal(ck.History, &h); err != nil {
			return nil, fmt.Errorf("history: %w", err)
		}
	}
	if len(h) != len(ck.Result.Losses) {
		return nil, fmt.Errorf("a history of %d epochs for %d epochs done", len(h), len(ck.Result.Losses))
	}
	for i, e := range h {
		if e.Epoch != i || e.Loss != ck.Result.Losses[i] {
			return nil, fmt.Errorf("history record %d is of epoch %d with loss %v, the checkpoint's is %v", i, e.Epoch, e.Loss, ck.Result.Losses[i])
		}
	}
	return h, nil
}

// progress is how far a run has come: epochs done and batches of the next.
type progress struct{ epochs, batches int }

func progressOf(r *train.Result) progress { return progress{len(r.Losses), r.Batches} }

// before reports whether p comes before q.
func (p progress) before(q progress) bool {
	return p.epochs < q.epochs || p.epochs == q.epochs && p.batches < q.batches
}

// epochsToFinish is the least -epochs that p does not pass.
func (p progress) epochsToFinish() int {
	if p.batches > 0 {
		return p.epochs + 1
	}
	return p.epochs
}

func (p progress) String() string {
	if p.batches > 0 {
		return fmt.Sprintf("epoch %d, after batch %d", p.epochs, p.batches-1)
	}
	return fmt.Sprintf("after epoch %d", p.epochs-1)
}

// where describes a checkpoint's folder and progress.
func where(dir string, res *train.Result) string {
	return fmt.Sprintf("%s (%v)", dir, progressOf(res))
}
