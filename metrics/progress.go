package metrics

// Progress is told how far a long computation has come: done of total
// steps of the named phase ("AIS (base rate)", "RAISE", "sample chains",
// "test metrics"). It is called on the caller's goroutine with done = 0
// when the phase starts, then after each step or block of steps with done
// increasing; the last call of a phase has done = total unless the
// computation stops early (an error, a cancelled context). It must return
// quickly: a progress bar that redraws at most a few times a second. A nil
// Progress is not called.
type Progress func(phase string, done, total int)

func (p Progress) report(phase string, done, total int) {
	if p != nil {
		p(phase, done, total)
	}
}
