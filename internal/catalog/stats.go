package catalog

import (
	"context"
	"fmt"
)

// Stats are the archive's totals for monitoring (picup serve's /metrics).
type Stats struct {
	Photos, Videos           int64 // not in the trash
	Bytes                    int64 // originals not in the trash
	TrashPhotos, TrashVideos int64
	TrashBytes               int64
	JobsPending, JobsDead    int64
	RemotePending            map[string]int64 // remote name → originals it does not hold yet
}

// Stats counts photos, videos, bytes, queued jobs and, per remote, the
// originals a sync has yet to upload. It reads every photo row, and each
// remote's records, so it takes a fraction of a second for a library of
// 100,000 photos: call it once in a while, not per request.
func (c *Catalog) Stats(ctx context.Context) (Stats, error) {
	s := Stats{RemotePending: map[string]int64{}}
	rows, err := c.r.QueryContext(ctx, `SELECT type, trashed_at IS NOT NULL, count(*), coalesce(sum(bytes), 0)
		FROM photos GROUP BY 1, 2`)
	if err != nil {
		return s, fmt.Errorf("count photos: %w", err)
	}
	defer rows.Close()
	var all int64
	for rows.Next() {
		var typ string
		var trashed bool
		var n, bytes int64
		if err := rows.Scan(&typ, &trashed, &n, &bytes); err != nil {
			return s, err
		}
		all += n
		switch {
		case trashed:
			s.TrashBytes += bytes
			if typ == "video" {
				s.TrashVideos += n
			} else {
				s.TrashPhotos += n
			}
		case typ == "video":
			s.Videos += n
			s.Bytes += bytes
		default:
			s.Photos += n
			s.Bytes += bytes
		}
	}
	if err := rows.Err(); err != nil {
		return s, err
	}
	err = c.r.QueryRowContext(ctx, `SELECT coalesce(sum(state = 'pending'), 0), coalesce(sum(state = 'dead'), 0) FROM jobs`).
		Scan(&s.JobsPending, &s.JobsDead)
	if err != nil {
		return s, fmt.Errorf("count jobs: %w", err)
	}
	// Each original is one row whose path and content a remote may hold.
	rrows, err := c.r.QueryContext(ctx, `SELECT r.name, (SELECT count(*) FROM remote_objects o
		JOIN photos p ON p.path = o.key AND p.sha256 = o.sha256 WHERE o.remote = r.name) FROM remotes r`)
	if err != nil {
		return s, fmt.Errorf("count originals to sync: %w", err)
	}
	defer rrows.Close()
	for rrows.Next() {
		var name string
		var held int64
		if err := rrows.Scan(&name, &held); err != nil {
			return s, err
		}
		s.RemotePending[name] = all - held
	}
	return s, rrows.Err()
}
