package catalog

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// BenchmarkScale times, in process, the queries of the everyday commands
// on a library made by scripts/gen-catalog (PICUP_SCALE_LIBRARY=DIR; it
// is skipped without one): pages of ls at the top, middle and bottom,
// the user list, an owner's and the largest album's first page, and a
// share's pages deep in that album and in a year, and the terminal
// browser's pages both ways from the middle of a year.
//
//	PICUP_SCALE_LIBRARY=/tmp/lib go test ./internal/catalog -run '^$' -bench Scale -benchtime 200x
func BenchmarkScale(b *testing.B) {
	dir := os.Getenv("PICUP_SCALE_LIBRARY")
	if dir == "" {
		b.Skip("PICUP_SCALE_LIBRARY is not set: make a library with scripts/gen-catalog and name it there")
	}
	ctx := context.Background()
	c, err := Open(ctx, filepath.Join(dir, "catalog.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	at := func(query string, args ...any) *Cursor {
		var cur Cursor
		if err := c.r.QueryRowContext(ctx, query, args...).Scan(&cur.TakenKey, &cur.ID); err != nil {
			b.Fatalf("%s: %v", query, err)
		}
		return &cur
	}
	var live, albumID, albumN int64
	if err := c.r.QueryRowContext(ctx, `SELECT count(*) FROM photos WHERE trashed_at IS NULL`).Scan(&live); err != nil {
		b.Fatal(err)
	}
	if err := c.r.QueryRowContext(ctx, `SELECT album_id FROM album_photos GROUP BY album_id ORDER BY count(*) DESC LIMIT 1`).Scan(&albumID); err != nil {
		b.Fatal(err)
	}
	if err := c.r.QueryRowContext(ctx, `SELECT count(*) FROM album_photos ap JOIN photos p ON p.id = ap.photo_id
		WHERE ap.album_id = ? AND p.trashed_at IS NULL`, albumID).Scan(&albumN); err != nil {
		b.Fatal(err)
	}
	const byTaken = `SELECT taken_key, id FROM photos WHERE trashed_at IS NULL ORDER BY taken_key DESC, id DESC LIMIT 1 OFFSET ?`
	const inAlbum = `SELECT ap.taken_key, ap.photo_id FROM album_photos ap JOIN photos p ON p.id = ap.photo_id
		WHERE ap.album_id = ? AND p.trashed_at IS NULL ORDER BY ap.taken_key DESC, ap.photo_id DESC LIMIT 1 OFFSET ?`
	mid, last := at(byTaken, live/2), at(byTaken, max(0, live-51))
	albumMid, albumLast := at(inAlbum, albumID, albumN/2), at(inAlbum, albumID, max(0, albumN-61))
	year := Now().Year() - 1
	var yearN int64
	if err := c.r.QueryRowContext(ctx, `SELECT count(*) FROM photos WHERE trashed_at IS NULL AND substr(taken_at, 1, 4) = ?`,
		strconv.Itoa(year)).Scan(&yearN); err != nil {
		b.Fatal(err)
	}
	yearMid := at(`SELECT taken_key, id FROM photos WHERE trashed_at IS NULL AND substr(taken_at, 1, 4) = ?
		ORDER BY taken_key DESC, id DESC LIMIT 1 OFFSET ?`, strconv.Itoa(year), yearN/2)
	mom, err := c.UserByName(ctx, "mom")
	if err != nil {
		b.Fatal(err)
	}
	album, year2 := Share{AlbumID: albumID}, Share{Year: year}
	b.Logf("%d live photos; album %d of %d photos; %d photos in %d", live, albumID, albumN, yearN, year)
	for _, bm := range []struct {
		name string
		fn   func() (int, error)
	}{
		{"ls/first", func() (int, error) { ps, err := c.ListPhotos(ctx, nil, 50); return len(ps), err }},
		{"ls/middle", func() (int, error) { ps, err := c.ListPhotos(ctx, mid, 50); return len(ps), err }},
		{"ls/last", func() (int, error) { ps, err := c.ListPhotos(ctx, last, 50); return len(ps), err }},
		{"user-ls", func() (int, error) { us, err := c.Users(ctx); return len(us), err }},
		{"ls-owner/first", func() (int, error) {
			u, err := c.UserByName(ctx, "mom")
			if err != nil {
				return 0, err
			}
			ps, err := c.FilteredPhotos(ctx, PhotoFilter{OwnerID: u.ID}, nil, 50)
			return len(ps), err
		}},
		{"quota-check", func() (int, error) {
			return 1, c.Write(ctx, func(tx *Tx) error { return tx.fits(ctx, mom.ID, 1) })
		}},
		{"ls-album/first", func() (int, error) {
			ps, err := c.FilteredPhotos(ctx, PhotoFilter{AlbumID: albumID}, nil, 50)
			return len(ps), err
		}},
		{"share-album/middle", func() (int, error) { ps, err := c.SharePhotos(ctx, album, albumMid, 60); return len(ps), err }},
		{"share-album/last", func() (int, error) { ps, err := c.SharePhotos(ctx, album, albumLast, 60); return len(ps), err }},
		{"share-year/middle", func() (int, error) { ps, err := c.SharePhotos(ctx, year2, yearMid, 60); return len(ps), err }},
		{"browse-year/middle", func() (int, error) {
			f := Filter{From: strconv.Itoa(year) + "-01-01", To: strconv.Itoa(year) + "-12-31"}
			ps, err := c.BrowsePhotos(ctx, f, yearMid, 50)
			return len(ps), err
		}},
		{"browse-year/middle-back", func() (int, error) {
			f := Filter{From: strconv.Itoa(year) + "-01-01", To: strconv.Itoa(year) + "-12-31"}
			ps, err := c.BrowsePhotosBefore(ctx, f, yearMid, 50)
			return len(ps), err
		}},
		{"ls-year/middle", func() (int, error) {
			f := PhotoFilter{Since: strconv.Itoa(year) + "-01-01", Until: strconv.Itoa(year) + "-12-31"}
			ps, err := c.FilteredPhotos(ctx, f, yearMid, 50)
			return len(ps), err
		}},
	} {
		b.Run(bm.name, func(b *testing.B) {
			for b.Loop() {
				n, err := bm.fn()
				if err != nil || n == 0 {
					b.Fatalf("%d rows, %v", n, err)
				}
			}
		})
	}
}
