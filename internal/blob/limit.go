package blob

import (
	"context"
	"io"

	"golang.org/x/time/rate"
)

// limitStore limits the bandwidth of Put and Get bodies.
type limitStore struct {
	Store
	up, down *rate.Limiter
}

// WithLimit returns s with uploads (Put) and downloads (Get bodies) each
// limited to bytesPerSec, shared by all concurrent transfers in that
// direction, as rclone's --bwlimit does. bytesPerSec <= 0 means no limit.
func WithLimit(s Store, bytesPerSec int64) Store {
	if bytesPerSec <= 0 {
		return s
	}
	return &limitStore{Store: s, up: newLimiter(bytesPerSec), down: newLimiter(bytesPerSec)}
}

// newLimiter allows bursts of a tenth of a second's worth, at least 32 KiB
// (one read's worth, so that small rates still move) and at most 4 MiB.
func newLimiter(bytesPerSec int64) *rate.Limiter {
	burst := min(max(bytesPerSec/10, 32<<10), 4<<20)
	return rate.NewLimiter(rate.Limit(bytesPerSec), int(burst))
}

func (l *limitStore) Put(ctx context.Context, key string, r io.Reader, size int64, sha256, contentType string) error {
	return l.Store.Put(ctx, key, &limitedReader{ctx: ctx, r: r, lim: l.up}, size, sha256, contentType)
}

func (l *limitStore) Get(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	rc, info, err := l.Store.Get(ctx, key)
	if err != nil {
		return nil, info, err
	}
	return struct {
		io.Reader
		io.Closer
	}{&limitedReader{ctx: ctx, r: rc, lim: l.down}, rc}, info, nil
}

// DeleteObjects passes batched deletions through: they carry no body.
func (l *limitStore) DeleteObjects(ctx context.Context, keys []string) []error {
	return DeleteObjects(ctx, l.Store, keys)
}

// limitedReader takes a token per byte it returns.
type limitedReader struct {
	ctx context.Context
	r   io.Reader
	lim *rate.Limiter
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if len(p) > l.lim.Burst() {
		p = p[:l.lim.Burst()]
	}
	n, err := l.r.Read(p)
	if n > 0 {
		if werr := l.lim.WaitN(l.ctx, n); werr != nil {
			return n, werr
		}
	}
	return n, err
}
