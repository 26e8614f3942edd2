package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// Trash moves live photos to the trash and returns how many moved, as
// one batch (moveBatch).
func (tx *Tx) Trash(ctx context.Context, ids []int64) (int, error) {
	res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO batch_photos (photo_id, bytes, type, date, day)
		SELECT p.id, `+batchFacts+` FROM json_each(?) j CROSS JOIN photos p ON p.id = j.value WHERE p.trashed_at IS NULL`, idsJSON(ids))
	if err != nil {
		return 0, fmt.Errorf("trash photos: %w", err)
	}
	return tx.moveBatch(ctx, res, toTrash)
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
// statements for the whole album through batch_photos (moveBatch).
//
// Which of the album's photos are live is read from photos_live_by_taken
// (an entry there is a live photo) in the album's order, which is that
// index's order: its pages are read once each, one after the other, and
// are at hand when the photos leave it. The photos' rows are then read
// in the order of their ids, the order they lie in on disk. Read from
// the rows in the album's order instead, both the rows and the index
// were read at random places: at ten million photos, with the pages not
// in memory, an album of 100,000 took 5.0-5.4 s in the catalog, and
// 3.4 s this way.
func (tx *Tx) TrashAlbum(ctx context.Context, albumID int64) (int, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO batch_photos (photo_id, bytes, type, date, day)
		WITH live (id) AS MATERIALIZED (
			SELECT ap.photo_id FROM album_photos ap INDEXED BY album_photos_by_taken
			CROSS JOIN photos l INDEXED BY photos_live_by_taken ON l.taken_key = ap.taken_key AND l.id = ap.photo_id
			WHERE ap.album_id = ? AND l.trashed_at IS NULL ORDER BY ap.photo_id)
		SELECT p.id, `+batchFacts+` FROM live CROSS JOIN photos p ON p.id = live.id`, albumID)
	if err != nil {
		return 0, fmt.Errorf("trash album %d: %w", albumID, err)
	}
	return tx.moveBatch(ctx, res, toTrash)
}

// Restore takes photos out of the trash, as one batch (moveBatch); ids
// nil restores all of it. It returns how many came back.
func (tx *Tx) Restore(ctx context.Context, ids []int64) (int, error) {
	q, args := `INSERT INTO batch_photos (photo_id, bytes, type, date, day)
		SELECT p.id, `+batchFacts+` FROM photos p INDEXED BY photos_trashed WHERE p.trashed_at IS NOT NULL`, []any(nil)
	if ids != nil {
		q, args = `INSERT OR IGNORE INTO batch_photos (photo_id, bytes, type, date, day)
			SELECT p.id, `+batchFacts+` FROM json_each(?) j CROSS JOIN photos p ON p.id = j.value WHERE p.trashed_at IS NOT NULL`, []any{idsJSON(ids)}
	}
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("restore photos: %w", err)
	}
	return tx.moveBatch(ctx, res, fromTrash)
}

// batchFacts is what moveBatch's counters need of a photo p, in the
// order of batch_photos' columns bytes, type, date and day (migration
// 0029): photo_dates counts by the date taken_at names, photo_key_days by
// the day of taken_key.
const batchFacts = `p.bytes, p.type, substr(p.taken_at, 1, 10), (p.taken_key - (p.taken_key % 86400000 + 86400000) % 86400000) / 86400000`

// Which way moveBatch moves its photos: the sign of what they add to the
// trash's counters.
const (
	toTrash   = 1
	fromTrash = -1
)

// moveBatch moves the photos in batch_photos, each with its facts and
// all on the other side, into the trash (toTrash) or out of it
// (fromTrash): the counters move by one sum each, the photos change in
// one statement and are numbered for sync in one insert. The triggers
// that keep the counters one photo at a time skip the photos in
// batch_photos (migration 0022). added is the result of the insert that
// filled the batch.
func (tx *Tx) moveBatch(ctx context.Context, added sql.Result, way int) (int, error) {
	n, err := added.RowsAffected()
	if err != nil || n == 0 {
		return 0, err
	}
	verb, trashedAt := "restore", any(nil) // NULL: out of the trash
	if way == toTrash {
		verb, trashedAt = "trash", nowText()
	}
	for _, q := range []string{moveUsage, moveAlbumCounts, moveDates, moveKeyDays} {
		if _, err := tx.ExecContext(ctx, q, way); err != nil {
			return 0, fmt.Errorf("%s photos: %w", verb, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE photos SET trashed_at = ? WHERE id IN (SELECT photo_id FROM batch_photos)`, trashedAt); err != nil {
		return 0, fmt.Errorf("%s photos: %w", verb, err)
	}
	return int(n), tx.endBatch(ctx)
}

// What moving the photos in batch_photos into the trash (?1 = 1) or out
// of it (?1 = -1) does to the counters, as usage_photo_u,
// album_counts_photo_u and photo_days_u would one photo at a time. A day
// whose photos all went to the trash keeps its row, at zero; the upserts
// bring a missing one back all the same.
const (
	moveUsage = `UPDATE users SET trashed_bytes = trashed_bytes + ?1 * d.moved_bytes,
	photos = photos - ?1 * d.moved_photos, videos = videos - ?1 * d.moved_videos
FROM (SELECT po.user_id AS user_id, sum(g.bytes) AS moved_bytes,
		sum(g.type = 'photo') AS moved_photos, sum(g.type = 'video') AS moved_videos
	FROM batch_photos g CROSS JOIN photo_owners po ON po.photo_id = g.photo_id
	GROUP BY po.user_id) d
WHERE users.id = d.user_id`
	moveAlbumCounts = `UPDATE albums SET photos = photos - ?1 * d.moved_photos, videos = videos - ?1 * d.moved_videos
FROM (SELECT ap.album_id AS album_id, sum(g.type = 'photo') AS moved_photos, sum(g.type = 'video') AS moved_videos
	FROM batch_photos g CROSS JOIN album_photos ap ON ap.photo_id = g.photo_id
	GROUP BY ap.album_id) d
WHERE albums.id = d.album_id`
	moveDates = `INSERT INTO photo_dates (date, photos)
	SELECT date, -?1 * count(*) FROM batch_photos WHERE true GROUP BY date
	ON CONFLICT (date) DO UPDATE SET photos = photos + excluded.photos`
	moveKeyDays = `INSERT INTO photo_key_days (day, photos)
	SELECT day, -?1 * count(*) FROM batch_photos WHERE true GROUP BY day
	ON CONFLICT (day) DO UPDATE SET photos = photos + excluded.photos`
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
	return collect(rows, err, scanID)
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
