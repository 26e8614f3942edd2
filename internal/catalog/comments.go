package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Comment is what someone wrote under a photo through a share link.
type Comment struct {
	ID        int64
	PhotoID   int64
	ShareID   int64  // the link it came through; 0 when that link is gone or it was restored
	Device    string // hash of the device that wrote it; "" when restored from a sidecar
	Name      string
	Text      string
	CreatedAt time.Time
}

// ErrNotYours is returned when a device deletes what another wrote.
var ErrNotYours = errors.New("written on another device")

const commentCols = `c.id, c.photo_id, coalesce(c.share_id, 0), c.device, c.name, c.text, c.created_at`

func scanComment(s scanner) (Comment, error) {
	var c Comment
	var at string
	if err := s.Scan(&c.ID, &c.PhotoID, &c.ShareID, &c.Device, &c.Name, &c.Text, &at); err != nil {
		return c, err
	}
	tc := timeCol{row: fmt.Sprintf("comment %d", c.ID)}
	tc.parse(&c.CreatedAt, "created_at", at)
	return c, tc.err
}

// AddComment stores a comment (CreatedAt Now() when zero) and its feed
// row, and returns it with its id.
func (tx *Tx) AddComment(ctx context.Context, c Comment) (Comment, error) {
	if c.CreatedAt.IsZero() {
		c.CreatedAt = Now()
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO comments (photo_id, share_id, device, name, text, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		c.PhotoID, nullInt(c.ShareID), c.Device, c.Name, c.Text, FormatTime(c.CreatedAt))
	if err != nil {
		return c, fmt.Errorf("add comment: %w", err)
	}
	if c.ID, err = res.LastInsertId(); err != nil {
		return c, err
	}
	_, err = tx.insertActivity(ctx, Activity{Kind: ActivityComment, ShareID: c.ShareID, PhotoID: c.PhotoID, CommentID: c.ID,
		Device: c.Device, Name: c.Name, Text: c.Text, At: c.CreatedAt})
	return c, err
}

// DeleteComment removes a comment and its feed row. A non-empty device
// must be the one that wrote it (ErrNotYours otherwise); "" is the
// library's owner, who may remove any. ErrNotFound when there is none.
func (tx *Tx) DeleteComment(ctx context.Context, id int64, device string) (Comment, error) {
	c, err := scanComment(tx.QueryRowContext(ctx, `SELECT `+commentCols+` FROM comments c WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("no comment with id %d; see \"picup comments ls\": %w", id, ErrNotFound)
	}
	if err != nil {
		return c, err
	}
	if device != "" && c.Device != device {
		return c, fmt.Errorf("comment %d: %w", id, ErrNotYours)
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM comments WHERE id = ?`, id)
	return c, err
}

// Comments lists a photo's comments oldest first, after the comment id
// after (0: from the first).
func (c *Catalog) Comments(ctx context.Context, photoID, after int64, limit int) ([]Comment, error) {
	rows, err := c.r.QueryContext(ctx, `SELECT `+commentCols+` FROM comments c WHERE c.photo_id = ? AND c.id > ? ORDER BY c.id LIMIT ?`,
		photoID, after, limit)
	return collect(rows, err, scanComment)
}

// AllComments lists comments newest first before the cursor id (0: from
// the newest), of one photo when photoID is not 0.
func (c *Catalog) AllComments(ctx context.Context, photoID, before int64, limit int) ([]Comment, error) {
	q := `SELECT ` + commentCols + ` FROM comments c WHERE c.id < ?`
	args := []any{beforeArg(before)}
	if photoID != 0 {
		q += ` AND c.photo_id = ?`
		args = append(args, photoID)
	}
	rows, err := c.r.QueryContext(ctx, q+` ORDER BY c.id DESC LIMIT ?`, append(args, limit)...)
	return collect(rows, err, scanComment)
}

// CommentByID finds a comment; ErrNotFound when there is none.
func (c *Catalog) CommentByID(ctx context.Context, id int64) (Comment, error) {
	cm, err := scanComment(c.r.QueryRowContext(ctx, `SELECT `+commentCols+` FROM comments c WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return cm, fmt.Errorf("no comment with id %d; see \"picup comments ls\": %w", id, ErrNotFound)
	}
	return cm, err
}

// Heart is one device's heart on a photo.
type Heart struct {
	PhotoID   int64
	ShareID   int64
	Device    string
	Name      string
	CreatedAt time.Time
}

// ToggleHeart hearts a photo for a device, or takes its heart back, with
// the feed row; it reports whether the photo is now hearted by it.
func (tx *Tx) ToggleHeart(ctx context.Context, h Heart) (bool, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM hearts WHERE photo_id = ? AND device = ?`, h.PhotoID, h.Device)
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		if err == nil {
			_, err = tx.ExecContext(ctx, `DELETE FROM activity WHERE kind = 'heart' AND photo_id = ? AND device = ?`, h.PhotoID, h.Device)
		}
		return false, err
	}
	return true, tx.addHeart(ctx, h)
}

func (tx *Tx) addHeart(ctx context.Context, h Heart) error {
	if h.CreatedAt.IsZero() {
		h.CreatedAt = Now()
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO hearts (photo_id, device, share_id, name, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, h.PhotoID, h.Device, nullInt(h.ShareID), h.Name, FormatTime(h.CreatedAt))
	if err != nil {
		return fmt.Errorf("heart: %w", err)
	}
	_, err = tx.insertActivity(ctx, Activity{Kind: ActivityHeart, ShareID: h.ShareID, PhotoID: h.PhotoID, Device: h.Device,
		Name: h.Name, At: h.CreatedAt})
	return err
}

// Hearts lists a photo's hearts, oldest first.
func (c *Catalog) Hearts(ctx context.Context, photoID int64) ([]Heart, error) {
	rows, err := c.r.QueryContext(ctx, `SELECT photo_id, coalesce(share_id, 0), device, name, created_at FROM hearts
		WHERE photo_id = ? ORDER BY created_at, device`, photoID)
	return collect(rows, err, scanHeart)
}

// Counts are how many hearts and comments a photo has.
type Counts struct {
	Hearts, Comments int
}

// PhotoCounts returns the hearts and comments of each of the photos that
// have any (for the badges of a page of tiles).
func (c *Catalog) PhotoCounts(ctx context.Context, photoIDs []int64) (map[int64]Counts, error) {
	out := map[int64]Counts{}
	if len(photoIDs) == 0 {
		return out, nil
	}
	ids, err := jsonIDs(photoIDs)
	if err != nil {
		return nil, err
	}
	rows, err := c.r.QueryContext(ctx, `SELECT j.value,
		(SELECT count(*) FROM hearts h WHERE h.photo_id = j.value),
		(SELECT count(*) FROM comments c WHERE c.photo_id = j.value)
		FROM json_each(?) j`, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n Counts
		if err := rows.Scan(&id, &n.Hearts, &n.Comments); err != nil {
			return nil, err
		}
		if n != (Counts{}) {
			out[id] = n
		}
	}
	return out, rows.Err()
}

// ShareCounts is what guests did through one link.
type ShareCounts struct {
	Hearts, Comments, Uploads int
}

// ShareCounts returns, per link, the hearts, comments and uploads that
// came through it.
func (c *Catalog) ShareCounts(ctx context.Context) (map[int64]ShareCounts, error) {
	rows, err := c.r.QueryContext(ctx, `SELECT s.id,
		(SELECT count(*) FROM hearts h WHERE h.share_id = s.id),
		(SELECT count(*) FROM comments c WHERE c.share_id = s.id),
		(SELECT count(*) FROM uploads u WHERE u.share_id = s.id AND u.status IN ('added', 'pending', 'duplicate'))
		FROM shares s`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]ShareCounts{}
	for rows.Next() {
		var id int64
		var n ShareCounts
		if err := rows.Scan(&id, &n.Hearts, &n.Comments, &n.Uploads); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}
