package main

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

	"gorbm.dev/gorbm/metrics"
	"gorbm.dev/gorbm/train"
)

// maxHidden is the most hidden units graph.New accepts for MNIST's 784
// visible units: 2^31 weights.
const maxHidden = math.MaxInt32 / train.Pixels

// The sizes of the MNIST files, for the memory estimate before they are
// read; after reading, the estimate is made again with the files' own.
const (
	mnistTrainImages = 60000
	mnistTestImages  = 10000
)

// unknownMemory is the memory assumed where the system does not say.
const unknownMemory = 1 << 40

// dataSizes are the data sizes a memory estimate depends on.
type dataSizes struct {
	trainFile int // images in the training file, all of which are read
	images    int // training images used (-limit)
	test      int // test images, read with -eval, -ais or -sample-from test
	hidden    int // hidden units (from -load's W.npy when given)
}

// sizes returns the sizes of a run of o on the given files.
func (o options) sizes(trainFile, test int) dataSizes {
	images := trainFile
	if o.limit > 0 && o.limit < trainFile {
		images = o.limit
	}
	return dataSizes{trainFile: trainFile, images: images, test: test, hidden: o.hidden}
}

// cost is a part of a run's memory and the flags that set it.
type cost struct {
	flags string
	bytes uint64
}

// memoryCosts estimates, from above, the bytes a run of o allocates, part
// by part. The factors are the buffers each part holds (counted in the
// code, then checked against the peak resident memory of runs at a few
// sizes): the fast graph, the sampler and the prefetched draws keep about
// 14 + 2k float32 values per batch row and unit, the model about six
// copies of W. Every product saturates instead of overflowing.
func (o options) memoryCosts(d dataSizes) []cost {
	v, h := uint64(train.Pixels), u(d.hidden)
	vh := v + h
	rows := u(min(o.config.BatchSize, d.images))
	k := u(o.config.K)
	costs := []cost{
		{"the training data", mul(u(d.trainFile), v+1)},
		{fmt.Sprintf("-hidden %d", d.hidden), mul(24, h, v)},
		{fmt.Sprintf("-batch %d with -k %d", o.config.BatchSize, o.config.K),
			add(mul(4, rows, vh, add(12, mul(2, k))), mul(8000, rows))}, // + the pictures of the last batch
	}
	if o.config.Persistent {
		costs = append(costs, cost{"-pcd", mul(4, rows, v)})
	}
	r := o.report
	if r.eval || r.ais || r.sampleFrom == "test" {
		costs = append(costs, cost{"the test set (-eval, -ais or -sample-from test)",
			add(mul(u(d.test), 5, v), mul(4, u(min(train.EvalTrainImages, d.images)), v), mul(16*1024, vh))})
	}
	if r.ais {
		betas := r.aisBetas
		if betas == 0 {
			betas = len(metrics.PaperSchedule())
		}
		// metrics' annealer: 4·(4v+7h) bytes per chain (states and
		// uniforms), at most 16 MB of uniforms in blocks, three copies of
		// W; AIS's chains or RAISE's images, whichever are more.
		m := u(max(r.aisChains, r.raiseImages))
		costs = append(costs, cost{fmt.Sprintf("-ais-chains %d (or -raise-images %d) with -ais-betas %d", r.aisChains, r.raiseImages, betas),
			add(mul(4, m, add(mul(4, v), mul(7, h))), 16<<20, mul(12, v, h), mul(16, u(betas)), mul(24, m))})
	}
	frames, chains := u(r.sampleSteps/r.sampleEach)+1, u(r.sampleChains)
	costs = append(costs, cost{fmt.Sprintf("-sample-chains %d with %d snapshots (-sample-steps/-sample-every)", r.sampleChains, frames),
		add(mul(4, frames, chains, v), mul(8, add(mul(30, chains), 2), add(mul(30, frames), 2)))}) // the frames and their picture
	return costs
}

// checkMemory refuses a run whose estimated memory exceeds limit, naming
// the estimate, the limit and the flags of the largest part.
func (o options) checkMemory(d dataSizes, limit memoryLimit) error {
	var total uint64
	var largest cost
	for _, c := range o.memoryCosts(d) {
		total = add(total, c.bytes)
		if c.bytes > largest.bytes {
			largest = c
		}
	}
	if total <= limit.bytes {
		return nil
	}
	return fmt.Errorf("the run would allocate about %s, more than the %s of memory available (%s); most of it for %s (%s): make that smaller",
		bytesString(total), bytesString(limit.bytes), limit.source, largest.flags, bytesString(largest.bytes))
}

// memoryLimit is the memory a run may use and where that number comes from.
type memoryLimit struct {
	bytes  uint64
	source string
}

// availableMemory returns the memory available to the process: the least
// of the system's available memory, the cgroup's room and GOMEMLIMIT.
func availableMemory() memoryLimit {
	l := memoryLimit{unknownMemory, "not known here: assumed"}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		s := bufio.NewScanner(bytes.NewReader(b))
		for s.Scan() {
			if f := strings.Fields(s.Text()); len(f) == 3 && f[0] == "MemAvailable:" && f[2] == "kB" {
				if kb, err := strconv.ParseUint(f[1], 10, 64); err == nil {
					l = memoryLimit{mul(kb, 1024), "MemAvailable"}
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
		if err1 == nil && err2 == nil && max > used && max-used < l.bytes {
			l = memoryLimit{max - used, "the cgroup's limit"}
		}
	}
	if g := debug.SetMemoryLimit(-1); g > 0 && g < math.MaxInt64 && uint64(g) < l.bytes {
		l = memoryLimit{uint64(g), "GOMEMLIMIT"}
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
