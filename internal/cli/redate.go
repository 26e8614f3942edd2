package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/archive"
)

type redateOptions struct {
	photos       []string
	fromMetadata bool
	at           string
	all          bool
	json         bool
}

func newRedateCmd(e *env) *cobra.Command {
	o := &redateOptions{}
	cmd := &cobra.Command{
		Use:   "redate ID|PATH... (--from-metadata | --at DATE) | --all --from-metadata",
		Short: "Set capture times again, from the metadata or by hand",
		Long: `Set the capture time of photos already in the library.

--from-metadata reads each original's metadata again (EXIF, XMP, IPTC and
its .xmp sidecars), as an import of today does: photos imported before
picup read a source get its date, title, caption, keywords, people,
rating, position and place. What the metadata does not say is kept, and
so is a caption the catalog has (it may have been typed with "picup
caption"). A photo whose metadata has no date keeps its capture time.
"picup verify --metadata" lists the photos this would change, and
"picup verify --repair" changes them. --all does it for every photo not
in the trash, leaving alone those dated by hand.

--at sets a date by hand (taken_at_source "manual"): a day (1962-07-14), a
month (1962-07), a year (1962), or a time in RFC 3339
(1962-07-14T15:30:00+09:00).

When the date changes, the original and its sidecars move to the new
date's folder (originals/YYYY/YYYY-MM-DD/) together with the catalog.`,
		Example: "  picup redate 42 --at 1962-07-14\n  picup redate 42 43 --from-metadata\n  picup redate --all --from-metadata --json",
		RunE: func(cmd *cobra.Command, args []string) error {
			o.photos = args
			return runRedate(cmd.Context(), e, o)
		},
	}
	cmd.Flags().BoolVar(&o.fromMetadata, "from-metadata", false, "read the date (and title, caption, keywords, people, rating, position) from the metadata again")
	cmd.Flags().StringVar(&o.at, "at", "", "set this date by hand: 1962-07-14, 1962-07, 1962 or an RFC 3339 time")
	cmd.Flags().BoolVar(&o.all, "all", false, "every photo not in the trash (with --from-metadata)")
	cmd.Flags().BoolVar(&o.json, "json", false, "print the result as JSON")
	return cmd
}

// redateResult is what redate --json prints.
type redateResult struct {
	Photos    []archive.Redated `json:"photos"`
	Changed   int               `json:"changed"`
	Unchanged int               `json:"unchanged"`
	Failed    int               `json:"failed"`
}

func runRedate(ctx context.Context, e *env, o *redateOptions) error {
	atSet := o.at != ""
	if atSet {
		if _, err := archive.ParseRedateAt(o.at); err != nil {
			return usageErrorf("--at: %v", err)
		}
	}
	switch {
	case atSet == o.fromMetadata:
		return usageErrorf("redate: give --from-metadata or --at DATE (one of them)")
	case o.all && atSet:
		return usageErrorf("redate: --all goes with --from-metadata, not with --at")
	case o.all && len(o.photos) > 0:
		return usageErrorf("redate: give photo ids or --all, not both")
	case !o.all && len(o.photos) == 0:
		return usageErrorf("redate: give the photos' ids (or paths), or --all with --from-metadata")
	}
	return withArchive(ctx, e, func(a *archive.Archive) error {
		var ids []int64
		var err error
		if o.all {
			ids, err = a.RedateAllIDs(ctx)
		} else {
			ids, err = photoIDs(ctx, a.Library(), o.photos)
			if err == nil {
				err = checkPhotoIDs(ctx, a.Library(), ids)
			}
		}
		if err != nil {
			return err
		}
		rs, failed, err := a.Redate(ctx, ids, archive.RedateOptions{FromMetadata: o.fromMetadata, At: o.at, KeepManual: o.all})
		if err != nil && rs == nil {
			return err
		}
		res := redateResult{Photos: rs, Failed: failed}
		for _, r := range rs {
			if r.Changed {
				res.Changed++
			} else if r.Error == "" {
				res.Unchanged++
			}
		}
		if res.Photos == nil {
			res.Photos = []archive.Redated{}
		}
		if o.json {
			if jerr := writeJSON(e.stdout, res); jerr != nil {
				return jerr
			}
		} else {
			printRedate(e, res)
		}
		if err != nil {
			return err
		}
		switch {
		case failed == 0:
			return nil
		case failed == len(rs):
			return fmt.Errorf("redate failed for %s", plural(failed, "photo"))
		}
		return &PartialError{Err: fmt.Errorf("redate failed for %s of %d", plural(failed, "photo"), len(rs))}
	})
}

func printRedate(e *env, res redateResult) {
	for _, r := range res.Photos {
		var b strings.Builder
		fmt.Fprintf(&b, "%d %s: ", r.ID, r.Path)
		switch {
		case r.Error != "":
			fmt.Fprintf(&b, "failed: %s", r.Error)
		case r.Changed:
			fmt.Fprintf(&b, "%s (%s) → %s (%s)", r.WasTakenAt, r.WasSource, r.TakenAt, r.TakenAtSource)
			if r.OldPath != "" {
				fmt.Fprintf(&b, ", moved from %s", r.OldPath)
			}
		default:
			fmt.Fprintf(&b, "unchanged, %s (%s)", r.TakenAt, r.TakenAtSource)
		}
		if r.Note != "" {
			fmt.Fprintf(&b, "; %s", r.Note)
		}
		fmt.Fprintln(e.stdout, b.String())
	}
	fmt.Fprintf(e.stdout, "redated %s, %d unchanged, %d failed\n", plural(res.Changed, "photo"), res.Unchanged, res.Failed)
}
