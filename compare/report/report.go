package report

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Implementation names, as they appear in the report.
const (
	PyTorch = "pytorch"
	Go      = "go"
)

// Files of one job's folder, OUT/<implementation>/seed<S>/, as run.sh lays
// them out.
const (
	FileMetrics = "metrics.json" // reference.py's metrics (PyTorch jobs)
	FileEval    = "eval.json"    // goeval eval's test metrics (Go jobs)
	FileStdout  = "stdout.txt"   // the job's standard output
	FileTime    = "time.txt"     // /usr/bin/time -v's report
	FileCrossPy = "cross/pytorch/free_energy.json"
	FileCrossGo = "cross/go/free_energy.json"
)

// Config is what run.sh ran.
type Config struct {
	Seeds       []int  `json:"seeds"`
	Epochs      int    `json:"epochs"`
	Limit       int    `json:"limit"` // training images (0: all 60,000)
	Quick       bool   `json:"quick"`
	Data        string `json:"data"`
	CrossImages int    `json:"cross_images"`
}

// TestMetrics are the test-set numbers of one trained model, as
// reference.py and goeval write them.
type TestMetrics struct {
	Images     int     `json:"images"`
	ReconError float64 `json:"recon_error"`
	FreeEnergy float64 `json:"free_energy"`
}

// Job is one training run of one implementation with one seed.
type Job struct {
	Seed        int         `json:"seed"`
	Loss        []float64   `json:"loss"` // per epoch
	WallSeconds float64     `json:"wall_seconds"`
	PeakRSSKB   int64       `json:"peak_rss_kb"`
	Test        TestMetrics `json:"test"`
	Dir         string      `json:"dir"`
}

// Line is one row of the statistical check.
type Line struct {
	Name    string  `json:"name"`
	PyTorch Stats   `json:"pytorch"`
	Go      Stats   `json:"go"`
	Verdict Verdict `json:"verdict"`
}

// Usage is the median wall time and peak memory of an implementation's jobs.
type Usage struct {
	WallSeconds float64 `json:"median_wall_seconds"`
	PeakRSSMB   float64 `json:"median_peak_rss_mb"`
}

// Cross is one parameter set evaluated by both implementations.
type Cross struct {
	Params    string  `json:"params"`     // folder, relative to the output folder
	TrainedBy string  `json:"trained_by"` // PyTorch or Go
	PyTorch   float64 `json:"pytorch_free_energy"`
	Go        float64 `json:"go_free_energy"`
	RelDiff   float64 `json:"rel_diff"`
	Pass      bool    `json:"pass"`
}

// Report is everything report.md shows; report.json is its JSON form.
type Report struct {
	Config     Config           `json:"config"`
	Jobs       map[string][]Job `json:"jobs"`
	Lines      []Line           `json:"lines"`       // checked: loss per epoch, test reconstruction error
	FreeEnergy Line             `json:"free_energy"` // reported, not part of the check
	Usage      map[string]Usage `json:"usage"`
	Cross      []Cross          `json:"crossover"`
	CrossMax   float64          `json:"crossover_max_rel_diff"`
	CrossTol   float64          `json:"crossover_tolerance"`
	Pass       bool             `json:"pass"`
}

// Failures lists what failed, empty when the report passes.
func (r *Report) Failures() []string {
	var f []string
	for _, l := range r.Lines {
		if !l.Verdict.Pass {
			f = append(f, fmt.Sprintf("%s: |Go − PyTorch| = %.4g > %.4g", l.Name, l.Verdict.Diff, l.Verdict.Tolerance))
		}
	}
	for _, c := range r.Cross {
		if !c.Pass {
			f = append(f, fmt.Sprintf("cross-over %s: relative difference %.3g > %g", c.Params, c.RelDiff, r.CrossTol))
		}
	}
	if len(r.Cross) == 0 {
		f = append(f, "cross-over: no parameter sets were evaluated")
	}
	return f
}

var (
	goLossLine = regexp.MustCompile(`(?m)^Training loss for (\d+) epoch: (\S+)$`)
	timeWall   = regexp.MustCompile(`(?m)^\s*Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)$`)
	timeRSS    = regexp.MustCompile(`(?m)^\s*Maximum resident set size \(kbytes\): (\d+)$`)
)

// ParseLosses reads the per-epoch losses from the lines
// "Training loss for E epoch: L" that both the script and the Go command
// print. The epochs must run 0, 1, 2, … in order.
func ParseLosses(stdout string) ([]float64, error) {
	var losses []float64
	for _, m := range goLossLine.FindAllStringSubmatch(stdout, -1) {
		e, _ := strconv.Atoi(m[1])
		if e != len(losses) {
			return nil, fmt.Errorf("loss line for epoch %d where epoch %d was expected", e, len(losses))
		}
		l, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			return nil, fmt.Errorf("loss of epoch %d: %w", e, err)
		}
		losses = append(losses, l)
	}
	if len(losses) == 0 {
		return nil, errors.New("no 'Training loss for E epoch: L' line")
	}
	return losses, nil
}

// ParseTime reads the wall time (seconds) and the peak resident set size
// (kB) from the report of GNU time's -v option.
func ParseTime(text string) (wallSeconds float64, peakRSSKB int64, err error) {
	w := timeWall.FindStringSubmatch(text)
	r := timeRSS.FindStringSubmatch(text)
	if w == nil || r == nil {
		return 0, 0, errors.New("not a report of /usr/bin/time -v (no wall clock or maximum resident set size line)")
	}
	// h:mm:ss or m:ss.ss
	for _, part := range strings.Split(w[1], ":") {
		x, err := strconv.ParseFloat(part, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("wall clock time %q: %w", w[1], err)
		}
		wallSeconds = wallSeconds*60 + x
	}
	peakRSSKB, err = strconv.ParseInt(r[1], 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("maximum resident set size %q: %w", r[1], err)
	}
	return wallSeconds, peakRSSKB, nil
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("report: %w (did that job run? see its stdout.txt and stderr.txt)", err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("report: %s: %w", path, err)
	}
	return nil
}

// JobDir is the folder of one job, relative to the output folder.
func JobDir(impl string, seed int) string { return filepath.Join(impl, fmt.Sprintf("seed%d", seed)) }

// readJob reads the files of one job.
func readJob(out, impl string, seed int) (Job, error) {
	j := Job{Seed: seed, Dir: JobDir(impl, seed)}
	dir := filepath.Join(out, j.Dir)
	timing, err := os.ReadFile(filepath.Join(dir, FileTime))
	if err != nil {
		return j, fmt.Errorf("report: %w", err)
	}
	if j.WallSeconds, j.PeakRSSKB, err = ParseTime(string(timing)); err != nil {
		return j, fmt.Errorf("report: %s: %w", filepath.Join(dir, FileTime), err)
	}
	stdout, err := os.ReadFile(filepath.Join(dir, FileStdout))
	if err != nil {
		return j, fmt.Errorf("report: %w", err)
	}
	if j.Loss, err = ParseLosses(string(stdout)); err != nil {
		return j, fmt.Errorf("report: %s: %w", filepath.Join(dir, FileStdout), err)
	}
	switch impl {
	case PyTorch:
		var m struct {
			Loss []float64   `json:"loss"`
			Test TestMetrics `json:"test"`
		}
		if err := readJSON(filepath.Join(dir, FileMetrics), &m); err != nil {
			return j, err
		}
		j.Loss, j.Test = m.Loss, m.Test // full precision, the printed line is float32
	case Go:
		if err := readJSON(filepath.Join(dir, FileEval), &j.Test); err != nil {
			return j, err
		}
	}
	return j, nil
}

// FreeEnergyFile is what reference.py --eval-params and goeval freeenergy
// write.
type FreeEnergyFile struct {
	Implementation string `json:"implementation"`
	Results        []struct {
		Params     string  `json:"params"`
		Images     int     `json:"images"`
		FreeEnergy float64 `json:"free_energy"`
	} `json:"results"`
}

// freeEnergies maps each params folder (cleaned, relative to out when
// possible) to its value.
func freeEnergies(out, path string, images int) (map[string]float64, error) {
	var f FreeEnergyFile
	if err := readJSON(path, &f); err != nil {
		return nil, err
	}
	m := map[string]float64{}
	for _, r := range f.Results {
		if r.Images != images {
			return nil, fmt.Errorf("report: %s: %s evaluated on %d images, want %d", path, r.Params, r.Images, images)
		}
		p := filepath.Clean(r.Params)
		if rel, err := filepath.Rel(out, p); err == nil && !strings.HasPrefix(rel, "..") {
			p = rel
		}
		m[p] = r.FreeEnergy
	}
	return m, nil
}

// Build reads the output folder out of a run.sh run with cfg and computes
// the report.
func Build(out string, cfg Config) (*Report, error) {
	if len(cfg.Seeds) == 0 || cfg.Epochs < 1 {
		return nil, fmt.Errorf("report: %d seeds and %d epochs: need at least one of each", len(cfg.Seeds), cfg.Epochs)
	}
	r := &Report{Config: cfg, Jobs: map[string][]Job{}, Usage: map[string]Usage{}, CrossTol: CrossTol}
	values := map[string]map[string][]float64{} // impl → line → per-seed values
	for _, impl := range []string{PyTorch, Go} {
		values[impl] = map[string][]float64{}
		var wall, rss []float64
		for _, s := range cfg.Seeds {
			j, err := readJob(out, impl, s)
			if err != nil {
				return nil, err
			}
			if len(j.Loss) != cfg.Epochs {
				return nil, fmt.Errorf("report: %s has %d epoch losses, want %d", j.Dir, len(j.Loss), cfg.Epochs)
			}
			for e, l := range j.Loss {
				values[impl][lossLine(e)] = append(values[impl][lossLine(e)], l)
			}
			values[impl][lineRecon] = append(values[impl][lineRecon], j.Test.ReconError)
			values[impl][lineFree] = append(values[impl][lineFree], j.Test.FreeEnergy)
			wall = append(wall, j.WallSeconds)
			rss = append(rss, float64(j.PeakRSSKB)/1024)
			r.Jobs[impl] = append(r.Jobs[impl], j)
		}
		r.Usage[impl] = Usage{WallSeconds: Median(wall), PeakRSSMB: Median(rss)}
	}
	line := func(name string) Line {
		l := Line{Name: name, PyTorch: Summarize(values[PyTorch][name]), Go: Summarize(values[Go][name])}
		l.Verdict = Check(l.Go, l.PyTorch)
		return l
	}
	for e := 0; e < cfg.Epochs; e++ {
		r.Lines = append(r.Lines, line(lossLine(e)))
	}
	r.Lines = append(r.Lines, line(lineRecon))
	r.FreeEnergy = line(lineFree)

	py, err := freeEnergies(out, filepath.Join(out, FileCrossPy), cfg.CrossImages)
	if err != nil {
		return nil, err
	}
	gv, err := freeEnergies(out, filepath.Join(out, FileCrossGo), cfg.CrossImages)
	if err != nil {
		return nil, err
	}
	for _, impl := range []string{Go, PyTorch} {
		for _, s := range cfg.Seeds {
			p := JobDir(impl, s)
			a, okA := py[p]
			b, okB := gv[p]
			if !okA || !okB {
				return nil, fmt.Errorf("report: the cross-over files lack %s (PyTorch: %v, Go: %v)", p, okA, okB)
			}
			c := Cross{Params: p, TrainedBy: impl, PyTorch: a, Go: b, RelDiff: RelDiff(b, a)}
			c.Pass = c.RelDiff <= CrossTol
			r.CrossMax = math.Max(r.CrossMax, c.RelDiff)
			if math.IsNaN(c.RelDiff) {
				r.CrossMax = math.NaN()
			}
			r.Cross = append(r.Cross, c)
		}
	}
	r.Pass = len(r.Failures()) == 0
	return r, nil
}

const (
	lineRecon = "test reconstruction error"
	lineFree  = "test mean free energy"
)

func lossLine(epoch int) string { return fmt.Sprintf("training loss, epoch %d", epoch) }

// Markdown renders the report.
func (r *Report) Markdown() string {
	var b strings.Builder
	w := bufio.NewWriter(&b)
	c := r.Config
	images := "all 60,000"
	if c.Limit > 0 {
		images = fmt.Sprintf("the first %d", c.Limit)
	}
	verdict := "PASS"
	if !r.Pass {
		verdict = "FAIL"
	}
	fmt.Fprintf(w, "# PyTorch reference vs Go port: %s\n\n", verdict)
	fmt.Fprintf(w, "%d epoch(s) on %s MNIST training images, batches of 64, CD-1, 500 hidden units, SGD lr 0.1; seeds %v", c.Epochs, images, c.Seeds)
	if c.Quick {
		fmt.Fprintf(w, " (quick mode)")
	}
	fmt.Fprintf(w, ".\nData: `%s`. Test metrics on the 10,000 test images.\n\n", c.Data)

	fmt.Fprintf(w, "## Statistical check\n\nGo mean within max(%d combined standard errors, %g absolute) of the PyTorch mean; mean ± sample std over seeds.\n\n", StdErrs, AbsFloor)
	fmt.Fprintf(w, "| line | PyTorch | Go | abs diff | tolerance | verdict |\n|---|---|---|---|---|---|\n")
	for _, l := range append(append([]Line(nil), r.Lines...), r.FreeEnergy) {
		v := "FAIL"
		if l.Verdict.Pass {
			v = "PASS"
		}
		if l.Name == lineFree {
			v = "(not checked)"
		}
		fmt.Fprintf(w, "| %s | %.5g ± %.2g | %.5g ± %.2g | %.3g | %.3g | %s |\n", l.Name, l.PyTorch.Mean, l.PyTorch.Std, l.Go.Mean, l.Go.Std, l.Verdict.Diff, l.Verdict.Tolerance, v)
	}
	fmt.Fprintf(w, "\nReconstruction error: mean over images and pixels of (v − p(v|h))², v the binarized test image, h sampled from p(h|v). ")
	fmt.Fprintf(w, "Free energy: mean over the binarized test images of F(v) = −Σ softplus(W v + c) − b·v. The issue's check covers loss and reconstruction error; the free energy is shown for information.\n\n")

	fmt.Fprintf(w, "## Cost of a job (median over seeds)\n\n| implementation | wall time (s) | peak memory (MB) |\n|---|---|---|\n")
	for _, impl := range []string{PyTorch, Go} {
		u := r.Usage[impl]
		fmt.Fprintf(w, "| %s | %.1f | %.0f |\n", name(impl), u.WallSeconds, u.PeakRSSMB)
	}
	fmt.Fprintf(w, "\nWhole process as /usr/bin/time -v measures it: start-up, data loading, training, saving pictures and parameters; the PyTorch job also evaluates the test set (under a second), the Go job's test metrics run in a separate process that is not timed.\n\n")

	fmt.Fprintf(w, "## Cross-over\n\nMean free energy per image of the first %d test images (grey values pixel/255), each parameter set evaluated by both implementations. Tolerance %g relative.\n\n", c.CrossImages, r.CrossTol)
	fmt.Fprintf(w, "| parameters | trained by | PyTorch F | Go F | relative diff | verdict |\n|---|---|---|---|---|---|\n")
	for _, x := range r.Cross {
		v := "FAIL"
		if x.Pass {
			v = "PASS"
		}
		fmt.Fprintf(w, "| %s | %s | %.7g | %.7g | %.2g | %s |\n", x.Params, name(x.TrainedBy), x.PyTorch, x.Go, x.RelDiff, v)
	}
	fmt.Fprintf(w, "\nLargest relative difference: %.2g.\n\n", r.CrossMax)

	fmt.Fprintf(w, "## Per seed\n\n| implementation | seed | loss per epoch | recon error | free energy | wall (s) | peak (MB) |\n|---|---|---|---|---|---|---|\n")
	for _, impl := range []string{PyTorch, Go} {
		for _, j := range r.Jobs[impl] {
			ls := make([]string, len(j.Loss))
			for i, l := range j.Loss {
				ls[i] = fmt.Sprintf("%.4f", l)
			}
			fmt.Fprintf(w, "| %s | %d | %s | %.5f | %.3f | %.1f | %.0f |\n", name(impl), j.Seed, strings.Join(ls, ", "), j.Test.ReconError, j.Test.FreeEnergy, j.WallSeconds, float64(j.PeakRSSKB)/1024)
		}
	}
	fmt.Fprintf(w, "\n![PyTorch and Go reconstructions of the last batch](side_by_side.png)\n")
	if f := r.Failures(); len(f) > 0 {
		fmt.Fprintf(w, "\n## Failures\n\n")
		for _, x := range f {
			fmt.Fprintf(w, "- %s\n", x)
		}
	}
	w.Flush()
	return b.String()
}

func name(impl string) string {
	if impl == PyTorch {
		return "PyTorch"
	}
	return "Go"
}
