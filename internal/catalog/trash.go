package catalog

import (
	"context"
	"encoding/json"
	"time"
)

// Trash moves live photos to the trash and returns how many moved.
func (tx *Tx) Trash(ctx context.Context, ids []int64) (int, error) {
	n := 0
	now := nowText()
	for _, id := range ids {
		res, err := tx.ExecContext(ctx, `UPDATE photos SET trashed_at = ? WHERE id = ? AND trashed_at IS NULL`, now, id)
		if err != nil {
			return n, err
		}
		k, _ := res.RowsAffected()
		n += int(k)
	}
	return n, nil
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

// TrashAlbum moves every live photo of an album to the trash.
func (tx *Tx) TrashAlbum(ctx context.Context, albumID int64) (int, error) {
	res, err := tx.ExecContext(ctx, `UPDATE photos SET trashed_at = ? WHERE trashed_at IS NULL
		AND id IN (SELECT photo_id FROM album_photos WHERE album_id = ?)`, nowText(), albumID)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
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
// rows go, their owners' usage drops (the trigger usage_photo_d), and a job to delete each of their
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
	if _, err := tx.ExecContext(ctx, `DELETE FROM photos WHERE id IN `+idList, idsJSON(gone)); err != nil {
		return nil, err
	}
	list, err := json.Marshal(paths)
	if err != nil {
		return nil, err
	}
	// The outbox: each file's deletion, then each object a remote holds.
	now, created := time.Now().UnixMilli(), nowText()
	if _, err := tx.ExecContext(ctx, `INSERT INTO jobs (kind, target, next_at, created_at)
		SELECT ?, value, ?, ? FROM json_each(?) ORDER BY key`, JobDeleteFile, now, created, string(list)); err != nil {
		return nil, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO jobs (kind, target, next_at, created_at)
		SELECT ?, r.name || char(9) || f.value, ?, ? FROM json_each(?) f JOIN remotes r
		WHERE EXISTS (SELECT 1 FROM remote_objects o WHERE o.remote = r.name AND o.key = f.value)
		ORDER BY f.key, r.name`, JobDeleteRemote, now, created, string(list))
	if err != nil {
		return nil, err
	}
	return purged, nil
}
