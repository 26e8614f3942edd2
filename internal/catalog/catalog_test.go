package catalog

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func openTest(t *testing.T) *Catalog {
	t.Helper()
	c, err := Open(context.Background(), filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func testPhoto(i int, takenKey int64) Photo {
	return Photo{
		SHA256: fmt.Sprintf("%064x", i), Path: fmt.Sprintf("originals/2024/2024-01-01/IMG_%04d.JPG", i),
		OriginalName: "IMG.JPG", Type: "photo", Format: "jpeg", MIME: "image/jpeg", Bytes: int64(100 + i),
		TakenAt: "2024-01-01T00:00:00", TakenKey: takenKey, TakenSource: "exif:DateTimeOriginal",
		Width: 4, Height: 3, Orientation: 1, Thumbs: "ok", ImportedAt: Now(),
	}
}

func insert(t *testing.T, c *Catalog, ps ...Photo) {
	t.Helper()
	err := c.Write(context.Background(), func(tx *Tx) error {
		for _, p := range ps {
			if _, err := tx.InsertPhoto(context.Background(), p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestReopenKeepsSchemaAndData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	c, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	insert(t, c, testPhoto(1, 10))
	c.Close()
	c, err = Open(context.Background(), path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer c.Close()
	if _, err := c.PhotoBySHA(context.Background(), testPhoto(1, 10).SHA256); err != nil {
		t.Fatalf("PhotoBySHA after reopen: %v", err)
	}
}

func TestDuplicateSHA(t *testing.T) {
	c := openTest(t)
	insert(t, c, testPhoto(1, 10))
	p := testPhoto(1, 10)
	p.Path = "originals/other.jpg"
	err := c.Write(context.Background(), func(tx *Tx) error {
		_, err := tx.InsertPhoto(context.Background(), p)
		return err
	})
	if !errors.Is(err, ErrDuplicate) {
		t.Fatalf("second insert of the same sha256: err = %v; want ErrDuplicate", err)
	}
}

func TestListPhotosCursorPagination(t *testing.T) {
	c := openTest(t)
	var ps []Photo
	for i := 1; i <= 25; i++ {
		ps = append(ps, testPhoto(i, int64(i%7))) // many equal keys: ties break by id
	}
	insert(t, c, ps...)
	ctx := context.Background()
	var seen []int64
	var after *Cursor
	for {
		page, err := c.ListPhotos(ctx, after, 4)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page {
			seen = append(seen, p.ID)
		}
		if len(page) < 4 {
			break
		}
		cur, err := ParseCursor(CursorOf(page[len(page)-1]).String())
		if err != nil {
			t.Fatal(err)
		}
		after = &cur
	}
	if len(seen) != 25 {
		t.Fatalf("paged through %d photos; want 25: %v", len(seen), seen)
	}
	all, err := c.ListPhotos(ctx, nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range all {
		if p.ID != seen[i] {
			t.Fatalf("page order differs from one-shot order at %d: %d vs %d", i, seen[i], p.ID)
		}
		if i > 0 && (p.TakenKey > all[i-1].TakenKey || p.TakenKey == all[i-1].TakenKey && p.ID > all[i-1].ID) {
			t.Fatalf("not newest first at %d", i)
		}
	}
}

func TestParseCursorRejectsGarbage(t *testing.T) {
	for _, s := range []string{"", "abc", "MTIz", "!!!"} {
		if _, err := ParseCursor(s); err == nil {
			t.Errorf("ParseCursor(%q) = nil error; want an error", s)
		}
	}
}

// TestListingsUseIndexes checks with EXPLAIN QUERY PLAN that the listing
// queries walk an index in order: no full scan, no temporary sort.
func TestListingsUseIndexes(t *testing.T) {
	c := openTest(t)
	insert(t, c, testPhoto(1, 1), testPhoto(2, 2))
	tests := []struct {
		name  string
		query string
		args  []any
		want  string
	}{
		{"ls", listPhotosQuery, []any{1, 1, 10}, "photos_live_by_taken"},
		{"album show", albumPhotosQuery, []any{1, 1, 1, 10}, "album_photos_by_taken"},
		{"ls --user", userPhotosQuery, []any{1, 1, 1, 10}, "photo_owners_by_user"},
		{"trash ls", trashedQuery, []any{"z", 1, 10}, "photos_trashed"},
		{"selection share", sharePhotosQuery, []any{1, 1, 1, 10}, "share_photos_by_taken"},
		{"year share", yearPhotosQuery, []any{0, 1 << 50, "2024", 1 << 50, 1, 10}, "photos_live_by_taken"},
		{"source lookup", `SELECT size FROM sources WHERE path = ?`, []any{"/x"}, "PRIMARY KEY"},
		{"by sha", `SELECT id FROM photos p WHERE p.sha256 = ?`, []any{"x"}, "sqlite_autoindex_photos_1"},
	}
	for _, tt := range tests {
		rows, err := c.r.Query("EXPLAIN QUERY PLAN "+tt.query, tt.args...)
		type step struct {
			parent int
			detail string
		}
		steps, err := collect(rows, err, func(s scanner) (step, error) {
			var id, notused int
			var st step
			err := s.Scan(&id, &st.parent, &notused, &st.detail)
			return st, err
		})
		if err != nil {
			t.Fatal(err)
		}
		var plan, top []string
		for _, st := range steps {
			plan = append(plan, st.detail)
			if st.parent == 0 {
				top = append(top, st.detail) // the listing itself, not a per-row subquery
			}
		}
		joined := strings.Join(plan, "; ")
		if !strings.Contains(joined, tt.want) {
			t.Errorf("%s: plan %q does not use %s", tt.name, joined, tt.want)
		}
		if strings.Contains(strings.Join(top, "; "), "TEMP B-TREE") {
			t.Errorf("%s: plan %q sorts the listing in a temporary b-tree", tt.name, joined)
		}
		if tt.name == "ls" && strings.Contains(joined, "SCAN photos") && !strings.Contains(joined, "USING INDEX") {
			t.Errorf("%s: plan %q sorts or scans", tt.name, joined)
		}
	}
}

func TestAlbums(t *testing.T) {
	c := openTest(t)
	insert(t, c, testPhoto(1, 5), testPhoto(2, 6))
	ctx := context.Background()
	err := c.Write(ctx, func(tx *Tx) error {
		id, err := tx.EnsureAlbum(ctx, "Jeju 2019")
		if err != nil {
			return err
		}
		again, err := tx.EnsureAlbum(ctx, "jeju 2019")
		if err != nil || again != id {
			return fmt.Errorf("EnsureAlbum with other case = %d, %v; want %d", again, err, id)
		}
		if _, err := tx.CreateAlbum(ctx, "JEJU 2019"); !errors.Is(err, ErrAlbumExists) {
			return fmt.Errorf("CreateAlbum duplicate: %v; want ErrAlbumExists", err)
		}
		for _, pid := range []int64{1, 2, 1} {
			if _, err := tx.AddToAlbum(ctx, id, pid, Actor{}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.AlbumByName(ctx, "JEJU 2019")
	if err != nil {
		t.Fatal(err)
	}
	if a.Photos != 2 {
		t.Errorf("album photos = %d; want 2", a.Photos)
	}
	ps, err := c.AlbumPhotos(ctx, a.ID, nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].ID != 2 {
		t.Errorf("AlbumPhotos = %d photos, first %d; want 2, newest (id 2) first", len(ps), ps[0].ID)
	}
	if problems, err := c.IntegrityCheck(ctx); err != nil || len(problems) > 0 {
		t.Errorf("IntegrityCheck = %v, %v; want none", problems, err)
	}
}
