// Package cli holds picup's commands. Each command has an options struct and
// a run function that tests call directly; data goes to stdout, progress and
// diagnostics to stderr.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/importer"
	"github.com/picup/picup/internal/jobs"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/trash"
	"github.com/picup/picup/pkg/diskspace"
)

// Version is set at build time with -ldflags "-X github.com/picup/picup/internal/cli.Version=v1.2.3".
var Version = "dev"

// UsageError is a mistake in how a command was called (exit code 2).
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

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

// env is what every command shares.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	libraryFlag    string
}

// libraryRoot resolves --library, then PICUP_LIBRARY, then the default.
func (e *env) libraryRoot() (string, error) {
	if e.libraryFlag != "" {
		return e.libraryFlag, nil
	}
	if d := os.Getenv("PICUP_LIBRARY"); d != "" {
		return d, nil
	}
	return library.DefaultRoot()
}

// open opens the library (creating it on first use) and finishes whatever
// an interrupted earlier run left behind.
func (e *env) open(ctx context.Context) (*library.Library, error) {
	root, err := e.libraryRoot()
	if err != nil {
		return nil, err
	}
	lib, err := library.Open(ctx, root)
	if err != nil {
		return nil, err
	}
	if err := importer.Recover(ctx, lib); e.fullDiskWarning(lib, err, "what an interrupted import left is recovered by a later command") != nil {
		lib.Close()
		return nil, err
	}
	if err := e.maintain(ctx, lib); e.fullDiskWarning(lib, err, "the trash is purged and queued jobs run by a later command") != nil {
		lib.Close()
		return nil, err
	}
	return lib, nil
}

// fullDiskWarning lets a command go on when the housekeeping it starts
// with met a full disk, which reading (or emptying the trash) does not
// need: it warns once on stderr and returns nil. Other errors it returns.
func (e *env) fullDiskWarning(lib *library.Library, err error, later string) error {
	if !diskspace.IsFull(err) {
		return err
	}
	var full *diskspace.FullError
	if !errors.As(err, &full) {
		full = diskspace.Full(lib.Root, err)
	}
	fmt.Fprintf(e.stderr, "warning: %v; %s\n", full, later)
	return nil
}

// maintain does the housekeeping every command starts with: purge what
// has been in the trash longer than the retention (saying so on stderr),
// and run the queued jobs that are due, briefly.
func (e *env) maintain(ctx context.Context, lib *library.Library) error {
	purged, err := trash.PurgeExpired(ctx, lib, time.Now())
	if len(purged.Photos) > 0 {
		fmt.Fprintln(e.stderr, purged)
	}
	if err != nil {
		return fmt.Errorf("purge the trash: %w", err)
	}
	pending, _, err := lib.Catalog.PendingJobs(ctx)
	if err != nil || pending == 0 {
		return err
	}
	_, err = jobs.NewRunner(lib).RunDue(ctx, time.Now().Add(2*time.Second))
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("run queued jobs: %w", err)
	}
	return nil
}

// NewRoot builds the command tree.
func NewRoot(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:   "picup",
		Short: "A family photo archive: import, dedupe, thumbnail, keep and share photos",
		Long: `picup keeps a family's photos and videos: it imports them from folders and
SD cards, stores each file once in a readable tree by capture date, makes
thumbnails, and keeps a catalog in one SQLite file inside the library.

The library is --library DIR, else $PICUP_LIBRARY, else the user's data
directory (~/.local/share/picup on Linux). It is created on first use.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       Version,
	}
	root.SetContext(ctx)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetVersionTemplate("picup {{.Version}}\n")
	root.PersistentFlags().StringVar(&e.libraryFlag, "library", "", "library directory (default $PICUP_LIBRARY or the user's data dir)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &UsageError{Err: err} })
	root.AddCommand(
		newInitCmd(e),
		newImportCmd(e),
		newLsCmd(e),
		newInfoCmd(e),
		newVerifyCmd(e),
		newAlbumCmd(e),
		newUserCmd(e),
		newRmCmd(e),
		newTrashCmd(e),
		newJobsCmd(e),
		newRemoteCmd(e),
		newSyncCmd(e),
		newRestoreCmd(e),
		newOffloadCmd(e),
		newFetchCmd(e),
		newShareCmd(e),
		newServeCmd(e),
		newTUICmd(e),
		newVersionCmd(e),
		newDurationsHelp(),
	)
	for _, c := range root.Commands() {
		wrapArgs(c)
	}
	return root
}

// wrapArgs makes argument-count errors usage errors (exit code 2).
func wrapArgs(c *cobra.Command) {
	if c.Args != nil {
		check := c.Args
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				return &UsageError{Err: fmt.Errorf("%s: %w", cmd.CommandPath(), err)}
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		wrapArgs(sub)
	}
}

// Execute runs picup with the given arguments.
func Execute(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	root := NewRoot(ctx, stdin, stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err != nil && strings.HasPrefix(err.Error(), "unknown command") {
		return &UsageError{Err: err}
	}
	return err
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func newVersionCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print picup's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprintf(e.stdout, "picup %s\n", Version)
			return err
		},
	}
}

func newInitCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "init",
		Short: "Create the library (safe to run again)",
		Long: `Create the library directory and its catalog. Every command creates the
library on first use; init exists to do it explicitly. Running it on an
existing library changes nothing.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			lib, err := e.open(cmd.Context())
			if err != nil {
				return err
			}
			defer lib.Close()
			_, err = fmt.Fprintf(e.stdout, "library ready at %s\n", lib.Root)
			return err
		},
	}
}

func marshalIndented(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "  ", "  ")
	return b, err
}
