package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/remote"
	"github.com/picup/picup/internal/syncer"
	"github.com/picup/picup/pkg/bytesize"
)

type restoreOptions struct {
	url          *string // s3://BUCKET[/PREFIX]; nil with --from
	from         string
	r            catalog.Remote
	fromSidecars bool
	transfers    int
	json         bool
}

func newRestoreCmd(e *env) *cobra.Command {
	o := &restoreOptions{}
	cmd := &cobra.Command{
		Use:   "restore s3://BUCKET[/PREFIX] --endpoint HOST[:PORT] --library DIR | --from NAME --library DIR",
		Short: "Rebuild a library from a remote alone (after a dead disk or on a new machine)",
		Long: `Rebuild a working library in --library DIR from a remote alone: the newest
catalog snapshot, brought up to date by the journals written after it
(the photos each later sync changed, and the purges), then every
original, sidecar and thumbnail, each checked
against its SHA-256. The remote is configured in the new library, so
"picup sync" goes on from there. With --from-sidecars the catalog is
rebuilt from the photo sidecars (meta/*.json) when no snapshot is usable.

Instead of the URL and --endpoint, --from NAME takes a remote from the
user's remotes file (~/.config/picup/remotes), where "picup remote add"
keeps every remote it adds.

Credentials come from the environment or the credentials file, as for
"picup remote". Running restore again after an interruption downloads
only what is still missing. Check the result with "picup verify".`,
		Example: "  picup restore s3://family-photos --endpoint s3.eu-central-003.backblazeb2.com --library /srv/photos",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.url = &args[0]
			}
			return runRestore(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	hostPortVar(f, &o.r.Endpoint, "endpoint", "S3 endpoint HOST[:PORT]")
	f.StringVar(&o.r.Region, "region", "", "region (when the provider needs one)")
	f.BoolVar(&o.r.Insecure, "insecure-http", false, "plain HTTP instead of HTTPS")
	f.StringVar(&o.r.Name, "name", "backup", "name of the remote in the new library (kept from the snapshot when it has one for this bucket)")
	f.StringVar(&o.from, "from", "", "a remote kept in the user's remotes file, instead of URL and --endpoint")
	f.BoolVar(&o.fromSidecars, "from-sidecars", false, "rebuild the catalog from meta/*.json instead of a snapshot")
	f.IntVar(&o.transfers, "transfers", 4, "parallel downloads")
	f.BoolVar(&o.json, "json", false, "print the summary as JSON")
	return cmd
}

func runRestore(ctx context.Context, e *env, o *restoreOptions) error {
	if (o.url != nil) == (o.from != "") {
		return usageErrorf("give the bucket URL (s3://BUCKET) or --from NAME, not both or neither")
	}
	if o.from != "" {
		r, err := remote.LoadConfig(o.from)
		if err != nil {
			return err
		}
		o.r = r
	} else {
		bucket, prefix, err := remote.ParseURL(*o.url)
		if err != nil {
			return &UsageError{Err: err}
		}
		if o.r.Endpoint == "" || strings.Contains(o.r.Endpoint, "://") {
			return usageErrorf("--endpoint HOST[:PORT] is required (no scheme; --insecure-http for plain HTTP)")
		}
		o.r.Bucket, o.r.Prefix, o.r.KeepSnapshots = bucket, prefix, 7
	}
	root, err := e.libraryRoot()
	if err != nil {
		return err
	}
	store, _, err := remote.Open(ctx, o.r, remote.Options{})
	if err != nil {
		return err
	}
	sum, err := syncer.Restore(ctx, root, o.r, store, syncer.RestoreOptions{FromSidecars: o.fromSidecars, Transfers: o.transfers})
	if o.json {
		if jerr := writeJSON(e.stdout, sum); jerr != nil {
			return jerr
		}
	} else {
		from := "the photo sidecars"
		if sum.Snapshot != "" {
			from = "snapshot " + sum.Snapshot
		}
		if n := len(sum.Journals); n > 0 {
			from += fmt.Sprintf(" and %s after it (%s brought up to date)", plural(n, "journal"), plural(sum.CaughtUp, "photo"))
		}
		fmt.Fprintf(e.stdout, "restored %d photos into %s from %s: %d files downloaded (%s), %d missing in the remote\n",
			sum.Photos, root, from, sum.Downloaded, bytesize.Format(sum.Bytes), sum.MissingCount)
		for _, m := range sum.Missing {
			fmt.Fprintf(e.stderr, "missing in the remote: %s\n", m)
		}
		if more := sum.MissingCount - len(sum.Missing); more > 0 {
			fmt.Fprintf(e.stderr, "and %d more missing in the remote\n", more)
		}
		if n := len(sum.LockedShares); n > 0 {
			ids := make([]string, n)
			for i, id := range sum.LockedShares {
				ids[i] = strconv.FormatInt(id, 10)
			}
			locked := fmt.Sprintf("%d password links are locked", n)
			if n == 1 {
				locked = "1 password link is locked"
			}
			fmt.Fprintf(e.stderr, "%s (catalog snapshots never carry passwords); give each a new one with \"picup share password ID\": %s\n",
				locked, strings.Join(ids, ", "))
		}
	}
	if err != nil {
		return fmt.Errorf("restore: %w; run the same command again to go on", err)
	}
	if sum.MissingCount > 0 {
		return &PartialError{Err: fmt.Errorf("%d files are missing in the remote; \"picup verify --repair\" regenerates missing thumbnails", sum.MissingCount)}
	}
	return nil
}
