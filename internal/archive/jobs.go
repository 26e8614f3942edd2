package archive

import (
	"context"
	"fmt"
	"time"

	"github.com/picup/picup/internal/blob"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/jobs"
	"github.com/picup/picup/internal/remote"
	"github.com/picup/picup/internal/syncer"
)

// RetryJobs makes failed jobs due now (ids nil: every failed one) and
// says how many.
func (a *Archive) RetryJobs(ctx context.Context, ids []int64) (int, error) {
	return a.count(ctx, func(tx *catalog.Tx) (int, error) { return tx.RetryJobs(ctx, ids) })
}

// QueueAutoSyncs queues a sync of every remote marked --auto and says how
// many.
func (a *Archive) QueueAutoSyncs(ctx context.Context) (int, error) {
	return a.count(ctx, func(tx *catalog.Tx) (int, error) { return tx.QueueAutoSyncs(ctx) })
}

// RunJobs runs the queued jobs that are due until the deadline; synced,
// when not nil, learns what each sync job uploaded.
func (a *Archive) RunJobs(ctx context.Context, deadline time.Time, synced func(syncer.Summary)) (jobs.Result, error) {
	return a.JobRunner(synced).RunDue(ctx, deadline)
}

// JobRunner runs every kind of job, connecting to remotes when a job needs
// one; synced, when not nil, learns what each sync job uploaded.
func (a *Archive) JobRunner(synced func(syncer.Summary)) *jobs.Runner {
	open := func(ctx context.Context, name string) (blob.Store, error) {
		r, err := a.lib.Catalog.RemoteByName(ctx, name)
		if err != nil {
			return nil, err
		}
		s, _, err := remote.Open(ctx, r, remote.Options{})
		return s, err
	}
	sync := func(ctx context.Context, name string) error {
		sum, _, err := a.Sync(ctx, name, SyncOptions{})
		if synced != nil {
			synced(sum)
		}
		if err == nil && sum.Failed > 0 {
			err = fmt.Errorf("%d objects failed to upload to %q", sum.Failed, name)
		}
		return err
	}
	return jobs.NewRunner(a.lib).WithRemotes(open, sync)
}

// jobBudget bounds how long RunQueuedJobs runs jobs: a front end that
// runs the queue after an action goes on (a command exits) once it is
// spent, and what is left is done by the next command.
const jobBudget = 10 * time.Second

// RunQueuedJobs runs the queued jobs that are due, for ten seconds at
// most.
func (a *Archive) RunQueuedJobs(ctx context.Context) (jobs.Result, error) {
	return a.RunJobs(ctx, time.Now().Add(jobBudget), nil)
}
