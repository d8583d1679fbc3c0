package report

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const timeReport = `	Command being timed: "gorbm -seed 1"
	User time (seconds): 80.12
	Elapsed (wall clock) time (h:mm:ss or m:ss): %s
	Maximum resident set size (kbytes): %d
	Exit status: 0
`

func TestParseTime(t *testing.T) {
	for _, tc := range []struct {
		elapsed string
		rss     int64
		wall    float64
		ok      bool
	}{
		{"0:45.25", 123456, 45.25, true},
		{"1:02:03", 7, 3723, true},
		{"", 0, 0, false},
	} {
		text := fmt.Sprintf(timeReport, tc.elapsed, tc.rss)
		if !tc.ok {
			text = "Command exited with non-zero status 1\n"
		}
		wall, rss, err := ParseTime(text)
		if (err == nil) != tc.ok || (tc.ok && (wall != tc.wall || rss != tc.rss)) {
			t.Errorf("ParseTime(%q) = %v, %v, %v; want %v, %v, ok %v", tc.elapsed, wall, rss, err, tc.wall, tc.rss, tc.ok)
		}
	}
}

func TestParseLosses(t *testing.T) {
	for _, tc := range []struct {
		stdout string
		want   []float64
	}{
		{"Training loss for 0 epoch: -3.5\nTraining loss for 1 epoch: 1.25e-1\n", []float64{-3.5, 0.125}},
		{"noise\nTraining loss for 0 epoch: 2\ntest: ...\n", []float64{2}},
		{"Training loss for 1 epoch: 2\n", nil}, // epoch 0 missing
		{"nothing\n", nil},
	} {
		got, err := ParseLosses(tc.stdout)
		if tc.want == nil {
			if err == nil {
				t.Errorf("ParseLosses(%q) = %v, want an error", tc.stdout, got)
			}
			continue
		}
		if err != nil || fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("ParseLosses(%q) = %v, %v; want %v", tc.stdout, got, err, tc.want)
		}
	}
}

// fakeRun writes the files of a run.sh run with the given per-seed losses,
// reconstruction errors and cross-over values (PyTorch, Go per params
// folder) into a temporary folder.
func fakeRun(t *testing.T, loss map[string][]float64, recon map[string][]float64, crossGo float64) (string, Config) {
	t.Helper()
	out := t.TempDir()
	cfg := Config{Seeds: []int{1, 2, 3}, Epochs: 1, CrossImages: 1000}
	write := func(path, text string) {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeJSON := func(path string, v any) {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		write(path, string(data))
	}
	cross := map[string]FreeEnergyFile{PyTorch: {Implementation: PyTorch}, Go: {Implementation: Go}}
	for _, impl := range []string{PyTorch, Go} {
		for i, s := range cfg.Seeds {
			dir := filepath.Join(out, JobDir(impl, s))
			write(filepath.Join(dir, FileTime), fmt.Sprintf(timeReport, fmt.Sprintf("0:%02d.00", 10+i), 1024*(100+i)))
			write(filepath.Join(dir, FileStdout), fmt.Sprintf("Training loss for 0 epoch: %v\n", loss[impl][i]))
			test := TestMetrics{Images: 10000, ReconError: recon[impl][i], FreeEnergy: -100}
			if impl == PyTorch {
				writeJSON(filepath.Join(dir, FileMetrics), map[string]any{"loss": []float64{loss[impl][i]}, "test": test})
			} else {
				writeJSON(filepath.Join(dir, FileEval), test)
			}
			for who, f := range map[string]float64{PyTorch: -100, Go: crossGo} {
				c := cross[who]
				c.Results = append(c.Results, struct {
					Params     string  `json:"params"`
					Images     int     `json:"images"`
					FreeEnergy float64 `json:"free_energy"`
				}{dir, 1000, f})
				cross[who] = c
			}
		}
	}
	writeJSON(filepath.Join(out, FileCrossPy), cross[PyTorch])
	writeJSON(filepath.Join(out, FileCrossGo), cross[Go])
	return out, cfg
}

func TestBuild(t *testing.T) {
	same := map[string][]float64{PyTorch: {1, 1.1, 0.9}, Go: {1.05, 0.95, 1}}
	for _, tc := range []struct {
		name     string
		loss     map[string][]float64
		recon    map[string][]float64
		crossGo  float64
		pass     bool
		failWord string
	}{
		{"indistinguishable", same, same, -100.001, true, ""},
		{"loss apart", map[string][]float64{PyTorch: {1, 1.1, 0.9}, Go: {2, 2.1, 1.9}}, same, -100, false, "training loss, epoch 0"},
		{"recon apart", same, map[string][]float64{PyTorch: {1, 1, 1}, Go: {1.2, 1.2, 1.2}}, -100, false, "test reconstruction error"},
		{"cross-over apart", same, same, -100.1, false, "cross-over"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, cfg := fakeRun(t, tc.loss, tc.recon, tc.crossGo)
			r, err := Build(out, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if r.Pass != tc.pass {
				t.Errorf("pass %v, want %v; failures %v", r.Pass, tc.pass, r.Failures())
			}
			md := r.Markdown()
			if tc.pass != strings.HasPrefix(md, "# PyTorch reference vs Go port: PASS") {
				t.Errorf("report.md does not say %v:\n%s", tc.pass, md)
			}
			if !tc.pass && !strings.Contains(strings.Join(r.Failures(), "\n"), tc.failWord) {
				t.Errorf("failures %v do not name %q", r.Failures(), tc.failWord)
			}
			if len(r.Cross) != 2*len(cfg.Seeds) {
				t.Errorf("%d cross-over rows, want %d", len(r.Cross), 2*len(cfg.Seeds))
			}
			if u := r.Usage[Go]; u.WallSeconds != 11 || u.PeakRSSMB != 101 {
				t.Errorf("Go usage %+v, want the medians 11 s and 101 MB", u)
			}
		})
	}
}

func TestBuildMissingJob(t *testing.T) {
	same := map[string][]float64{PyTorch: {1, 1, 1}, Go: {1, 1, 1}}
	out, cfg := fakeRun(t, same, same, -100)
	if err := os.Remove(filepath.Join(out, JobDir(Go, 2), FileEval)); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(out, cfg); err == nil || !strings.Contains(err.Error(), FileEval) {
		t.Errorf("Build without go/seed2/eval.json: error %v, want one naming %s", err, FileEval)
	}
}
