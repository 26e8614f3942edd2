package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/syncer"
	"github.com/picup/picup/internal/termimg"
	"github.com/picup/picup/internal/tui"
)

type tuiOptions struct {
	images string
	log    string
}

func newTUICmd(e *env) *cobra.Command {
	o := &tuiOptions{}
	cmd := &cobra.Command{
		Use:   "tui",
		Short: "Browse, check and act on the archive in the terminal",
		Long: `Browse the archive in the terminal: a timeline of years, months and days
with a grid of thumbnails and each photo's details; albums; users and
their quotas; share links; jobs and sync status; the trash. Mark photos
(space, or v at both ends of a range) to add them to an album, move them to
the trash, or share them with a link and a QR code. ? shows every key.

Thumbnails use the kitty graphics protocol or iTerm2 inline images when the
terminal has them, else coloured half blocks, which work over plain SSH
(--images says which; auto detects it). NO_COLOR turns colours off.

The log goes to --log, never to the screen. Changes made meanwhile by
other picup commands (an import in another terminal) show up by themselves.`,
		Example: "  picup tui\n  picup tui --images blocks\n  NO_COLOR=1 picup tui --log /tmp/picup-tui.log",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTUI(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	choiceVar(f, &o.images, "images", "auto", []string{"auto", "kitty", "iterm", "sixel", "blocks", "none"}, "how to draw thumbnails: auto, kitty, iterm, sixel, blocks or none")
	f.StringVar(&o.log, "log", "", "log file (default picup/tui.log in the user's cache directory)")
	return cmd
}

// tuiLogPath is where the browser logs by default: the user's cache
// directory, else the library.
func tuiLogPath(root string) string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "picup", "tui.log")
	}
	return filepath.Join(root, "tui.log")
}

func runTUI(ctx context.Context, e *env, o *tuiOptions) error {
	mode := termimg.Detect(os.Getenv)
	if o.images != "auto" {
		var err error
		if mode, err = termimg.ParseMode(o.images); err != nil {
			return &UsageError{Err: fmt.Errorf("--images: %w", err)}
		}
	}
	if !term.IsTerminal(int(os.Stdin.Fd())) || !term.IsTerminal(int(os.Stdout.Fd())) {
		return errors.New("picup tui needs a terminal on stdin and stdout; for scripts use \"picup ls --json\"")
	}
	return withLibrary(ctx, e, func(lib *library.Library) error {
		path := o.log
		if path == "" {
			path = tuiLogPath(lib.Root)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("log file: %w; pick another with --log", err)
		}
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return fmt.Errorf("log file: %w; pick another with --log", err)
		}
		defer f.Close()
		log := slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelInfo}))
		// Whatever logs through the default logger meanwhile goes to the
		// file too, not onto the screen.
		prev := slog.Default()
		slog.SetDefault(log)
		defer slog.SetDefault(prev)
		log.Info("picup tui started", "library", lib.Root, "images", string(mode))
		err = tui.Run(ctx, lib, tui.Options{
			Images:  mode,
			Logger:  log,
			Sync:    tuiSync(lib),
			RunJobs: tuiRunJobs(lib),
		})
		log.Info("picup tui ended", "err", err)
		return err
	})
}

// tuiSync syncs a remote for the browser, as "picup sync REMOTE" does,
// then runs the queued deletions of purged photos' objects.
func tuiSync(lib *library.Library) func(ctx context.Context, name string, p *syncer.Progress) (syncer.Summary, error) {
	return func(ctx context.Context, name string, p *syncer.Progress) (syncer.Summary, error) {
		sum, _, err := archive.New(lib).Sync(ctx, name, archive.SyncOptions{Options: syncer.Options{Progress: p}})
		if err == nil {
			err = tuiRunJobs(lib)(ctx)
		}
		return sum, err
	}
}

// tuiRunJobs runs the due jobs (archive.RunQueuedJobs).
func tuiRunJobs(lib *library.Library) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		res, err := archive.New(lib).RunQueuedJobs(ctx)
		if err != nil {
			return fmt.Errorf("run queued jobs: %w", err)
		}
		if res.Failed+res.Dead > 0 {
			return fmt.Errorf("%d jobs failed (%d given up); see Jobs (5) or \"picup jobs ls --failed\"", res.Failed+res.Dead, res.Dead)
		}
		return nil
	}
}
