package blob

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

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

// ParseRate parses a bandwidth such as "512k", "2M", "1.5G" or "100B" into
// bytes per second, as rclone's --bwlimit does: the suffixes B, K, M and G
// (either case, an optional trailing "iB" or "B" allowed) are bytes, KiB,
// MiB and GiB (powers of 1024), and a number without a suffix is in KiB.
// "", "0" and "off" mean no limit and return 0.
func ParseRate(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if t == "" || t == "0" || strings.EqualFold(t, "off") {
		return 0, nil
	}
	lower := strings.ToLower(t)
	lower = strings.TrimSuffix(lower, "/s")
	mult := float64(1 << 10)
	for _, u := range []struct {
		suffix string
		mult   float64
	}{{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"kb", 1 << 10}, {"mb", 1 << 20}, {"gb", 1 << 30}, {"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"b", 1}} {
		if strings.HasSuffix(lower, u.suffix) {
			lower, mult = strings.TrimSuffix(lower, u.suffix), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(lower, 64)
	if err != nil || !(f*mult >= 1 && f*mult <= 1<<50) {
		return 0, fmt.Errorf("bandwidth %q: want a number with a suffix such as 512k, 2M or 1G (bytes per second, powers of 1024)", s)
	}
	return int64(f * mult), nil
}
