package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"gorbm.dev/gorbm/evaluate"
	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/train"
)

// inputs are the files a run reads, read and verified.
type inputs struct {
	trainFile *train.Dataset // the whole training file; nil when nothing reads it
	testSet   *train.Dataset // nil unless the report needs it
	loaded    *graph.Model   // -load's parameters, or nil
}

// readInputs reads what a run of s reads from p: -load's parameters (its
// W.npy's size checked against memory first), the training file when the
// run trains or evaluates, the test set when the report needs it; s.hidden
// becomes the loaded model's. Each is verified as it is read, and the
// run's sizes are checked against them and against memory.
func readInputs(p paths, s *settings, hiddenGiven bool, memory MemoryLimit) (inputs, error) {
	var in inputs
	if p.load != "" {
		m, err := loadModel(p.load, s, hiddenGiven, memory)
		if err != nil {
			return in, err
		}
		in.loaded, s.hidden = m, m.Hidden()
	}
	r := s.report
	if reads, _ := r.needsTrain(); s.epochs > 0 || reads {
		d, err := train.LoadSet(filepath.Join(p.data, train.TrainImages), filepath.Join(p.data, train.TrainLabels))
		if err != nil {
			return in, dataError(err)
		}
		if r.classify {
			if err := evaluate.CheckLabels(d.Head(s.limit)); err != nil {
				return in, fmt.Errorf("-classify: %s: %w", filepath.Join(p.data, train.TrainLabels), err)
			}
		}
		in.trainFile = d
	}
	if test, flags := r.needsTest(); test {
		d, err := train.LoadSet(filepath.Join(p.data, train.TestImages), filepath.Join(p.data, train.TestLabels))
		if err != nil {
			return in, fmt.Errorf("%s needs the test set: %w", flags, dataError(err))
		}
		in.testSet = d
		switch c := r.samples.Chains; {
		case r.samples.FromTest && c > d.N:
			return in, fmt.Errorf("-sample-chains %d with -sample-from test: only %d test images to start from; use fewer chains", c, d.N)
		case r.ais && r.raiseImages > d.N:
			return in, fmt.Errorf("-raise-images %d: the test set has %d images; use at most that", r.raiseImages, d.N)
		case r.complete && r.completion.Images > d.N:
			return in, fmt.Errorf("-complete-images %d: the test set has %d images; use at most that", r.completion.Images, d.N)
		}
		if r.classify {
			if err := evaluate.CheckLabels(d); err != nil {
				return in, fmt.Errorf("-classify: %s: %w", filepath.Join(p.data, train.TestLabels), err)
			}
		}
	}
	trainFile, test := 0, 0
	if in.trainFile != nil {
		trainFile = in.trainFile.N
	}
	if in.testSet != nil {
		test = in.testSet.N
	}
	return in, s.need(trainFile, test).check(memory)
}

// loadModel reads -load's parameters, after checking that W.npy's size
// leaves the run within memory.
func loadModel(dir string, s *settings, hiddenGiven bool, memory MemoryLimit) (*graph.Model, error) {
	if st, err := os.Stat(filepath.Join(dir, train.FileW)); err == nil {
		n := *s
		n.hidden = int(min(st.Size()/(4*train.Pixels), maxHidden))
		if err := n.need(mnistTrainImages, mnistTestImages).check(memory); err != nil {
			return nil, fmt.Errorf("-load %s: %w", dir, err)
		}
	}
	m, err := train.LoadParams(dir)
	switch {
	case errors.Is(err, train.ErrNotFinite):
		return nil, fmt.Errorf("-load: %w: these parameters cannot be used; load another folder", err)
	case err != nil:
		return nil, fmt.Errorf("-load: %w (-load needs a folder with %s, %s and %s as numpy.save or gorbm writes them)", err, train.FileW, train.FileVBias, train.FileHBias)
	case m.Visible() != train.Pixels:
		return nil, fmt.Errorf("-load %s: the model has %d visible units, MNIST needs %d", dir, m.Visible(), train.Pixels)
	case hiddenGiven && s.hidden != m.Hidden():
		return nil, fmt.Errorf("-hidden %d with -load %s, a model of %d hidden units: drop -hidden", s.hidden, dir, m.Hidden())
	}
	return m, nil
}

// dataError adds to an error reading an MNIST file that is not there how
// to name the right folder.
func dataError(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w (pass -data DIR with the four MNIST .gz files)", err)
	}
	return err
}
