package progress

import (
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Bar shows the progress of one phase at a time on a terminal. A nil *Bar
// shows nothing; the methods may be called from several goroutines.
type Bar struct {
	mu    sync.Mutex
	w     io.Writer // the terminal
	bar   *progressbar.ProgressBar
	phase string
	total int
}

// throttle is the shortest time between two redraws.
const throttle = 100 * time.Millisecond

// New returns a Bar drawing on f when f is a terminal, and nil (a Bar
// that shows nothing) otherwise.
func New(f *os.File) *Bar {
	if f == nil || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &Bar{w: plain{f}}
}

// plain hides the *os.File from the library, which would fsync it after
// every redraw.
type plain struct{ w io.Writer }

func (p plain) Write(b []byte) (int, error) { return p.w.Write(b) }

// Update shows that done of total steps of phase are done. A new phase
// (or a new total) replaces the bar, which shows from the phase's next
// update on, when its rate means something; done = total erases it.
func (b *Bar) Update(phase string, done, total int) {
	if b == nil || total < 1 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.bar == nil || phase != b.phase || total != b.total {
		b.drop()
		b.phase, b.total = phase, total
		b.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(b.w),
			progressbar.OptionSetDescription(phase),
			progressbar.OptionSetWidth(20),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(throttle),
			progressbar.OptionClearOnFinish(),
		)
		b.bar.StartWithoutRender()
		if done < total {
			return
		}
	}
	b.bar.Set(min(max(done, 0), total))
	if done >= total {
		b.drop()
	}
}

// Clear erases the bar and ends its phase: for the end of the work, or
// an error, before the program prints its last lines.
func (b *Bar) Clear() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.drop()
}

// drop erases the bar and forgets its phase.
func (b *Bar) drop() {
	if b.bar != nil {
		b.bar.Clear()
		b.bar, b.phase, b.total = nil, "", 0
	}
}

// Write erases the bar, if one is shown, then writes p to the terminal
// (to os.Stderr for a nil Bar): for messages that must not land on
// the bar's line. The bar comes back, with its phase's rate and time
// left, at the next Update.
func (b *Bar) Write(p []byte) (int, error) {
	if b == nil {
		return os.Stderr.Write(p)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.bar != nil {
		b.bar.Clear()
	}
	return b.w.Write(p)
}
