package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// Why photos were purged, as the trash log records it.
const (
	PurgeExpired   = "expired"    // in the trash longer than the retention
	PurgeEmptied   = "emptied"    // "picup trash empty"
	PurgeOlderThan = "older-than" // "picup trash empty --older-than"
)

// TrashLogEntry is one purge in the trash log.
type TrashLogEntry struct {
	ID       int64
	PurgedAt time.Time     // when the purge began
	Reason   string        // PurgeExpired, PurgeEmptied or PurgeOlderThan
	After    time.Duration // PurgeExpired: the retention; PurgeOlderThan: how long at least; else 0
	Photos   int64
	Bytes    int64
}

// PurgedPhoto is a photo of the trash log, as it was when it was purged.
type PurgedPhoto struct {
	ID           int64 // the id it had
	Path         string
	OriginalName string
	SHA256       string
	Bytes        int64
	TrashedAt    time.Time
}

// LogPurge records photos that tx.Purge just purged, in the same
// transaction, so that the log commits or rolls back with the purge. An
// entry without an ID starts a new purge in the log (PurgedAt defaults to
// now); one with an ID (returned by an earlier LogPurge whose transaction
// committed) is added to: a purge done in several transactions is one
// entry. It returns the entry as it now stands; nothing is written when
// photos is empty.
func (tx *Tx) LogPurge(ctx context.Context, e TrashLogEntry, photos []Photo) (TrashLogEntry, error) {
	if len(photos) == 0 {
		return e, nil
	}
	if e.ID == 0 {
		if e.PurgedAt.IsZero() {
			e.PurgedAt = Now()
		}
		var after any
		if e.Reason != PurgeEmptied {
			after = int64(e.After / time.Second)
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO trash_log (purged_at, reason, after_s) VALUES (?, ?, ?) RETURNING id`,
			FormatTime(e.PurgedAt), e.Reason, after).Scan(&e.ID)
		if err != nil {
			return e, err
		}
	}
	// One statement for the batch: each photo a JSON array of its columns.
	var bytes int64
	list := make([][]any, 0, len(photos))
	for _, p := range photos {
		list = append(list, []any{p.ID, p.Path, p.OriginalName, p.SHA256, p.Bytes, FormatTime(p.TrashedAt)})
		bytes += p.Bytes
	}
	j, err := json.Marshal(list)
	if err != nil {
		return e, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO trash_log_photos (log_id, photo_id, path, original_name, sha256, bytes, trashed_at)
		SELECT ?, value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5 FROM json_each(?)`,
		e.ID, string(j)); err != nil {
		return e, fmt.Errorf("record purged photos in the trash log: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE trash_log SET photos = photos + ?, bytes = bytes + ? WHERE id = ?`,
		len(photos), bytes, e.ID); err != nil {
		return e, err
	}
	e.Photos += int64(len(photos))
	e.Bytes += bytes
	return e, nil
}

// TrashLog lists purges, newest first, page by page: before is the ID of
// the last entry of the previous page, 0 for the first page.
func (c *Catalog) TrashLog(ctx context.Context, before int64, limit int) ([]TrashLogEntry, error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := c.r.QueryContext(ctx, `SELECT id, purged_at, reason, after_s, photos, bytes FROM trash_log
		WHERE id < ? ORDER BY id DESC LIMIT ?`, before, limit)
	return collect(rows, err, func(s scanner) (TrashLogEntry, error) {
		var e TrashLogEntry
		var after sql.NullInt64
		var purged string
		if err := s.Scan(&e.ID, &purged, &e.Reason, &after, &e.Photos, &e.Bytes); err != nil {
			return e, err
		}
		e.After = time.Duration(after.Int64) * time.Second
		var err error
		e.PurgedAt, err = parseStored(fmt.Sprintf("trash log entry %d", e.ID), "purged_at", purged)
		return e, err
	})
}

// TrashLogPhotos lists the photos of one purge by the id they had, page
// by page: after is the last id of the previous page, 0 for the first.
func (c *Catalog) TrashLogPhotos(ctx context.Context, logID, after int64, limit int) ([]PurgedPhoto, error) {
	rows, err := c.r.QueryContext(ctx, `SELECT photo_id, path, original_name, sha256, bytes, trashed_at FROM trash_log_photos
		WHERE log_id = ? AND photo_id > ? ORDER BY photo_id LIMIT ?`, logID, after, limit)
	return collect(rows, err, func(s scanner) (PurgedPhoto, error) {
		var p PurgedPhoto
		var trashed string
		if err := s.Scan(&p.ID, &p.Path, &p.OriginalName, &p.SHA256, &p.Bytes, &trashed); err != nil {
			return p, err
		}
		var err error
		p.TrashedAt, err = parseStored(fmt.Sprintf("trash log entry %d, photo %d", logID, p.ID), "trashed_at", trashed)
		return p, err
	})
}
