package main

import (
	"bytes"
	"encoding/json"
	"image"
	_ "image/png"
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
			o := testOptions(t, out) // 50 hidden units, 2 epochs
			o.report = reportOptions{eval: tc.eval, ais: tc.ais, aisBetas: 100, aisChains: 10, raiseImages: 10,
				sampleChains: 4, sampleSteps: 20, sampleEach: 5, sampleFrom: tc.from}
			var stdout bytes.Buffer
			if err := run(o, &stdout); err != nil {
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
		mod  func(r *reportOptions)
	}{
		{"1 beta", func(r *reportOptions) { r.aisBetas = 1 }},
		{"3 betas", func(r *reportOptions) { r.aisBetas = 3 }},
		{"negative betas", func(r *reportOptions) { r.aisBetas = -5 }},
		{"too many betas", func(r *reportOptions) { r.aisBetas = metrics.MaxBetas + 1 }},
		{"max-int betas", func(r *reportOptions) { r.aisBetas = math.MaxInt }},
		{"0 AIS chains", func(r *reportOptions) { r.aisChains = 0 }},
		{"1 AIS chain", func(r *reportOptions) { r.aisChains = 1 }},
		{"too many AIS chains", func(r *reportOptions) { r.aisChains = metrics.MaxChains + 1 }},
		{"max-int AIS chains", func(r *reportOptions) { r.aisChains = math.MaxInt }},
		{"0 RAISE images", func(r *reportOptions) { r.raiseImages = 0 }},
		{"1 RAISE image", func(r *reportOptions) { r.raiseImages = 1 }},
		{"more RAISE images than the test set", func(r *reportOptions) { r.raiseImages = mnistTestImages + 1 }},
		{"snapshot interval beyond the run", func(r *reportOptions) { r.sampleSteps, r.sampleEach = 10, 11 }},
		{"unknown start", func(r *reportOptions) { r.sampleFrom = "train" }},
		{"negative chains", func(r *reportOptions) { r.sampleChains = -1 }},
	} {
		o := testOptions(t, t.TempDir())
		o.report = defaultReport
		if err := o.validate(); err != nil {
			t.Fatalf("the default report flags are invalid: %v", err)
		}
		tc.mod(&o.report)
		if err := o.validate(); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	for _, ok := range []func(r *reportOptions){
		func(r *reportOptions) { r.aisBetas, r.aisChains, r.raiseImages = 4, 2, 2 },
		func(r *reportOptions) {
			r.aisBetas, r.aisChains, r.raiseImages = metrics.MaxBetas, metrics.MaxChains, mnistTestImages
		},
	} {
		o := testOptions(t, t.TempDir())
		o.report = defaultReport
		ok(&o.report)
		if err := o.validate(); err != nil {
			t.Errorf("%+v: %v", o.report, err)
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
