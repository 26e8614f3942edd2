package archive

import (
	"context"
	"time"

	"github.com/picup/picup/internal/jobs"
)

// jobBudget bounds how long RunQueuedJobs runs jobs: a front end that
// runs the queue after an action goes on (a command exits) once it is
// spent, and what is left is done by the next command.
const jobBudget = 10 * time.Second

// RunQueuedJobs runs the queued jobs that are due, for ten seconds at
// most.
func (a *Archive) RunQueuedJobs(ctx context.Context) (jobs.Result, error) {
	return a.RunJobs(ctx, time.Now().Add(jobBudget), nil)
}
