package report

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	want := &Report{
		Config: Config{Seeds: []int{1, 2}, Epochs: 1, Limit: 500, Quick: true, Data: "/data", CrossImages: 1000},
		Jobs: map[string][]Job{
			PyTorch: {{Seed: 1, Loss: []float64{-3.5}, WallSeconds: 4.2, PeakRSSKB: 300000, Test: TestMetrics{Images: 10000, ReconError: 0.05, FreeEnergy: -80}, Dir: "pytorch/seed1"}},
			Go:      {{Seed: 1, Loss: []float64{-3.4}, WallSeconds: 1.1, PeakRSSKB: 90000, Test: TestMetrics{Images: 10000, ReconError: 0.051, FreeEnergy: -79}, Dir: "go/seed1"}},
		},
		Lines:    []Line{{Name: "training loss, epoch 0", PyTorch: Summarize([]float64{-3.5}), Go: Summarize([]float64{-3.4}), Verdict: Check(Summarize([]float64{-3.4}), Summarize([]float64{-3.5}))}},
		Usage:    map[string]Usage{PyTorch: {WallSeconds: 4.2, PeakRSSMB: 293}, Go: {WallSeconds: 1.1, PeakRSSMB: 88}},
		Cross:    []Cross{{Params: "go/seed1", TrainedBy: Go, PyTorch: -80.1, Go: -80.1, Pass: true}},
		CrossTol: 1e-4,
		Pass:     true,
	}
	good := filepath.Join(dir, "report.json")
	data, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(good, data, 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"config": [}`), 0o644); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name     string
		path     string
		want     *Report
		notExist bool // the error must wrap fs.ErrNotExist
	}{
		{"round trip", good, want, false},
		{"missing", filepath.Join(dir, "missing.json"), nil, true},
		{"corrupt", bad, nil, false},
	} {
		got, err := Read(tc.path)
		if tc.want != nil {
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s: read %+v, want %+v", tc.name, got, tc.want)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if errors.Is(err, fs.ErrNotExist) != tc.notExist {
			t.Errorf("%s: errors.Is(err, fs.ErrNotExist) = %v, want %v (err: %v)", tc.name, !tc.notExist, tc.notExist, err)
		}
	}
}
