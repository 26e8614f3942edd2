package catalog

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Job kinds.
const (
	// JobDeleteFile removes a library-relative file, unless a catalog row
	// references it again by then.
	JobDeleteFile = "delete-file"
	// JobDeleteRemote removes an object from a remote; its target is
	// "REMOTE<tab>KEY".
	JobDeleteRemote = "delete-remote"
	// JobSync syncs a remote; its target is the remote's name.
	JobSync = "sync"
)

// Job states.
const (
	JobPending = "pending"
	JobDead    = "dead" // failed too often; waits for "picup jobs retry"
)

// Job is one unit of work in the outbox.
type Job struct {
	ID        int64
	Kind      string
	Target    string
	State     string
	Attempts  int
	NextAt    int64
	LastError string
	CreatedAt time.Time
}

const jobCols = `id, kind, target, state, attempts, next_at, last_error, created_at`

func scanJob(s scanner) (Job, error) {
	var j Job
	var created string
	if err := s.Scan(&j.ID, &j.Kind, &j.Target, &j.State, &j.Attempts, &j.NextAt, &j.LastError, &created); err != nil {
		return j, err
	}
	var err error
	j.CreatedAt, err = parseStored(fmt.Sprintf("job %d", j.ID), "created_at", created)
	return j, err
}

// AddJob queues a job, due now.
func (tx *Tx) AddJob(ctx context.Context, kind, target string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO jobs (kind, target, next_at, created_at) VALUES (?, ?, ?, ?)`,
		kind, target, time.Now().UnixMilli(), nowText())
	return err
}

// DueJobs returns up to limit pending jobs of the given kinds that are due
// at now, oldest first. Jobs are idempotent, so two processes running the
// same job at once is harmless; there is no lease that a killed process
// could leave behind. Each kind's jobs are read from its own range of
// jobs_due (migration 0028), so that the due jobs of other kinds cost
// nothing, and merged.
func (c *Catalog) DueJobs(ctx context.Context, now time.Time, kinds []string, limit int) ([]Job, error) {
	var due []Job
	for _, k := range kinds {
		rows, err := c.r.QueryContext(ctx, `SELECT `+jobCols+` FROM jobs WHERE state = 'pending' AND kind = ? AND next_at <= ?
			ORDER BY next_at, id LIMIT ?`, k, now.UnixMilli(), limit)
		js, err := collect(rows, err, scanJob)
		if err != nil {
			return nil, err
		}
		due = append(due, js...)
	}
	slices.SortFunc(due, func(a, b Job) int { return cmp.Or(cmp.Compare(a.NextAt, b.NextAt), cmp.Compare(a.ID, b.ID)) })
	return due[:min(len(due), limit)], nil
}

// PendingDeletions says which of the library-relative paths rels a
// deletion job is queued for: files on their way out, not orphans. It
// reads the queue once, whatever its length, for the files that verify
// found no photo of; the queue has no index by target (migration 0026),
// which would cost a random write for each of the jobs a purge queues.
func (c *Catalog) PendingDeletions(ctx context.Context, rels []string) (map[string]bool, error) {
	pending := map[string]bool{}
	if len(rels) == 0 {
		return pending, nil
	}
	want := make(map[string]bool, len(rels))
	for _, r := range rels {
		want[r] = true
	}
	rows, err := c.r.QueryContext(ctx, `SELECT target FROM jobs WHERE kind = ?`, JobDeleteFile)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var target string
		if err := rows.Scan(&target); err != nil {
			return nil, err
		}
		if want[target] {
			pending[target] = true
		}
	}
	return pending, rows.Err()
}

// DeleteJobs removes finished jobs.
func (tx *Tx) DeleteJobs(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM jobs WHERE id IN `+idList, idsJSON(ids))
	return err
}

// JobFailure is a failed attempt at a job, as JobsFailed records it.
type JobFailure struct {
	ID       int64
	Attempts int // attempts so far, this one included
	Error    string
	Next     time.Time // when the job is due again
	Dead     bool      // failed for the last time
}

// JobsFailed records failed attempts, in one statement however many.
func (tx *Tx) JobsFailed(ctx context.Context, failures []JobFailure) error {
	if len(failures) == 0 {
		return nil
	}
	type row struct {
		ID       int64  `json:"i"`
		Attempts int    `json:"a"`
		Error    string `json:"e"`
		NextAt   int64  `json:"n"`
		State    string `json:"s"`
	}
	rows := make([]row, len(failures))
	for i, f := range failures {
		rows[i] = row{ID: f.ID, Attempts: f.Attempts, Error: f.Error, NextAt: f.Next.UnixMilli(), State: JobPending}
		if f.Dead {
			rows[i].State = JobDead
		}
	}
	_, err := tx.ExecContext(ctx, `UPDATE jobs SET attempts = f.value->>'a', last_error = f.value->>'e',
		next_at = f.value->>'n', state = f.value->>'s' FROM json_each(?) f WHERE jobs.id = f.value->>'i'`, mustJSON(rows))
	return err
}

// Jobs lists queued jobs in id order, at most limit of them after the
// job afterID (0: from the first); failedOnly keeps dead ones and those
// that failed at least once, read from their own index (migration 0030).
func (c *Catalog) Jobs(ctx context.Context, failedOnly bool, afterID int64, limit int) ([]Job, error) {
	q := `SELECT ` + jobCols + ` FROM jobs WHERE id > ?`
	if failedOnly {
		q += ` AND (state = 'dead' OR attempts > 0)`
	}
	rows, err := c.r.QueryContext(ctx, q+` ORDER BY id LIMIT ?`, afterID, limit)
	return collect(rows, err, scanJob)
}

// RetryJobs makes jobs due now with a fresh count of attempts: the given
// ids, or every dead or failing job when ids is nil. It returns how many.
func (tx *Tx) RetryJobs(ctx context.Context, ids []int64) (int, error) {
	now := time.Now().UnixMilli()
	if ids == nil {
		res, err := tx.ExecContext(ctx, `UPDATE jobs SET state = 'pending', attempts = 0, next_at = ?
			WHERE state = 'dead' OR attempts > 0`, now)
		if err != nil {
			return 0, err
		}
		n, err := res.RowsAffected()
		return int(n), err
	}
	n := 0
	for _, id := range ids {
		res, err := tx.ExecContext(ctx, `UPDATE jobs SET state = 'pending', attempts = 0, next_at = ? WHERE id = ?`, now, id)
		if err != nil {
			return n, err
		}
		k, _ := res.RowsAffected()
		if k == 0 {
			return n, ErrNotFound
		}
		n += int(k)
	}
	return n, nil
}

// JobsDue reports whether a queued job of one of the kinds is due at
// now: a probe of the jobs_due index a kind, whatever the length of the
// queue (a purge of 100,000 photos queues about 800,000 deletions).
func (c *Catalog) JobsDue(ctx context.Context, now time.Time, kinds []string) (bool, error) {
	for _, k := range kinds {
		var due bool
		err := c.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM jobs WHERE state = 'pending' AND kind = ? AND next_at <= ?)`,
			k, now.UnixMilli()).Scan(&due)
		if err != nil || due {
			return due, err
		}
	}
	return false, nil
}

// ReferencedPaths tells which of paths (library-relative paths or remote
// keys) are in use, in one query for them all: an original or sidecar of
// some photo, or the thumbnail or JSON sidecar of content some photo has.
// A deletion job leaves such a file alone. The paths in use are in the
// map.
func (c *Catalog) ReferencedPaths(ctx context.Context, paths []string) (map[string]bool, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	// Each path with the content hash its name carries, or null.
	pairs := make([][2]*string, len(paths))
	for i := range paths {
		pairs[i][0] = &paths[i]
		if sha := contentOf(paths[i]); sha != "" {
			pairs[i][1] = &sha
		}
	}
	rows, err := c.r.QueryContext(ctx, `SELECT f.value->>'$[0]' FROM json_each(?) f
		WHERE EXISTS (SELECT 1 FROM photos WHERE path = f.value->>'$[0]')
			OR EXISTS (SELECT 1 FROM sidecars WHERE path = f.value->>'$[0]')
			OR EXISTS (SELECT 1 FROM photos WHERE sha256 = f.value->>'$[1]')`, mustJSON(pairs))
	used, err := collect(rows, err, func(s scanner) (string, error) {
		var p string
		err := s.Scan(&p)
		return p, err
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(used))
	for _, p := range used {
		out[p] = true
	}
	return out, nil
}

// contentOf is the SHA-256 that names a thumbnail or a JSON sidecar at
// rel, "" for other paths.
func contentOf(rel string) string {
	base := rel[strings.LastIndex(rel, "/")+1:]
	switch {
	case strings.HasPrefix(rel, "thumbs/"):
		if sha, _, ok := strings.Cut(base, "-"); ok && len(sha) == 64 {
			return sha
		}
	case strings.HasPrefix(rel, "meta/"):
		if sha, ok := strings.CutSuffix(base, ".json"); ok && len(sha) == 64 {
			return sha
		}
	}
	return ""
}

// Setting returns a setting's value, "" when unset.
func (c *Catalog) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := c.r.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetSetting stores a setting; an empty value removes it.
func (tx *Tx) SetSetting(ctx context.Context, key, value string) error {
	if value == "" {
		_, err := tx.ExecContext(ctx, `DELETE FROM settings WHERE key = ?`, key)
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}
