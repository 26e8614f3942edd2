package syncer

import (
	"context"
	"sync"
	"time"

	"github.com/picup/picup/internal/catalog"
)

// recorder writes "this object is in the remote" rows in batches, so that
// thousands of small uploads do not each cost a write transaction.
type recorder struct {
	cat    *catalog.Catalog
	remote string

	mu      sync.Mutex
	pending []recorded
	last    time.Time
}

type recorded struct {
	key, sha string
	size     int64
}

func newRecorder(cat *catalog.Catalog, remote string) *recorder {
	return &recorder{cat: cat, remote: remote, last: time.Now()}
}

func (r *recorder) add(ctx context.Context, key, sha string, size int64) {
	r.mu.Lock()
	r.pending = append(r.pending, recorded{key, sha, size})
	due := len(r.pending) >= 200 || time.Since(r.last) > time.Second
	r.mu.Unlock()
	if due {
		r.flush(context.WithoutCancel(ctx))
	}
}

// flush records what was uploaded so far.
func (r *recorder) flush(ctx context.Context) error {
	r.mu.Lock()
	batch := r.pending
	r.pending = nil
	r.last = time.Now()
	r.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	return r.cat.Write(ctx, func(tx *catalog.Tx) error {
		for _, o := range batch {
			if err := tx.PutRemoteObject(ctx, r.remote, o.key, o.sha, o.size); err != nil {
				return err
			}
		}
		return nil
	})
}
