package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/syncer"
	"github.com/picup/picup/pkg/bytesize"
	"github.com/picup/picup/pkg/period"
)

type offloadOptions struct {
	remote string
	older  string
	album  string
	dryRun bool
	json   bool
}

func newOffloadCmd(e *env) *cobra.Command {
	o := &offloadOptions{}
	cmd := &cobra.Command{
		Use:   "offload --older-than 1y | --album NAME",
		Short: "Free local space: keep only the remote copy of old originals",
		Long: `Drop the local originals of photos taken before --older-than (or of an
album's photos) whose copy in the remote is checked now (present, same
size, same SHA-256). Thumbnails stay, so the photos remain visible
everywhere; "picup fetch" brings originals back. Photos not synced yet are
kept and listed.`,
		Example: "  picup offload --older-than 2y\n  picup offload --album 'Jeju 2019' --dry-run",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runOffload(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.remote, "remote", "", "remote holding the copies (default: the only one)")
	durationVar(f, &o.older, "older-than", "photos taken longer ago than this (1y, 180d; "+seeDurations+")")
	f.StringVar(&o.album, "album", "", "the photos of this album")
	f.BoolVarP(&o.dryRun, "dry-run", "n", false, "check and report, delete nothing")
	f.BoolVar(&o.json, "json", false, "print JSON")
	return cmd
}

func runOffload(ctx context.Context, e *env, o *offloadOptions) error {
	if (o.older == "") == (o.album == "") {
		return usageErrorf("choose photos with --older-than DURATION or --album NAME")
	}
	var before time.Time
	if o.older != "" {
		d, err := period.Parse(o.older)
		if err != nil {
			return &UsageError{Err: fmt.Errorf("--older-than: %w", err)}
		}
		before = time.Now().Add(-d)
	}
	return withArchive(ctx, e, func(a *archive.Archive) error {
		r, err := pickRemote(ctx, a, o.remote)
		if err != nil {
			return err
		}
		res, err := a.Offload(ctx, archive.OffloadOptions{Remote: r, Album: o.album, TakenBefore: before, DryRun: o.dryRun})
		if o.json {
			if res == nil {
				res = []syncer.OffloadResult{}
			}
			if jerr := writeJSON(e.stdout, res); jerr != nil {
				return jerr
			}
		}
		n, kept := 0, 0
		var freed int64
		for _, x := range res {
			if x.Done {
				n++
				freed += x.Bytes
			} else {
				kept++
				fmt.Fprintf(e.stderr, "kept %s: %s\n", x.Path, x.Reason)
			}
		}
		if !o.json {
			verb := "offloaded"
			if o.dryRun {
				verb = "would offload"
			}
			fmt.Fprintf(e.stdout, "%s %s to %q (%s freed), %d kept\n", verb, plural(n, "original"), r.Name, bytesize.Format(freed), kept)
		}
		return err
	})
}

type fetchOptions struct {
	photos []string // ids or paths, as photoIDs reads them
}

func newFetchCmd(e *env) *cobra.Command {
	o := &fetchOptions{}
	return &cobra.Command{
		Use:   "fetch ID|PATH...",
		Short: "Bring offloaded originals back from the remote",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.photos = args
			return runFetch(cmd.Context(), e, o)
		},
	}
}

func runFetch(ctx context.Context, e *env, o *fetchOptions) error {
	return withArchive(ctx, e, func(a *archive.Archive) error {
		ids, err := photoIDs(ctx, a.Library(), o.photos)
		if err != nil {
			return err
		}
		if err := checkPhotoIDs(ctx, a.Library(), ids); err != nil {
			return err
		}
		n, err := a.Fetch(ctx, ids)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "fetched %s\n", plural(n, "original"))
		return nil
	})
}
