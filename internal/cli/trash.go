package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/trash"
	"github.com/picup/picup/pkg/bytesize"
	"github.com/picup/picup/pkg/period"
)

func newRmCmd(e *env) *cobra.Command {
	var album string
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
			if (len(args) == 0) == (album == "") {
				return usageErrorf("name photos (ID or PATH) or --album NAME, not both or neither")
			}
			ctx := cmd.Context()
			return withLibrary(ctx, e, func(lib *library.Library) error {
				ids, err := photoIDs(ctx, lib, args)
				if err != nil {
					return err
				}
				a := archive.New(lib)
				var n int
				if album != "" {
					n, err = a.TrashAlbum(ctx, album)
				} else {
					n, err = a.Trash(ctx, ids)
				}
				if err != nil {
					return err
				}
				keep, err := a.Retention(ctx)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "moved %d to the trash; they are purged %s (restore with \"picup trash restore\")\n", n, archive.PurgedAfter(keep))
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&album, "album", "", "move every photo of this album to the trash")
	return cmd
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

func newTrashLsCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "ls",
		Short: "List the trash, most recently trashed first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return withLibrary(ctx, e, func(lib *library.Library) error {
				keep, err := trash.Retention(ctx, lib)
				if err != nil {
					return err
				}
				var all []catalog.Photo
				afterAt, afterID := "", int64(0)
				for {
					page, err := lib.Catalog.TrashedPhotos(ctx, afterAt, afterID, pageSize)
					if err != nil {
						return err
					}
					all = append(all, page...)
					if len(page) < pageSize {
						break
					}
					afterAt, afterID = page[len(page)-1].TrashedAt, page[len(page)-1].ID
				}
				if asJSON {
					out := make([]trashedJSON, 0, len(all))
					for _, p := range all {
						out = append(out, trashedJSON{photoJSON: toJSON(p), TrashedAt: p.TrashedAt})
					}
					return writeJSON(e.stdout, out)
				}
				var total int64
				for _, p := range all {
					total += p.Bytes
					t, _ := time.Parse(time.RFC3339, p.TrashedAt)
					fmt.Fprintf(e.stdout, "%d\t%s\t%s\ttrashed %s, purged after %s\n", p.ID, bytesize.Format(p.Bytes), p.Path,
						p.TrashedAt, t.Add(keep).Format(time.RFC3339))
				}
				fmt.Fprintf(e.stdout, "%d in the trash (%s)\n", len(all), bytesize.Format(total))
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newTrashRestoreCmd(e *env) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "restore ID...|--all",
		Short: "Take photos out of the trash",
		RunE: func(cmd *cobra.Command, args []string) error {
			ids, err := idsOrAll(args, all, "photo", "picup trash ls")
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			return withLibrary(ctx, e, func(lib *library.Library) error {
				n, err := archive.New(lib).Restore(ctx, ids)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "restored %d\n", n)
				if n < len(ids) {
					return fmt.Errorf("%d of the ids were not in the trash; see \"picup trash ls\"", len(ids)-n)
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "restore everything in the trash")
	return cmd
}

func newTrashEmptyCmd(e *env) *cobra.Command {
	var older string
	cmd := &cobra.Command{
		Use:     "empty [--older-than 30d]",
		Short:   "Purge the trash now (all of it, or what is older than a duration)",
		Example: "  picup trash empty\n  picup trash empty --older-than 7d",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var d time.Duration
			if older != "" {
				var err error
				if d, err = period.Parse(older); err != nil {
					return &UsageError{Err: fmt.Errorf("--older-than: %w", err)}
				}
			}
			ctx := cmd.Context()
			return withArchive(ctx, e, func(a *archive.Archive) error {
				purged, err := a.EmptyTrash(ctx, d, time.Now())
				fmt.Fprintln(e.stderr, purged)
				if err != nil {
					return err
				}
				return runJobs(ctx, e, a)
			})
		},
	}
	cmd.Flags().StringVar(&older, "older-than", "", "only what has been in the trash longer than this (30d, 12h ...; "+seeDurations+")")
	return cmd
}

func newTrashRetentionCmd(e *env) *cobra.Command {
	var force bool
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
			var d time.Duration
			if len(args) == 1 {
				var err error
				if d, err = period.Parse(args[0]); err != nil {
					return &UsageError{Err: err}
				}
				if err := archive.CheckRetention(d, force); err != nil {
					return &UsageError{Err: err}
				}
			} else if force {
				return usageErrorf("--force goes with a DURATION to set")
			}
			ctx := cmd.Context()
			return withArchive(ctx, e, func(a *archive.Archive) error {
				if len(args) == 1 {
					if err := a.SetRetention(ctx, d, force); err != nil {
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
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "allow a retention under one day (photos in the trash are then purged within hours, minutes or at once)")
	return cmd
}
