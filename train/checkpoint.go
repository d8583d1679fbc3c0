package train

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"gorgonia.org/tensor"

	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/internal/atomicfile"
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
// the subfolder of the last complete checkpoint, and that subfolder holds
// StateFile, the parameters as SaveParams writes them and, if the run has
// them, the persistent chain and the last batch with its reconstruction.
const (
	Latest     = "latest"
	StateFile  = "state.json"
	fileChain  = "chain.npy"
	fileLastV  = "last_data.npy"
	fileLastV1 = "last_recon.npy"
)

// subfolder matches the names of checkpoint subfolders, made by
// os.MkdirTemp; SaveCheckpoint removes only folders with such names.
var subfolder = regexp.MustCompile(`^epoch[0-9]+-batch[0-9]+-[0-9]+$`)

// stateVersion changes when the checkpoint layout does.
const stateVersion = 1

// maxStateBytes bounds what LoadCheckpoint reads of a state file: a run of
// a million epochs has a state of about 30 MB.
const maxStateBytes = 64 << 20

// ErrNoCheckpoint reports a checkpoint folder without a complete checkpoint.
var ErrNoCheckpoint = errors.New("no checkpoint")

// Checkpoint is what a run needs to continue: where it stands (Result,
// without the parameters, which live in Model), the random streams' state
// and the settings it was made with, which the caller compares with its own
// before continuing.
type Checkpoint struct {
	Model    *graph.Model
	Result   *Result
	Random   []byte            // Sources.MarshalBinary
	Settings map[string]string // the run's settings, for the caller to compare
}

// state is StateFile's content.
type state struct {
	Version  int               `json:"version"`
	Epochs   int               `json:"epochs_done"`
	Batches  int               `json:"batches_done_in_next_epoch"`
	Sum      float64           `json:"loss_sum_in_next_epoch"`
	Losses   []float64         `json:"losses"`
	LastRows int               `json:"last_rows"`
	Random   []byte            `json:"random_state"`
	Settings map[string]string `json:"settings"`
}

// SaveCheckpoint writes a checkpoint of m, res and src into dir (made if
// needed), so that LoadCheckpoint sees either the previous checkpoint or
// the whole new one, whenever the program stops: it fills a new subfolder,
// then replaces the file Latest (atomically) with that subfolder's name,
// then removes older subfolders. settings are stored for the caller.
func SaveCheckpoint(dir string, m *graph.Model, res *Result, src Sources, settings map[string]string) error {
	if err := m.CheckFinite(); err != nil {
		return fmt.Errorf("not saving a checkpoint: %w: %w", ErrDiverged, err)
	}
	random, err := src.MarshalBinary()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot create checkpoint folder: %w (choose another with -checkpoint)", err)
	}
	sub, err := os.MkdirTemp(dir, fmt.Sprintf("epoch%d-batch%d-", len(res.Losses), res.Batches))
	if err != nil {
		return fmt.Errorf("cannot write a checkpoint: %w (choose another folder with -checkpoint)", err)
	}
	if err := writeCheckpoint(sub, m, res, random, settings); err != nil {
		os.RemoveAll(sub)
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, Latest), []byte(filepath.Base(sub)+"\n")); err != nil {
		os.RemoveAll(sub)
		return err
	}
	// The new checkpoint is in place; older ones and leftovers of
	// interrupted saves can go. A failure here costs only disk space.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.IsDir() && e.Name() != filepath.Base(sub) && subfolder.MatchString(e.Name()) {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
	return nil
}

func writeCheckpoint(sub string, m *graph.Model, res *Result, random []byte, settings map[string]string) error {
	if err := SaveParams(sub, m); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		data []float32
	}{{fileChain, res.Chain}, {fileLastV, res.LastData}, {fileLastV1, res.LastRecon}} {
		if len(f.data) == 0 {
			continue
		}
		t := tensor.New(tensor.WithShape(len(f.data)/Pixels, Pixels), tensor.WithBacking(f.data))
		if err := WriteNpy(filepath.Join(sub, f.name), t); err != nil {
			return err
		}
	}
	b, err := json.MarshalIndent(state{
		Version: stateVersion, Epochs: len(res.Losses), Batches: res.Batches, Sum: res.Sum,
		Losses: res.Losses, LastRows: res.LastRows, Random: random, Settings: settings,
	}, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the checkpoint state: %w", err)
	}
	return atomicfile.WriteFile(filepath.Join(sub, StateFile), b)
}

// LoadCheckpoint reads the checkpoint SaveCheckpoint last completed in dir;
// the model gets learning rate lr. A folder without one gives an error
// wrapping ErrNoCheckpoint; a damaged one, an error naming the file.
func LoadCheckpoint(dir string, lr float64) (*Checkpoint, error) {
	name, err := os.ReadFile(filepath.Join(dir, Latest))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w (no %q file): run without -resume to start afresh", dir, ErrNoCheckpoint, Latest)
	}
	if err != nil {
		return nil, fmt.Errorf("reading checkpoint: %w", err)
	}
	base := strings.TrimSpace(string(name))
	if base == "" || base != filepath.Base(base) || base == "." || base == ".." {
		return nil, fmt.Errorf("%s: %q does not name a checkpoint subfolder: the checkpoint is damaged, run without -resume", filepath.Join(dir, Latest), base)
	}
	sub := filepath.Join(dir, base)
	damaged := func(err error) error {
		return fmt.Errorf("checkpoint %s: %w (damaged: run without -resume to start afresh)", sub, err)
	}
	f, err := os.Open(filepath.Join(sub, StateFile))
	if err != nil {
		return nil, damaged(err)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxStateBytes+1))
	f.Close()
	if err != nil {
		return nil, damaged(err)
	}
	if len(b) > maxStateBytes {
		return nil, damaged(fmt.Errorf("%s is larger than %d bytes", StateFile, maxStateBytes))
	}
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, damaged(fmt.Errorf("%s: %w", StateFile, err))
	}
	switch {
	case st.Version != stateVersion:
		return nil, damaged(fmt.Errorf("%s has version %d, this program reads %d", StateFile, st.Version, stateVersion))
	case st.Epochs != len(st.Losses) || st.Batches < 0 || st.LastRows < 0:
		return nil, damaged(fmt.Errorf("%s: %d epochs done but %d losses, or negative counts", StateFile, st.Epochs, len(st.Losses)))
	}
	m, err := LoadParams(sub, lr)
	if err != nil {
		return nil, damaged(err)
	}
	if m.Visible() != Pixels {
		return nil, damaged(fmt.Errorf("a model of %d visible units, MNIST needs %d", m.Visible(), Pixels))
	}
	res := &Result{Losses: st.Losses, Batches: st.Batches, Sum: st.Sum, LastRows: st.LastRows}
	if res.Losses == nil {
		res.Losses = []float64{}
	}
	for _, f := range []struct {
		name string
		dst  *[]float32
	}{{fileChain, &res.Chain}, {fileLastV, &res.LastData}, {fileLastV1, &res.LastRecon}} {
		data, err := os.ReadFile(filepath.Join(sub, f.name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, damaged(err)
		}
		t, err := ReadNpy(data)
		if err != nil {
			return nil, damaged(fmt.Errorf("%s: %w", f.name, err))
		}
		if t.Dims() != 2 || t.Shape()[1] != Pixels {
			return nil, damaged(fmt.Errorf("%s has shape %v, want (rows, %d)", f.name, t.Shape(), Pixels))
		}
		*f.dst = t.Data().([]float32)
	}
	if len(res.LastData) != res.LastRows*Pixels || len(res.LastRecon) != len(res.LastData) {
		return nil, damaged(fmt.Errorf("last batch of %d rows, but %d and %d values saved", res.LastRows, len(res.LastData)/Pixels, len(res.LastRecon)/Pixels))
	}
	if err := (Sources{pcg: make([]*rand.PCG, 3)}).check(st.Random); err != nil {
		return nil, damaged(err)
	}
	return &Checkpoint{Model: m, Result: res, Random: st.Random, Settings: st.Settings}, nil
}

// check reports whether data is a state UnmarshalBinary accepts.
func (s Sources) check(data []byte) error {
	for i := range s.pcg {
		s.pcg[i] = new(rand.PCG)
	}
	return s.UnmarshalBinary(data)
}
