package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/blob"
	"github.com/picup/picup/internal/syncer"
	"github.com/picup/picup/pkg/bytesize"
)

type syncOptions struct {
	remote    string
	transfers int
	bwlimit   string
	dryRun    bool
	json      bool
	full      bool
}

func newSyncCmd(e *env) *cobra.Command {
	o := &syncOptions{}
	cmd := &cobra.Command{
		Use:   "sync [REMOTE]",
		Short: "Upload to a remote whatever it does not have yet",
		Long: `Upload to an S3-compatible remote whatever it does not have yet: originals
and sidecars, thumbnails, a JSON sidecar per photo (meta/<sha256>.json),
then a record of the catalog when it changed: a consistent snapshot of
it (catalog/<time>.db), keeping the newest few ("remote add
--keep-snapshots", 7 by default), or, when the catalog is over 64 MB and
only photos changed since the newest snapshot (at most one in a hundred
of them), a journal of the photos this sync uploaded
(catalog/<time>.journal.json), which "picup restore" applies after that
snapshot. --full-snapshot takes a snapshot in any case. Objects of photos purged from the trash are
deleted from the remote through the job queue.

The bucket is created when missing (if the credentials allow it). Each
object's SHA-256 is sent for the server to check and stored in its
metadata. The catalog records what is in the remote, so a sync with
nothing to do lists nothing and ends at once, and an interrupted sync goes
on where it stopped. Transient errors are retried with backoff; when the
remote keeps failing, the sync stops with an error (exit 1).

REMOTE may be left out when the library has exactly one.`,
		Example: "  picup sync\n  picup sync b2 --transfers 8 --bwlimit 2MiB",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.remote = args[0]
			}
			return runSync(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.transfers, "transfers", 4, "parallel uploads")
	sizeVar(f, &o.bwlimit, "bwlimit", "", "bandwidth limit in bytes per second: 500KB, 2MiB ("+seeSizes+")")
	f.BoolVarP(&o.dryRun, "dry-run", "n", false, "count what would be uploaded, upload nothing")
	f.BoolVar(&o.full, "full-snapshot", false, "snapshot the whole catalog even when a journal of what changed would do")
	f.BoolVar(&o.json, "json", false, "print the summary as JSON")
	return cmd
}

func runSync(ctx context.Context, e *env, o *syncOptions) error {
	if o.transfers < 1 {
		return usageErrorf("--transfers must be 1 or more")
	}
	var rate int64
	if o.bwlimit != "" {
		var err error
		if rate, err = bytesize.Parse(o.bwlimit); err != nil {
			return &UsageError{Err: fmt.Errorf("--bwlimit: %w", err)}
		}
	}
	return withArchive(ctx, e, func(a *archive.Archive) error {
		r, err := pickRemote(ctx, a, o.remote)
		if err != nil {
			return err
		}
		prog := &syncer.Progress{}
		stop := startSyncProgress(e.progress(), prog)
		sum, r, err := a.Sync(ctx, r.Name, archive.SyncOptions{
			Options:       syncer.Options{Transfers: o.transfers, DryRun: o.dryRun, FullSnapshot: o.full, Progress: prog},
			BytesPerSec:   rate,
			BucketCreated: func(bucket string) { fmt.Fprintf(e.stderr, "created bucket %q\n", bucket) },
		})
		stop()
		if o.json {
			if jerr := writeJSON(e.stdout, sum); jerr != nil {
				return jerr
			}
		} else {
			for _, f := range sum.Failures {
				fmt.Fprintf(e.stderr, "failed: %s: %s\n", f.Key, f.Error)
			}
			verb := "uploaded"
			if sum.DryRun {
				verb = "would upload"
			}
			if sum.Photos == 0 {
				fmt.Fprintf(e.stdout, "no photo changed since the last sync to %q (%.1fs)\n", r.Name, sum.Seconds)
			} else {
				fmt.Fprintf(e.stdout, "%s %d objects (%s) of %s to %q, %d already there, %d failed in %.1fs\n",
					verb, sum.Uploaded, bytesize.Format(sum.Bytes), plural(sum.Photos, "changed photo"), r.Name, sum.Skipped, sum.Failed, sum.Seconds)
			}
			if sum.Snapshot != "" {
				fmt.Fprintf(e.stdout, "catalog snapshot %s\n", sum.Snapshot)
			}
			if sum.Journal != "" {
				fmt.Fprintf(e.stdout, "catalog journal %s\n", sum.Journal)
			}
		}
		if err == nil && !o.dryRun {
			// Deletions of purged photos' objects wait in the queue.
			err = runQueuedJobs(ctx, e, a)
		}
		if err != nil {
			if errors.Is(err, blob.ErrCircuitOpen) {
				return fmt.Errorf("%w; nothing already uploaded will be sent again, run \"picup sync\" when it is back", err)
			}
			return err
		}
		if sum.Failed > 0 {
			return &PartialError{Err: fmt.Errorf("%d objects failed to upload; run \"picup sync\" again", sum.Failed)}
		}
		return nil
	})
}
