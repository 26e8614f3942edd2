// Package cli holds picup's commands. Each command has an options struct and
// a run function that tests call directly; data goes to stdout, progress and
// diagnostics to stderr.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/picup/picup/internal/library"
	"github.com/spf13/cobra"
)

// Version is set at build time with -ldflags "-X github.com/picup/picup/internal/cli.Version=v1.2.3".
var Version = "dev"

// env is what every command shares.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	libraryFlag    string
	quiet          bool // --quiet: no progress, no notes
	verbose        bool // --verbose: say more of what was done
}

// progress is where progress lines go: stderr (drawn only when it is a
// terminal), nowhere with --quiet.
func (e *env) progress() io.Writer {
	if e.quiet {
		return io.Discard
	}
	return e.stderr
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
	root.PersistentFlags().BoolVarP(&e.quiet, "quiet", "q", false, "no progress lines and no notes on stderr (errors and warnings still)")
	root.PersistentFlags().BoolVarP(&e.verbose, "verbose", "v", false, "say more: import names every duplicate and skipped file")
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if e.quiet && e.verbose {
			return usageErrorf("--quiet and --verbose: give one of them")
		}
		return nil
	}

	root.SetFlagErrorFunc(flagError)
	root.AddCommand(
		newInitCmd(e),
		newImportCmd(e),
		newLsCmd(e),
		newFindCmd(e),
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
		newDupesCmd(e),
		newCaptionCmd(e),
		newConfigCmd(e),
		newActivityCmd(e),
		newCommentsCmd(e),
		newUploadsCmd(e),
		newRedateCmd(e),
		newTUICmd(e),
		newVersionCmd(e),
		newDurationsHelp(),
		newSizesHelp(),
	)
	for _, c := range root.Commands() {
		wrapArgs(c)
	}
	checkNumbers(root)
	addCompletions(e, root)
	return root
}

// wrapArgs makes argument-count errors usage errors (exit code 2), and
// an unknown subcommand of a command that only groups others (picup trash
// nonsense) one too: cobra would print the help and exit 0.
func wrapArgs(c *cobra.Command) {
	if c.HasSubCommands() && c.Run == nil && c.RunE == nil {
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return &UsageError{Err: fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath()), Command: cmd.CommandPath()}
			}
			return cmd.Help()
		}
	}
	if c.Args != nil {
		check := c.Args
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				return &UsageError{Err: fmt.Errorf("%s: %s", strings.TrimPrefix(cmd.CommandPath(), "picup "), argCount(err)), Command: cmd.CommandPath()}
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
	cmd, err := root.ExecuteContextC(ctx)
	if err != nil && strings.HasPrefix(err.Error(), "unknown command") {
		return &UsageError{Err: err, Command: cmd.CommandPath()}
	}
	var usage *UsageError
	if errors.As(err, &usage) && usage.Command == "" && cmd != nil {
		usage.Command = cmd.CommandPath()
	}
	return err
}

// argCounts finds the counts in cobra's messages about arguments
// ("accepts 1 arg(s), received 3").
var argCounts = regexp.MustCompile(`(\d+) arg\(s\)`)

// argCount rewords cobra's message about the number of arguments:
// "accepts 1 arg(s), received 3" becomes "takes 1 argument, got 3".
func argCount(err error) string {
	msg := argCounts.ReplaceAllStringFunc(err.Error(), func(m string) string {
		if strings.HasPrefix(m, "1 ") {
			return "1 argument"
		}
		return strings.TrimSuffix(m, "arg(s)") + "arguments"
	})
	r := strings.NewReplacer("accepts between", "takes between", "accepts at most", "takes at most", "accepts", "takes",
		"requires at least", "takes at least", ", only received", ", got", ", received", ", got")
	return r.Replace(msg)
}

func newVersionCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print picup's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVersion(e)
		},
	}
}

func runVersion(e *env) error {
	_, err := fmt.Fprintf(e.stdout, "picup %s\n", Version)
	return err
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
			return runInit(cmd.Context(), e)
		},
	}
}

func runInit(ctx context.Context, e *env) error {
	return withLibrary(ctx, e, func(lib *library.Library) error {
		_, err := fmt.Fprintf(e.stdout, "library ready at %s\n", lib.Root)
		return err
	})
}
