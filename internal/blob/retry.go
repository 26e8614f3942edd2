package blob

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"time"
)

// RetryPolicy says how WithRetry retries. A zero field takes the default
// shown in brackets.
type RetryPolicy struct {
	Attempts   int           // tries per call, the first included [5]
	Base, Max  time.Duration // backoff before the second try, and its cap [250ms, 10s]
	BreakAfter int           // consecutive transient failures that open the circuit [10]
	Cooldown   time.Duration // how long an open circuit fails fast before one trial call [30s]
}

// ErrCircuitOpen is wrapped by the errors of calls that failed fast because
// the remote failed too often in a row.
var ErrCircuitOpen = errors.New("remote unreachable")

// circuitError is returned while the circuit is open.
type circuitError struct {
	failures int
	last     error
}

func (e *circuitError) Error() string {
	return fmt.Sprintf("remote unreachable after %d failures: %v", e.failures, e.last)
}

func (e *circuitError) Unwrap() []error { return []error{ErrCircuitOpen, e.last} }

// retryStore retries transient errors of the store it wraps.
type retryStore struct {
	s     Store
	p     RetryPolicy
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error

	mu       sync.Mutex
	failures int       // consecutive transient failures
	last     error     // the latest of them
	openedAt time.Time // when the circuit opened; zero while closed
	trial    bool      // a trial call runs while the circuit is half open
	// trialDone wakes the calls that wait for the trial's outcome instead
	// of failing while the remote may be back.
	trialDone *sync.Cond
}

// WithRetry returns s with transient errors retried with exponential backoff
// and full jitter. ErrPermanent, a missing key and context errors are never
// retried. A circuit breaker shared by all calls opens after BreakAfter
// consecutive transient failures: calls then fail fast with ErrCircuitOpen
// until Cooldown has passed, when one trial call may go through; its success
// closes the circuit.
//
// Put retries only when its reader is an io.Seeker, which is sought back to
// where it started; with any other reader it returns the first error. Get
// retries opening the object, not reads from its body.
func WithRetry(s Store, p RetryPolicy) Store {
	if p.Attempts <= 0 {
		p.Attempts = 5
	}
	if p.Base <= 0 {
		p.Base = 250 * time.Millisecond
	}
	if p.Max <= 0 {
		p.Max = 10 * time.Second
	}
	if p.BreakAfter <= 0 {
		p.BreakAfter = 10
	}
	if p.Cooldown <= 0 {
		p.Cooldown = 30 * time.Second
	}
	r := &retryStore{s: s, p: p, now: time.Now, sleep: sleepCtx}
	r.trialDone = sync.NewCond(&r.mu)
	return r
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// transient reports whether retrying err may help.
func transient(ctx context.Context, err error) bool {
	_, stop := errors.AsType[*fnError](err)
	return err != nil && ctx.Err() == nil && !errors.Is(err, ErrPermanent) && !IsNotExist(err) &&
		!errors.Is(err, context.Canceled) && !errors.Is(err, ErrCircuitOpen) && !stop
}

// fnError carries an error of List's callback through the retry loop, which
// must neither retry it nor count it against the remote.
type fnError struct{ err error }

func (e *fnError) Error() string { return e.err.Error() }

// allow reports whether a call may go to the remote now, and whether it is
// the trial call of a half-open circuit.
func (r *retryStore) allow() (trial bool, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for {
		if r.openedAt.IsZero() {
			return false, nil
		}
		if r.now().Sub(r.openedAt) < r.p.Cooldown {
			return false, &circuitError{failures: r.failures, last: r.last}
		}
		if !r.trial {
			r.trial = true
			return true, nil
		}
		r.trialDone.Wait() // the trial closes the circuit or opens it anew
	}
}

// record notes the outcome of one call to the remote.
func (r *retryStore) record(ctx context.Context, trial bool, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if trial {
		r.trial = false
		defer r.trialDone.Broadcast()
	}
	switch {
	case transient(ctx, err):
		r.failures++
		r.last = err
		if trial || r.failures >= r.p.BreakAfter {
			r.openedAt = r.now()
		}
	case ctx.Err() != nil:
		// The caller gave up; that says nothing about the remote.
	default:
		// The remote answered, or the caller stopped a listing.
		r.failures, r.last, r.openedAt = 0, nil, time.Time{}
	}
}

// do runs op until it succeeds, fails for good or runs out of attempts.
// rewind, when not nil, prepares a retry; a nil rewind means no retries.
func (r *retryStore) do(ctx context.Context, rewind func() error, op func() error) error {
	var err error
	for attempt := 0; attempt < r.p.Attempts; attempt++ {
		if attempt > 0 {
			if rewind == nil {
				return err
			}
			backoff := min(r.p.Max, r.p.Base<<(attempt-1))
			if backoff <= 0 { // the shift overflowed
				backoff = r.p.Max
			}
			if serr := r.sleep(ctx, rand.N(backoff)+1); serr != nil {
				return err
			}
			if rerr := rewind(); rerr != nil {
				return fmt.Errorf("%w (and retrying failed: %w)", err, rerr)
			}
		}
		trial, aerr := r.allow()
		if aerr != nil {
			return aerr
		}
		err = op()
		r.record(ctx, trial, err)
		if !transient(ctx, err) {
			return err
		}
	}
	return err
}

func noRewind() error { return nil }

func (r *retryStore) Put(ctx context.Context, key string, body io.Reader, size int64, sha256, contentType string) error {
	var rewind func() error
	if s, ok := body.(io.Seeker); ok {
		start, err := s.Seek(0, io.SeekCurrent)
		if err == nil {
			rewind = func() error {
				_, err := s.Seek(start, io.SeekStart)
				return err
			}
		}
	}
	return r.do(ctx, rewind, func() error { return r.s.Put(ctx, key, body, size, sha256, contentType) })
}

func (r *retryStore) Head(ctx context.Context, key string) (info Info, err error) {
	err = r.do(ctx, noRewind, func() error {
		info, err = r.s.Head(ctx, key)
		return err
	})
	return info, err
}

func (r *retryStore) Get(ctx context.Context, key string) (rc io.ReadCloser, info Info, err error) {
	err = r.do(ctx, noRewind, func() error {
		rc, info, err = r.s.Get(ctx, key)
		return err
	})
	return rc, info, err
}

func (r *retryStore) Delete(ctx context.Context, key string) error {
	return r.do(ctx, noRewind, func() error { return r.s.Delete(ctx, key) })
}

// DeleteObjects retries the keys whose deletion failed transiently,
// sending them again together (deleting a missing key is not an error).
// The circuit breaker counts a call with any such key as a failure.
func (r *retryStore) DeleteObjects(ctx context.Context, keys []string) []error {
	errs := make([]error, len(keys))
	pending := make([]int, len(keys)) // indexes into keys still to delete
	for i := range pending {
		pending[i] = i
	}
	err := r.do(ctx, noRewind, func() error {
		batch := make([]string, len(pending))
		for i, k := range pending {
			batch[i] = keys[k]
		}
		var again []int
		var failed error
		for i, err := range DeleteObjects(ctx, r.s, batch) {
			errs[pending[i]] = err
			if transient(ctx, err) {
				again = append(again, pending[i])
				failed = cmp.Or(failed, err)
			}
		}
		pending = again
		return failed
	})
	if err != nil {
		for _, k := range pending {
			errs[k] = cmp.Or(errs[k], err) // the circuit was open before they were sent
		}
	}
	return errs
}

// List is retried only while fn has not been called: a listing that broke
// off midway returns its error rather than repeating keys.
func (r *retryStore) List(ctx context.Context, prefix string, fn func(Info) error) error {
	called := false
	err := r.do(ctx, func() error {
		if called {
			return errors.New("listing broke off after it had begun")
		}
		return nil
	}, func() error {
		return r.s.List(ctx, prefix, func(info Info) error {
			called = true
			if err := fn(info); err != nil {
				return &fnError{err}
			}
			return nil
		})
	})
	if stop, ok := errors.AsType[*fnError](err); ok {
		return stop.err
	}
	return err
}
