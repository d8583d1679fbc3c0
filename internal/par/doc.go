// Package par shares a piece of work between the calling goroutine and one
// long-lived helper goroutine: the machine's second core, for the pieces of
// a training step that take more than a few microseconds.
//
// Do(j, n, minItems) runs j.Run on the items 0 to n−1. The caller runs the
// first half and offers the second half to the helper; when the caller is
// done with its half and the helper has not started the other, the caller
// claims it back and runs it itself, so it never waits for a helper that is
// slow to wake or busy with another caller's work.
//
// # Guarantees
//
//   - Every item is run exactly once, by one call of Run on a range that
//     holds it. A Job whose output for each item depends only on that item
//     gives the same result however the work was shared.
//   - One processor (GOMAXPROCS 1), a job below 2·minItems items, or
//     SetEnabled(false): everything runs on the caller, and the helper does
//     not poll.
//   - A panic in either half reaches the caller of Do, and the next Do works
//     normally: a panic in the caller's half waits for (or claims back) the
//     helper's half before it unwinds; a panic in the helper's half is
//     recovered there and raised again in the caller.
//   - Do may be called from several goroutines; only one at a time uses the
//     helper, the others run their jobs alone.
//
// The helper starts on first use and keeps polling for work for a short
// while after its last task (a step offers work every few hundred
// microseconds, and a sleeping goroutine takes tens of microseconds to
// wake), yielding its processor between polls; then it sleeps until the
// next offer.
package par
