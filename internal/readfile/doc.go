// Package readfile opens files for reading as a careful program should when
// the paths come from its user: only regular files are opened (a FIFO, a
// device or a folder in place of a file is an error at once, never a read
// that blocks or never ends), and whole-file reads stop at a size limit
// chosen by the caller. Errors name the file.
package readfile
