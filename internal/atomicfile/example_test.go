package atomicfile_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"gorbm.dev/gorbm/internal/atomicfile"
)

// ExampleSet writes two files that belong together; the second fails (a
// full disk, say), so neither replaces the old pair.
func ExampleSet() {
	dir, _ := os.MkdirTemp("", "set")
	defer os.RemoveAll(dir)
	a, b := filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.txt")
	os.WriteFile(a, []byte("old a"), 0o644)
	os.WriteFile(b, []byte("old b"), 0o644)

	var set atomicfile.Set
	defer set.Abort() // removes what was staged and not committed
	err := set.WriteFile(a, []byte("new a"))
	if err == nil {
		err = set.Write(b, func(io.Writer) error { return errors.New("no space left on device") })
	}
	if err == nil {
		_, err = set.Commit()
	}
	x, _ := os.ReadFile(a)
	y, _ := os.ReadFile(b)
	fmt.Printf("%q %q\n", x, y)
	// Output:
	// "old a" "old b"
}
