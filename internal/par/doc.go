// Package par shares a piece of work between the calling goroutine and the
// helper goroutines of a Pool: the machine's other cores, for the pieces of
// a training step that take more than a few microseconds.
//
// A Pool belongs to its caller (graph.Trainer makes one and closes it);
// there is no process-wide switch. A nil *Pool, or one of no helpers, runs
// everything on the caller.
//
// Pool.Do(j, n, minItems) runs j.Run on the items 0 to n−1. It cuts them
// into chunks of at least minItems items, ChunksPerGoroutine chunks per
// goroutine at most, wakes helpers, and claims chunks itself, one at a
// time from an atomic counter, as the helpers do. When no chunk is left to
// claim the caller waits only for the chunks helpers are running: a helper
// that wakes late leaves its share to the caller instead of stalling it.
//
// A helper that the system deschedules while it holds a chunk (a busy
// machine: more runnable threads than cores) still makes the caller wait,
// for up to a time slice; one that gets no processor at all takes no chunk
// and only costs the caller its wake-ups. So the pool paces itself: when
// the caller, done with its own chunks, waits for a helper's longer than
// two of its own chunks take (plus 50 µs), or when it ran every chunk of 4
// jobs in a row itself, jobs long enough (100 µs) for a helper to join,
// the next 8 jobs run on the caller alone, then the pool shares again;
// each further miss doubles the jobs run alone (to 1024, a fraction of a
// second of training), and every 64 jobs shared on time halve it again. On a busy machine the pool then costs little more
// than one goroutine (BenchmarkDoLateHelper); on an idle one helpers miss
// only by accident.
//
// # Guarantees
//
//   - Every item is run exactly once, by one call of Run on a range that
//     holds it. A Job whose output for each item depends only on that item
//     gives the same bits however the work was shared.
//   - Idle helpers sleep: between jobs each is parked in a channel receive
//     and uses no processor. Nothing polls.
//   - One processor (GOMAXPROCS 1), a nil or closed pool, a job below
//     2·minItems items, a Do of the same pool already using the helpers
//     (from another goroutine, or from inside a Job), or a job the pacing
//     runs alone: the whole job runs on the caller, in one call Run(0, n).
//   - A panic in a chunk reaches the caller of Do, and the next Do works
//     normally: no more chunks are handed out, Do waits for the chunks
//     running, then the caller's own panic goes on, or a helper's is raised
//     again in the caller.
package par
