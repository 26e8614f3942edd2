package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
)

func newJobsCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "jobs",
		Short: "See and retry queued background work (deletions, auto syncs)",
		Long: `Work that must happen after the catalog changes — deleting the files and
remote objects of purged photos, syncing to remotes added with --auto — is
queued durably in the catalog and done right after the command that queued
it, or by the commands that follow. A job that fails is retried with growing waits (2 s, 4 s, 8 s …
up to an hour); after 8 failures it is "dead" and waits for "picup jobs
retry".`,
	}
	cmd.AddCommand(newJobsLsCmd(e), newJobsRetryCmd(e))
	return cmd
}

type jobsLsOptions struct {
	json   bool
	failed bool
}

func newJobsLsCmd(e *env) *cobra.Command {
	o := &jobsLsOptions{}
	cmd := &cobra.Command{
		Use:   "ls",
		Short: "List queued jobs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runJobsLs(cmd.Context(), e, o)
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print JSON")
	cmd.Flags().BoolVar(&o.failed, "failed", false, "only jobs that failed at least once, dead ones included")
	return cmd
}

// jobJSON is a job in "picup jobs ls --json".
type jobJSON struct {
	ID        int64  `json:"id"`
	Kind      string `json:"kind"`
	Target    string `json:"target"`
	State     string `json:"state"`
	Attempts  int    `json:"attempts"`
	LastError string `json:"last_error"`
	CreatedAt string `json:"created_at"`
}

func runJobsLs(ctx context.Context, e *env, o *jobsLsOptions) error {
	return withLibrary(ctx, e, func(lib *library.Library) error {
		list, err := lib.Catalog.Jobs(ctx, o.failed)
		if err != nil {
			return err
		}
		if o.json {
			out := make([]jobJSON, 0, len(list))
			for _, j := range list {
				out = append(out, jobJSON{ID: j.ID, Kind: j.Kind, Target: j.Target, State: j.State, Attempts: j.Attempts,
					LastError: j.LastError, CreatedAt: catalog.FormatTime(j.CreatedAt)})
			}
			return writeJSON(e.stdout, out)
		}
		tw := newTable(e.stdout, "ID", "KIND", "STATE", "ATTEMPTS", "TARGET", "LAST ERROR")
		for _, j := range list {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\n", j.ID, j.Kind, j.State, j.Attempts, j.Target, j.LastError)
		}
		return tw.Flush()
	})
}

func newJobsRetryCmd(e *env) *cobra.Command {
	o := &idsOrAllOptions{}
	cmd := &cobra.Command{
		Use:   "retry ID|--all",
		Short: "Run failed or dead jobs again now",
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ids = args
			return runJobsRetry(cmd.Context(), e, o)
		},
	}
	cmd.Flags().BoolVar(&o.all, "all", false, "every failed or dead job")
	return cmd
}

func runJobsRetry(ctx context.Context, e *env, o *idsOrAllOptions) error {
	ids, err := idsOrAll(o, "job", "picup jobs ls")
	if err != nil {
		return err
	}
	return withArchive(ctx, e, func(a *archive.Archive) error {
		n, err := a.RetryJobs(ctx, ids)
		if errors.Is(err, catalog.ErrNotFound) {
			return fmt.Errorf("not every id names a failed or dead job (%s); see \"picup jobs ls --failed\": %w", joinIDs(ids), err)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "retrying %s\n", plural(n, "job"))
		return runQueuedJobs(ctx, e, a)
	})
}

// runQueuedJobs runs the queued jobs that are due (archive.RunQueuedJobs)
// and says what is left.
func runQueuedJobs(ctx context.Context, e *env, a *archive.Archive) error {
	res, err := a.RunQueuedJobs(ctx)
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("run queued jobs: %w", err)
	}
	if res.Failed+res.Dead > 0 {
		fmt.Fprintf(e.stderr, "%d queued jobs failed and stay queued (%d given up); see \"picup jobs ls --failed\"\n", res.Failed+res.Dead, res.Dead)
	}
	return err
}
