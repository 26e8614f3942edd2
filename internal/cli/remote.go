package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/remote"
)

func newRemoteCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "remote",
		Short: "S3-compatible buckets the library is synced to",
		Long: `A remote is an S3-compatible bucket (MinIO, AWS S3, Backblaze B2, Garage,
Wasabi ...) that keeps a full copy of the library: see "picup sync".

Credentials are never stored in the catalog. They come from
PICUP_S3_ACCESS_KEY_ID and PICUP_S3_SECRET_ACCESS_KEY, else
AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, else a credentials file
(` + "`$PICUP_CREDENTIALS` or ~/.config/picup/credentials" + `, mode 0600) with a
section per remote:

  [b2]
  access_key_id = ...
  secret_access_key = ...`,
	}
	cmd.AddCommand(newRemoteAddCmd(e), newRemoteLsCmd(e), newRemoteRmCmd(e), newRemoteTestCmd(e))
	return cmd
}

type remoteAddOptions struct {
	name string
	url  string // s3://BUCKET[/PREFIX]
	r    catalog.Remote
}

func newRemoteAddCmd(e *env) *cobra.Command {
	o := &remoteAddOptions{}
	cmd := &cobra.Command{
		Use:     "add NAME s3://BUCKET[/PREFIX] --endpoint HOST[:PORT]",
		Short:   "Add a remote",
		Example: "  picup remote add b2 s3://family-photos --endpoint s3.eu-central-003.backblazeb2.com\n  picup remote add nas s3://photos/picup --endpoint 192.168.1.10:9000 --insecure-http",
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.name, o.url = args[0], args[1]
			return runRemoteAdd(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	hostPortVar(f, &o.r.Endpoint, "endpoint", "S3 endpoint HOST[:PORT]")
	f.StringVar(&o.r.Region, "region", "", "region (when the provider needs one)")
	f.BoolVar(&o.r.Insecure, "insecure-http", false, "plain HTTP instead of HTTPS (only on a trusted network)")
	f.IntVar(&o.r.KeepSnapshots, "keep-snapshots", 7, "catalog snapshots to keep in the bucket")
	f.BoolVar(&o.r.Auto, "auto", false, "sync to this remote after every import that stores something (through the job queue)")
	return cmd
}

func runRemoteAdd(ctx context.Context, e *env, o *remoteAddOptions) error {
	if err := checkName("remote", o.name); err != nil {
		return err
	}
	bucket, prefix, err := remote.ParseURL(o.url)
	if err != nil {
		return &UsageError{Err: err}
	}
	r := o.r
	if r.Endpoint == "" {
		return usageErrorf("--endpoint is required (e.g. s3.amazonaws.com or 127.0.0.1:9000)")
	}
	if strings.Contains(r.Endpoint, "://") {
		return usageErrorf("--endpoint takes HOST[:PORT] without a scheme; use --insecure-http for plain HTTP")
	}
	r.Name, r.Bucket, r.Prefix = o.name, bucket, prefix
	return withArchive(ctx, e, func(a *archive.Archive) error {
		if err := a.AddRemote(ctx, r); err != nil {
			return err
		}
		if err := remote.SaveConfig(r); err != nil {
			fmt.Fprintf(e.stderr, "warning: could not keep the remote in %s for \"picup restore --from\": %v\n", remote.ConfigFile(), err)
		}
		fmt.Fprintf(e.stdout, "added remote %q: s3://%s/%s at %s; check it with \"picup remote test %s\"\n", r.Name, r.Bucket, r.Prefix, r.Endpoint, r.Name)
		return nil
	})
}

type remoteLsOptions struct {
	json bool
}

func newRemoteLsCmd(e *env) *cobra.Command {
	o := &remoteLsOptions{}
	cmd := &cobra.Command{
		Use:   "ls",
		Short: "List remotes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRemoteLs(cmd.Context(), e, o)
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print JSON")
	return cmd
}

// remoteJSON is a remote in "picup remote ls --json".
type remoteJSON struct {
	Name          string `json:"name"`
	Bucket        string `json:"bucket"`
	Prefix        string `json:"prefix"`
	Endpoint      string `json:"endpoint"`
	Region        string `json:"region"`
	Insecure      bool   `json:"insecure_http"`
	KeepSnapshots int    `json:"keep_snapshots"`
	Auto          bool   `json:"auto"`
	CreatedAt     string `json:"created_at"`
}

func runRemoteLs(ctx context.Context, e *env, o *remoteLsOptions) error {
	return withLibrary(ctx, e, func(lib *library.Library) error {
		rs, err := lib.Catalog.Remotes(ctx)
		if err != nil {
			return err
		}
		if o.json {
			out := make([]remoteJSON, 0, len(rs))
			for _, r := range rs {
				out = append(out, remoteJSON{Name: r.Name, Bucket: r.Bucket, Prefix: r.Prefix, Endpoint: r.Endpoint, Region: r.Region,
					Insecure: r.Insecure, KeepSnapshots: r.KeepSnapshots, Auto: r.Auto, CreatedAt: catalog.FormatTime(r.CreatedAt)})
			}
			return writeJSON(e.stdout, out)
		}
		tw := newTable(e.stdout, "NAME", "URL", "ENDPOINT", "LAST SNAPSHOT")
		for _, r := range rs {
			snaps, err := lib.Catalog.Snapshots(ctx, r.Name)
			if err != nil {
				return fmt.Errorf("remote %q: snapshots: %w", r.Name, err)
			}
			last := "-"
			if len(snaps) > 0 {
				last = catalog.FormatTime(snaps[0].CreatedAt)
			}
			scheme := "https"
			if r.Insecure {
				scheme = "http"
			}
			fmt.Fprintf(tw, "%s\ts3://%s/%s\t%s://%s\t%s\n", r.Name, r.Bucket, r.Prefix, scheme, r.Endpoint, last)
		}
		return tw.Flush()
	})
}

type remoteRmOptions struct {
	name string
}

func newRemoteRmCmd(e *env) *cobra.Command {
	o := &remoteRmOptions{}
	return &cobra.Command{
		Use:   "rm NAME",
		Short: "Forget a remote (the bucket and its objects are left as they are)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.name = args[0]
			return runRemoteRm(cmd.Context(), e, o)
		},
	}
}

func runRemoteRm(ctx context.Context, e *env, o *remoteRmOptions) error {
	return withArchive(ctx, e, func(a *archive.Archive) error {
		if err := a.RemoveRemote(ctx, o.name); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "removed remote %q; its bucket was not touched\n", o.name)
		return nil
	})
}

type remoteTestOptions struct {
	name string
}

func newRemoteTestCmd(e *env) *cobra.Command {
	o := &remoteTestOptions{}
	return &cobra.Command{
		Use:   "test NAME",
		Short: "Check a remote: reach, credentials, bucket, write/read/delete, clock skew",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.name = args[0]
			return runRemoteTest(cmd.Context(), e, o)
		},
	}
}

func runRemoteTest(ctx context.Context, e *env, o *remoteTestOptions) error {
	return withArchive(ctx, e, func(a *archive.Archive) error {
		r, skew, err := a.ProbeRemote(ctx, o.name)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "remote %q works: reached %s, credentials accepted, bucket %q writable and readable, clock skew %s\n",
			r.Name, r.Endpoint, r.Bucket, skew.Round(time.Millisecond))
		if skew > 5*time.Minute || skew < -5*time.Minute {
			return errors.New("the clocks differ by more than 5 minutes, which S3 signatures refuse; fix this machine's clock (NTP)")
		}
		return nil
	})
}
