package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/trash"
	"github.com/picup/picup/pkg/bytesize"
	"github.com/picup/picup/pkg/period"
)

type rmOptions struct {
	photos []string // ids or paths, as photoIDs reads them
	album  string
}

func newRmCmd(e *env) *cobra.Command {
	o := &rmOptions{}
	cmd := &cobra.Command{
		Use:   "rm ID|PATH... | --album NAME",
		Short: "Move photos to the trash",
		Long: `Move photos to the trash. They vanish from listings and shares at once, and
stay in the trash for the retention period (30 days unless "picup trash
retention" says otherwise), after which the next picup command purges
them. "picup trash restore" brings them back until then.

With --album, every photo of the album goes to the trash (the album itself
stays; remove it with "picup album rm").`,
		Example: "  picup rm 42 43\n  picup rm --album 'Blurry shots'",
		RunE: func(cmd *cobra.Command, args []string) error {
			o.photos = args
			return runRm(cmd.Context(), e, o)
		},
	}
	cmd.Flags().StringVar(&o.album, "album", "", "move every photo of this album to the trash")
	return cmd
}

func runRm(ctx context.Context, e *env, o *rmOptions) error {
	if (len(o.photos) == 0) == (o.album == "") {
		return usageErrorf("name photos (ID or PATH) or --album NAME, not both or neither")
	}
	return withArchive(ctx, e, func(a *archive.Archive) error {
		ids, err := photoIDs(ctx, a.Library(), o.photos)
		if err != nil {
			return err
		}
		already := 0
		var n int
		var missing []int64
		if o.album != "" {
			n, err = a.TrashAlbum(ctx, o.album)
		} else {
			n, err = a.Trash(ctx, ids)
			if err == nil && n < len(ids) {
				missing, err = missingIDs(ctx, a.Library(), ids)
				already = len(ids) - n - len(missing)
			}
		}
		if err != nil {
			return err
		}
		keep, err := a.Retention(ctx)
		if err != nil {
			return err
		}
		after := archive.PurgedAfter(keep)
		switch {
		case n == 0:
			fmt.Fprint(e.stdout, "moved nothing to the trash")
		case n == 1:
			fmt.Fprintf(e.stdout, "moved 1 photo to the trash; it is purged %s", after)
		default:
			fmt.Fprintf(e.stdout, "moved %d photos to the trash; they are purged %s", n, after)
		}
		if already > 0 {
			fmt.Fprintf(e.stdout, " (%s already there)", nWere(already))
		}
		if n > 0 {
			fmt.Fprint(e.stdout, "; restore with \"picup trash restore\"")
		}
		fmt.Fprintln(e.stdout)
		return noPhotoError(missing)
	})
}

func newTrashCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "trash",
		Short: "List, restore and empty the trash",
		Long: `Photos moved to the trash with "picup rm" stay there for the retention
period (30 days by default), then the next picup command purges them.
Purging forgets the photos in the catalog and queues the deletion of
their files (original, sidecars, thumbnails), which happens right after,
and is retried until it succeeds (see "picup jobs"). Quota usage drops
when a photo is purged, not when it is trashed.`,
	}
	cmd.AddCommand(newTrashLsCmd(e), newTrashRestoreCmd(e), newTrashEmptyCmd(e), newTrashRetentionCmd(e), newTrashLogCmd(e))
	return cmd
}

type trashedJSON struct {
	photoJSON
	TrashedAt string `json:"trashed_at"`
}

type trashLsOptions struct {
	json bool
}

func newTrashLsCmd(e *env) *cobra.Command {
	o := &trashLsOptions{}
	cmd := &cobra.Command{
		Use:   "ls",
		Short: "List the trash, most recently trashed first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTrashLs(cmd.Context(), e, o)
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print JSON")
	return cmd
}

func runTrashLs(ctx context.Context, e *env, o *trashLsOptions) error {
	return withArchive(ctx, e, func(a *archive.Archive) error {
		t, err := a.Trashed(ctx)
		if err != nil {
			return err
		}
		if o.json {
			out := make([]trashedJSON, 0, len(t.Photos))
			for _, p := range t.Photos {
				out = append(out, trashedJSON{photoJSON: toJSON(p), TrashedAt: catalog.FormatTime(p.TrashedAt)})
			}
			return writeJSON(e.stdout, out)
		}
		if len(t.Photos) > 0 {
			tw := newTable(e.stdout, "ID", "SIZE", "TRASHED", "PURGED AFTER", "PATH")
			for _, p := range t.Photos {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", p.ID, bytesize.Format(p.Bytes),
					catalog.FormatTime(p.TrashedAt), catalog.FormatTime(p.TrashedAt.Add(t.Retention)), p.Path)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
		}
		fmt.Fprintf(e.stdout, "%s in the trash (%s)\n", plural(len(t.Photos), "photo"), bytesize.Format(t.Bytes))
		return nil
	})
}

func newTrashRestoreCmd(e *env) *cobra.Command {
	o := &idsOrAllOptions{}
	cmd := &cobra.Command{
		Use:   "restore ID...|--all",
		Short: "Take photos out of the trash",
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ids = args
			return runTrashRestore(cmd.Context(), e, o)
		},
	}
	cmd.Flags().BoolVar(&o.all, "all", false, "restore everything in the trash")
	return cmd
}

func runTrashRestore(ctx context.Context, e *env, o *idsOrAllOptions) error {
	ids, err := idsOrAll(o, "photo", "picup trash ls")
	if err != nil {
		return err
	}
	return withArchive(ctx, e, func(a *archive.Archive) error {
		n, err := a.Restore(ctx, ids)
		if err != nil {
			return err
		}
		var missing []int64
		fmt.Fprintf(e.stdout, "restored %s", plural(n, "photo"))
		if n < len(ids) {
			if missing, err = missingIDs(ctx, a.Library(), ids); err != nil {
				return err
			}
			if notTrashed := len(ids) - n - len(missing); notTrashed > 0 {
				fmt.Fprintf(e.stdout, " (%s not in the trash)", nWere(notTrashed))
			}
		}
		fmt.Fprintln(e.stdout)
		return noPhotoError(missing)
	})
}

type trashEmptyOptions struct {
	olderThan string // a period; "" for all
	yes       bool   // purge without asking
	dryRun    bool
	// tests: whether stdin is a terminal to ask on (nil: look)
	terminal func() bool
}

func newTrashEmptyCmd(e *env) *cobra.Command {
	o := &trashEmptyOptions{}
	cmd := &cobra.Command{
		Use:   "empty [--older-than 30d] [--yes | --dry-run]",
		Short: "Purge the trash now (all of it, or what is older than a duration)",
		Long: `Purge the trash now, for good: all of it, or with --older-than what has
been in it longer than a duration. The files are deleted after the
catalog forgets them (and in the remotes by the next sync).

On a terminal it says how many photos and bytes would go and asks first;
--yes purges without asking (scripts: without a terminal, --yes is
required). --dry-run says what would go and purges nothing.`,
		Example: "  picup trash empty\n  picup trash empty --older-than 7d --dry-run\n  picup trash empty --older-than 7d --yes",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTrashEmpty(cmd.Context(), e, o)
		},
	}
	durationVar(cmd.Flags(), &o.olderThan, "older-than", "only what has been in the trash longer than this (30d, 12h ...; "+seeDurations+")")
	cmd.Flags().BoolVarP(&o.yes, "yes", "y", false, "purge without asking")
	cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "say what would be purged, and purge nothing")
	return cmd
}

func runTrashEmpty(ctx context.Context, e *env, o *trashEmptyOptions) error {
	var d time.Duration
	if o.olderThan != "" {
		var err error
		if d, err = period.Parse(o.olderThan); err != nil {
			return &UsageError{Err: fmt.Errorf("--older-than: %w", err)}
		}
	}
	if o.yes && o.dryRun {
		return usageErrorf("--yes and --dry-run: give one of them")
	}
	terminal := o.terminal
	if terminal == nil {
		terminal = func() bool { f, ok := e.stdin.(*os.File); return ok && term.IsTerminal(int(f.Fd())) }
	}
	if !o.yes && !o.dryRun && !terminal() {
		return usageErrorf("trash empty purges for good: add --yes to purge without a terminal to ask on (--dry-run says what would go)")
	}
	return withArchive(ctx, e, func(a *archive.Archive) error {
		now := time.Now()
		n, bytes, err := a.TrashToEmpty(ctx, d, now)
		if err != nil {
			return err
		}
		what := fmt.Sprintf("%s (%s)", plural(n, "photo"), bytesize.Format(bytes))
		if o.olderThan != "" {
			what += " in the trash for longer than " + o.olderThan
		}
		switch {
		case n == 0 && o.olderThan != "":
			fmt.Fprintf(e.stderr, "nothing to purge: nothing has been in the trash for longer than %s\n", o.olderThan)
			return nil
		case n == 0:
			fmt.Fprintln(e.stderr, "nothing to purge: the trash is empty")
			return nil
		case o.dryRun:
			fmt.Fprintf(e.stdout, "would purge %s, for good; nothing purged (without --dry-run it asks, or --yes purges)\n", what)
			return nil
		case !o.yes:
			fmt.Fprintf(e.stderr, "Purge %s for good? It cannot be undone. [y/N] ", what)
			answer, err := bufio.NewReader(e.stdin).ReadString('\n')
			if err != nil && !errors.Is(err, io.EOF) {
				return err
			}
			if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
				return errors.New("nothing purged: not confirmed")
			}
		}
		purged, err := a.EmptyTrash(ctx, d, now)
		fmt.Fprintln(e.stderr, purged)
		if err != nil {
			return err
		}
		return runQueuedJobs(ctx, e, a)
	})
}

type trashRetentionOptions struct {
	set   *string // the DURATION to set; nil to show the retention
	force bool
}

func newTrashRetentionCmd(e *env) *cobra.Command {
	o := &trashRetentionOptions{}
	cmd := &cobra.Command{
		Use:   "retention [DURATION]",
		Short: "Show or set how long photos stay in the trash (default 30d)",
		Long: `Show or set how long photos stay in the trash before the next picup
command purges them for good (30d by default). DURATION is a whole number
and a unit: 30d, 2w, 6mo, 1y ... (` + seeDurations + `).

A retention under one day is refused: a mistaken "picup rm" would be
purged before anyone noticed. --force sets it anyway (0s purges the trash
at the next command).`,
		Example: "  picup trash retention\n  picup trash retention 60d\n  picup trash retention 1h --force",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.set = &args[0]
			}
			return runTrashRetention(cmd.Context(), e, o)
		},
	}
	cmd.Flags().BoolVar(&o.force, "force", false, "allow a retention under one day (photos in the trash are then purged within hours, minutes or at once)")
	return cmd
}

func runTrashRetention(ctx context.Context, e *env, o *trashRetentionOptions) error {
	var d time.Duration
	if o.set != nil {
		var err error
		if d, err = period.Parse(*o.set); err != nil {
			return &UsageError{Err: err}
		}
		if err := archive.CheckRetention(d, o.force); err != nil {
			return &UsageError{Err: err}
		}
	} else if o.force {
		return usageErrorf("--force goes with a DURATION to set")
	}
	return withArchive(ctx, e, func(a *archive.Archive) error {
		if o.set != nil {
			if err := a.SetRetention(ctx, d, o.force); err != nil {
				return err
			}
			if d < trash.MinRetention {
				fmt.Fprintf(e.stderr, "warning: photos in the trash are purged %s, for good; \"picup trash retention 30d\" goes back to the default\n", archive.PurgedAfter(d))
			}
		}
		keep, err := a.Retention(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "photos stay in the trash for %s (%s)\n", period.Words(keep), period.Format(keep))
		return nil
	})
}
