package cli

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gorbm.dev/gorbm/train"
)

// killLoopEnv sets the number of rounds of TestKillLoop; CI sets it to 20
// (.ci/run). It is opt-in because each round is a run of its own.
const killLoopEnv = "GORBM_KILL_LOOP"

// TestKillLoop kills runs with SIGKILL at random moments (seeded: the log
// names the seed), each round continuing the last (-resume once a
// checkpoint exists). After every kill the checkpoint folder must hold a
// checkpoint that loads or none, never a damaged one. When a round's run
// ends by itself, and after the last round (then resuming until a run
// succeeds), every output and the checkpoint must be bit-identical to an
// uninterrupted run's, with no temporary file, stale checkpoint or lock
// file left behind; the next round then starts afresh in a new folder.
func TestKillLoop(t *testing.T) {
	rounds, _ := strconv.Atoi(os.Getenv(killLoopEnv))
	if rounds < 1 {
		t.Skipf("set %s to a number of rounds to run it (CI runs 20)", killLoopEnv)
	}
	seed := uint64(time.Now().UnixNano())
	if s, err := strconv.ParseUint(os.Getenv(killLoopEnv+"_SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("seed %d (%s_SEED=%d repeats the kill times)", seed, killLoopEnv, seed)
	random := rand.New(rand.NewPCG(seed, 14))

	args := func(out string, extra ...string) []string {
		return completeArgs(out, append([]string{"-epochs", "3"}, extra...)...)
	}
	whole := t.TempDir()
	begin := time.Now()
	if _, stderr, code := runCommand(t, nil, args(whole)...); code != 0 {
		t.Fatalf("uninterrupted run: status %d: %s", code, stderr)
	}
	span := time.Since(begin)
	want := snapshot(t, whole)

	out := t.TempDir()
	ck := filepath.Join(out, "checkpoint")
	// check compares out with the uninterrupted run's folder.
	check := func(when string) {
		got := snapshot(t, out)
		sameSnapshot(t, when, want, got)
		for name := range got {
			if strings.Contains(name, ".tmp") || strings.HasSuffix(name, lockName) {
				t.Errorf("%s: %s is left behind", when, name)
			}
		}
	}
	killed, finished := 0, 0
	for r := 0; r < rounds; r++ {
		a, fresh := args(out), true
		if _, err := os.Stat(filepath.Join(ck, train.Latest)); err == nil {
			a, fresh = args(out, "-resume"), false
		}
		cmd := command(a...)
		begin := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Within the time of an uninterrupted run: the kills land in
		// every phase of a run, and after the end of resumed ones.
		time.Sleep(time.Duration(random.Int64N(int64(span))))
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			killed++
			if _, err := train.LoadCheckpoint(ck); err != nil && !errors.Is(err, train.ErrNoCheckpoint) {
				t.Fatalf("round %d: after SIGKILL the checkpoint is %v", r, err)
			}
			continue
		}
		if !cmd.ProcessState.Success() {
			t.Fatalf("round %d: the run failed: %v", r, cmd.ProcessState)
		}
		finished++
		if d := time.Since(begin); fresh && d < span {
			span = d // the machine is less busy than it was: aim within the shorter run
		}
		check(fmt.Sprintf("round %d, finished", r))
		out = t.TempDir()
		ck = filepath.Join(out, "checkpoint")
	}
	t.Logf("%d rounds: %d runs killed while running, %d finished (each then compared)", rounds, killed, finished)

	for try := 0; ; try++ {
		a := args(out)
		if _, err := os.Stat(filepath.Join(ck, train.Latest)); err == nil {
			a = args(out, "-resume")
		}
		_, stderr, code := runCommand(t, nil, a...)
		if code == 0 {
			break
		}
		if try == 3 {
			t.Fatalf("the runs after the kills do not finish: status %d: %s", code, stderr)
		}
	}
	check("after the last round and the resumes")
}
