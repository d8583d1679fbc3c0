package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	_ "image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorbm.dev/gorbm/metrics"
)

func pngSize(t *testing.T, path string) (int, int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("%s not written: %v", filepath.Base(path), err)
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		t.Fatalf("%s is not a PNG: %v", filepath.Base(path), err)
	}
	return cfg.Width, cfg.Height
}

// TestReportFiles runs the job with -eval and -ais (cheap settings) and
// checks the table, metrics.json and the three pictures' sizes.
func TestReportFiles(t *testing.T) {
	for _, tc := range []struct {
		name           string
		eval, ais      bool
		from           string
		lossH          int // RBM_loss.png: 300 px per panel, 4 panels with -eval
		tableInStdout  bool
		aisInStdout    bool
		epochsWithEval int
	}{
		{"default", false, false, "noise", 300, false, false, 0},
		{"eval and ais", true, true, "test", 1200, true, true, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			args := []string{"-sample-chains", "4", "-sample-from", tc.from} // 50 hidden units, 2 epochs
			if tc.eval {
				args = append(args, "-eval")
			}
			if tc.ais {
				args = append(args, "-ais", "-ais-betas", "100", "-ais-chains", "10", "-raise-images", "10")
			}
			var stdout bytes.Buffer
			if err := testPlan(t, out, args...).Run(context.Background(), Env{Stdout: &stdout}); err != nil {
				t.Fatal(err)
			}
			log := stdout.String()
			if got := strings.Contains(log, "recon MSE"); got != tc.tableInStdout {
				t.Errorf("metrics table printed: %v, want %v:\n%s", got, tc.tableInStdout, log)
			}
			if got := strings.Contains(log, "AIS ("); got != tc.aisInStdout {
				t.Errorf("AIS line printed: %v, want %v:\n%s", got, tc.aisInStdout, log)
			}
			for _, p := range []struct {
				name string
				w, h int
			}{
				{"RBM_samples.png", 4*30 + 2, (20/5+1)*30 + 2}, // a column per chain, a row per snapshot
				{"RBM_filters.png", 8*30 + 2, 7*30 + 2},        // 50 filters, ⌈√50⌉ = 8 to a row
				{"RBM_loss.png", 800, tc.lossH},
			} {
				if w, h := pngSize(t, filepath.Join(out, p.name)); w != p.w || h != p.h {
					t.Errorf("%s is %d×%d, want %d×%d", p.name, w, h, p.w, p.h)
				}
			}
			b, err := os.ReadFile(filepath.Join(out, "metrics.json"))
			if err != nil {
				t.Fatal(err)
			}
			var m struct {
				Epochs []struct {
					Epoch int      `json:"epoch"`
					Loss  float64  `json:"loss"`
					Recon *float64 `json:"reconstruction_error"`
					PLL   *float64 `json:"pseudo_log_likelihood"`
				} `json:"epochs"`
				AIS *struct {
					LogZ     float64 `json:"log_z"`
					TestLogP float64 `json:"test_log_prob"`
					Betas    int     `json:"betas"`
				} `json:"ais"`
			}
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatalf("metrics.json: %v", err)
			}
			if len(m.Epochs) != 2 {
				t.Fatalf("metrics.json has %d epochs, want 2", len(m.Epochs))
			}
			evaluated := 0
			for _, e := range m.Epochs {
				if e.Recon != nil && e.PLL != nil && *e.Recon > 0 && *e.Recon < 1 && *e.PLL < 0 {
					evaluated++
				}
			}
			if evaluated != tc.epochsWithEval {
				t.Errorf("%d epochs with plausible test metrics in metrics.json, want %d:\n%s", evaluated, tc.epochsWithEval, b)
			}
			if got := m.AIS != nil; got != tc.ais {
				t.Fatalf("metrics.json has AIS: %v, want %v", got, tc.ais)
			}
			if tc.ais && (m.AIS.Betas != 100 || !(m.AIS.TestLogP < 0) || math.IsNaN(m.AIS.LogZ)) {
				t.Errorf("AIS record %+v: want 100 betas, a negative test log-probability", *m.AIS)
			}
		})
	}
}

func TestReportFlagValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"1 beta", []string{"-ais-betas", "1"}},
		{"3 betas", []string{"-ais-betas", "3"}},
		{"negative betas", []string{"-ais-betas", "-5"}},
		{"too many betas", []string{"-ais-betas", fmt.Sprint(metrics.MaxBetas + 1)}},
		{"max-int betas", []string{"-ais-betas", fmt.Sprint(math.MaxInt)}},
		{"0 AIS chains", []string{"-ais-chains", "0"}},
		{"1 AIS chain", []string{"-ais-chains", "1"}},
		{"too many AIS chains", []string{"-ais-chains", fmt.Sprint(metrics.MaxChains + 1)}},
		{"max-int AIS chains", []string{"-ais-chains", fmt.Sprint(math.MaxInt)}},
		{"0 RAISE images", []string{"-raise-images", "0"}},
		{"1 RAISE image", []string{"-raise-images", "1"}},
		{"more RAISE images than the test set", []string{"-raise-images", fmt.Sprint(mnistTestImages + 1)}},
		{"snapshot interval beyond the run", []string{"-sample-steps", "10", "-sample-every", "11"}},
		{"unknown start", []string{"-sample-from", "train"}},
		{"negative chains", []string{"-sample-chains", "-1"}},
		{"more sample chains than metrics runs", []string{"-sample-chains", fmt.Sprint(metrics.MaxChains + 1), "-sample-steps", "1", "-sample-every", "1"}},
		{"too many snapshots", []string{"-sample-chains", "400", "-sample-steps", "1000", "-sample-every", "1"}},
	} {
		f, err := Parse(append(testArgs(t.TempDir(), "-ais"), tc.args...), io.Discard)
		if err == nil {
			_, err = f.check()
		}
		if err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	for _, ok := range [][]string{
		{"-ais-betas", "4", "-ais-chains", "2", "-raise-images", "2"},
		{"-ais-betas", fmt.Sprint(metrics.MaxBetas), "-ais-chains", fmt.Sprint(metrics.MaxChains), "-raise-images", fmt.Sprint(mnistTestImages)},
	} {
		f, err := Parse(append(testArgs(t.TempDir(), "-ais"), ok...), io.Discard)
		if err == nil {
			_, err = f.check()
		}
		if err != nil {
			t.Errorf("%v: %v", ok, err)
		}
	}
}

// TestSmoothCurve checks the loss line of RBM_loss.png: a moving average of
// train.Result's loss curve over a hundredth of a long run (a step in the
// losses becomes a ramp of that width), and over a tenth of an epoch for a
// short run, at the end of each part of an epoch.
func TestSmoothCurve(t *testing.T) {
	const parts, epochs = 10, 200
	var curve []float64
	for e := 0; e < epochs; e++ {
		for range parts {
			l := -10.0
			if e >= 100 {
				l = -20
			}
			curve = append(curve, l)
		}
	}
	avg, at, span := smoothCurve(curve, parts)
	if len(avg) != len(curve) || len(at) != len(curve) || at[0] != 0.1 || at[len(at)-1] != epochs {
		t.Fatalf("%d points at %v … %v, want %d from 0.1 to %d", len(avg), at[0], at[len(at)-1], len(curve), epochs)
	}
	if span != smoothingRun*epochs {
		t.Fatalf("a %d-epoch run smoothed over %v epochs, want %v", epochs, span, smoothingRun*epochs)
	}
	for i, a := range avg {
		// the share of the window after the step at epoch 100
		after := math.Min(1, math.Max(0, at[i]-100)/span)
		if want := -10 - 10*after; math.Abs(a-want) > 1e-9 {
			t.Fatalf("at %v: %v, want %v", at[i], a, want)
		}
	}
	if _, _, span := smoothCurve(curve[:2*parts], parts); span != smoothingEpochs {
		t.Errorf("a 2-epoch run smoothed over %v epochs, want %v", span, smoothingEpochs)
	}
	if avg, _, _ := smoothCurve(nil, parts); avg != nil {
		t.Error("no curve gave a line")
	}
}
