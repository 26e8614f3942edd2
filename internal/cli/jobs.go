package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

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
	limit  int
	after  string
}

func newJobsLsCmd(e *env) *cobra.Command {
	o := &jobsLsOptions{}
	cmd := &cobra.Command{
		Use:   "ls",
		Short: "List queued jobs",
		Long: `List the queued jobs, oldest first: each job's id, kind, state, attempts,
target and last error.

Paged with a cursor: when --limit cuts the list, stderr says how to get
the next page. A queue of any length is listed in bounded memory.`,
		Example: "  picup jobs ls --limit 20\n  picup jobs ls --failed\n  picup jobs ls --json --limit 100 --after 4200",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runJobsLs(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.json, "json", false, "print JSON")
	f.BoolVar(&o.failed, "failed", false, "only jobs that failed at least once, dead ones included")
	f.IntVar(&o.limit, "limit", 0, "list at most N jobs (default: all)")
	f.StringVar(&o.after, "after", "", "continue after this cursor (from a previous listing)")
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

// jobCursor is the cursor of the job listing: the id of a job.
type jobCursor int64

func (c jobCursor) String() string { return strconv.FormatInt(int64(c), 10) }

func runJobsLs(ctx context.Context, e *env, o *jobsLsOptions) error {
	if o.limit < 0 {
		return usageErrorf("--limit must be positive, not %d", o.limit)
	}
	after, err := idCursor(o.after, "picup jobs ls")
	if err != nil {
		return err
	}
	command := "picup jobs ls"
	if o.failed {
		command += " --failed"
	}
	if o.json {
		command += " --json"
	}
	return withLibrary(ctx, e, func(lib *library.Library) error {
		n := 0
		tw := newTable(e.stdout, "ID", "KIND", "STATE", "ATTEMPTS", "TARGET", "LAST ERROR")
		emit := func(j catalog.Job) error {
			n++
			if !o.json {
				_, err := fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\n", j.ID, j.Kind, j.State, j.Attempts, j.Target, j.LastError)
				return err
			}
			b, err := marshalIndented(jobJSON{ID: j.ID, Kind: j.Kind, Target: j.Target, State: j.State, Attempts: j.Attempts,
				LastError: j.LastError, CreatedAt: catalog.FormatTime(j.CreatedAt)})
			if err != nil {
				return err
			}
			sep := ",\n  "
			if n == 1 {
				sep = "[\n  "
			}
			_, err = fmt.Fprintf(e.stdout, "%s%s", sep, b)
			return err
		}
		flush := func() error {
			if o.json {
				return nil
			}
			return tw.Flush()
		}
		page := func(after jobCursor, limit int) ([]catalog.Job, error) {
			return lib.Catalog.Jobs(ctx, o.failed, int64(after), limit)
		}
		cursor := func(j catalog.Job) jobCursor { return jobCursor(j.ID) }
		if err := pages(ctx, e, command, o.limit, jobCursor(after), page, cursor, emit, flush); err != nil {
			return err
		}
		if o.json {
			end := "\n]\n"
			if n == 0 {
				end = "[]\n"
			}
			if _, err := io.WriteString(e.stdout, end); err != nil {
				return err
			}
		}
		return ctx.Err()
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
