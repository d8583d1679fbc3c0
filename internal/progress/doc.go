// Package progress shows how far the command's long work has come: one
// progress bar at a time on the standard error, when that is a terminal
// (phase name, done/total, percentage, rate and time left, drawn by
// github.com/schollz/progressbar); nothing when it is not (a pipe, a file,
// CI), so that logs hold only what the program prints.
//
// A Bar's Update has the shape of metrics.Progress and of the training's
// per-batch hook; each phase's bar is erased when the phase is done, so the
// lines the program prints between phases land on a clean line.
package progress
