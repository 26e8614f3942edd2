package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/picup/picup/internal/catalog"
)

// The errors that end a command with an exit code other than 1
// (docs/cli.md#exit-codes); internal/app maps them.

// UsageError is a mistake in how a command was called (exit code 2).
// Command is the command's path ("picup album show"), whose help the
// message points at; Execute fills it in.
type UsageError struct {
	Err     error
	Command string
}

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Help is the line printed after the error: where to read how the
// command is used.
func (e *UsageError) Help() string {
	c := e.Command
	if c == "" {
		c = "picup"
	}
	return fmt.Sprintf("Run %q for usage.", c+" --help")
}

// PartialError means some inputs failed and the rest succeeded (exit code 3).
type PartialError struct{ Err error }

func (e *PartialError) Error() string { return e.Err.Error() }
func (e *PartialError) Unwrap() error { return e.Err }

// SilentError ends the command with an exit code after its output already
// said why (verify finding problems: exit 1).
type SilentError struct{ Code int }

func (e *SilentError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

func usageErrorf(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// Message is err as picup prints it after "picup: ". The catalog's
// not-found errors are whole sentences that wrap catalog.ErrNotFound for
// errors.Is ("no album named "X"; see "picup album ls": not found"): the
// tail that only says it again is left out.
func Message(err error) string {
	msg := err.Error()
	tail := ": " + catalog.ErrNotFound.Error()
	if errors.Is(err, catalog.ErrNotFound) && strings.HasSuffix(msg, tail) && len(msg) > len(tail) {
		return strings.TrimSuffix(msg, tail)
	}
	return msg
}
