// Package jobs runs the catalog's durable job queue (the outbox): work that
// must happen after a commit, such as deleting the files of purged photos.
// A failed job is retried with exponential backoff and jitter, and after
// MaxAttempts failures it is parked as dead until "picup jobs retry".
package jobs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"strings"
	"time"

	"github.com/picup/picup/internal/blob"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/pkg/diskspace"
)

const (
	// MaxAttempts is how many times a job is tried before it is dead.
	MaxAttempts = 8
	// BaseDelay is the wait after the first failure; it doubles each time.
	BaseDelay = 2 * time.Second
	// MaxDelay caps the wait between attempts.
	MaxDelay = time.Hour
)

// Backoff is the wait after the attempt-th failure (1-based): BaseDelay
// doubled per failure, capped at MaxDelay, then jittered into its upper
// half by jitter in [0, 1), so that many failing jobs do not retry in step.
func Backoff(attempt int, jitter float64) time.Duration {
	d := MaxDelay
	if attempt < 32 {
		if e := BaseDelay << (attempt - 1); e > 0 && e < MaxDelay {
			d = e
		}
	}
	return d/2 + time.Duration(float64(d/2)*jitter)
}

// Handler does one job; an error makes it retry later.
type Handler func(ctx context.Context, target string) error

// Runner runs due jobs of one library.
type Runner struct {
	lib      *library.Library
	handlers map[string]Handler
	now      func() time.Time
	jitter   func() float64
	open     OpenRemote
	stores   map[string]blob.Store
	observe  func(j catalog.Job, result string, err error)
}

// Results of one attempt at a job, as Observe reports them.
const (
	ResultDone   = "done"   // finished and removed from the queue
	ResultFailed = "failed" // failed, will be retried
	ResultDead   = "dead"   // failed for the last time
)

// Observe makes the runner call fn after every attempt at a job, with its
// result and, unless done, the error.
func (r *Runner) Observe(fn func(j catalog.Job, result string, err error)) *Runner {
	r.observe = fn
	return r
}

// OpenRemote connects to a remote by name, for jobs that change remotes.
type OpenRemote func(ctx context.Context, name string) (blob.Store, error)

// WithRemotes lets the runner do remote jobs, connecting through open;
// sync runs a sync job.
func (r *Runner) WithRemotes(open OpenRemote, sync Handler) *Runner {
	r.open, r.stores = open, map[string]blob.Store{}
	r.handlers[catalog.JobSync] = sync
	return r
}

// NewRunner returns a runner with the standard handlers.
func NewRunner(lib *library.Library) *Runner {
	r := &Runner{lib: lib, now: time.Now, jitter: rand.Float64}
	r.handlers = map[string]Handler{catalog.JobDeleteFile: r.deleteFile, catalog.JobDeleteRemote: r.deleteRemote}
	return r
}

// Result counts what a run did.
type Result struct {
	Done   int // finished and removed from the queue
	Failed int // failed this time, will be retried
	Dead   int // failed for the last time
}

// RunDue runs the jobs that are due, one at a time, until none is due,
// the deadline passes or ctx ends. Failures are recorded in the queue, not
// returned; the error is for the queue itself being unusable, or ctx's.
// A job that ctx interrupts stays due, its attempt not counted.
func (r *Runner) RunDue(ctx context.Context, deadline time.Time) (Result, error) {
	var res Result
	for ctx.Err() == nil && r.now().Before(deadline) {
		batch, err := r.lib.Catalog.DueJobs(ctx, r.now(), r.kinds(), 64)
		if err != nil || len(batch) == 0 {
			return res, err
		}
		// The jobs done leave the queue together, one write a batch: a
		// process killed before it runs them again, which they bear.
		var done []int64
		var runErr error
		for _, j := range batch {
			if ctx.Err() != nil || !r.now().Before(deadline) {
				break
			}
			ok, err := r.run(ctx, j, &res)
			if ok {
				done = append(done, j.ID)
			}
			if err != nil {
				runErr = err
				break
			}
		}
		if err := r.full(r.lib.Catalog.JobsDone(context.WithoutCancel(ctx), done)); err != nil {
			return res, err
		}
		if runErr != nil {
			return res, runErr
		}
	}
	return res, ctx.Err()
}

// kinds are the job kinds this runner can do: remote jobs only when it
// can reach remotes.
func (r *Runner) kinds() []string {
	var out []string
	for k := range r.handlers {
		if k != catalog.JobDeleteRemote && k != catalog.JobSync || r.open != nil {
			out = append(out, k)
		}
	}
	return out
}

// run runs a job and reports whether it is done; a failed attempt is
// recorded here.
func (r *Runner) run(ctx context.Context, j catalog.Job, res *Result) (bool, error) {
	h, ok := r.handlers[j.Kind]
	err := fmt.Errorf("unknown job kind %q; upgrade picup", j.Kind)
	if ok {
		err = h(ctx, j.Target)
	}
	if err == nil {
		res.Done++
		r.report(j, ResultDone, nil)
		return true, nil
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if diskspace.IsFull(err) {
		// Every job after it would fail the same way: stop, and leave
		// it due without counting the attempt.
		return false, r.full(err)
	}
	attempts := j.Attempts + 1
	dead := attempts >= MaxAttempts
	result := ResultFailed
	if dead {
		res.Dead++
		result = ResultDead
	} else {
		res.Failed++
	}
	r.report(j, result, err)
	return false, r.full(r.lib.Catalog.JobFailed(context.WithoutCancel(ctx), j.ID, attempts, err.Error(),
		r.now().Add(Backoff(attempts, r.jitter())), dead))
}

// full says which disk is full when err comes from one.
func (r *Runner) full(err error) error {
	if diskspace.IsFull(err) {
		return diskspace.Full(r.lib.Root, err)
	}
	return err
}

func (r *Runner) report(j catalog.Job, result string, err error) {
	if r.observe != nil {
		r.observe(j, result, err)
	}
}

// deleteFile removes a library file of a purged photo, unless the catalog
// references the path again (the same content imported anew, whose
// thumbnails share the path), and then its directory when empty.
func (r *Runner) deleteFile(ctx context.Context, rel string) error {
	used, err := r.lib.Catalog.Referenced(ctx, rel)
	if err != nil || used {
		return err
	}
	err = os.Remove(r.lib.Abs(rel))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for dir := path.Dir(rel); path.Dir(dir) != "." && dir != "."; dir = path.Dir(dir) {
		if os.Remove(r.lib.Abs(dir)) != nil {
			break // not empty, or gone
		}
	}
	return nil
}

// deleteRemote removes an object of a purged photo from a remote, unless
// the catalog references its key again, and forgets that it was there.
func (r *Runner) deleteRemote(ctx context.Context, target string) error {
	name, key, ok := strings.Cut(target, "\t")
	if !ok {
		return fmt.Errorf("bad remote job target %q", target)
	}
	used, err := r.lib.Catalog.Referenced(ctx, key)
	if err != nil || used {
		return err
	}
	store, ok := r.stores[name]
	if !ok {
		if store, err = r.open(ctx, name); err != nil {
			return err
		}
		r.stores[name] = store
	}
	if err := store.Delete(ctx, key); err != nil {
		return err
	}
	return r.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.DeleteRemoteObject(ctx, name, key) })
}
