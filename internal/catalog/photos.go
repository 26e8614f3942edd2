package catalog

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Photo is one stored original (a photo or a video).
type Photo struct {
	ID           int64
	SHA256       string
	Path         string // relative to the library, slash-separated
	OriginalName string
	Type         string // "photo" or "video"
	Format       string
	MIME         string
	Bytes        int64
	TakenAt      string // RFC 3339; no offset when the file records none
	TakenKey     int64  // sort key, unix ms
	TakenSource  string
	OffsetKnown  bool
	Width        int // as displayed
	Height       int
	Orientation  int
	CameraMake   string
	CameraModel  string
	Lens         string
	Lat, Lon     *float64
	Altitude     *float64
	DurationMS   *int64
	Thumbs       string // "ok" or "placeholder"
	ImportedAt   time.Time
	State        string    // "ok", "missing", "corrupt"
	TrashedAt    time.Time // zero when not in the trash
	Offloaded    string    // remote holding the only copy of the original, "" when it is local
	Owners       []string
	// TakenPrecision is "" for a full time, or "day", "month" or "year"
	// when the capture time is a date alone (TakenAt is then that date).
	TakenPrecision string
	Described            // title, caption, keywords, people, rating from XMP/IPTC
	Place          Place // where it was taken, from its position; zero when unknown
}

// photoCols are the columns scanPhoto reads, from photos aliased p.
const photoCols = `p.id, p.sha256, p.path, p.original_name, p.type, p.format, p.mime, p.bytes, p.taken_at,
	p.taken_key, p.taken_source, p.offset_known, p.width, p.height, p.orientation, p.camera_make,
	p.camera_model, p.lens, p.lat, p.lon, p.altitude, p.duration_ms, p.thumbs, p.imported_at, p.state,
	coalesce(p.trashed_at, ''), coalesce(p.offloaded, ''), ` + describedCols + `, ` + placeCols + `,
	coalesce((SELECT group_concat(u.name, char(31)) FROM
		(SELECT u.name FROM photo_owners po JOIN users u ON u.id = po.user_id
		 WHERE po.photo_id = p.id ORDER BY po.added_at, u.id) u), '')`

type scanner interface{ Scan(dest ...any) error }

// collect scans every row of a query into a slice and closes the rows.
func collect[T any](rows *sql.Rows, err error, scan func(scanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// scanID scans a row of one integer, an id, for collect.
func scanID(s scanner) (int64, error) {
	var id int64
	err := s.Scan(&id)
	return id, err
}

func scanPhoto(s scanner) (Photo, error) {
	var p Photo
	var lat, lon, alt sql.NullFloat64
	var dur sql.NullInt64
	var owners, imported, trashed string
	var d describedDest
	var pl placeDest
	dest := append([]any{&p.ID, &p.SHA256, &p.Path, &p.OriginalName, &p.Type, &p.Format, &p.MIME, &p.Bytes,
		&p.TakenAt, &p.TakenKey, &p.TakenSource, &p.OffsetKnown, &p.Width, &p.Height, &p.Orientation,
		&p.CameraMake, &p.CameraModel, &p.Lens, &lat, &lon, &alt, &dur, &p.Thumbs, &imported, &p.State,
		&trashed, &p.Offloaded}, d.dest()...)
	dest = append(dest, pl.dest()...)
	if err := s.Scan(append(dest, &owners)...); err != nil {
		return p, err
	}
	if err := d.finish(&p); err != nil {
		return p, err
	}
	pl.finish(&p)
	tc := timeCol{row: fmt.Sprintf("photo %d", p.ID)}
	tc.parse(&p.ImportedAt, "imported_at", imported)
	tc.parse(&p.TrashedAt, "trashed_at", trashed)
	if tc.err != nil {
		return p, tc.err
	}
	if owners != "" {
		p.Owners = strings.Split(owners, "\x1f")
	}
	p.Lat, p.Lon, p.Altitude = floatPtr(lat), floatPtr(lon), floatPtr(alt)
	if dur.Valid {
		p.DurationMS = &dur.Int64
	}
	return p, nil
}

func floatPtr(f sql.NullFloat64) *float64 {
	if !f.Valid {
		return nil
	}
	return &f.Float64
}

func nullFloat(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

// InsertPhoto adds p and returns its id. A photo with the same SHA-256
// already present makes it fail with ErrDuplicate.
func (tx *Tx) InsertPhoto(ctx context.Context, p Photo) (int64, error) {
	var dur any
	if p.DurationMS != nil {
		dur = *p.DurationMS
	}
	if p.State == "" {
		p.State = "ok"
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO photos (sha256, path, original_name, type, format, mime, bytes,
		taken_at, taken_key, taken_source, offset_known, width, height, orientation, camera_make,
		camera_model, lens, lat, lon, altitude, duration_ms, thumbs, imported_at, state)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.SHA256, p.Path, p.OriginalName, p.Type, p.Format, p.MIME, p.Bytes, p.TakenAt, p.TakenKey,
		p.TakenSource, p.OffsetKnown, p.Width, p.Height, p.Orientation, p.CameraMake, p.CameraModel,
		p.Lens, nullFloat(p.Lat), nullFloat(p.Lon), nullFloat(p.Altitude), dur, p.Thumbs, FormatTime(p.ImportedAt), p.State)
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE constraint failed: photos.sha256") {
			return 0, ErrDuplicate
		}
		return 0, fmt.Errorf("insert photo %s: %w", p.Path, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	if err := tx.setPlace(ctx, id, p); err != nil {
		return 0, err
	}
	return id, tx.setDescribed(ctx, id, p)
}

// ErrDuplicate is returned by InsertPhoto when the content is already stored.
var ErrDuplicate = errors.New("content already in the catalog")

// SetThumbs records the thumbnail state of a photo.
func (tx *Tx) SetThumbs(ctx context.Context, id int64, state string) error {
	_, err := tx.ExecContext(ctx, `UPDATE photos SET thumbs = ? WHERE id = ?`, state, id)
	return err
}

// SetOffloaded records that a photo's original lives only in the remote
// (or, with remote "", that it is local again).
func (tx *Tx) SetOffloaded(ctx context.Context, id int64, remote string) error {
	var v any
	if remote != "" {
		v = remote
	}
	_, err := tx.ExecContext(ctx, `UPDATE photos SET offloaded = ? WHERE id = ?`, v, id)
	return err
}

// SetState records what verify found about a photo's original.
func (tx *Tx) SetState(ctx context.Context, id int64, state string) error {
	_, err := tx.ExecContext(ctx, `UPDATE photos SET state = ? WHERE id = ?`, state, id)
	return err
}

// PathTaken reports whether a library-relative path is used by a photo or a
// sidecar.
func (tx *Tx) PathTaken(ctx context.Context, rel string) (bool, error) {
	return pathTaken(ctx, tx, rel)
}

func pathTaken(ctx context.Context, q querier, rel string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM photos WHERE path = ?1) +
		(SELECT count(*) FROM sidecars WHERE path = ?1)`, rel).Scan(&n)
	return n > 0, err
}

// InsertSidecar records a sidecar file (.xmp, .aae) stored with a photo.
func (tx *Tx) InsertSidecar(ctx context.Context, photoID int64, rel string, bytes int64, sha string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sidecars (path, photo_id, bytes, sha256) VALUES (?, ?, ?, ?)`,
		rel, photoID, bytes, sha)
	return err
}

// Sidecar is a file stored beside a photo's original.
type Sidecar struct {
	Path   string `json:"path"` // relative to the library
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// Sidecars lists the sidecars of a photo.
func (c *Catalog) Sidecars(ctx context.Context, photoID int64) ([]Sidecar, error) {
	return sidecarsOf(ctx, c.r, photoID)
}

func sidecarsOf(ctx context.Context, q querier, photoID int64) ([]Sidecar, error) {
	rows, err := q.QueryContext(ctx, `SELECT path, bytes, sha256 FROM sidecars WHERE photo_id = ? ORDER BY path`, photoID)
	return collect(rows, err, func(s scanner) (Sidecar, error) {
		var sc Sidecar
		err := s.Scan(&sc.Path, &sc.Bytes, &sc.SHA256)
		return sc, err
	})
}

func photoWhere(ctx context.Context, q querier, where string, arg any) (Photo, error) {
	p, err := scanPhoto(q.QueryRowContext(ctx, `SELECT `+photoCols+` FROM photos p WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrNotFound
	}
	return p, err
}

// PhotoBySHA finds a photo by content hash.
func (c *Catalog) PhotoBySHA(ctx context.Context, sha string) (Photo, error) {
	return photoWhere(ctx, c.r, "p.sha256 = ?", sha)
}

// PhotoBySHA finds a photo by content hash inside the transaction.
func (tx *Tx) PhotoBySHA(ctx context.Context, sha string) (Photo, error) {
	return photoWhere(ctx, tx, "p.sha256 = ?", sha)
}

// MissingPhotos returns the ids of ids that name no photo, in the trash
// or not, in their order (a repeated one as often), in one query.
func (c *Catalog) MissingPhotos(ctx context.Context, ids []int64) ([]int64, error) {
	rows, err := c.r.QueryContext(ctx, `SELECT j.value FROM json_each(?) j
		WHERE NOT EXISTS (SELECT 1 FROM photos p WHERE p.id = j.value) ORDER BY j.key`, idsJSON(ids))
	return collect(rows, err, scanID)
}

// PhotoByID finds a photo by id.
func (c *Catalog) PhotoByID(ctx context.Context, id int64) (Photo, error) {
	return photoWhere(ctx, c.r, "p.id = ?", id)
}

// PhotoByPath finds a photo by its library-relative path.
func (c *Catalog) PhotoByPath(ctx context.Context, rel string) (Photo, error) {
	return photoWhere(ctx, c.r, "p.path = ?", rel)
}

// Cursor marks a position in the newest-first listing.
type Cursor struct {
	TakenKey int64
	ID       int64
}

// String encodes the cursor for a command line.
func (c Cursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.TakenKey, 10) + "." + strconv.FormatInt(c.ID, 10)))
}

// ParseCursor decodes a cursor printed by Cursor.String.
func ParseCursor(s string) (Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		k, id, ok := strings.Cut(string(b), ".")
		if ok {
			var c Cursor
			c.TakenKey, err = strconv.ParseInt(k, 10, 64)
			if err == nil {
				c.ID, err = strconv.ParseInt(id, 10, 64)
				if err == nil {
					return c, nil
				}
			}
		}
	}
	return Cursor{}, fmt.Errorf("invalid cursor %q: pass a value printed by a previous \"picup ls\"", s)
}

// CursorOf is the cursor that lists what comes after p.
func CursorOf(p Photo) Cursor { return Cursor{TakenKey: p.TakenKey, ID: p.ID} }

// listPhotosQuery is served by the photos_live_by_taken index.
const listPhotosQuery = `SELECT ` + photoCols + ` FROM photos p
	WHERE p.trashed_at IS NULL AND (p.taken_key, p.id) < (?, ?)
	ORDER BY p.taken_key DESC, p.id DESC LIMIT ?`

// ListPhotos returns up to limit photos outside the trash, newest first by
// capture time, starting after the cursor (nil: from the newest).
func (c *Catalog) ListPhotos(ctx context.Context, after *Cursor, limit int) ([]Photo, error) {
	cur := Cursor{TakenKey: 1<<63 - 1, ID: 1<<63 - 1}
	if after != nil {
		cur = *after
	}
	rows, err := c.r.QueryContext(ctx, listPhotosQuery, cur.TakenKey, cur.ID, limit)
	ps, err := collect(rows, err, scanPhoto)
	if err != nil {
		return nil, fmt.Errorf("list photos: %w", err)
	}
	return ps, nil
}

// EachPhoto calls fn for every photo (trashed ones too) in id order, reading in pages so that
// no long read transaction is held.
func (c *Catalog) EachPhoto(ctx context.Context, fn func(Photo) error) error {
	var last int64
	for {
		rows, err := c.r.QueryContext(ctx, `SELECT `+photoCols+` FROM photos p WHERE p.id > ? ORDER BY p.id LIMIT 500`, last)
		page, err := collect(rows, err, scanPhoto)
		if err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		for _, p := range page {
			if err := fn(p); err != nil {
				return err
			}
		}
		last = page[len(page)-1].ID
	}
}

// KnownPath reports whether a library-relative path belongs to a photo or a
// sidecar.
func (c *Catalog) KnownPath(ctx context.Context, rel string) (bool, error) {
	return pathTaken(ctx, c.r, rel)
}

// KnownSHA reports whether a photo with this content hash exists.
func (c *Catalog) KnownSHA(ctx context.Context, sha string) (bool, error) {
	var n int
	err := c.r.QueryRowContext(ctx, `SELECT count(*) FROM photos WHERE sha256 = ?`, sha).Scan(&n)
	return n > 0, err
}
