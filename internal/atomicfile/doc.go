// Package atomicfile writes files so that a reader sees either the old
// content or the whole new one, never a part: the data goes to a temporary
// file in the same folder, is synced to disk, renamed over the target, and
// the folder is synced. A failed write removes its temporary file and
// leaves the target as it was. A Set does the same for files that belong
// together: all are written before any is renamed, so a failure part-way
// (a full disk) leaves every old file in place. RemoveTemp clears the
// temporary files a killed program left. Errors name the file.
package atomicfile
