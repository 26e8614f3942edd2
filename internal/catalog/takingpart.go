package catalog

import (
	"context"
	"fmt"
)

// TakingPart is what guests did to one photo: their hearts, their
// comments and their uploads of it (the ones that kept it: added, pending
// or a duplicate).
type TakingPart struct {
	Hearts   []Heart
	Comments []Comment
	Uploads  []Upload
}

// Empty reports whether nobody took part.
func (tp TakingPart) Empty() bool {
	return len(tp.Hearts) == 0 && len(tp.Comments) == 0 && len(tp.Uploads) == 0
}

const keptUploads = `u.status IN ('added', 'pending', 'duplicate')`

// TakingPart returns what guests did to a photo, each list oldest first.
func (c *Catalog) TakingPart(ctx context.Context, photoID int64) (TakingPart, error) {
	all, err := c.takingPart(ctx, "WHERE photo_id = ?", "WHERE c.photo_id = ?", "AND u.photo_id = ?", photoID)
	return all[photoID], err
}

// AllTakingPart returns, for every photo that has any, what guests did to
// it (for a sync, which writes it into each photo's sidecar).
func (c *Catalog) AllTakingPart(ctx context.Context) (map[int64]TakingPart, error) {
	return c.takingPart(ctx, "", "", "AND u.photo_id IS NOT NULL")
}

// TakingPartOf returns what guests did to the photos ids, by photo id.
func (c *Catalog) TakingPartOf(ctx context.Context, ids []int64) (map[int64]TakingPart, error) {
	return c.takingPart(ctx, "WHERE photo_id IN "+idList, "WHERE c.photo_id IN "+idList, "AND u.photo_id IN "+idList, idsJSON(ids))
}

func (c *Catalog) takingPart(ctx context.Context, heartWhere, commentWhere, uploadWhere string, args ...any) (map[int64]TakingPart, error) {
	out := map[int64]TakingPart{}
	rows, err := c.r.QueryContext(ctx, `SELECT photo_id, coalesce(share_id, 0), device, name, created_at FROM hearts `+heartWhere+
		` ORDER BY photo_id, created_at, device`, args...)
	hearts, err := collect(rows, err, scanHeart)
	if err != nil {
		return nil, err
	}
	for _, h := range hearts {
		tp := out[h.PhotoID]
		tp.Hearts = append(tp.Hearts, h)
		out[h.PhotoID] = tp
	}
	rows, err = c.r.QueryContext(ctx, `SELECT `+commentCols+` FROM comments c `+commentWhere+` ORDER BY c.photo_id, c.id`, args...)
	comments, err := collect(rows, err, scanComment)
	if err != nil {
		return nil, err
	}
	for _, cm := range comments {
		tp := out[cm.PhotoID]
		tp.Comments = append(tp.Comments, cm)
		out[cm.PhotoID] = tp
	}
	rows, err = c.r.QueryContext(ctx, `SELECT `+uploadCols+uploadFrom+` WHERE `+keptUploads+` `+uploadWhere+` ORDER BY u.photo_id, u.id`, args...)
	uploads, err := collect(rows, err, scanUpload)
	if err != nil {
		return nil, err
	}
	for _, u := range uploads {
		tp := out[u.PhotoID]
		tp.Uploads = append(tp.Uploads, u)
		out[u.PhotoID] = tp
	}
	return out, nil
}

func scanHeart(s scanner) (Heart, error) {
	var h Heart
	var at string
	if err := s.Scan(&h.PhotoID, &h.ShareID, &h.Device, &h.Name, &at); err != nil {
		return h, err
	}
	tc := timeCol{row: fmt.Sprintf("heart on photo %d", h.PhotoID)}
	tc.parse(&h.CreatedAt, "created_at", at)
	return h, tc.err
}

// RestoreTakingPart puts back what guests did to a photo, read from its
// sidecar (picup restore --from-sidecars), without feed rows; what is
// there already (the same name, time and text) is kept once.
func (tx *Tx) RestoreTakingPart(ctx context.Context, photoID int64, tp TakingPart) error {
	for _, h := range tp.Hearts {
		if h.Device == "" {
			h.Device = "restored:" + h.Name
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO hearts (photo_id, device, name, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, photoID, h.Device, h.Name, FormatTime(h.CreatedAt))
		if err != nil {
			return fmt.Errorf("restore heart of %q: %w", h.Name, err)
		}
	}
	for _, c := range tp.Comments {
		_, err := tx.ExecContext(ctx, `INSERT INTO comments (photo_id, device, name, text, created_at)
			SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM comments
				WHERE photo_id = ? AND name = ? AND text = ? AND created_at = ?)`,
			photoID, c.Device, c.Name, c.Text, FormatTime(c.CreatedAt), photoID, c.Name, c.Text, FormatTime(c.CreatedAt))
		if err != nil {
			return fmt.Errorf("restore comment of %q: %w", c.Name, err)
		}
	}
	for i, u := range tp.Uploads {
		_, err := tx.ExecContext(ctx, `INSERT INTO uploads (tus_id, photo_id, name, file_name, bytes, status, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, fmt.Sprintf("restored:%d:%d", photoID, i), photoID, u.Name, u.FileName,
			u.Bytes, u.Status, FormatTime(u.CreatedAt))
		if err != nil {
			return fmt.Errorf("restore upload by %q: %w", u.Name, err)
		}
	}
	return nil
}
