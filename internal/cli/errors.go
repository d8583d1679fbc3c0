package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// exitInterrupted is the status after Ctrl-C, as a shell reports SIGINT.
const exitInterrupted = 130

// usageError is a mistake in the command line, found from the flags alone:
// status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usagef returns a usageError with the message format makes.
func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// interrupted is an interruption's message; it wraps the cancellation
// (for ExitCode) without repeating where the work stopped.
type interrupted struct {
	msg string
	err error
}

func (e interrupted) Error() string { return e.msg }
func (e interrupted) Unwrap() error { return e.err }

// interruption returns msg as an error wrapping err, a cancellation.
func interruption(msg string, err error) error { return interrupted{msg, err} }

// ExitCode returns the process status for an error of Parse, NewPlan or
// Plan.Run: 0 for none, 2 for a mistake in the flags, 130 after an
// interruption, 1 for anything else.
func ExitCode(err error) int {
	var u usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.As(err, &u):
		return 2
	}
	return 1
}

// oneLine keeps a message on one line, whatever the errors it wraps say.
func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }
