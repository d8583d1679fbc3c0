package cli

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzMemory is the memory the fuzzed plans may use: a fixed number, so
// that what is accepted does not depend on the machine.
var fuzzMemory = MemoryLimit{4 << 30, "the fuzz test's"}

// FuzzPlan makes plans of random command lines (words separated by
// spaces, after a small run's -data and -out): each must give an error
// with a one-line message, or a plan within its bounds, never a panic;
// and making a plan writes nothing. go test runs the seeds below; run the
// fuzzer with
//
//	go test -run '^$' -fuzz '^FuzzPlan$' -fuzztime 5m -fuzzminimizetime 100x ./internal/cli
func FuzzPlan(f *testing.F) {
	load := filepath.Join("..", "..", "testdata", "hostile", "load-valid")
	for _, seed := range []string{
		"",
		"-epochs 1 -hidden 10 -limit 64",
		"-epochs 0 -load " + load + " -eval -ais -ais-betas 10",
		"-epochs 0 -load " + load + " -batch 3",
		"-recipe best -epochs 3",
		"-recipe pydeep -lr-final 1e-50",
		"-pcd -chains 9223372036854775807",
		"-momentum 0.9 -momentum-initial 0.5 -momentum-epochs 1",
		"-lr-final 0.01 -lr-decay geometric -lr-decay-from 1",
		"-sample-chains 10000 -sample-steps 1000 -sample-every 1",
		"-ais -raise-images 101",
		"-resume -restart",
		"-checkpoint -out",
		"-cpuprofile " + load + "/W.npy -load " + load,
		"-weight-decay 19 -lr 0.1 -momentum 0",
		"-hidden 2739128 -batch 1 -k 1000",
		"-graph textbook -seed 18446744073709551615 -sample-from test",
		"-epochs 0 -load " + load + " -classify -complete -complete-mask random -complete-given 0.3 -limit 64",
		"-complete -complete-given 1e-9 -complete-images 10000 -complete-steps 1000",
		"-classify -classify-input grey -classify-epochs 1000 -hidden 100000",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		out := filepath.Join(t.TempDir(), "out")
		args := append([]string{"-data", testData, "-out", out}, strings.Fields(line)...)
		fl, err := Parse(args, io.Discard)
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		var p *Plan
		if err == nil {
			p, err = NewPlan(fl, Env{Memory: func() MemoryLimit { return fuzzMemory }})
		}
		if _, serr := os.Stat(out); serr == nil {
			t.Fatalf("%q: making the plan made -out", line)
		}
		if err != nil {
			if msg := oneLine(err); msg == "" || ExitCode(err) == 0 {
				t.Fatalf("%q: error %q with status %d", line, msg, ExitCode(err))
			}
			return
		}
		files := 0
		if p.trainFile != nil {
			files = p.trainFile.N
		}
		n := p.need(files, testImages)
		switch {
		case n.total() > fuzzMemory.Bytes:
			t.Fatalf("%q: a plan of %d bytes, more than %d", line, n.total(), fuzzMemory.Bytes)
		case p.epochs < 0 || p.epochs > maxEpochs || p.epochs == 0 && p.loaded == nil:
			t.Fatalf("%q: a plan of %d epochs (loaded %v)", line, p.epochs, p.loaded != nil)
		case p.epochs > 0 && (p.checkpoint == "" || p.trainSet == nil || p.config.Validate() != nil || p.config.K > maxK):
			t.Fatalf("%q: a training plan with checkpoint %q, config %+v", line, p.checkpoint, p.config)
		case p.report.samples.Chains*p.report.samples.Steps > maxChainSteps:
			t.Fatalf("%q: %d sample chains of %d steps", line, p.report.samples.Chains, p.report.samples.Steps)
		case p.report.classify && (p.trainFile == nil || p.testSet == nil || p.report.classifier.Classifier.Validate() != nil):
			t.Fatalf("%q: a classification without its images or with options %+v", line, p.report.classifier.Classifier)
		}
		if o := p.report.completion; p.report.complete {
			if given, of := o.Count(); given <= 0 || given >= of || o.Images < 1 || o.Images > p.testSet.N || o.Images*o.Steps > maxChainSteps || o.Steps < 1 {
				t.Fatalf("%q: a completion of %d images in %d steps given %d of %d", line, o.Images, o.Steps, given, of)
			}
		}
	})
}
