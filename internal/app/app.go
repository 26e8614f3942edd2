// Package app runs picup: the root context that signals cancel, and the one
// place where errors become exit codes.
package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/picup/picup/internal/cli"
)

// Exit codes, documented in docs/cli.md.
const (
	ExitOK          = 0
	ExitError       = 1
	ExitUsage       = 2
	ExitPartial     = 3
	ExitInterrupted = 130
)

// Main runs the command line and returns the process exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := cli.Execute(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	return exitCode(ctx, err)
}

func exitCode(ctx context.Context, err error) int {
	var usage *cli.UsageError
	var partial *cli.PartialError
	var silent *cli.SilentError
	switch {
	case err == nil:
		return ExitOK
	case ctx.Err() != nil || errors.Is(err, context.Canceled):
		fmt.Fprintln(os.Stderr, "picup: interrupted; run the same command again to resume")
		return ExitInterrupted
	case errors.As(err, &usage):
		fmt.Fprintf(os.Stderr, "picup: %s\n%s\n", cli.Message(err), usage.Help())
		return ExitUsage
	case errors.As(err, &partial):
		fmt.Fprintf(os.Stderr, "picup: %s\n", cli.Message(err))
		return ExitPartial
	case errors.As(err, &silent):
		return silent.Code
	default:
		fmt.Fprintf(os.Stderr, "picup: %s\n", cli.Message(err))
		return ExitError
	}
}
