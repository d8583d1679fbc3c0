package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	_ "image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gorbm.dev/gorbm/compare/report"
	"gorbm.dev/gorbm/evaluate"
	"gorbm.dev/gorbm/internal/atomicfile"
	"gorbm.dev/gorbm/internal/rng"
	"gorbm.dev/gorbm/metrics"
	"gorbm.dev/gorbm/train"
	"gorbm.dev/gorbm/viz"
)

// errFail marks a report that says FAIL: exit status 1 without "goeval:" noise.
var errFail = errors.New("the comparison FAILED")

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: goeval eval|freeenergy|sidebyside|report|loglik|classify|complete [flags] (see compare/run.sh and doc.go)")
		os.Exit(2)
	}
	cmds := map[string]func([]string) error{
		"eval": evalCmd, "freeenergy": freeEnergyCmd, "sidebyside": sideBySideCmd, "report": reportCmd, "loglik": loglikCmd,
		"classify": classifyCmd, "complete": completeCmd,
	}
	cmd, ok := cmds[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "goeval: unknown subcommand %q: use eval, freeenergy, sidebyside, report, loglik, classify or complete\n", os.Args[1])
		os.Exit(2)
	}
	if err := cmd(os.Args[2:]); err != nil {
		if !errors.Is(err, errFail) {
			fmt.Fprintln(os.Stderr, "goeval:", err)
		}
		os.Exit(1)
	}
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, append(data, '\n'))
}

func evalCmd(args []string) error {
	fs := flag.NewFlagSet("goeval eval", flag.ExitOnError)
	data := fs.String("data", "", "folder with the MNIST .gz files")
	seed := fs.Uint64("seed", 1, "seed of the binarization and sampling source")
	params := fs.String("params", "", "folder with W.npy, v_bias.npy, h_bias.npy")
	out := fs.String("out", "", "JSON file to write")
	fs.Parse(args)
	if *data == "" || *params == "" || *out == "" {
		return errors.New("eval needs -data, -params and -out")
	}
	m, err := train.LoadParams(*params)
	if err != nil {
		return err
	}
	test, err := train.LoadSet(filepath.Join(*data, train.TestImages), filepath.Join(*data, train.TestLabels))
	if err != nil {
		return err
	}
	src := rand.New(rng.NewStream(*seed, rng.Compare))
	v := make([]float32, len(test.Images))
	train.Binarize(v, test.Images, src) // data.view(-1, 784).bernoulli()
	res := report.TestMetrics{Images: test.N}
	if res.ReconError, err = metrics.ReconstructionError(m, v, test.N, src); err != nil {
		return err
	}
	if res.FreeEnergy, err = metrics.MeanFreeEnergy(m, v, test.N); err != nil {
		return err
	}
	fmt.Printf("%s: test reconstruction error %.6f, mean free energy %.4f (%d images)\n", *params, res.ReconError, res.FreeEnergy, res.Images)
	return writeJSON(*out, res)
}

func freeEnergyCmd(args []string) error {
	fs := flag.NewFlagSet("goeval freeenergy", flag.ExitOnError)
	data := fs.String("data", "", "folder with the MNIST .gz files")
	images := fs.Int("images", 1000, "first N test images")
	out := fs.String("out", "", "JSON file to write")
	fs.Parse(args)
	if *data == "" || *out == "" || fs.NArg() == 0 || *images < 1 {
		return errors.New("freeenergy needs -data, -out, -images ≥ 1 and at least one parameter folder")
	}
	models, err := loadModels(fs.Args()) // every folder read before the data
	if err != nil {
		return err
	}
	test, err := train.LoadSet(filepath.Join(*data, train.TestImages), filepath.Join(*data, train.TestLabels))
	if err != nil {
		return err
	}
	test = test.Head(*images)
	if test.N < *images {
		return fmt.Errorf("the test set has %d images, fewer than -images %d", test.N, *images)
	}
	v := test.Intensities() // ToTensor's values, as reference.py reads them
	var f report.FreeEnergyFile
	f.Implementation = report.Go
	for _, pm := range models {
		dir := pm.dir
		mean, err := metrics.MeanFreeEnergy(pm.m, v, test.N)
		if err != nil {
			return err
		}
		fmt.Printf("%s: mean free energy of the first %d test images: %.9g\n", dir, test.N, mean)
		f.Results = append(f.Results, struct {
			Params     string  `json:"params"`
			Images     int     `json:"images"`
			FreeEnergy float64 `json:"free_energy"`
		}{dir, test.N, mean})
	}
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		return err
	}
	return writeJSON(*out, f)
}

func readPNG(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return img, nil
}

func sideBySideCmd(args []string) error {
	fs := flag.NewFlagSet("goeval sidebyside", flag.ExitOnError)
	pyDir := fs.String("python", "", "PyTorch job folder with RBM_out_generated.png")
	goDir := fs.String("go", "", "Go job folder with RBM_out_generated.png")
	seed := fs.Int("seed", 1, "the jobs' seed, for the titles")
	out := fs.String("out", "", "PNG file to write")
	fs.Parse(args)
	if *pyDir == "" || *goDir == "" || *out == "" {
		return errors.New("sidebyside needs -python, -go and -out")
	}
	var pics []image.Image
	for _, dir := range []string{*pyDir, *goDir} {
		img, err := readPNG(filepath.Join(dir, "RBM_out_generated.png"))
		if err != nil {
			return err
		}
		pics = append(pics, img)
	}
	fig, err := viz.Figure(pics, []string{
		fmt.Sprintf("PyTorch reconstructions (seed %d)", *seed),
		fmt.Sprintf("Go reconstructions (seed %d)", *seed),
	})
	if err != nil {
		return err
	}
	return viz.WritePNG(*out, fig)
}

func reportCmd(args []string) error {
	fs := flag.NewFlagSet("goeval report", flag.ExitOnError)
	var cfg report.Config
	dir := fs.String("dir", "", "output folder of the run")
	seeds := fs.String("seeds", "", "comma-separated seeds")
	fs.IntVar(&cfg.Epochs, "epochs", 2, "epochs of the run")
	fs.IntVar(&cfg.Limit, "limit", 0, "training images of the run (0: all)")
	fs.BoolVar(&cfg.Quick, "quick", false, "the run was in quick mode")
	fs.StringVar(&cfg.Data, "data", "", "the MNIST folder of the run")
	fs.IntVar(&cfg.CrossImages, "images", 1000, "test images of the cross-over")
	fs.Parse(args)
	if *dir == "" || *seeds == "" {
		return errors.New("report needs -dir and -seeds")
	}
	for _, s := range strings.Split(*seeds, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("-seeds %q: %w", *seeds, err)
		}
		cfg.Seeds = append(cfg.Seeds, n)
	}
	r, err := report.Build(*dir, cfg)
	if err != nil {
		return err
	}
	md := r.Markdown() // first: report.json cannot hold a NaN, report.md can
	if err := atomicfile.WriteFile(filepath.Join(*dir, "report.md"), []byte(md)); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(*dir, "report.json"), r); err != nil {
		return fmt.Errorf("report.json: %w", err)
	}
	fmt.Print(md)
	if !r.Pass {
		return errFail
	}
	return nil
}

// loglikCmd estimates, for saved parameters, what gorbm -seed S -ais prints
// and the last line of its -eval table (pseudo-log-likelihood and the
// other test metrics), through the command's own pipeline
// (evaluate), without training again. The training set's pixel
// marginals are all 60,000 images' (gorbm's without -limit).
func loglikCmd(args []string) error {
	fs := flag.NewFlagSet("goeval loglik", flag.ExitOnError)
	data := fs.String("data", "", "folder with the MNIST .gz files (default: GoMNIST's)")
	seed := fs.Uint64("seed", 1, "the run's -seed: its evaluation images and streams")
	betas := fs.Int("betas", 0, "AIS and RAISE inverse temperatures (0: the paper's 14,501)")
	chains := fs.Int("chains", metrics.DefaultChains, "chains of each AIS run")
	raise := fs.Int("raise-images", metrics.DefaultRAISEImages, "test images RAISE starts from")
	out := fs.String("out", "", "JSON file to write (optional)")
	fs.Parse(args)
	if fs.NArg() == 0 {
		return errors.New("loglik needs at least one parameter folder (W.npy, v_bias.npy, h_bias.npy)")
	}
	models, err := loadModels(fs.Args()) // every folder read before the data and the first estimate
	if err != nil {
		return err
	}
	trainSet, testSet, err := mnist(*data)
	if err != nil {
		return err
	}
	images, err := evaluate.NewData(*seed, testSet, trainSet)
	if err != nil {
		return err
	}
	// result is one folder's line in -out; a number that is not finite
	// (a −3σ of −Inf) is null.
	type result struct {
		Params      string   `json:"params"`
		TestLogProb *float64 `json:"test_log_prob"`
		LogZ        *float64 `json:"log_z"`
		LogZLow     *float64 `json:"log_z_minus_3sigma"`
		LogZHigh    *float64 `json:"log_z_plus_3sigma"`
		Chosen      string   `json:"chosen"`
		RAISE       *float64 `json:"raise"`
		RAISEStdErr *float64 `json:"raise_stderr"`
		RAISEImages int      `json:"raise_images"`
		PLL         *float64 `json:"pseudo_log_likelihood"`
		Warnings    []string `json:"warnings"`
		Seconds     float64  `json:"seconds"`
		LogZBound   float64  `json:"log_z_lower_bound"` // the best of the cheap bounds (evaluate.Bounds)
	}
	finite := evaluate.Finite
	var results []result
	for _, pm := range models {
		dir, m := pm.dir, pm.m
		start := time.Now()
		ll, err := images.LogLikelihood(context.Background(), m, evaluate.Options{Betas: *betas, Chains: *chains, RAISEImages: *raise})
		if err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
		rep, err := images.Metrics(m, nil)
		if err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
		ll.Seconds = time.Since(start).Seconds()
		r := result{Params: dir, TestLogProb: finite(ll.TestLogProb), LogZ: finite(ll.LogZ), LogZLow: ll.LogZLow, LogZHigh: finite(ll.LogZHigh),
			Chosen: ll.Chosen, RAISE: finite(ll.RAISE.LogProb), RAISEStdErr: finite(ll.RAISE.StdErr), RAISEImages: ll.RAISE.Images,
			PLL: finite(rep.PseudoLogLikelihood), Warnings: ll.Warnings, Seconds: ll.Seconds}
		low := math.Inf(-1)
		if ll.LogZLow != nil {
			low = *ll.LogZLow
		}
		fmt.Printf("%s: test log p %.2f (AIS, %s; log Z %.2f, −3σ %.2f, +3σ %.2f), RAISE %.2f ± %.2f on %d images, PLL %.2f, %d warnings, %.0f s\n",
			dir, ll.TestLogProb, ll.Chosen, ll.LogZ, low, ll.LogZHigh, ll.RAISE.LogProb, ll.RAISE.StdErr, ll.RAISE.Images, rep.PseudoLogLikelihood, len(ll.Warnings), r.Seconds)
		b := ll.Bounds
		images := "none"
		if b.Images != nil {
			images = fmt.Sprintf("%.2f", *b.Images)
		}
		fmt.Printf("  log Z at least: %.2f (every hidden unit off), %.2f (every visible unit off), %s (the terms of %d distinct test and training images)\n",
			b.HiddenOff, b.VisibleOff, images, b.DistinctImages)
		if ll.TestLogProbBound != nil {
			fmt.Printf("  so the average test log p is at most %.2f\n", *ll.TestLogProbBound)
		}
		for _, w := range ll.Warnings {
			fmt.Println("  warning:", w)
		}
		r.LogZBound = b.Best
		results = append(results, r)
	}
	if *out == "" {
		return nil
	}
	return writeJSON(*out, results)
}
