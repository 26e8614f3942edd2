package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/remote"
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
	f.StringVar(&o.older, "older-than", "", "photos taken longer ago than this (1y, 180d; "+seeDurations+")")
	f.StringVar(&o.album, "album", "", "the photos of this album")
	f.BoolVarP(&o.dryRun, "dry-run", "n", false, "check and report, delete nothing")
	f.BoolVar(&o.json, "json", false, "print JSON")
	return cmd
}

func runOffload(ctx context.Context, e *env, o *offloadOptions) error {
	if (o.older == "") == (o.album == "") {
		return usageErrorf("choose photos with --older-than DURATION or --album NAME")
	}
	var cutoff int64
	if o.older != "" {
		d, err := period.Parse(o.older)
		if err != nil {
			return &UsageError{Err: fmt.Errorf("--older-than: %w", err)}
		}
		cutoff = time.Now().Add(-d).UnixMilli()
	}
	return withLibrary(ctx, e, func(lib *library.Library) error {
		r, err := pickRemote(ctx, lib, o.remote)
		if err != nil {
			return err
		}
		local := func(p catalog.Photo) bool { return p.Offloaded == "" }
		var photos []catalog.Photo
		if o.album != "" {
			a, err := lib.Catalog.AlbumByName(ctx, o.album)
			if err != nil {
				return err
			}
			photos, err = collectPhotos(nil, local, func(after *catalog.Cursor, n int) ([]catalog.Photo, error) {
				return lib.Catalog.AlbumPhotos(ctx, a.ID, after, n)
			})
			if err != nil {
				return err
			}
		} else {
			photos, err = collectPhotos(&catalog.Cursor{TakenKey: cutoff}, local, func(after *catalog.Cursor, n int) ([]catalog.Photo, error) {
				return lib.Catalog.ListPhotos(ctx, after, n)
			})
			if err != nil {
				return err
			}
		}
		store, _, err := remote.Open(ctx, r, remote.Options{})
		if err != nil {
			return err
		}
		res, err := syncer.Offload(ctx, lib, r, store, photos, o.dryRun)
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
			fmt.Fprintf(e.stdout, "%s %d originals to %q (%s freed), %d kept\n", verb, n, r.Name, bytesize.Format(freed), kept)
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
	return withLibrary(ctx, e, func(lib *library.Library) error {
		ids, err := photoIDs(ctx, lib, o.photos)
		if err != nil {
			return err
		}
		n := 0
		for _, id := range ids {
			p, err := lib.Catalog.PhotoByID(ctx, id)
			if err != nil {
				return fmt.Errorf("photo %d: %w", id, err)
			}
			if p.Offloaded == "" {
				continue
			}
			_, store, _, err := openRemote(ctx, lib, p.Offloaded)
			if err != nil {
				return err
			}
			if err := syncer.Fetch(ctx, lib, store, p); err != nil {
				return err
			}
			n++
		}
		fmt.Fprintf(e.stdout, "fetched %d originals\n", n)
		return nil
	})
}
