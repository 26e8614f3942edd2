package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Album is a named set of photos.
type Album struct {
	ID        int64
	Name      string
	CreatedAt time.Time
	Photos    int
	Videos    int
	FirstAt   string // earliest capture time, "" when empty
	LastAt    string
}

// ErrAlbumExists is returned when an album name is already in use.
var ErrAlbumExists = errors.New("album already exists")

// EnsureAlbum returns the id of the album with this name (names compare
// case-insensitively), creating it when missing.
func (tx *Tx) EnsureAlbum(ctx context.Context, name string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM albums WHERE name = ?`, name).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	return tx.CreateAlbum(ctx, name)
}

// CreateAlbum creates an album; ErrAlbumExists when the name is taken.
func (tx *Tx) CreateAlbum(ctx context.Context, name string) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO albums (name, created_at) VALUES (?, ?)`, name, nowText())
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE constraint failed") {
			return 0, fmt.Errorf("%w: %q", ErrAlbumExists, name)
		}
		return 0, err
	}
	return res.LastInsertId()
}

// AlbumID returns the id of an album by name.
func (tx *Tx) AlbumID(ctx context.Context, name string) (int64, error) {
	return albumID(ctx, tx, name)
}

// AlbumID returns the id of an album by name (case-insensitively),
// without counting its photos as AlbumByName does.
func (c *Catalog) AlbumID(ctx context.Context, name string) (int64, error) {
	return albumID(ctx, c.r, name)
}

func albumID(ctx context.Context, q querier, name string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM albums WHERE name = ?`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("no album named %q; see \"picup album ls\": %w", name, ErrNotFound)
	}
	return id, err
}

// AddToAlbum puts a photo in an album; adding it twice is not an error.
// It reports whether the photo was newly added, which the family feed
// then says, naming by (unless by.Name is empty).
func (tx *Tx) AddToAlbum(ctx context.Context, albumID, photoID int64, by Actor) (bool, error) {
	n, err := tx.AddManyToAlbum(ctx, albumID, []int64{photoID}, by)
	return n > 0, err
}

// AddManyToAlbum puts photos in an album in one statement and returns
// how many were newly added: ids that name no photo, repeat or are in
// the album already add nothing. The family feed says who added them
// (unless by.Name is empty), in rows of up to mergeMax photos.
func (tx *Tx) AddManyToAlbum(ctx context.Context, albumID int64, ids []int64, by Actor) (int, error) {
	rows, err := tx.QueryContext(ctx, `INSERT INTO album_photos (album_id, photo_id, taken_key, added_at)
		SELECT ?, p.id, p.taken_key, ? FROM json_each(?) j CROSS JOIN photos p ON p.id = j.value WHERE true ORDER BY j.key
		ON CONFLICT DO NOTHING RETURNING photo_id`, albumID, nowText(), idsJSON(ids))
	added, err := collect(rows, err, scanID)
	if err != nil {
		return 0, fmt.Errorf("add photos to album %d: %w", albumID, err)
	}
	if len(added) == 0 || by.Name == "" {
		return len(added), nil
	}
	return len(added), tx.photosAdded(ctx, albumID, added, by)
}

// RemoveFromAlbum takes photos out of an album in one statement (the
// photos stay in the library) and returns how many were in it.
func (tx *Tx) RemoveFromAlbum(ctx context.Context, albumID int64, ids []int64) (int, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM album_photos WHERE album_id = ? AND photo_id IN `+idList, albumID, idsJSON(ids))
	if err != nil {
		return 0, fmt.Errorf("take photos out of album %d: %w", albumID, err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// RenameAlbum renames an album.
func (tx *Tx) RenameAlbum(ctx context.Context, id int64, name string) error {
	_, err := tx.ExecContext(ctx, `UPDATE albums SET name = ? WHERE id = ?`, name, id)
	if err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed") {
		return fmt.Errorf("%w: %q", ErrAlbumExists, name)
	}
	return err
}

// DeleteAlbum removes an album; its photos stay in the library. Its
// members leave in a few statements for the whole album, through
// batch_photos (migration 0022): they are numbered for sync in one
// insert. No photo's search row changes: album names are searched in
// album_search (migration 0025).
func (tx *Tx) DeleteAlbum(ctx context.Context, id int64) error {
	for _, q := range []string{
		`INSERT INTO batch_photos (photo_id) SELECT photo_id FROM album_photos WHERE album_id = ?`,
		`DELETE FROM album_photos WHERE album_id = ?`,
	} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return fmt.Errorf("remove album %d: %w", id, err)
		}
	}
	if err := tx.endBatch(ctx); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM albums WHERE id = ?`, id)
	return err
}

// albumCols read an album's counts from its counters (migration 0020)
// and its first and last capture times from the two ends of
// album_photos_by_taken, whatever its size.
const albumCols = `a.id, a.name, a.created_at, a.photos, a.videos,
	coalesce((SELECT p.taken_at FROM album_photos ap JOIN photos p ON p.id = ap.photo_id
		WHERE ap.album_id = a.id AND p.trashed_at IS NULL ORDER BY ap.taken_key, ap.photo_id LIMIT 1), ''),
	coalesce((SELECT p.taken_at FROM album_photos ap JOIN photos p ON p.id = ap.photo_id
		WHERE ap.album_id = a.id AND p.trashed_at IS NULL ORDER BY ap.taken_key DESC, ap.photo_id DESC LIMIT 1), '')`

func scanAlbum(s scanner) (Album, error) {
	var a Album
	var created string
	if err := s.Scan(&a.ID, &a.Name, &created, &a.Photos, &a.Videos, &a.FirstAt, &a.LastAt); err != nil {
		return a, err
	}
	var err error
	a.CreatedAt, err = parseStored(fmt.Sprintf("album %q", a.Name), "created_at", created)
	return a, err
}

// Albums lists every album by name.
func (c *Catalog) Albums(ctx context.Context) ([]Album, error) {
	rows, err := c.r.QueryContext(ctx, `SELECT `+albumCols+` FROM albums a ORDER BY a.name COLLATE NOCASE`)
	return collect(rows, err, scanAlbum)
}

// AlbumByName finds an album by name (case-insensitively).
func (c *Catalog) AlbumByName(ctx context.Context, name string) (Album, error) {
	a, err := scanAlbum(c.r.QueryRowContext(ctx, `SELECT `+albumCols+` FROM albums a WHERE a.name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("no album named %q; see \"picup album ls\": %w", name, ErrNotFound)
	}
	return a, err
}

// albumPhotosQuery is served by the album_photos_by_taken index.
var albumPhotosQuery = `SELECT ` + photoCols + ` FROM album_photos ap
	JOIN photos p ON p.id = ap.photo_id
	WHERE ap.album_id = ? AND (ap.taken_key, ap.photo_id) < (?, ?) AND p.trashed_at IS NULL
	ORDER BY ap.taken_key DESC, ap.photo_id DESC LIMIT ?`

// AlbumPhotos lists an album's photos newest first from the cursor.
func (c *Catalog) AlbumPhotos(ctx context.Context, albumID int64, after *Cursor, limit int) ([]Photo, error) {
	cur := Cursor{TakenKey: 1<<63 - 1, ID: 1<<63 - 1}
	if after != nil {
		cur = *after
	}
	rows, err := c.r.QueryContext(ctx, albumPhotosQuery, albumID, cur.TakenKey, cur.ID, limit)
	return collect(rows, err, scanPhoto)
}

// PhotoAlbums lists the names of the albums a photo is in.
func (c *Catalog) PhotoAlbums(ctx context.Context, photoID int64) ([]string, error) {
	rows, err := c.r.QueryContext(ctx, `SELECT a.name FROM album_photos ap JOIN albums a ON a.id = ap.album_id
		WHERE ap.photo_id = ? ORDER BY a.name COLLATE NOCASE`, photoID)
	return collect(rows, err, func(s scanner) (string, error) {
		var n string
		err := s.Scan(&n)
		return n, err
	})
}
