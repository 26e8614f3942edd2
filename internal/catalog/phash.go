package catalog

import (
	"context"
	"database/sql"
	"fmt"
)

// PHash is a photo's perceptual hash.
type PHash struct {
	PhotoID int64
	Hash    uint64
}

// SetPHash stores a photo's perceptual hash; ok false records that the
// picture is too plain to hash, so that it is not tried again.
func (tx *Tx) SetPHash(ctx context.Context, photoID int64, hash uint64, ok bool) error {
	v := sql.NullInt64{Int64: int64(hash), Valid: ok}
	_, err := tx.ExecContext(ctx, `INSERT INTO photo_hashes (photo_id, phash) VALUES (?, ?)
		ON CONFLICT (photo_id) DO UPDATE SET phash = excluded.phash`, photoID, v)
	if err != nil {
		return fmt.Errorf("store the perceptual hash of photo %d: %w", photoID, err)
	}
	return nil
}

// PHashes lists the perceptual hashes of the photos outside the trash,
// by photo id.
func (c *Catalog) PHashes(ctx context.Context) ([]PHash, error) {
	rows, err := c.r.QueryContext(ctx, `SELECT h.photo_id, h.phash FROM photo_hashes h
		JOIN photos p ON p.id = h.photo_id WHERE p.trashed_at IS NULL AND h.phash IS NOT NULL ORDER BY h.photo_id`)
	return collect(rows, err, func(s scanner) (PHash, error) {
		var h PHash
		var v int64
		err := s.Scan(&h.PhotoID, &v)
		h.Hash = uint64(v)
		return h, err
	})
}

// PhotosWithoutPHash lists up to limit photos outside the trash, above
// id afterID, that were never hashed and have a grid thumbnail to hash,
// by id.
func (c *Catalog) PhotosWithoutPHash(ctx context.Context, afterID int64, limit int) ([]Photo, error) {
	rows, err := c.r.QueryContext(ctx, `SELECT `+photoCols+` FROM photos p
		WHERE p.id > ? AND p.trashed_at IS NULL AND p.thumbs = 'ok'
		AND NOT EXISTS (SELECT 1 FROM photo_hashes h WHERE h.photo_id = p.id)
		ORDER BY p.id LIMIT ?`, afterID, limit)
	return collect(rows, err, scanPhoto)
}
