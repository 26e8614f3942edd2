package syncer

import (
	"cmp"
	"context"
	"fmt"
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
	err     error // the first failed batch, returned by the final flush
}

type recorded struct {
	key, sha string
	size     int64
}

func newRecorder(cat *catalog.Catalog, remote string) *recorder {
	return &recorder{cat: cat, remote: remote, last: time.Now()}
}

// add queues an uploaded object to be recorded, writing the queue when it
// is due; it returns the error of that write.
func (r *recorder) add(ctx context.Context, key, sha string, size int64) error {
	r.mu.Lock()
	r.pending = append(r.pending, recorded{key, sha, size})
	due := len(r.pending) >= 200 || time.Since(r.last) > time.Second
	r.mu.Unlock()
	if !due {
		return nil
	}
	err := r.flush(context.WithoutCancel(ctx))
	if err != nil {
		r.mu.Lock()
		r.err = cmp.Or(r.err, err)
		r.mu.Unlock()
	}
	return err
}

// flush records what was uploaded so far, and reports the first batch
// that could not be recorded (its objects are uploaded again next time).
func (r *recorder) flush(ctx context.Context) error {
	r.mu.Lock()
	batch, earlier := r.pending, r.err
	r.pending = nil
	r.last = time.Now()
	r.mu.Unlock()
	if len(batch) > 0 {
		if err := r.write(ctx, batch); err != nil {
			return err
		}
	}
	if earlier != nil {
		return fmt.Errorf("record uploaded objects: %w", earlier)
	}
	return nil
}

func (r *recorder) write(ctx context.Context, batch []recorded) error {
	return r.cat.Write(ctx, func(tx *catalog.Tx) error {
		for _, o := range batch {
			if err := tx.PutRemoteObject(ctx, r.remote, o.key, o.sha, o.size); err != nil {
				return err
			}
		}
		return nil
	})
}
