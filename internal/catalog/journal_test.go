package catalog

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Every table of the schema is carried by a journal, fingerprinted,
// derived or local: a new table must be put in one of the lists, or a
// restore from a journal would silently lose what it holds.
func TestJournalCoversEveryTable(t *testing.T) {
	c := openTest(t)
	rows, err := c.r.QueryContext(context.Background(), `SELECT name FROM sqlite_schema WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'photo_search_%' AND name NOT LIKE 'album_search_%' ORDER BY name`)
	tables, err := collect(rows, err, func(s scanner) (string, error) {
		var n string
		err := s.Scan(&n)
		return n, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) < 20 {
		t.Fatalf("only %d tables read: %v", len(tables), tables)
	}
	for _, table := range tables {
		in := 0
		for _, list := range [][]string{journaledTables, derivedTables, localTables} {
			if slices.Contains(list, table) {
				in++
			}
		}
		if _, ok := fingerprintedTables[table]; ok {
			in++
		}
		if in != 1 {
			t.Errorf("table %s is in %d of the lists of journal.go, want exactly one", table, in)
		}
	}
}

func fingerprint(t *testing.T, c *Catalog) string {
	t.Helper()
	fp, err := c.Fingerprint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(fp) != 64 {
		t.Fatalf("fingerprint %q", fp)
	}
	return fp
}

// The fingerprint changes with what a journal does not carry, and not
// with the photos, their counters or a share link's views.
func TestFingerprint(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	write := func(f func(tx *Tx) error) {
		t.Helper()
		if err := c.Write(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	var uid, aid int64
	write(func(tx *Tx) (err error) {
		uid, err = tx.CreateUser(ctx, "mom", nil)
		return err
	})
	write(func(tx *Tx) (err error) {
		aid, err = tx.EnsureAlbum(ctx, "Jeju")
		return err
	})
	base := fingerprint(t, c)
	same := []struct {
		name string
		f    func(tx *Tx) error
	}{
		{"a photo imported, owned and put in an album", func(tx *Tx) error {
			p := testPhoto(1, 10)
			id, err := tx.InsertPhoto(ctx, p)
			if err != nil {
				return err
			}
			p.ID = id
			if _, err := tx.Own(ctx, p, uid); err != nil {
				return err
			}
			_, err = tx.AddToAlbum(ctx, aid, id, Actor{})
			return err
		}},
		{"a change number", func(tx *Tx) error { return tx.SetSetting(ctx, "change_seq", "99") }},
		{"the terminal's mark of the feed", func(tx *Tx) error { return tx.SetSetting(ctx, "tui_seen_activity", "7") }},
	}
	for _, s := range same {
		write(s.f)
		if got := fingerprint(t, c); got != base {
			t.Errorf("after %s the fingerprint changed", s.name)
		}
	}
	changed := []struct {
		name string
		f    func(tx *Tx) error
	}{
		{"a new album", func(tx *Tx) error { _, err := tx.EnsureAlbum(ctx, "Grandpa's 70th"); return err }},
		{"a renamed album", func(tx *Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE albums SET name = 'Jeju 2019' WHERE id = ?`, aid)
			return err
		}},
		{"a quota", func(tx *Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE users SET quota_bytes = 1000 WHERE id = ?`, uid)
			return err
		}},
		{"a setting", func(tx *Tx) error { return tx.SetSetting(ctx, "trash.retention", "30d") }},
	}
	for _, s := range changed {
		before := fingerprint(t, c)
		write(s.f)
		if got := fingerprint(t, c); got == before {
			t.Errorf("after %s the fingerprint stayed the same", s.name)
		}
	}
}

// ReplacePhotos inserts photos under their old ids, then updates them in
// place with their owners, albums, sidecars, hearts and comments
// replaced; another content under an id, or a content under another id,
// is forgotten; the counters stay exact.
func TestReplacePhotos(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	var mom, dad, jeju, seoul int64
	err := c.Write(ctx, func(tx *Tx) (err error) {
		if mom, err = tx.CreateUser(ctx, "mom", nil); err != nil {
			return err
		}
		if dad, err = tx.CreateUser(ctx, "dad", nil); err != nil {
			return err
		}
		if jeju, err = tx.EnsureAlbum(ctx, "Jeju"); err != nil {
			return err
		}
		seoul, err = tx.EnsureAlbum(ctx, "Seoul")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	state := func(i int, id int64) PhotoState {
		p := testPhoto(i, int64(i)*100)
		p.ID = id
		return PhotoState{Photo: p}
	}
	a := state(7, 41)
	a.Photo.TrashedAt = at
	a.Owners, a.Albums = []int64{mom}, []int64{jeju}
	a.Sidecars = []Sidecar{{Path: "originals/2024/2024-01-01/IMG_0007.xmp", Bytes: 10, SHA256: strings.Repeat("a", 64)}}
	a.TakingPart = TakingPart{Hearts: []Heart{{Name: "grandma", CreatedAt: at}},
		Comments: []Comment{{Name: "grandma", Text: "예쁘다", CreatedAt: at}}}
	b := state(8, 42)
	b.Owners, b.Albums = []int64{mom, dad}, []int64{jeju, seoul}
	insert(t, c, testPhoto(1, 1))
	// Photo 50 holds content 9 before: it comes back as photo 44.
	mustWrite(t, c, func(tx *Tx) error { return tx.ReplacePhotos(ctx, []PhotoState{a, b, state(9, 50)}) })

	a2 := a
	a2.Photo.Caption, a2.Photo.TrashedAt = "가족여행", time.Time{}
	a2.Owners, a2.Albums, a2.Sidecars = []int64{dad}, []int64{seoul}, nil
	a2.TakingPart = TakingPart{Hearts: []Heart{{Name: "uncle", CreatedAt: at}}}
	other := state(3, 42) // another content under id 42
	other.Owners = []int64{mom}
	moved := state(9, 44) // content 9, photo 50 before
	moved.Owners = []int64{dad}
	mustWrite(t, c, func(tx *Tx) error { return tx.ReplacePhotos(ctx, []PhotoState{a2, other, moved}) })

	got, err := c.PhotoByID(ctx, 41)
	if err != nil {
		t.Fatal(err)
	}
	if got.SHA256 != a.Photo.SHA256 || got.Caption != "가족여행" || !got.TrashedAt.IsZero() {
		t.Errorf("photo 41 is %+v", got)
	}
	var ids, owners, albums, sidecars, hearts, comments string
	err = c.r.QueryRowContext(ctx, `SELECT
		(SELECT group_concat(id || ':' || substr(sha256, 61), ' ') FROM (SELECT id, sha256 FROM photos ORDER BY id)),
		(SELECT group_concat(user_id) FROM photo_owners WHERE photo_id = 41),
		(SELECT group_concat(album_id) FROM album_photos WHERE photo_id = 41),
		(SELECT count(*) FROM sidecars WHERE photo_id = 41),
		(SELECT group_concat(name) FROM hearts WHERE photo_id = 41),
		(SELECT count(*) FROM comments WHERE photo_id = 41)`).Scan(&ids, &owners, &albums, &sidecars, &hearts, &comments)
	if err != nil {
		t.Fatal(err)
	}
	got6 := []string{ids, owners, albums, sidecars, hearts, comments}
	if want := []string{"1:0001 41:0007 42:0003 44:0009", itoa(dad), itoa(seoul), "0", "uncle", "0"}; !slices.Equal(got6, want) {
		t.Errorf("photos, and of photo 41 owners, albums, sidecars, hearts, comments = %q, want %q", got6, want)
	}
	checkAlbumCounters(t, c, "after ReplacePhotos")
	if problems, err := c.CheckUsage(ctx); err != nil || len(problems) > 0 {
		t.Errorf("usage after ReplacePhotos: %v %v", problems, err)
	}
	err = c.Write(ctx, func(tx *Tx) error {
		if gone, err := tx.ForgetPhoto(ctx, PhotoRef{ID: 41, SHA256: strings.Repeat("0", 64)}); err != nil || gone {
			t.Errorf("ForgetPhoto of another content: %v %v", gone, err)
		}
		if gone, err := tx.ForgetPhoto(ctx, PhotoRef{ID: 41, SHA256: a.Photo.SHA256}); err != nil || !gone {
			t.Errorf("ForgetPhoto: %v %v", gone, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if problems, err := c.CheckUsage(ctx); err != nil || len(problems) > 0 {
		t.Errorf("usage after ForgetPhoto: %v %v", problems, err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
