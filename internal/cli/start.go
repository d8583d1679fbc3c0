package cli

import (
	"errors"
	"fmt"

	"gorbm.dev/gorbm/train"
)

// start is where a training run starts, as the checkpoint folder decides.
type start struct {
	from    *train.Checkpoint // -resume: the checkpoint it continues
	history []epochRecord     // the checkpoint's history: metrics.json's epochs so far

	// keep, when not nil, is the progress of a checkpoint of this same
	// run that is further along than this fresh run: it is replaced only
	// by a checkpoint that has come as far, so nothing is lost.
	keep *progress

	replace bool   // -restart: whatever checkpoint is there is replaced, unread
	seen    string // the ID of the checkpoint read ("" for none): the run checks it is still the one there
	note    string // what the run says before it trains
}

// findStart decides where a run of identity id and epochs epochs starts,
// from the checkpoint folder dir. With resume it loads the checkpoint,
// which must be of this run and not past epochs (the parameters its run
// loaded, which -resume does not name again, join id). Without, a checkpoint of
// another run, a damaged one, or one further than epochs is never to be
// replaced unless restart says so; one of this run that this run will
// reach is replaced once this run has come as far.
func findStart(dir string, resume, restart bool, id identity, epochs int) (start, error) {
	end := progress{epochs, 0}
	if restart {
		return start{replace: true}, nil
	}
	ck, err := train.LoadCheckpoint(dir)
	switch {
	case resume && errors.Is(err, train.ErrNoCheckpoint):
		return start{}, fmt.Errorf("-resume: %w: run without -resume to start afresh", err)
	case resume && err != nil:
		return start{}, fmt.Errorf("-resume: %w: start afresh with -restart instead of -resume, or choose another -checkpoint", err)
	case errors.Is(err, train.ErrNoCheckpoint):
		return start{}, nil
	case err != nil:
		return start{}, fmt.Errorf("%w; this run would replace it: pass -restart to let it, or choose another -out (or -checkpoint)", err)
	}
	saved := runIdentity(ck.Run, ck.Settings)
	if _, loaded := saved["load"]; resume && loaded && id["load"] == "" {
		id["load"] = saved["load"] // -resume takes no -load: the checkpoint holds what it loaded
	}
	diff := id.diff(saved)
	done := progressOf(ck.Result)
	if !resume {
		switch {
		case diff != "":
			return start{}, fmt.Errorf("%q holds the checkpoint of another run (%s), which this run would replace: continue it with -resume and its flags, choose another -out (or -checkpoint), or pass -restart to replace it", dir, diff)
		case end.before(done):
			return start{}, fmt.Errorf("%q holds a checkpoint of this run (%v), past -epochs %d, which this run would replace: continue it with -resume -epochs %d or more, choose another -out (or -checkpoint), or pass -restart to replace it",
				dir, done, epochs, done.epochsToFinish())
		}
		s := start{keep: &done, seen: ck.ID()}
		if done != end {
			s.note = fmt.Sprintf("%q holds a checkpoint of this run (%v): -resume would continue it; training afresh, it is kept until this run gets as far", dir, done)
		}
		return s, nil
	}
	switch {
	case diff != "":
		return start{}, fmt.Errorf("-resume: the checkpoint in %q was %s: pass the checkpoint's flags, or start afresh with -restart instead of -resume (or another -out)", dir, diff)
	case end.before(done):
		return start{}, fmt.Errorf("-resume: the checkpoint in %q (%v) is past -epochs %d: raise -epochs to %d or more", dir, done, epochs, done.epochsToFinish())
	}
	h, err := history(ck)
	if err != nil {
		return start{}, fmt.Errorf("-resume: checkpoint %s: %w: %w: start afresh with -restart instead of -resume", dir, train.ErrDamaged, err)
	}
	s := start{from: ck, history: h, seen: ck.ID(), note: "resuming from " + where(dir, ck.Result)}
	if done == end {
		s.note = fmt.Sprintf("the checkpoint in %q has all %d epochs: writing the outputs", dir, done.epochs)
	}
	return s, nil
}
