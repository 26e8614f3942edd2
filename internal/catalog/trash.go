package catalog

import (
	"context"
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
	var purged []Photo
	for _, id := range ids {
		p, err := photoWhere(ctx, tx, "p.id = ? AND p.trashed_at IS NOT NULL", id)
		if err == ErrNotFound {
			continue
		}
		if err != nil {
			return purged, err
		}
		scs, err := sidecarsOf(ctx, tx, id)
		if err != nil {
			return purged, err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM photos WHERE id = ?`, id); err != nil {
			return purged, err
		}
		for _, f := range files(p, scs) {
			if err := tx.AddJob(ctx, JobDeleteFile, f); err != nil {
				return purged, err
			}
			remotes, err := tx.RemotesHolding(ctx, f)
			if err != nil {
				return purged, err
			}
			for _, r := range remotes {
				if err := tx.AddJob(ctx, JobDeleteRemote, r+"\t"+f); err != nil {
					return purged, err
				}
			}
		}
		purged = append(purged, p)
	}
	return purged, nil
}
