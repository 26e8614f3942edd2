package web

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/pkg/diskspace"
)

// viewFlushEvery is how long share page views wait in memory before they
// are written to the catalog, all in one transaction.
const viewFlushEvery = 2 * time.Second

// viewRetryMax bounds the wait between writes that keep failing.
const viewRetryMax = time.Minute

// viewCounter adds up share page views in memory and writes them to the
// catalog at most viewFlushEvery after the first one comes, and when the
// server closes, rather than writing for every view: a write transaction
// per page view would cap share pages at the rate of the catalog's single
// writer. A crash loses the views of the last seconds. While writes fail
// (a full disk) the views stay in memory, the writes come less often, up
// to viewRetryMax apart, and the log says so once, then once more when
// they succeed again.
type viewCounter struct {
	write func(ctx context.Context, batch map[int64]archive.ShareViews) error
	dir   string // the library, named when its disk is full
	log   *slog.Logger
	every time.Duration

	mu       sync.Mutex
	pending  map[int64]archive.ShareViews // by share id
	timer    *time.Timer                  // armed while views are pending
	closed   bool
	failures int // writes failed in a row
}

func newViewCounter(lib *library.Library, log *slog.Logger) *viewCounter {
	return &viewCounter{write: archive.New(lib).RecordShareViews, dir: lib.Root, log: log, every: viewFlushEvery, pending: map[int64]archive.ShareViews{}}
}

// add counts one view of a share at a time.
func (v *viewCounter) add(id int64, at time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	p := v.pending[id]
	p.N++
	p.Last = later(p.Last, at)
	v.pending[id] = p
	v.arm()
}

// later is the later of two times.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// arm makes sure a flush comes while views are pending, later after each
// failed one. v.mu is held.
func (v *viewCounter) arm() {
	if v.timer == nil && !v.closed && len(v.pending) > 0 {
		// A failed flush keeps its views and says so in the log.
		v.timer = time.AfterFunc(viewRetryDelay(v.every, v.failures), func() { _ = v.flush(context.Background()) })
	}
}

// viewRetryDelay is the wait before the next write: every, doubled for
// each write that failed in a row, up to viewRetryMax.
func viewRetryDelay(every time.Duration, failures int) time.Duration {
	return min(every<<min(failures, 16), max(viewRetryMax, every))
}

// flush writes the pending views. When the write fails they stay pending,
// to be written with the next ones.
func (v *viewCounter) flush(ctx context.Context) error {
	v.mu.Lock()
	batch := v.pending
	v.pending = map[int64]archive.ShareViews{}
	v.timer = nil
	v.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	err := v.write(ctx, batch)
	if diskspace.IsFull(err) {
		err = diskspace.Full(v.dir, err)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if err == nil {
		if v.failures > 0 {
			v.log.LogAttrs(ctx, slog.LevelInfo, "share views recorded again", slog.Int("failed_writes", v.failures))
		}
		v.failures = 0
		return nil
	}
	for id, p := range batch {
		q := v.pending[id]
		v.pending[id] = archive.ShareViews{N: p.N + q.N, Last: later(p.Last, q.Last)}
	}
	if v.failures == 0 {
		v.log.LogAttrs(ctx, slog.LevelWarn, "cannot record share views; keeping them in memory and trying again, less often while this lasts", slog.Any("err", err))
	}
	v.failures++
	v.arm() //nolint:contextcheck // the next flush comes from a timer, whatever becomes of this one's context
	return err
}

// close writes the pending views and stops the timer; views counted after
// it are written by a later close.
func (v *viewCounter) close(ctx context.Context) error {
	v.mu.Lock()
	v.closed = true
	if v.timer != nil {
		v.timer.Stop()
	}
	v.mu.Unlock()
	return v.flush(ctx)
}
