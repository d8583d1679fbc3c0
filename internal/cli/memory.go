package cli

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"math/bits"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	"gorbm.dev/gorbm/complete"
	"gorbm.dev/gorbm/metrics"
	"gorbm.dev/gorbm/train"
)

// The sizes of the MNIST files, for the memory estimate before they are
// read; after reading, the estimate is made again with the files' own.
const (
	mnistTrainImages = 60000
	mnistTestImages  = 10000
)

// unknownMemory is the memory assumed where the system does not say.
const unknownMemory = 1 << 40

// need are the sizes a run's memory depends on.
type need struct {
	trainFile                        int  // images in the training file, all of which are read (0: not read)
	images                           int  // training images used (-limit)
	test                             int  // test images (0: not read)
	hidden                           int  // hidden units (from -load's W.npy when given)
	training                         bool // the run trains (not -epochs 0)
	batch, k                         int
	pcd                              bool
	chains                           int  // persistent chains of their own (0: one per image of the batch)
	evalData                         bool // the evaluation images are made (-eval, -ais, -sample-from test)
	ais                              bool
	aisChains, raiseImages, aisBetas int
	sampleChains, sampleFrames       int
	classify                         bool // the classifier on raw pixels and p(h|v) of the images and the test set
	completeImages                   int  // test images completed (0: no -complete)
}

// cost is a part of a run's memory and the flags that set it.
type cost struct {
	flags string
	bytes uint64
}

// costs estimates, from above, the bytes a run allocates, part by part.
// The factors are the buffers each part holds (counted in the code, then
// checked against the peak resident memory of runs at a few sizes): the
// fast graph, the sampler and the prefetched draws keep about 12 + 2k
// float32 values per batch row and unit, data and negative rows alike, the
// model about six copies of W. Every product saturates instead of
// overflowing.
func (n need) costs() []cost {
	v, h := uint64(train.Pixels), u(n.hidden)
	vh := v + h
	costs := []cost{
		{"the training data", mul(u(n.trainFile), v+1)},
		{fmt.Sprintf("-hidden %d", n.hidden), mul(24, h, v)},
	}
	if n.training {
		rows := u(min(n.batch, n.images))
		neg, flags := rows, fmt.Sprintf("-batch %d with -k %d", n.batch, n.k)
		if n.chains > 0 {
			neg, flags = u(n.chains), fmt.Sprintf("-batch %d and -chains %d with -k %d", n.batch, n.chains, n.k)
		}
		rowsNeg := add(rows, neg)
		costs = append(costs, cost{flags, add(mul(4, rowsNeg, vh, add(6, u(n.k))), mul(4000, rowsNeg))}) // + the pictures of the last batch
		if n.pcd {
			costs = append(costs, cost{"-pcd (the persistent chains)", mul(4, neg, v)})
		}
	}
	if n.evalData {
		costs = append(costs, cost{"the test set (-eval, -ais or -sample-from test)",
			add(mul(u(n.test), 5, v), mul(4, u(min(train.EvalTrainImages, n.images)), v), mul(16*1024, vh))})
	}
	if n.ais {
		betas := n.aisBetas
		if betas == 0 {
			betas = len(metrics.PaperSchedule())
		}
		// metrics' annealer: 4·(4v+7h) bytes per chain (states and
		// uniforms), at most 16 MB of uniforms in blocks, three copies of
		// W; AIS's chains or RAISE's images, whichever are more.
		m := u(max(n.aisChains, n.raiseImages))
		costs = append(costs, cost{fmt.Sprintf("-ais-chains %d (or -raise-images %d) with -ais-betas %d", n.aisChains, n.raiseImages, betas),
			add(mul(4, m, add(mul(4, v), mul(7, h))), 16<<20, mul(12, v, h), mul(16, u(betas)), mul(24, m))})
	}
	if n.classify {
		// evaluate.Classify: the training and test rows of raw pixels,
		// then of p(h|v) (the one after the other, counted together), a
		// chunk of each, and the classifier's graph, gradients and Adam's
		// moments, a few copies of its weights and of a batch's rows.
		rows := add(u(n.images), u(n.test))
		values := add(v, h)
		costs = append(costs, cost{fmt.Sprintf("-classify (the classifier's inputs: %d images' pixels and p(h|v) of -hidden %d)", n.images+n.test, n.hidden),
			add(mul(4, rows, values), mul(4, 2000, values), mul(4*8, values, 10), mul(4*8, 100, add(values, 10)))})
	}
	if n.completeImages > 0 {
		// evaluate.Complete: the sample and mean of the model's and the
		// base-rate model's completions, a chunk's copies and sampler
		// buffers (complete.ChunkRows rows), the picture.
		chunk := u(min(n.completeImages, complete.ChunkRows))
		costs = append(costs, cost{fmt.Sprintf("-complete-images %d", n.completeImages),
			add(mul(16, u(n.completeImages), v), mul(8, chunk, v), mul(16, chunk, vh), 1<<20)})
	}
	frames, chains := u(n.sampleFrames), u(n.sampleChains)
	costs = append(costs, cost{fmt.Sprintf("-sample-chains %d with %d snapshots (-sample-steps/-sample-every)", n.sampleChains, n.sampleFrames),
		add(mul(4, frames, chains, v), mul(8, add(mul(30, chains), 2), add(mul(30, frames), 2)))}) // the frames and their picture
	return costs
}

// total is the sum of the costs.
func (n need) total() uint64 {
	var t uint64
	for _, c := range n.costs() {
		t = add(t, c.bytes)
	}
	return t
}

// check refuses a run whose estimated memory exceeds limit, naming the
// estimate, the limit and the flags of the largest part.
func (n need) check(limit MemoryLimit) error {
	var largest cost
	for _, c := range n.costs() {
		if c.bytes > largest.bytes {
			largest = c
		}
	}
	if total := n.total(); total > limit.Bytes {
		return fmt.Errorf("the run would allocate about %s, more than the %s of memory available (%s); most of it for %s (%s): make that smaller",
			bytesString(total), bytesString(limit.Bytes), limit.Source, largest.flags, bytesString(largest.bytes))
	}
	return nil
}

// MemoryLimit is the memory a run may use and where that number comes from.
type MemoryLimit struct {
	Bytes  uint64
	Source string // "MemAvailable", "the cgroup's limit", "GOMEMLIMIT", …
}

// AvailableMemory returns the memory available to the process: the least
// of the system's available memory, the cgroup's room and GOMEMLIMIT.
func AvailableMemory() MemoryLimit {
	l := MemoryLimit{unknownMemory, "not known here: assumed"}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		s := bufio.NewScanner(bytes.NewReader(b))
		for s.Scan() {
			if f := strings.Fields(s.Text()); len(f) == 3 && f[0] == "MemAvailable:" && f[2] == "kB" {
				if kb, err := strconv.ParseUint(f[1], 10, 64); err == nil {
					l = MemoryLimit{mul(kb, 1024), "MemAvailable"}
				}
			}
		}
	}
	for _, f := range [][2]string{
		{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"},                                 // cgroup v2
		{"/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"}, // v1
	} {
		max, err1 := readUint(f[0])
		used, err2 := readUint(f[1])
		if err1 == nil && err2 == nil && max > used && max-used < l.Bytes {
			l = MemoryLimit{max - used, "the cgroup's limit"}
		}
	}
	if g := debug.SetMemoryLimit(-1); g > 0 && g < math.MaxInt64 && uint64(g) < l.Bytes {
		l = MemoryLimit{uint64(g), "GOMEMLIMIT"}
	}
	return l
}

// readUint reads a file holding one number, such as a cgroup limit.
func readUint(path string) (uint64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
}

// mul is the product of its factors, saturating at the largest uint64
// instead of overflowing.
func mul(factors ...uint64) uint64 {
	p := uint64(1)
	for _, f := range factors {
		hi, lo := bits.Mul64(p, f)
		if hi != 0 {
			return math.MaxUint64
		}
		p = lo
	}
	return p
}

// u converts a count to uint64, negative counts to 0.
func u(x int) uint64 { return uint64(max(x, 0)) }

// add is the sum of terms, saturating at the largest uint64.
func add(terms ...uint64) uint64 {
	var s uint64
	for _, t := range terms {
		var carry uint64
		if s, carry = bits.Add64(s, t, 0); carry != 0 {
			return math.MaxUint64
		}
	}
	return s
}

// bytesString writes a byte count in the largest unit that keeps it ≥ 1.
func bytesString(b uint64) string {
	if b == math.MaxUint64 {
		return "more than 16 EB"
	}
	units := []string{"B", "kB", "MB", "GB", "TB", "PB", "EB"}
	x, i := float64(b), 0
	for x >= 1000 && i < len(units)-1 {
		x /= 1000
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d B", b)
	}
	return fmt.Sprintf("%.1f %s", x, units[i])
}
