package progress

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNotATerminal checks that a Bar on a file (as on a pipe or in CI)
// writes nothing, and that a nil Bar is safe.
func TestNotATerminal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stderr")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := New(f)
	if b != nil {
		t.Fatal("New gave a Bar for a file")
	}
	for i := 1; i <= 10; i++ {
		b.Update("AIS", i, 10)
	}
	b.Update("RAISE", 3, 10)
	b.Clear()
	var nilBar *Bar
	nilBar.Update("AIS", 1, 2)
	nilBar.Clear()
	if data, _ := os.ReadFile(path); len(data) != 0 {
		t.Errorf("a Bar on a file wrote %q", data)
	}
}

// TestBar drives a Bar on a buffer, as on a terminal: it shows the phase
// and the count, erases itself when the phase is done, and erases itself
// before a message.
func TestBar(t *testing.T) {
	var buf bytes.Buffer
	b := &Bar{w: &buf}
	b.Update("AIS (base rate)", 0, 10)
	if buf.Len() != 0 {
		t.Fatalf("the phase's first update drew %q: its rate would mean nothing yet", buf.String())
	}
	b.Update("AIS (base rate)", 3, 10)
	out := buf.String()
	if !strings.Contains(out, "AIS (base rate)") || !strings.Contains(out, "3/10") {
		t.Fatalf("bar %q: no phase name or count", out)
	}
	buf.Reset()
	b.Write([]byte("message\n"))
	if got := buf.String(); !strings.HasPrefix(got, "\r") || !strings.HasSuffix(got, "\rmessage\n") {
		t.Errorf("Write gave %q: want the bar erased (\\r…\\r), then the message", got)
	}
	buf.Reset()
	b.Update("AIS (base rate)", 10, 10)
	if got := buf.String(); !strings.HasSuffix(got, "\r") || strings.TrimSpace(got[strings.LastIndex(strings.TrimRight(got, "\r"), "\r"):]) != "" {
		t.Errorf("the finished phase left %q: want it erased", got)
	}
	buf.Reset()
	b.Update("RAISE", 0, 5)
	b.Update("RAISE", 1, 5)
	if !strings.Contains(buf.String(), "RAISE") || !strings.Contains(buf.String(), "1/5") {
		t.Errorf("the next phase shows %q", buf.String())
	}
	buf.Reset()
	b.Clear()
	if got := buf.String(); strings.TrimSpace(got) != "" || got == "" {
		t.Errorf("Clear wrote %q: want blanks that erase the bar", got)
	}
}
