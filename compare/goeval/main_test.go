package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorbm.dev/gorbm/compare/report"
	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/train"
)

// closedTol bounds the difference from the closed forms below: float32
// free energies of −H·log 2 averaged in float64.
const closedTol = 1e-6

// logPTol bounds the difference from the zero model's log-probability,
// −784·log 2: sums of 791 float32 softplus terms (log Z) and of 784
// conditionals (PLL), each within a float32 rounding of log 2.
const logPTol = 1e-3

// zeroModel saves a 784×hidden model with zero weights and biases into a
// temporary folder. Its free energy is −hidden·log 2 for every image, and
// p(v|h) = 1/2 for every pixel, so the reconstruction error of binary images
// is exactly 1/4.
func zeroModel(t *testing.T, hidden int) string {
	t.Helper()
	m, err := graph.FromParams(train.Pixels, hidden, make([]float32, hidden*train.Pixels), make([]float32, train.Pixels), make([]float32, hidden))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := train.SaveParams(dir, m); err != nil {
		t.Fatal(err)
	}
	return dir
}

func readJSONFile(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}

func TestClosedForms(t *testing.T) {
	data, err := train.DataDir()
	if err != nil {
		t.Fatal(err)
	}
	const hidden = 7
	params := zeroModel(t, hidden)
	out := t.TempDir()

	if err := freeEnergyCmd([]string{"-data", data, "-images", "100", "-out", filepath.Join(out, "fe.json"), params}); err != nil {
		t.Fatal(err)
	}
	var fe report.FreeEnergyFile
	readJSONFile(t, filepath.Join(out, "fe.json"), &fe)
	want := -hidden * math.Log(2)
	if len(fe.Results) != 1 || fe.Results[0].Images != 100 || math.Abs(fe.Results[0].FreeEnergy-want) > closedTol {
		t.Errorf("freeenergy wrote %+v, want one result on 100 images with F = %v", fe, want)
	}

	if err := evalCmd([]string{"-data", data, "-seed", "3", "-params", params, "-out", filepath.Join(out, "eval.json")}); err != nil {
		t.Fatal(err)
	}
	var m report.TestMetrics
	readJSONFile(t, filepath.Join(out, "eval.json"), &m)
	if m.Images != 10000 || math.Abs(m.ReconError-0.25) > closedTol || math.Abs(m.FreeEnergy-want) > closedTol {
		t.Errorf("eval wrote %+v, want 10000 images, recon error 0.25, free energy %v", m, want)
	}

	// loglik: the zero model gives every image p(v) = 2^−784, which the AIS
	// run from the uniform base (the model itself) and RAISE to it find
	// exactly, and every pixel's conditional is ½, so PLL = 784·log ½.
	if err := loglikCmd([]string{"-data", data, "-betas", "20", "-chains", "8", "-raise-images", "4", "-out", filepath.Join(out, "ll.json"), params}); err != nil {
		t.Fatal(err)
	}
	var ll []struct {
		TestLogProb float64 `json:"test_log_prob"`
		RAISE       float64 `json:"raise"`
		PLL         float64 `json:"pseudo_log_likelihood"`
	}
	readJSONFile(t, filepath.Join(out, "ll.json"), &ll)
	logP := -train.Pixels * math.Log(2)
	if len(ll) != 1 || math.Abs(ll[0].TestLogProb-logP) > logPTol || math.Abs(ll[0].RAISE-logP) > logPTol ||
		math.Abs(ll[0].PLL-logP) > logPTol {
		t.Errorf("loglik wrote %+v, want test log p, RAISE and PLL all %v", ll, logP)
	}
}

// TestBadArguments checks that each subcommand refuses bad arguments. Where
// want is set, the error must name it: the parameter folders are read
// before the data (an MNIST folder that is missing too), so a missing
// parameter folder is what is reported.
func TestBadArguments(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nothing")
	params, data := filepath.Join(missing, "params"), filepath.Join(missing, "mnist")
	for _, tc := range []struct {
		name string
		cmd  func([]string) error
		args []string
		want string
	}{
		{"eval without flags", evalCmd, nil, ""},
		{"eval of a missing folder", evalCmd, []string{"-data", data, "-params", params, "-out", filepath.Join(missing, "x.json")}, params},
		{"freeenergy without folders", freeEnergyCmd, []string{"-data", missing, "-out", "x.json"}, ""},
		{"freeenergy of a missing folder", freeEnergyCmd, []string{"-data", data, "-out", "x.json", params}, params},
		{"sidebyside without pictures", sideBySideCmd, []string{"-python", missing, "-go", missing, "-out", "x.png"}, ""},
		{"report with bad seeds", reportCmd, []string{"-dir", missing, "-seeds", "1,x"}, ""},
		{"report of an empty folder", reportCmd, []string{"-dir", missing, "-seeds", "1"}, ""},
		{"loglik without folders", loglikCmd, nil, ""},
		{"loglik of a missing folder", loglikCmd, []string{"-data", data, "-betas", "10", params}, params},
		{"classify with another input", classifyCmd, []string{"-input", "colour"}, ""},
		{"classify of a missing folder", classifyCmd, []string{"-data", data, params}, params},
		{"complete with an empty mask", completeCmd, []string{"-given", "0", missing}, ""},
		{"complete with every pixel given", completeCmd, []string{"-mask", "random", "-given", "1", missing}, ""},
		{"complete without folders", completeCmd, nil, ""},
		{"complete of a missing folder", completeCmd, []string{"-data", data, params}, params},
	} {
		err := tc.cmd(tc.args)
		switch {
		case err == nil:
			t.Errorf("%s: no error", tc.name)
		case tc.want != "" && !strings.Contains(err.Error(), tc.want):
			t.Errorf("%s: %v; want an error about %s", tc.name, err, tc.want)
		}
	}
}
