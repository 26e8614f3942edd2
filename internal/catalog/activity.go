package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Activity kinds: what one row of the family feed says happened.
const (
	ActivityPhotos  = "photos"  // photos joined an album
	ActivityHeart   = "heart"   // someone hearted a photo
	ActivityComment = "comment" // someone commented on a photo
)

// Activity is one row of the family feed. Ids only grow: everything after
// id N is what happened since N.
type Activity struct {
	ID        int64
	Kind      string
	ShareID   int64 // the link it came through; 0 for a command or the terminal browser
	AlbumID   int64 // photos: the album they joined
	PhotoID   int64 // the (first) photo
	PhotoIDs  []int64
	CommentID int64
	Device    string // the device that did it (hash); "" for a command
	Name      string // who: a guest's name, or the user who added photos
	Text      string // a comment's text
	At        time.Time
}

// Actor is who adds photos to an album: a user at a command or the
// terminal browser (ShareID 0), or a guest through a link.
type Actor struct {
	Name    string
	ShareID int64
	Device  string
}

const activityCols = `a.id, a.kind, coalesce(a.share_id, 0), coalesce(a.album_id, 0), a.photo_id, a.photo_ids,
	coalesce(a.comment_id, 0), a.device, a.name, a.text, a.at`

func scanActivity(s scanner) (Activity, error) {
	var a Activity
	var ids, at string
	if err := s.Scan(&a.ID, &a.Kind, &a.ShareID, &a.AlbumID, &a.PhotoID, &ids, &a.CommentID, &a.Device, &a.Name, &a.Text, &at); err != nil {
		return a, err
	}
	if err := json.Unmarshal([]byte(ids), &a.PhotoIDs); err != nil {
		return a, fmt.Errorf("activity %d: photo_ids %q: %w", a.ID, ids, err)
	}
	tc := timeCol{row: fmt.Sprintf("activity %d", a.ID)}
	tc.parse(&a.At, "at", at)
	return a, tc.err
}

func (tx *Tx) insertActivity(ctx context.Context, a Activity) (int64, error) {
	if a.At.IsZero() {
		a.At = Now()
	}
	if len(a.PhotoIDs) == 0 {
		a.PhotoIDs = []int64{a.PhotoID}
	}
	ids, err := json.Marshal(a.PhotoIDs)
	if err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO activity (kind, share_id, album_id, photo_id, photo_ids, comment_id, device, name, text, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.Kind, nullInt(a.ShareID), nullInt(a.AlbumID), a.PhotoIDs[0], string(ids),
		nullInt(a.CommentID), a.Device, a.Name, a.Text, FormatTime(a.At))
	if err != nil {
		return 0, fmt.Errorf("record activity: %w", err)
	}
	return res.LastInsertId()
}

// mergeWindow and mergeMax bound a run of photos added to one album by one
// person that the feed shows as one row.
const (
	mergeWindow = 10 * time.Minute
	mergeMax    = 500
)

// photosAdded records that photos joined an album. When the newest feed
// row is photos that the same actor added to the same album within
// mergeWindow, that row grows instead, under a new id (so that it is new
// again for whoever has seen it); a row holds at most mergeMax photos,
// and the rest go to rows of their own.
func (tx *Tx) photosAdded(ctx context.Context, albumID int64, ids []int64, by Actor) error {
	now := Now()
	last, err := scanActivity(tx.QueryRowContext(ctx, `SELECT `+activityCols+` FROM activity a ORDER BY a.id DESC LIMIT 1`))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if err == nil && last.Kind == ActivityPhotos && last.AlbumID == albumID && last.Name == by.Name &&
		last.ShareID == by.ShareID && last.Device == by.Device && now.Sub(last.At) < mergeWindow && len(last.PhotoIDs) < mergeMax {
		if _, err := tx.ExecContext(ctx, `DELETE FROM activity WHERE id = ?`, last.ID); err != nil {
			return err
		}
		ids = append(last.PhotoIDs[:len(last.PhotoIDs):len(last.PhotoIDs)], ids...)
	}
	for len(ids) > 0 {
		n := min(len(ids), mergeMax)
		if _, err := tx.insertActivity(ctx, Activity{Kind: ActivityPhotos, ShareID: by.ShareID, AlbumID: albumID, PhotoIDs: ids[:n],
			Device: by.Device, Name: by.Name, At: now}); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// LatestActivity is the id of the newest feed row, 0 when there is none.
func (c *Catalog) LatestActivity(ctx context.Context) (int64, error) {
	var id sql.NullInt64
	err := c.r.QueryRowContext(ctx, `SELECT max(id) FROM activity`).Scan(&id)
	return id.Int64, err
}

// ActivityAfter lists feed rows newer than id, oldest first: what the
// viewer's live updates send.
func (c *Catalog) ActivityAfter(ctx context.Context, id int64, limit int) ([]Activity, error) {
	rows, err := c.r.QueryContext(ctx, `SELECT `+activityCols+` FROM activity a WHERE a.id > ? ORDER BY a.id LIMIT ?`, id, limit)
	return collect(rows, err, scanActivity)
}

// ActivityFilter narrows the family feed.
type ActivityFilter struct {
	ShareID int64     // only what came through this link; 0: all
	Since   time.Time // only what happened at or after; zero: all
	Before  int64     // cursor: only rows with a smaller id; 0: from the newest
	After   int64     // only rows with a larger id (and Before 0 lists oldest first)
	Limit   int
}

// Activities lists the family feed newest first (oldest first with After
// and no Before, for following it).
func (c *Catalog) Activities(ctx context.Context, f ActivityFilter) ([]Activity, error) {
	q := `SELECT ` + activityCols + ` FROM activity a WHERE a.id > ? AND a.id < ?`
	args := []any{f.After, beforeArg(f.Before)}
	if f.ShareID != 0 {
		q += ` AND a.share_id = ?`
		args = append(args, f.ShareID)
	}
	if !f.Since.IsZero() {
		q += ` AND a.at >= ?`
		args = append(args, FormatTime(f.Since))
	}
	if f.After != 0 && f.Before == 0 {
		q += ` ORDER BY a.id LIMIT ?`
	} else {
		q += ` ORDER BY a.id DESC LIMIT ?`
	}
	rows, err := c.r.QueryContext(ctx, q, append(args, f.Limit)...)
	return collect(rows, err, scanActivity)
}

func beforeArg(before int64) int64 {
	if before <= 0 {
		return 1<<63 - 1
	}
	return before
}

// The feed of a link: what happened to the photos it opens (photos that
// joined its album; hearts and comments on its photos), none in the trash.
const (
	albumActivityWhere = `(a.album_id = ? OR (a.kind <> 'photos' AND EXISTS (SELECT 1 FROM album_photos ap
		WHERE ap.album_id = ? AND ap.photo_id = a.photo_id)))`
	yearActivityWhere      = `a.kind <> 'photos' AND substr(p.taken_at, 1, 4) = ?`
	selectionActivityWhere = `a.kind <> 'photos' AND EXISTS (SELECT 1 FROM share_photos sp WHERE sp.share_id = ? AND sp.photo_id = a.photo_id)`
)

func shareActivityWhere(s Share) (string, []any) {
	switch {
	case s.AlbumID != 0:
		return albumActivityWhere, []any{s.AlbumID, s.AlbumID}
	case s.Year != 0:
		return yearActivityWhere, []any{fmt.Sprintf("%04d", s.Year)}
	}
	return selectionActivityWhere, []any{s.ID}
}

// ShareActivity lists a link's feed newest first, from the row before
// the cursor (0: the newest), and only rows newer than after.
func (c *Catalog) ShareActivity(ctx context.Context, s Share, before, after int64, limit int) ([]Activity, error) {
	where, args := shareActivityWhere(s)
	rows, err := c.r.QueryContext(ctx, `SELECT `+activityCols+` FROM activity a JOIN photos p ON p.id = a.photo_id
		WHERE a.id < ? AND a.id > ? AND p.trashed_at IS NULL AND `+where+` ORDER BY a.id DESC LIMIT ?`,
		append(append([]any{beforeArg(before), after}, args...), limit)...)
	return collect(rows, err, scanActivity)
}

// NewSince counts what a link's feed gained after id: photos added and
// comments (what the viewer's "new since your last visit" says).
func (c *Catalog) NewSince(ctx context.Context, s Share, after int64) (photos, comments int, err error) {
	where, args := shareActivityWhere(s)
	err = c.r.QueryRowContext(ctx, `SELECT coalesce(sum(CASE WHEN a.kind = 'photos' THEN json_array_length(a.photo_ids) END), 0),
		count(CASE WHEN a.kind = 'comment' THEN 1 END)
		FROM activity a JOIN photos p ON p.id = a.photo_id WHERE a.id > ? AND p.trashed_at IS NULL AND `+where,
		append([]any{after}, args...)...).Scan(&photos, &comments)
	return photos, comments, err
}

// jsonIDs is ids as a JSON array, for json_each.
func jsonIDs(ids []int64) (string, error) {
	b, err := json.Marshal(ids)
	return string(b), err
}
