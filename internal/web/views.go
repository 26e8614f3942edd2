package web

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/picup/picup/internal/catalog"
)

// viewFlushEvery is how long share page views wait in memory before they
// are written to the catalog, all in one transaction.
const viewFlushEvery = 2 * time.Second

// viewCounter adds up share page views in memory and writes them to the
// catalog at most viewFlushEvery after the first one comes, and when the
// server closes, rather than writing for every view: a write transaction
// per page view would cap share pages at the rate of the catalog's single
// writer. A crash loses the views of the last seconds.
type viewCounter struct {
	cat *catalog.Catalog
	log *slog.Logger

	mu      sync.Mutex
	pending map[int64]pendingViews // by share id
	timer   *time.Timer            // armed while views are pending
	closed  bool
}

type pendingViews struct {
	n    int64
	last string // RFC 3339 UTC of the latest
}

func newViewCounter(cat *catalog.Catalog, log *slog.Logger) *viewCounter {
	return &viewCounter{cat: cat, log: log, pending: map[int64]pendingViews{}}
}

// add counts one view of a share at a time (RFC 3339 UTC).
func (v *viewCounter) add(id int64, at string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	p := v.pending[id]
	p.n++
	p.last = max(p.last, at)
	v.pending[id] = p
	v.arm()
}

// arm makes sure a flush comes while views are pending. v.mu is held.
func (v *viewCounter) arm() {
	if v.timer == nil && !v.closed && len(v.pending) > 0 {
		v.timer = time.AfterFunc(viewFlushEvery, func() {
			if err := v.flush(context.Background()); err != nil {
				v.log.LogAttrs(context.Background(), slog.LevelWarn, "record share views; trying again shortly", slog.Any("err", err))
			}
		})
	}
}

// flush writes the pending views. When the write fails they stay pending,
// to be written with the next ones.
func (v *viewCounter) flush(ctx context.Context) error {
	v.mu.Lock()
	batch := v.pending
	v.pending = map[int64]pendingViews{}
	v.timer = nil
	v.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	err := v.cat.Write(ctx, func(tx *catalog.Tx) error {
		for id, p := range batch {
			if err := tx.RecordShareViews(ctx, id, p.n, p.last); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		v.mu.Lock()
		for id, p := range batch {
			q := v.pending[id]
			v.pending[id] = pendingViews{n: p.n + q.n, last: max(p.last, q.last)}
		}
		v.arm()
		v.mu.Unlock()
	}
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
