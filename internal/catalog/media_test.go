package catalog

import (
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// version reads catalog_version from the database itself.
func version(t *testing.T, c *Catalog) int64 {
	t.Helper()
	var v int64
	if err := c.r.QueryRow(versionQuery).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// Migration 0007: a change to what a share opens or whether it may be
// opened raises catalog_version; a page view does not.
func TestShareChangesRaiseVersion(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	insert(t, c, testPhoto(1, 10), testPhoto(2, 20))
	p1, _ := c.PhotoBySHA(ctx, testPhoto(1, 10).SHA256)
	p2, _ := c.PhotoBySHA(ctx, testPhoto(2, 20).SHA256)
	var albumID, shareID, selectionID int64
	err := c.Write(ctx, func(tx *Tx) error {
		var err error
		albumID, err = tx.CreateAlbum(ctx, "Family")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	future := Now().Add(time.Hour)
	steps := []struct {
		name   string
		change func(tx *Tx) error
		raises bool
	}{
		{"create an album share", func(tx *Tx) (err error) {
			shareID, err = tx.CreateShare(ctx, Share{TokenHash: HashToken("a"), AlbumID: albumID}, nil)
			return err
		}, true},
		{"create a selection share", func(tx *Tx) (err error) {
			selectionID, err = tx.CreateShare(ctx, Share{TokenHash: HashToken("b")}, []int64{p1.ID, p2.ID})
			return err
		}, true},
		{"record page views", func(tx *Tx) error { return tx.RecordShareViews(ctx, shareID, 3, Now()) }, false},
		{"extend", func(tx *Tx) error { return tx.ExtendShare(ctx, shareID, future) }, true},
		{"extend to never", func(tx *Tx) error { return tx.ExtendShare(ctx, shareID, time.Time{}) }, true},
		{"set a password", func(tx *Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE shares SET password_hash = 'x' WHERE id = ?`, shareID)
			return err
		}, true},
		{"record more views", func(tx *Tx) error { return tx.RecordShareViews(ctx, selectionID, 1, Now()) }, false},
		{"revoke", func(tx *Tx) error { _, err := tx.RevokeShare(ctx, shareID, Now()); return err }, true},
		{"take a photo out of a selection", func(tx *Tx) error {
			_, err := tx.ExecContext(ctx, `DELETE FROM share_photos WHERE share_id = ? AND photo_id = ?`, selectionID, p1.ID)
			return err
		}, true},
		{"trash a photo", func(tx *Tx) error { _, err := tx.Trash(ctx, []int64{p2.ID}); return err }, true},
		{"delete a share", func(tx *Tx) error {
			_, err := tx.ExecContext(ctx, `DELETE FROM shares WHERE id = ?`, selectionID)
			return err
		}, true},
	}
	for _, st := range steps {
		before := version(t, c)
		if err := c.Write(ctx, st.change); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		after := version(t, c)
		if raised := after > before; raised != st.raises {
			t.Errorf("%s: catalog_version %d -> %d; want raised=%v", st.name, before, after, st.raises)
		}
		if got, err := c.CatalogVersion(ctx); err != nil || got != after {
			t.Errorf("%s: CatalogVersion = %d, %v; want %d", st.name, got, err, after)
		}
	}
}

// CatalogVersion answers from memory while nothing commits, and sees a
// commit made through another connection at once.
func TestCatalogVersionSeesOtherConnections(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "catalog.db")
	c, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	other, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	insert(t, c, testPhoto(1, 10))
	var id int64
	err = other.Write(ctx, func(tx *Tx) error {
		var err error
		id, err = tx.CreateShare(ctx, Share{TokenHash: HashToken("a"), Year: 2024}, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.CatalogVersion(ctx)
	if err != nil || v != version(t, other) {
		t.Fatalf("CatalogVersion = %d, %v; want %d", v, err, version(t, other))
	}
	if runtime.GOOS != "windows" && c.version.seen.Load() == nil {
		t.Error("CatalogVersion did not remember the WAL index header: it will read the database every time")
	}
	for i := range 20 {
		var change func(tx *Tx) error
		switch i % 3 {
		case 0: // changes the version
			change = func(tx *Tx) error {
				return tx.ExtendShare(ctx, id, Now().Add(time.Duration(i)*time.Hour))
			}
		case 1: // commits without changing it
			change = func(tx *Tx) error { return tx.RecordShareViews(ctx, id, 1, Now()) }
		default:
			change = func(tx *Tx) error { return tx.SetSetting(ctx, "test.other", nowText()) }
		}
		if err := other.Write(ctx, change); err != nil {
			t.Fatal(err)
		}
		want := version(t, other)
		for range 2 {
			if got, err := c.CatalogVersion(ctx); err != nil || got != want {
				t.Fatalf("after commit %d by another connection: CatalogVersion = %d, %v; want %d", i, got, err, want)
			}
		}
	}
	if err := c.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	if _, err := c.CatalogVersion(ctx); err == nil {
		t.Error("CatalogVersion after Close did not fail")
	}
}

func TestSharedFile(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	in, out, trashed := testPhoto(1, 10), testPhoto(2, 20), testPhoto(3, 30)
	in.TakenAt, out.TakenAt, trashed.TakenAt = "2024-05-03T10:00:00+09:00", "2023-12-31T23:00:00", "2024-06-01T00:00:00"
	in.Type, in.MIME = "video", "video/mp4"
	insert(t, c, in, out, trashed)
	ids := map[string]int64{}
	for name, p := range map[string]Photo{"in": in, "out": out, "trashed": trashed} {
		q, err := c.PhotoBySHA(ctx, p.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = q.ID
	}
	var album, selection, year Share
	err := c.Write(ctx, func(tx *Tx) error {
		a, err := tx.CreateAlbum(ctx, "Family")
		if err != nil {
			return err
		}
		for _, p := range []int64{ids["in"], ids["trashed"]} {
			if _, err := tx.AddToAlbum(ctx, a, p, Actor{}); err != nil {
				return err
			}
		}
		album = Share{TokenHash: HashToken("album"), AlbumID: a}
		selection = Share{TokenHash: HashToken("selection")}
		year = Share{TokenHash: HashToken("year"), Year: 2024}
		if album.ID, err = tx.CreateShare(ctx, album, nil); err != nil {
			return err
		}
		if selection.ID, err = tx.CreateShare(ctx, selection, []int64{ids["in"], ids["trashed"]}); err != nil {
			return err
		}
		if year.ID, err = tx.CreateShare(ctx, year, nil); err != nil {
			return err
		}
		_, err = tx.Trash(ctx, []int64{ids["trashed"]})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, sh := range []Share{album, selection, year} {
		f, err := c.SharedFile(ctx, sh, ids["in"])
		if err != nil || f.ID != ids["in"] || f.SHA256 != in.SHA256 || f.Path != in.Path || f.Type != "video" ||
			f.MIME != "video/mp4" || f.OriginalName != in.OriginalName || f.Offloaded != "" {
			t.Errorf("share %+v: SharedFile(in) = %+v, %v", sh, f, err)
		}
		for _, name := range []string{"out", "trashed"} {
			if _, err := c.SharedFile(ctx, sh, ids[name]); !errors.Is(err, ErrNotFound) {
				t.Errorf("share %d: SharedFile(%s) err = %v; want ErrNotFound", sh.ID, name, err)
			}
		}
		if _, err := c.SharedFile(ctx, sh, 999); !errors.Is(err, ErrNotFound) {
			t.Errorf("share %d: SharedFile(no such photo) err = %v; want ErrNotFound", sh.ID, err)
		}
	}
}
