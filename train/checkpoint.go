package train

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"gorgonia.org/tensor"

	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/internal/atomicfile"
	"gorbm.dev/gorbm/internal/readfile"
)

// MarshalBinary returns the state of the three streams. It works only for
// Sources made by NewSources (whose generators it can see).
func (s Sources) MarshalBinary() ([]byte, error) {
	if len(s.pcg) != 3 {
		return nil, errors.New("train: the random sources were not made by NewSources; their state cannot be saved")
	}
	var out []byte
	for _, p := range s.pcg {
		b, err := p.MarshalBinary()
		if err != nil {
			return nil, fmt.Errorf("train: random state: %w", err)
		}
		out = append(out, b...)
	}
	return out, nil
}

// UnmarshalBinary restores the state MarshalBinary returned into the
// generators of s, which must have been made by NewSources; the streams
// then continue where the saved ones stood.
func (s Sources) UnmarshalBinary(data []byte) error {
	if len(s.pcg) != 3 {
		return errors.New("train: the random sources were not made by NewSources; their state cannot be restored")
	}
	if len(data)%3 != 0 {
		return fmt.Errorf("train: random state of %d bytes is not three generators' states", len(data))
	}
	n := len(data) / 3
	for i, p := range s.pcg {
		if err := p.UnmarshalBinary(data[i*n : (i+1)*n]); err != nil {
			return fmt.Errorf("train: random state of stream %d: %w", i, err)
		}
	}
	return nil
}

// Checkpoint file names. A checkpoint folder holds the file Latest, naming
// the subfolder of the last complete checkpoint and the SHA-256 of its
// StateFile, and that subfolder holds StateFile (with the SHA-256 of every
// other file), the parameters as SaveParams writes them, the last batch
// with its reconstruction and, with PCD, the persistent chain: every file
// is covered by a checksum.
const (
	Latest     = "latest"
	StateFile  = "state.json"
	fileChain  = "chain.npy"
	fileLastV  = "last_data.npy"
	fileLastV1 = "last_recon.npy"
)

// subfolder matches the names of checkpoint subfolders, made by
// os.MkdirTemp; only folders with such names are read or removed.
var subfolder = regexp.MustCompile(`^epoch[0-9]{1,9}-batch[0-9]{1,9}-[0-9]{1,20}$`)

// stateVersion changes when the checkpoint layout does. Version 2 added the
// run's shape, the files' checksums and the caller's history; version 3
// the state's own checksum, in Latest.
const stateVersion = 3

// maxStateBytes bounds what LoadCheckpoint reads of a state file: a run of
// 100,000 epochs with a history record per epoch has a state of about 25 MB.
const maxStateBytes = 64 << 20

// maxLatestBytes bounds what LoadCheckpoint reads of the file Latest.
const maxLatestBytes = 256

var (
	// ErrNoCheckpoint reports a checkpoint folder without a checkpoint.
	ErrNoCheckpoint = errors.New("no checkpoint")
	// ErrDamaged reports a checkpoint that cannot be continued: a file
	// missing, unreadable, changed since it was written, or inconsistent
	// with the rest, or written by another version of this package.
	ErrDamaged = errors.New("damaged")
)

// Run is what a checkpoint's arrays and counters must fit: the model's
// hidden units, the images per epoch and the loop's settings that shape
// its state.
type Run struct {
	Hidden     int  `json:"hidden"` // W is Hidden×Pixels
	Images     int  `json:"images"` // training images per epoch
	BatchSize  int  `json:"batch"`
	K          int  `json:"k"`
	Persistent bool `json:"pcd"`

	// The training state beyond the parameters (state.go): persistent
	// chains of their own, a centered model's offsets, momentum velocities.
	Chains   int  `json:"chains,omitempty"`
	Centered bool `json:"centered,omitempty"`
	Momentum bool `json:"momentum,omitempty"`
}

// Run returns the Run of training a model of hidden units on images
// images with c.
func (c Config) Run(hidden, images int) Run {
	return Run{Hidden: hidden, Images: images, BatchSize: c.BatchSize, K: c.K, Persistent: c.Persistent,
		Chains: c.Chains, Centered: c.Centered, Momentum: c.Momentum.Set()}
}

// Batches is the number of batches in an epoch, the last one shorter
// when the batch size does not divide the images.
func (r Run) Batches() int { return (r.Images-1)/r.BatchSize + 1 }

// check reports the first setting out of range.
func (r Run) check() error {
	switch {
	case r.Hidden < 1 || r.Hidden > math.MaxInt32/Pixels:
		return fmt.Errorf("%d hidden units", r.Hidden)
	case r.Images < 1 || r.Images > MaxImages:
		return fmt.Errorf("%d images", r.Images)
	case r.BatchSize < 1 || r.BatchSize > MaxImages:
		return fmt.Errorf("batches of %d", r.BatchSize)
	case r.K < 1:
		return fmt.Errorf("%d Gibbs steps", r.K)
	case r.Chains < 0 || r.Chains > MaxImages || r.Chains > 0 && !r.Persistent:
		return fmt.Errorf("%d persistent chains (pcd %v)", r.Chains, r.Persistent)
	}
	return nil
}

// Checkpoint is what a run needs to continue: where it stands (Result,
// without the parameters, which live in Model), the Run it belongs to, the
// random streams' state (see Restore) and what the caller stored with it:
// its settings, which it compares with its own before continuing, and a
// history (any JSON value), such as the metrics of the epochs done.
type Checkpoint struct {
	Model    *graph.Model
	Result   *Result
	Run      Run
	Settings map[string]string
	History  json.RawMessage

	random []byte // Sources.MarshalBinary
	id     string // Latest's content
}

// ID returns the checkpoint's identity, as its folder's Latest names it:
// its subfolder and the checksum of its state (see CheckpointID).
func (ck *Checkpoint) ID() string { return ck.id }

// Restore sets src's streams to the state saved with the checkpoint; src
// must have been made by NewSources.
func (ck *Checkpoint) Restore(src Sources) error { return src.UnmarshalBinary(ck.random) }

// state is StateFile's content.
type state struct {
	Version  int               `json:"version"`
	Run      Run               `json:"run"`
	Epochs   int               `json:"epochs_done"`
	Batches  int               `json:"batches_done_in_next_epoch"`
	Sum      float64           `json:"loss_sum_in_next_epoch"`
	Losses   []float64         `json:"losses"`
	Curve    []float64         `json:"loss_curve"` // Result.Curve, CurveSum and CurveN
	CurveSum float64           `json:"loss_curve_sum_in_part"`
	CurveN   int               `json:"loss_curve_batches_in_part"`
	LastRows int               `json:"last_rows"`
	Random   []byte            `json:"random_state"`
	Files    map[string]string `json:"sha256"` // of each file of the subfolder but this one
	Settings map[string]string `json:"settings"`
	History  json.RawMessage   `json:"history,omitempty"`
}

// SaveCheckpoint writes a checkpoint of ck's model and result, run, settings
// and history, with src's state, into dir (made if needed), so that
// LoadCheckpoint sees either the previous checkpoint or the whole new one,
// whenever the program or the machine stops: it fills a new subfolder (each
// file synced), then replaces the file Latest (atomically) with that
// subfolder's name, then removes older subfolders and temporary files left
// by interrupted saves. Only ck.Run's settings are taken from ck.Run: its
// Hidden is the model's. A checkpoint that LoadCheckpoint would refuse is
// not written: non-finite parameters give an error wrapping ErrDiverged.
func SaveCheckpoint(dir string, ck Checkpoint, src Sources) error {
	m, res := ck.Model, ck.Result
	if err := m.CheckFinite(); err != nil {
		return fmt.Errorf("not saving a checkpoint: %w: %w", ErrDiverged, err)
	}
	random, err := src.MarshalBinary()
	if err != nil {
		return err
	}
	ck.Run.Hidden = m.Hidden()
	st := &state{
		Version: stateVersion, Run: ck.Run, Epochs: len(res.Losses), Batches: res.Batches, Sum: res.Sum,
		Losses: res.Losses, Curve: res.Curve, CurveSum: res.CurveSum, CurveN: res.CurveN,
		LastRows: res.LastRows, Random: random, Files: map[string]string{},
		Settings: ck.Settings, History: ck.History,
	}
	if st.Losses == nil {
		st.Losses = []float64{}
	}
	if st.Curve == nil {
		st.Curve = []float64{}
	}
	if err := st.check(); err != nil {
		return fmt.Errorf("train: not saving an inconsistent checkpoint: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot create checkpoint folder: %w", err)
	}
	sub, err := os.MkdirTemp(dir, fmt.Sprintf("epoch%d-batch%d-", len(res.Losses), res.Batches))
	if err != nil {
		return fmt.Errorf("cannot write a checkpoint: %w", err)
	}
	sum, err := writeCheckpoint(sub, m, res, st)
	if err != nil {
		os.RemoveAll(sub)
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, Latest), []byte(filepath.Base(sub)+" "+sum+"\n")); err != nil {
		os.RemoveAll(sub)
		return err
	}
	RemoveStale(dir) // a failure here costs only disk space
	return nil
}

// RemoveStale removes from the checkpoint folder dir what interrupted saves
// left: subfolders that Latest does not name and temporary files of Latest.
// It removes nothing unless Latest names a subfolder whose state has the
// checksum Latest gives, so a folder whose Latest is lost or damaged keeps
// its data for a person to look at (the error wraps ErrNoCheckpoint or
// ErrDamaged). Only the program that writes to dir may call it.
func RemoveStale(dir string) error {
	keep, sum, err := readLatest(dir)
	if err != nil {
		return err
	}
	if _, err := readState(dir, keep, sum); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range entries {
		name := e.Name()
		switch {
		case e.IsDir() && name != keep && subfolder.MatchString(name),
			!e.IsDir() && strings.HasPrefix(name, atomicfile.TempPrefix(Latest)):
			errs = append(errs, os.RemoveAll(filepath.Join(dir, name)))
		}
	}
	return errors.Join(errs...)
}

// writeCheckpoint writes the files of a checkpoint into sub, StateFile
// last, and returns StateFile's SHA-256.
func writeCheckpoint(sub string, m *graph.Model, res *Result, st *state) (string, error) {
	files := ParamFiles(m)
	for _, f := range []struct {
		name string
		data []float32
	}{{fileChain, res.Chain}, {fileLastV, res.LastData}, {fileLastV1, res.LastRecon}} {
		if len(f.data) > 0 {
			files = append(files, NpyFile{f.name, npyWriter(f.data, len(f.data)/Pixels, Pixels)})
		}
	}
	files = append(files, trainingFiles(res, m.Hidden())...) // offsets, velocities (state.go)
	for _, f := range files {
		h := sha256.New()
		if err := atomicfile.Write(filepath.Join(sub, f.Name), func(w io.Writer) error {
			return f.Write(io.MultiWriter(w, h))
		}); err != nil {
			return "", err
		}
		st.Files[f.Name] = hex.EncodeToString(h.Sum(nil))
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return "", fmt.Errorf("encoding the checkpoint state: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), atomicfile.WriteFile(filepath.Join(sub, StateFile), b)
}

// checksumHex matches a SHA-256 in hexadecimal.
var checksumHex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// readLatest returns the subfolder the file Latest in dir names and the
// checksum of its state.
func readLatest(dir string) (name, sum string, err error) {
	path := filepath.Join(dir, Latest)
	b, err := readfile.ReadFile(path, maxLatestBytes)
	if errors.Is(err, os.ErrNotExist) {
		return "", "", fmt.Errorf("%s: %w (no %q file)", dir, ErrNoCheckpoint, Latest)
	}
	if err != nil {
		return "", "", fmt.Errorf("%s: %w: %w", path, ErrDamaged, err)
	}
	line, ok := strings.CutSuffix(string(b), "\n")
	name, sum, _ = strings.Cut(line, " ")
	switch {
	case !ok || !subfolder.MatchString(name):
		return "", "", fmt.Errorf("%s: %w: %q does not name a checkpoint subfolder", path, ErrDamaged, line)
	case sum == "":
		return "", "", fmt.Errorf("%s: %w: it gives no checksum of %s (written by an earlier version: checkpoints of other versions cannot be continued)", path, ErrDamaged, StateFile)
	case !checksumHex.MatchString(sum):
		return "", "", fmt.Errorf("%s: %w: %q is not the SHA-256 of a %s", path, ErrDamaged, sum, StateFile)
	}
	return name, sum, nil
}

// readState returns the StateFile of subfolder sub of dir, which must have
// the SHA-256 sum.
func readState(dir, sub, sum string) ([]byte, error) {
	path := filepath.Join(dir, sub, StateFile)
	b, err := readfile.ReadFile(path, maxStateBytes)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w: %w", filepath.Join(dir, sub), ErrDamaged, err)
	}
	if got := sha256.Sum256(b); hex.EncodeToString(got[:]) != sum {
		return nil, fmt.Errorf("checkpoint %s: %w: %s has changed since it was written (its checksum differs from the one %s gives)", filepath.Join(dir, sub), ErrDamaged, StateFile, Latest)
	}
	return b, nil
}

// CheckpointID returns the identity of the checkpoint in dir as its Latest
// gives it, without reading the checkpoint: two calls that return the same
// ID saw the same checkpoint. A folder without one gives an error wrapping
// ErrNoCheckpoint, a Latest that names none one wrapping ErrDamaged.
func CheckpointID(dir string) (string, error) {
	name, sum, err := readLatest(dir)
	if err != nil {
		return "", err
	}
	return name + " " + sum, nil
}

// LoadCheckpoint reads the checkpoint SaveCheckpoint last completed in dir:
// the model's parameters and where the run stands. A folder without one
// gives an error wrapping ErrNoCheckpoint. Everything is checked before it is returned:
// each file against the checksum saved with it, every array's shape
// against the Run, the counters against the Run's batches per epoch, the
// losses and the parameters for finite values, the random state; a
// checkpoint that fails gives an error wrapping ErrDamaged that names what
// is wrong, never a panic.
func LoadCheckpoint(dir string) (*Checkpoint, error) {
	base, sum, err := readLatest(dir)
	if err != nil {
		return nil, err
	}
	sub := filepath.Join(dir, base)
	damaged := func(err error) error {
		return fmt.Errorf("checkpoint %s: %w: %w", sub, ErrDamaged, err)
	}
	b, err := readState(dir, base, sum)
	if err != nil {
		return nil, err
	}
	var version struct{ Version int }
	if err := json.Unmarshal(b, &version); err != nil {
		return nil, damaged(fmt.Errorf("%s: %w", StateFile, err))
	}
	if version.Version != stateVersion {
		return nil, damaged(fmt.Errorf("%s has version %d, this program reads version %d (checkpoints of other versions cannot be continued)", StateFile, version.Version, stateVersion))
	}
	var st state
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return nil, damaged(fmt.Errorf("%s: %w", StateFile, err))
	}
	if err := st.check(); err != nil {
		return nil, damaged(fmt.Errorf("%s: %w", StateFile, err))
	}

	// The files: exactly those the run has, each as it was written.
	want := st.arrays()
	if len(st.Files) != len(want) {
		for name := range st.Files {
			if !slices.ContainsFunc(want, func(a array) bool { return a.name == name }) {
				return nil, damaged(fmt.Errorf("%s lists a file %q that the run does not have", StateFile, name))
			}
		}
	}
	arrays := map[string]*tensor.Dense{}
	for _, a := range want {
		name, shape := a.name, a.shape
		sum, ok := st.Files[name]
		if !ok {
			return nil, damaged(fmt.Errorf("%s lists no %s", StateFile, name))
		}
		data, err := readfile.ReadFile(filepath.Join(sub, name), maxNpyBytes)
		if err != nil {
			return nil, damaged(err)
		}
		if got := sha256.Sum256(data); hex.EncodeToString(got[:]) != sum {
			return nil, damaged(fmt.Errorf("%s has changed since it was written (its checksum differs)", name))
		}
		if arrays[name], err = ReadNpy(data); err != nil {
			return nil, damaged(fmt.Errorf("%s: %w", name, err))
		}
		if !arrays[name].Shape().Eq(shape) {
			return nil, damaged(fmt.Errorf("%s has shape %v, the run needs %v", name, arrays[name].Shape(), shape))
		}
	}
	values := func(name string) []float32 { return arrays[name].Data().([]float32) }
	for _, name := range []string{fileChain, fileLastV, fileLastV1} {
		if arrays[name] == nil {
			continue
		}
		for i, x := range values(name) {
			if x != 0 && x != 1 {
				return nil, damaged(fmt.Errorf("%s holds %v at %d, not a binary state", name, x, i))
			}
		}
	}
	m, err := modelFrom(sub, arrays[FileW], arrays[FileVBias], arrays[FileHBias])
	if err != nil {
		return nil, damaged(err)
	}
	res := &Result{Losses: st.Losses, Batches: st.Batches, Sum: st.Sum, LastRows: st.LastRows,
		Curve: st.Curve, CurveSum: st.CurveSum, CurveN: st.CurveN,
		LastData: values(fileLastV), LastRecon: values(fileLastV1)}
	if arrays[fileChain] != nil {
		res.Chain = values(fileChain)
	}
	if err := setTrainingState(res, arrays); err != nil { // offsets, velocities (state.go)
		return nil, damaged(err)
	}
	return &Checkpoint{Model: m, Result: res, Run: st.Run, Settings: st.Settings, History: st.History, random: st.Random, id: base + " " + sum}, nil
}

// check reports the first field of st out of range for its Run.
func (st *state) check() error {
	r := st.Run
	if err := r.check(); err != nil {
		return fmt.Errorf("the run has %w", err)
	}
	nb := r.Batches()
	switch {
	case st.Epochs != len(st.Losses):
		return fmt.Errorf("%d epochs done but %d losses", st.Epochs, len(st.Losses))
	case st.Batches < 0 || st.Batches >= nb:
		return fmt.Errorf("%d batches done in the next epoch, which has %d", st.Batches, nb)
	case st.Epochs == 0 && st.Batches == 0:
		return errors.New("nothing trained")
	case st.LastRows != st.lastRows():
		return fmt.Errorf("a last batch of %d rows, the run's is %d", st.LastRows, st.lastRows())
	case math.IsNaN(st.Sum) || math.Abs(st.Sum) > float64(st.Batches)*DivergedLoss:
		return fmt.Errorf("a loss sum of %v over %d batches (each at most %v)", st.Sum, st.Batches, DivergedLoss)
	}
	for i, l := range st.Losses {
		if !(math.Abs(l) <= DivergedLoss) {
			return fmt.Errorf("epoch %d's loss is %v", i, l)
		}
	}
	if err := st.checkCurve(nb); err != nil { // state.go
		return err
	}
	if err := (Sources{pcg: make([]*rand.PCG, 3)}).check(st.Random); err != nil {
		return err
	}
	return nil
}

// lastRows is the number of rows of the last batch trained: a whole batch
// in an epoch stopped part-way, else the epoch's last batch.
func (st *state) lastRows() int {
	r := st.Run
	if st.Batches > 0 {
		return r.BatchSize
	}
	return r.Images - (r.Batches()-1)*r.BatchSize
}

// array is an .npy file of a checkpoint and its shape.
type array struct {
	name  string
	shape tensor.Shape
}

// arrays returns the .npy files of st's checkpoint, in the order they are
// checked.
func (st *state) arrays() []array {
	r := st.Run
	chains, negative := min(r.BatchSize, r.Images), st.LastRows
	if r.Chains > 0 { // chains of their own are the last batch's negative samples
		chains, negative = r.Chains, r.Chains
	}
	a := []array{
		{FileW, tensor.Shape{r.Hidden, Pixels}}, {FileVBias, tensor.Shape{Pixels}}, {FileHBias, tensor.Shape{r.Hidden}},
		{fileLastV, tensor.Shape{st.LastRows, Pixels}}, {fileLastV1, tensor.Shape{negative, Pixels}},
	}
	if r.Persistent {
		a = append(a, array{fileChain, tensor.Shape{chains, Pixels}})
	}
	return append(a, trainingArrays(r)...)
}

// check reports whether data is a state UnmarshalBinary accepts.
func (s Sources) check(data []byte) error {
	for i := range s.pcg {
		s.pcg[i] = new(rand.PCG)
	}
	return s.UnmarshalBinary(data)
}
