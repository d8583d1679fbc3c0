//go:build race

package cli

// raceEnabled reports a build with the race detector, whose shadow memory
// makes the peak memory of a run meaningless for TestMemoryFromAbove.
const raceEnabled = true
