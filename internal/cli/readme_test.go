package cli

import (
	"flag"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// flagCell matches a flag's name in the first cell of a row of the
// README's flags table: `-name`.
var flagCell = regexp.MustCompile("`-([a-z0-9-]+)`")

// readmeFlags returns the flags the README's flags table lists, in order,
// and the rows that list none.
func readmeFlags(readme string) (names []string, bad []string) {
	_, table, ok := strings.Cut(readme, "\n## Flags\n")
	if !ok {
		return nil, []string{"no \"## Flags\" section"}
	}
	table, _, _ = strings.Cut(table, "\n## ")
	for _, line := range strings.Split(table, "\n") {
		if !strings.HasPrefix(line, "| `-") {
			continue
		}
		first := strings.SplitN(line, "|", 3)[1]
		m := flagCell.FindAllStringSubmatch(first, -1)
		if m == nil {
			bad = append(bad, line)
		}
		for _, x := range m {
			names = append(names, x[1])
		}
	}
	return names, bad
}

// TestReadmeListsFlags checks that the README's flags table lists every
// flag -h lists, once each, and no other.
func TestReadmeListsFlags(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	listed, bad := readmeFlags(string(b))
	for _, line := range bad {
		t.Errorf("README flags table: a row without a flag: %s", line)
	}
	var f Flags
	var help []string
	f.flagSet().VisitAll(func(fl *flag.Flag) { help = append(help, fl.Name) })
	for _, name := range help {
		if n := strings.Count(" "+strings.Join(listed, " ")+" ", " "+name+" "); n != 1 {
			t.Errorf("-%s: -h lists it, the README's flags table %d times", name, n)
		}
	}
	for _, name := range listed {
		if !slices.Contains(help, name) {
			t.Errorf("-%s: the README's flags table lists it, -h does not", name)
		}
	}
}

// TestReadmeFlagsParser checks the table reader on a planted table.
func TestReadmeFlagsParser(t *testing.T) {
	readme := "# x\n\n## Flags\n\n| flag | default | meaning |\n|---|---|---|\n| `-a`, `-b-c` | 1 | `-not` this |\n| `-d` | | |\n\n## Next\n\n| `-e` | | |\n"
	names, bad := readmeFlags(readme)
	if got := strings.Join(names, " "); got != "a b-c d" || bad != nil {
		t.Errorf("flags %q, bad rows %q; want \"a b-c d\" and none", got, bad)
	}
}
