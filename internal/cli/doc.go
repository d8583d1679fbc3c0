// Package cli is the gorbm command, in three steps that each take the
// last one's result:
//
//  1. Flags: Parse reads the command line into Flags, with -recipe's
//     preset under the flags given. Nothing is checked but the syntax.
//  2. Plan: NewPlan checks every value alone and together (a mistake there
//     is a usage error, status 2), resolves every path and looks at it,
//     reads and verifies the inputs (the MNIST files, -load's parameters,
//     the checkpoint), checks the memory the run will need against what
//     there is, and computes the run's identity: everything its result
//     depends on, which decides the checkpoint it may continue or replace.
//     It writes nothing. Whatever a run could fail on before its work is
//     found here, in a one-line error that names the flag or file and the
//     fix.
//  3. Run: Plan.Run takes the folders' locks, trains (or, with -epochs 0,
//     takes the loaded model as it is), saves a checkpoint after each
//     epoch, and writes the outputs as one set; then it does what the
//     plan asks with the model (the report's tasks: filters, loss curve,
//     test metrics, sample chains, digits completed, the classifier on its
//     features, log-likelihood).
//
// Main runs the three for the root main.go. What the command takes from
// the process (standard output and error, progress bars, the clock, the
// memory available, the MNIST folder, a hook for tests) comes in an Env,
// so the tests run the command in-process with their own, or as a process
// of their own (their test binary).
//
// What a run promises (README, "Training that survives"): nothing the user
// had is lost or silently changed. Every checkpoint file is covered by a
// checksum; a checkpoint of another identity is refused with what differs;
// nothing is removed that is not verified superseded; a finished set of
// outputs is never replaced by a partial one; lock files are what this
// package makes, never a link.
//
// The files stand in layers, each using only those below it: errors,
// memory, identity, lock, env and record at the bottom; flags; values,
// paths, inputs and start (the plan's parts); plan; pictures and report;
// fit; run; main.
package cli
