package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// Trash moves live photos to the trash and returns how many moved, as
// one batch (trashBatch).
func (tx *Tx) Trash(ctx context.Context, ids []int64) (int, error) {
	res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO batch_photos (photo_id)
		SELECT p.id FROM json_each(?) j CROSS JOIN photos p ON p.id = j.value WHERE p.trashed_at IS NULL`, idsJSON(ids))
	if err != nil {
		return 0, fmt.Errorf("trash photos: %w", err)
	}
	return tx.trashBatch(ctx, res)
}

// TrashIfUnfiled moves a photo to the trash when it is in no album (a
// rejected upload that nobody else filed); it reports whether it moved.
func (tx *Tx) TrashIfUnfiled(ctx context.Context, id int64) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE photos SET trashed_at = ? WHERE id = ? AND trashed_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM album_photos WHERE photo_id = ?)`, nowText(), id, id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// TrashAlbum moves every live photo of an album to the trash, in a few
// statements for the whole album through batch_photos (migration 0022):
// the owners', albums' and days' counters move by one sum each, and the
// photos are numbered for sync in one insert.
func (tx *Tx) TrashAlbum(ctx context.Context, albumID int64) (int, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO batch_photos (photo_id)
		SELECT ap.photo_id FROM album_photos ap CROSS JOIN photos p ON p.id = ap.photo_id
		WHERE ap.album_id = ? AND p.trashed_at IS NULL`, albumID)
	if err != nil {
		return 0, fmt.Errorf("trash album %d: %w", albumID, err)
	}
	return tx.trashBatch(ctx, res)
}

// trashBatch moves the photos in batch_photos, all live, to the trash:
// the counters move by one sum each, the photos change in one
// statement and are numbered for sync in one insert. added is the
// result of the insert that filled the batch.
func (tx *Tx) trashBatch(ctx context.Context, added sql.Result) (int, error) {
	n, err := added.RowsAffected()
	if err != nil || n == 0 {
		return 0, err
	}
	for _, q := range []string{trashUsage, trashAlbumCounts, trashDates, trashKeyDays} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return 0, fmt.Errorf("trash photos: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE photos SET trashed_at = ? WHERE id IN (SELECT photo_id FROM batch_photos)`, nowText()); err != nil {
		return 0, fmt.Errorf("trash photos: %w", err)
	}
	return int(n), tx.endBatch(ctx)
}

// What trashing the photos in batch_photos, all live, does to the
// counters, as usage_photo_u, album_counts_photo_u and photo_days_u would
// one photo at a time.
const (
	trashUsage = `UPDATE users SET trashed_bytes = trashed_bytes + d.moved_bytes,
	photos = photos - d.moved_photos, videos = videos - d.moved_videos
FROM (SELECT po.user_id AS user_id, sum(p.bytes) AS moved_bytes,
		sum(p.type = 'photo') AS moved_photos, sum(p.type = 'video') AS moved_videos
	FROM batch_photos g CROSS JOIN photo_owners po ON po.photo_id = g.photo_id CROSS JOIN photos p ON p.id = g.photo_id
	GROUP BY po.user_id) d
WHERE users.id = d.user_id`
	trashAlbumCounts = `UPDATE albums SET photos = photos - d.moved_photos, videos = videos - d.moved_videos
FROM (SELECT ap.album_id AS album_id, sum(p.type = 'photo') AS moved_photos, sum(p.type = 'video') AS moved_videos
	FROM batch_photos g CROSS JOIN album_photos ap ON ap.photo_id = g.photo_id CROSS JOIN photos p ON p.id = g.photo_id
	GROUP BY ap.album_id) d
WHERE albums.id = d.album_id`
	trashDates = `UPDATE photo_dates SET photos = photos - d.moved
FROM (SELECT substr(p.taken_at, 1, 10) AS date, count(*) AS moved
	FROM batch_photos g CROSS JOIN photos p ON p.id = g.photo_id GROUP BY 1) d
WHERE photo_dates.date = d.date`
	trashKeyDays = `UPDATE photo_key_days SET photos = photos - d.moved
FROM (SELECT (p.taken_key - (p.taken_key % 86400000 + 86400000) % 86400000) / 86400000 AS day, count(*) AS moved
	FROM batch_photos g CROSS JOIN photos p ON p.id = g.photo_id GROUP BY 1) d
WHERE photo_key_days.day = d.day`
)

// endBatch numbers the photos in batch_photos for sync, each its own
// change as photos_sync_u would have made it (the next numbers of
// change_seq, in the order of their ids), and empties the batch. It
// numbers them in one insert rather than through photo_touch, whose
// trigger runs three statements a photo; the photos must exist.
func (tx *Tx) endBatch(ctx context.Context) error {
	for _, q := range []string{
		`INSERT INTO photo_changes (photo_id, seq)
			SELECT photo_id, (SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'change_seq') + row_number() OVER (ORDER BY photo_id)
			FROM batch_photos WHERE true
			ON CONFLICT (photo_id) DO UPDATE SET seq = excluded.seq`,
		`UPDATE settings SET value = CAST(value AS INTEGER) + (SELECT count(*) FROM batch_photos) WHERE key = 'change_seq'`,
		`DELETE FROM batch_photos`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("number the batch's photos for sync: %w", err)
		}
	}
	return nil
}

// Restore takes photos out of the trash; ids nil restores all of it.
func (tx *Tx) Restore(ctx context.Context, ids []int64) (int, error) {
	if ids == nil {
		res, err := tx.ExecContext(ctx, `UPDATE photos SET trashed_at = NULL WHERE trashed_at IS NOT NULL`)
		if err != nil {
			return 0, err
		}
		n, err := res.RowsAffected()
		return int(n), err
	}
	n := 0
	for _, id := range ids {
		res, err := tx.ExecContext(ctx, `UPDATE photos SET trashed_at = NULL WHERE id = ? AND trashed_at IS NOT NULL`, id)
		if err != nil {
			return n, err
		}
		k, _ := res.RowsAffected()
		n += int(k)
	}
	return n, nil
}

// trashedQuery lists the trash, most recently trashed first (photos_trashed index).
const trashedQuery = `SELECT ` + photoCols + ` FROM photos p
	WHERE p.trashed_at IS NOT NULL AND (p.trashed_at, p.id) < (?, ?)
	ORDER BY p.trashed_at DESC, p.id DESC LIMIT ?`

// TrashedPhotos lists the trash page by page: after is the (trashed_at, id)
// of the last photo of the previous page, zero for the first.
func (c *Catalog) TrashedPhotos(ctx context.Context, afterAt time.Time, afterID int64, limit int) ([]Photo, error) {
	after := FormatTime(afterAt)
	if afterAt.IsZero() {
		after, afterID = "\U0010FFFF", 1<<63-1
	}
	rows, err := c.r.QueryContext(ctx, trashedQuery, after, afterID, limit)
	return collect(rows, err, scanPhoto)
}

// TrashedBefore returns the ids of photos trashed at or before t (all of the
// trash when t is zero), at most limit of them.
func (c *Catalog) TrashedBefore(ctx context.Context, t time.Time, limit int) ([]int64, error) {
	cutoff := "\U0010FFFF"
	if !t.IsZero() {
		cutoff = FormatTime(t)
	}
	rows, err := c.r.QueryContext(ctx, `SELECT id FROM photos WHERE trashed_at IS NOT NULL AND trashed_at <= ?
		ORDER BY trashed_at LIMIT ?`, cutoff, limit)
	return collect(rows, err, func(s scanner) (int64, error) {
		var id int64
		err := s.Scan(&id)
		return id, err
	})
}

// TrashTotals counts the photos trashed at or before t (all of the trash
// when t is zero) and their bytes.
func (c *Catalog) TrashTotals(ctx context.Context, t time.Time) (n int, bytes int64, err error) {
	cutoff := "\U0010FFFF"
	if !t.IsZero() {
		cutoff = FormatTime(t)
	}
	err = c.r.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(bytes), 0) FROM photos
		WHERE trashed_at IS NOT NULL AND trashed_at <= ?`, cutoff).Scan(&n, &bytes)
	return n, bytes, err
}

// Purge forgets trashed photos for good, in the caller's transaction: their
// rows go, their owners' usage drops, and a job to delete each of their
// files (the paths files returns for a photo) is queued, so that the files
// are removed only after this commit. Photos not in the trash are left
// alone. It returns the purged photos, which the caller records in the
// trash log with LogPurge in the same transaction.
func (tx *Tx) Purge(ctx context.Context, ids []int64, files func(Photo, []Sidecar) []string) ([]Photo, error) {
	// A few statements for the whole batch, not a few per photo: each
	// statement is compiled anew, and deleting a photo runs the triggers
	// of every table that hangs on it.
	rows, err := tx.QueryContext(ctx, `SELECT `+photoCols+` FROM photos p WHERE p.id IN `+idList+` AND p.trashed_at IS NOT NULL`, idsJSON(ids))
	found, err := collect(rows, err, scanPhoto)
	if err != nil || len(found) == 0 {
		return nil, err
	}
	byID := make(map[int64]Photo, len(found))
	for _, p := range found {
		byID[p.ID] = p
	}
	purged := make([]Photo, 0, len(found))
	gone := make([]int64, 0, len(found))
	for _, id := range ids { // in the order asked for, each once
		if p, ok := byID[id]; ok {
			purged, gone = append(purged, p), append(gone, id)
			delete(byID, id)
		}
	}
	scs, err := sidecarsByPhoto(ctx, tx, "WHERE photo_id IN "+idList, idsJSON(gone))
	if err != nil {
		return nil, err
	}
	paths := []string{} // a JSON array even when empty
	for _, p := range purged {
		paths = append(paths, files(p, scs[p.ID])...)
	}
	if err := tx.deletePurged(ctx, gone); err != nil {
		return nil, err
	}
	list, err := json.Marshal(paths)
	if err != nil {
		return nil, err
	}
	// The outbox: each file's deletion, then its deletion from every
	// remote that anything was uploaded to. Whether the remote holds each
	// file is not looked up here: at ten million photos, remote_objects
	// holds 40 million keys, and looking up the 8,000 files of a batch
	// took most of a purge's time. Deleting a key a remote does not hold
	// is not an error, and the job forgets the key either way.
	now, created := time.Now().UnixMilli(), nowText()
	if _, err := tx.ExecContext(ctx, `INSERT INTO jobs (kind, target, next_at, created_at)
		SELECT ?, value, ?, ? FROM json_each(?) ORDER BY key`, JobDeleteFile, now, created, string(list)); err != nil {
		return nil, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO jobs (kind, target, next_at, created_at)
		SELECT ?, r.name || char(9) || f.value, ?, ? FROM json_each(?) f JOIN remotes r
		WHERE r.last_upload_at IS NOT NULL
		ORDER BY f.key, r.name`, JobDeleteRemote, now, created, string(list))
	if err != nil {
		return nil, err
	}
	return purged, nil
}

// purgeUsage takes the photos in batch_photos off their owners'
// counters, one sum a user, as usage_owner_d would one owner at a time.
// CROSS JOIN keeps the batch first: without statistics on batch_photos,
// the planner would rather walk every owner.
const purgeUsage = `UPDATE users SET used_bytes = used_bytes - d.gone_bytes, trashed_bytes = trashed_bytes - d.gone_trashed,
	photos = photos - d.gone_photos, videos = videos - d.gone_videos
FROM (SELECT po.user_id AS user_id, sum(p.bytes) AS gone_bytes, sum(iif(p.trashed_at IS NULL, 0, p.bytes)) AS gone_trashed,
		sum(p.trashed_at IS NULL AND p.type = 'photo') AS gone_photos, sum(p.trashed_at IS NULL AND p.type = 'video') AS gone_videos
	FROM batch_photos g CROSS JOIN photo_owners po ON po.photo_id = g.photo_id CROSS JOIN photos p ON p.id = g.photo_id
	GROUP BY po.user_id) d
WHERE users.id = d.user_id`

// batchSearchDelete deletes the search rows of the photos in
// batch_photos in the order of their rowids (the IN list is sorted):
// FTS5 then writes the batch out once, at the commit.
const batchSearchDelete = `DELETE FROM photo_search WHERE rowid IN (
	SELECT ((max(min(p.taken_key / 1000, 34359738367), -34359738368) + 34359738368) << 27) | p.id
	FROM batch_photos g CROSS JOIN photos p ON p.id = g.photo_id)`

// deletePurged deletes the rows of photos through batch_photos
// (migration 0022): their owners' counters move in one statement and
// their search rows go in another; usage_photo_d leaves their owners'
// rows to the cascade, which finds the photos gone and moves nothing
// again.
func (tx *Tx) deletePurged(ctx context.Context, ids []int64) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO batch_photos (photo_id) SELECT value FROM json_each(?)`, idsJSON(ids)); err != nil {
		return fmt.Errorf("purge photos (nothing of this batch was purged; run it again): %w", err)
	}
	for _, q := range []string{purgeUsage, batchSearchDelete, `DELETE FROM photos WHERE id IN (SELECT photo_id FROM batch_photos)`, `DELETE FROM batch_photos`} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("purge photos (nothing of this batch was purged; run it again): %w", err)
		}
	}
	return nil
}
