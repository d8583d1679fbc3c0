package cli

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"maps"
	"math"
	"sort"
	"strconv"
	"strings"

	"gorbm.dev/gorbm/graph"
	"gorbm.dev/gorbm/train"
)

// identity is everything a run's result depends on, as flag names (without
// the dash) and values: the shape of the training (train.Run: hidden
// units, images, batch, k, pcd) and the settings a checkpoint stores
// beside it (learning rate or schedule, seed, the data's checksum, …). A
// run continues, or replaces, only a checkpoint of its own identity, and
// metrics.json records it.
type identity map[string]string

// runIdentity is the identity of a checkpoint: its Run and its settings.
func runIdentity(r train.Run, settings map[string]string) identity {
	id := identity(maps.Clone(settings))
	if id == nil {
		id = identity{}
	}
	id["hidden"] = strconv.Itoa(r.Hidden)
	id["batch"] = strconv.Itoa(r.BatchSize)
	id["k"] = strconv.Itoa(r.K)
	id["pcd"] = strconv.FormatBool(r.Persistent)
	id["limit"] = strconv.Itoa(r.Images) // the images trained on: -limit 0 and -limit 60000 agree
	return id
}

// diff says in which flags a saved identity differs from id ("made with
// -k 1, this run has -k 2"), or returns "".
func (id identity) diff(saved identity) string {
	keys := map[string]bool{}
	for k := range id {
		keys[k] = true
	}
	for k := range saved {
		keys[k] = true
	}
	var sorted []string
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	var was, is []string
	for _, k := range sorted {
		if saved[k] != id[k] {
			was = append(was, "-"+k+" "+orUnset(saved[k]))
			is = append(is, "-"+k+" "+orUnset(id[k]))
		}
	}
	if was == nil {
		return ""
	}
	return fmt.Sprintf("made with %s, this run has %s", strings.Join(was, " "), strings.Join(is, " "))
}

func orUnset(s string) string {
	if s == "" {
		return "(unset)"
	}
	return s
}

// checksum is "sha256:" and the first 16 hex digits of b's SHA-256.
func checksum(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:8])
}

// imagesChecksum is the checksum of a data set's images.
func imagesChecksum(d *train.Dataset) string { return checksum(d.Images[:d.N*train.Pixels]) }

// paramsChecksum is the checksum of m's parameters, float32 by float32.
func paramsChecksum(m *graph.Model) string {
	w, vb, hb := m.Params()
	var b []byte
	for _, p := range [][]float32{w, vb, hb} {
		for _, x := range p {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
		}
	}
	return checksum(b)
}
