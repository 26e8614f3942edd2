// Package jobs runs the catalog's durable job queue (the outbox): work that
// must happen after a commit, such as deleting the files of purged photos.
// A failed job is retried with exponential backoff and jitter, and after
// MaxAttempts failures it is parked as dead until "picup jobs retry".
package jobs

import (
	"cmp"
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

// batchSize is how many due jobs RunDue takes at a time: their deletions
// go to each remote in one request (S3 takes up to 1,000 keys in one),
// and what became of them to the catalog in one write.
const batchSize = 1000

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

// NewRunner returns a runner of the library's deletions; WithRemotes adds
// those in remotes, and syncs.
func NewRunner(lib *library.Library) *Runner {
	return &Runner{lib: lib, handlers: map[string]Handler{}, now: time.Now, jitter: rand.Float64}
}

// Result counts what a run did.
type Result struct {
	Done   int // finished and removed from the queue
	Failed int // failed this time, will be retried
	Dead   int // failed for the last time
}

// RunDue runs the jobs that are due, a batch at a time, until none is
// due, the deadline passes or ctx ends. The deletions of a batch are
// gathered: one read tells which paths are in use again, each remote
// deletes its objects in one request, and what became of every job is
// recorded in one write. Other jobs (syncs) run one at a time. Failures
// are recorded in the queue, not returned; the error is for the queue
// itself being unusable, or ctx's. A job that ctx interrupts stays due,
// its attempt not counted.
func (r *Runner) RunDue(ctx context.Context, deadline time.Time) (Result, error) {
	var res Result
	for ctx.Err() == nil && r.now().Before(deadline) {
		due, err := r.lib.Catalog.DueJobs(ctx, r.now(), r.kinds(), batchSize)
		if err != nil || len(due) == 0 {
			return res, err
		}
		b := &batch{r: r, res: &res, deadline: deadline, forget: map[string][]string{}}
		runErr := b.run(ctx, due)
		// The batch's outcomes are written together, even when it
		// stopped early: a process killed before runs its jobs again,
		// which they bear.
		if err := r.full(b.record(context.WithoutCancel(ctx))); err != nil {
			return res, err
		}
		if runErr != nil {
			return res, runErr
		}
	}
	return res, ctx.Err()
}

// Due reports whether a job this runner can do is due: a probe of the
// queue's index a kind.
func (r *Runner) Due(ctx context.Context) (bool, error) {
	return r.lib.Catalog.JobsDue(ctx, r.now(), r.kinds())
}

// kinds are the job kinds this runner can do: remote jobs only when it
// can reach remotes.
func (r *Runner) kinds() []string {
	out := []string{catalog.JobDeleteFile}
	if r.open != nil {
		out = append(out, catalog.JobDeleteRemote)
	}
	for k := range r.handlers {
		out = append(out, k)
	}
	return out
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

// store connects to a remote once per runner.
func (r *Runner) store(ctx context.Context, name string) (blob.Store, error) {
	if s, ok := r.stores[name]; ok {
		return s, nil
	}
	s, err := r.open(ctx, name)
	if err != nil {
		return nil, err
	}
	r.stores[name] = s
	return s, nil
}

// batch is one batch of due jobs being run: the deletions gathered and
// not yet done, and the outcomes to record.
type batch struct {
	r        *Runner
	res      *Result
	deadline time.Time // no job starts after it
	gathered []catalog.Job
	done     []int64
	failed   []catalog.JobFailure
	forget   map[string][]string // the keys deleted, by remote
}

// run runs due in order until the deadline passes or ctx ends, gathering
// deletions; another job runs alone, after the deletions gathered before
// it. The error stops the run: ctx's, or a full disk.
func (b *batch) run(ctx context.Context, due []catalog.Job) error {
	for _, j := range due {
		if b.stop(ctx) {
			break
		}
		if j.Kind == catalog.JobDeleteFile || j.Kind == catalog.JobDeleteRemote {
			b.gathered = append(b.gathered, j)
			continue
		}
		if err := b.deletions(ctx); err != nil {
			return err
		}
		h, ok := b.r.handlers[j.Kind]
		err := fmt.Errorf("unknown job kind %q; upgrade picup", j.Kind)
		if ok {
			err = h(ctx, j.Target)
		}
		if err := b.settle(ctx, j, err); err != nil {
			return err
		}
	}
	return b.deletions(ctx)
}

// stop reports whether no job may start now: ctx ended, or the deadline
// passed. The jobs not started stay due.
func (b *batch) stop(ctx context.Context) bool {
	return ctx.Err() != nil || !b.r.now().Before(b.deadline)
}

// settle notes what became of an attempt at j: done, or failed (dead
// after MaxAttempts) and due again after a backoff. An attempt that ctx
// interrupted, or that met a full disk, is not counted, and its error is
// returned to stop the run.
func (b *batch) settle(ctx context.Context, j catalog.Job, err error) error {
	if err == nil {
		b.res.Done++
		b.done = append(b.done, j.ID)
		b.r.report(j, ResultDone, nil)
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if diskspace.IsFull(err) {
		// Every job after it would fail the same way: stop, and leave
		// it due without counting the attempt.
		return b.r.full(err)
	}
	attempts := j.Attempts + 1
	f := catalog.JobFailure{ID: j.ID, Attempts: attempts, Error: err.Error(),
		Next: b.r.now().Add(Backoff(attempts, b.r.jitter())), Dead: attempts >= MaxAttempts}
	result := ResultFailed
	if f.Dead {
		b.res.Dead++
		result = ResultDead
	} else {
		b.res.Failed++
	}
	b.failed = append(b.failed, f)
	b.r.report(j, result, err)
	return nil
}

// record writes the batch's outcomes in one transaction: the objects
// deleted from remotes forgotten, the jobs done removed, the failed ones
// due again later or dead.
func (b *batch) record(ctx context.Context) error {
	if len(b.done) == 0 && len(b.failed) == 0 {
		return nil
	}
	return b.r.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		for name, keys := range b.forget {
			if err := tx.DeleteRemoteObjects(ctx, name, keys); err != nil {
				return err
			}
		}
		if err := tx.DeleteJobs(ctx, b.done); err != nil {
			return err
		}
		return tx.JobsFailed(ctx, b.failed)
	})
}

// remoteJob is a delete-remote job with its target read.
type remoteJob struct {
	job       catalog.Job
	name, key string
}

// deletions runs the deletions gathered. Each removes a file of a purged
// photo (delete-file: a library-relative path; delete-remote: a key in a
// remote), unless the catalog references that path again (the same
// content imported anew, whose thumbnails share the path): one read asks
// for them all. Library files go one by one, each remote's objects in one
// request; a remote that cannot be opened fails all its jobs with that
// error.
func (b *batch) deletions(ctx context.Context) error {
	jobs := b.gathered
	b.gathered = nil
	if len(jobs) == 0 || ctx.Err() != nil {
		return ctx.Err()
	}
	var files, checked []catalog.Job
	var remotes []remoteJob
	paths := make([]string, 0, len(jobs))
	for _, j := range jobs {
		if j.Kind == catalog.JobDeleteFile {
			files, checked = append(files, j), append(checked, j)
			paths = append(paths, j.Target)
			continue
		}
		name, key, ok := strings.Cut(j.Target, "\t")
		if !ok {
			if err := b.settle(ctx, j, fmt.Errorf("bad remote job target %q: want REMOTE<tab>KEY", j.Target)); err != nil {
				return err
			}
			continue
		}
		remotes, checked = append(remotes, remoteJob{j, name, key}), append(checked, j)
		paths = append(paths, key)
	}
	used, err := b.r.lib.Catalog.ReferencedPaths(ctx, paths)
	if err != nil {
		var stop error
		for _, j := range checked {
			stop = cmp.Or(stop, b.settle(ctx, j, fmt.Errorf("check whether the catalog uses the path again: %w", err)))
		}
		return stop
	}
	for _, j := range files {
		if b.stop(ctx) {
			return ctx.Err()
		}
		var err error
		if !used[j.Target] {
			err = b.r.deleteFile(j.Target)
		}
		if err := b.settle(ctx, j, err); err != nil {
			return err
		}
	}
	var names []string
	byName := map[string][]remoteJob{}
	for _, rj := range remotes {
		if used[rj.key] {
			if err := b.settle(ctx, rj.job, nil); err != nil {
				return err
			}
			continue
		}
		if _, ok := byName[rj.name]; !ok {
			names = append(names, rj.name)
		}
		byName[rj.name] = append(byName[rj.name], rj)
	}
	for _, name := range names {
		if b.stop(ctx) {
			return ctx.Err()
		}
		if err := b.deleteRemote(ctx, name, byName[name]); err != nil {
			return err
		}
	}
	return nil
}

// deleteRemote deletes the objects of jobs from the remote name, through
// one DeleteObjects request when the store can, and notes those deleted
// to forget them. A key's error fails its job only.
func (b *batch) deleteRemote(ctx context.Context, name string, jobs []remoteJob) error {
	var stop error
	store, err := b.r.store(ctx, name)
	if err != nil {
		err = fmt.Errorf("remote %q: %w", name, err)
		for _, rj := range jobs {
			stop = cmp.Or(stop, b.settle(ctx, rj.job, err))
		}
		return stop
	}
	keys := make([]string, len(jobs))
	for i, rj := range jobs {
		keys[i] = rj.key
	}
	for i, err := range blob.DeleteObjects(ctx, store, keys) {
		if err == nil {
			b.forget[name] = append(b.forget[name], keys[i])
		}
		stop = cmp.Or(stop, b.settle(ctx, jobs[i].job, err))
	}
	return stop
}

// deleteFile removes a library file, and then its directory when empty.
func (r *Runner) deleteFile(rel string) error {
	err := os.Remove(r.lib.Abs(rel))
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
