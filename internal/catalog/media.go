package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// versionQuery reads catalog_version, which migrations 0003 and 0007 raise
// on every change to what a snapshot holds.
const versionQuery = `SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'catalog_version'`

// CatalogVersion counts changes to what a catalog snapshot holds: every
// change to photos, albums and their members, owners, users, sidecars and
// shares (what a share opens and whether it may be opened, not its view
// count) raises it. While it stays the same, whatever was read of those is
// still true.
//
// It is cheap enough for the viewer to ask on every request, and exact:
// it reads the database only when a transaction has committed since the
// last read, in this process or another. SQLite rewrites the header of the
// WAL index (see walIndex) with every commit; when the header is what it
// was just before the last read of the version, nothing has committed
// since and that version is still current.
func (c *Catalog) CatalogVersion(ctx context.Context) (int64, error) {
	g := &c.version
	g.once.Do(func() { g.wal, _ = openWALIndex(c.path) })
	var h walHeader
	settled := g.wal.header(&h) && h.settled()
	if settled {
		if s := g.seen.Load(); s != nil && s.h == h {
			return s.v, nil
		}
	}
	var v int64
	err := c.r.QueryRowContext(ctx, versionQuery).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err == nil && settled {
		g.seen.Store(&seenVersion{h, v})
	}
	return v, err
}

// versionGate remembers the version last read and the WAL index header
// seen just before reading it.
type versionGate struct {
	once sync.Once
	wal  *walIndex // nil when there is none to read: every call reads the database
	seen atomic.Pointer[seenVersion]
}

type seenVersion struct {
	h walHeader
	v int64
}

// closeVersionGate unmaps the WAL index; before the connections close,
// since the last one to close may remove the file. Later calls read the
// database (and fail, as it is closed).
func (c *Catalog) closeVersionGate() error {
	c.version.once.Do(func() {})
	return c.version.wal.unmap()
}

// walHeaderSize is the size of the WAL index header: two copies of 48
// bytes, the second written first.
const walHeaderSize = 96

// walHeader is the WAL index header, as 32-bit words in native byte order.
type walHeader [walHeaderSize / 4]uint32

// walIndexVersion is the first word of a WAL index header (iVersion).
const walIndexVersion = 3007000

var errWALIndexTooSmall = errors.New("the WAL index is smaller than its header")

// settled reports whether h is a WAL index header that no writer is
// rewriting: its format version, and two equal copies.
func (h *walHeader) settled() bool {
	return h[0] == walIndexVersion && [12]uint32(h[:12]) == [12]uint32(h[12:])
}

// MediaFile is what serving one photo's files takes.
type MediaFile struct {
	ID           int64
	SHA256       string
	Path         string // of the original, relative to the library
	OriginalName string
	Type         string // "photo" or "video"
	MIME         string
	Offloaded    string // remote holding the only copy of the original, "" when it is local
}

const mediaCols = `p.id, p.sha256, p.path, p.original_name, p.type, p.mime, coalesce(p.offloaded, '')`

// The photo of a share, by kind of share: in its album, in its year (the
// local date in taken_at), or in its selection; never in the trash.
const (
	albumFileQuery = `SELECT ` + mediaCols + ` FROM album_photos ap JOIN photos p ON p.id = ap.photo_id
		WHERE ap.album_id = ? AND ap.photo_id = ? AND p.trashed_at IS NULL`
	yearFileQuery = `SELECT ` + mediaCols + ` FROM photos p
		WHERE p.id = ? AND substr(p.taken_at, 1, 4) = ? AND p.trashed_at IS NULL`
	selectionFileQuery = `SELECT ` + mediaCols + ` FROM share_photos sp JOIN photos p ON p.id = sp.photo_id
		WHERE sp.share_id = ? AND sp.photo_id = ? AND p.trashed_at IS NULL`
)

// SharedFile returns the files of a photo that the share opens: one in
// its album, year or selection and not in the trash. ErrNotFound when the
// share does not open it (or there is no such photo).
func (c *Catalog) SharedFile(ctx context.Context, s Share, photoID int64) (MediaFile, error) {
	var q string
	var args []any
	switch {
	case s.AlbumID != 0:
		q, args = albumFileQuery, []any{s.AlbumID, photoID}
	case s.Year != 0:
		q, args = yearFileQuery, []any{photoID, fmt.Sprintf("%04d", s.Year)}
	default:
		q, args = selectionFileQuery, []any{s.ID, photoID}
	}
	var f MediaFile
	err := c.r.QueryRowContext(ctx, q, args...).Scan(&f.ID, &f.SHA256, &f.Path, &f.OriginalName, &f.Type, &f.MIME, &f.Offloaded)
	if errors.Is(err, sql.ErrNoRows) {
		return MediaFile{}, ErrNotFound
	}
	return f, err
}
