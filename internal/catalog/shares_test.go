package catalog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestShares(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	insert(t, c, testPhoto(1, 10), testPhoto(2, 20))
	var albumID, otherID int64
	err := c.Write(ctx, func(tx *Tx) error {
		var err error
		if albumID, err = tx.CreateAlbum(ctx, "Family"); err != nil {
			return err
		}
		if otherID, err = tx.CreateAlbum(ctx, "Other"); err != nil {
			return err
		}
		p, err := tx.PhotoBySHA(ctx, testPhoto(1, 10).SHA256)
		if err != nil {
			return err
		}
		_, err = tx.AddToAlbum(ctx, albumID, p.ID, Actor{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	hash := HashToken("secret-token")
	if HashToken("secret-token") != hash || HashToken("other") == hash || len(hash) != 64 {
		t.Fatalf("HashToken is not a stable hex SHA-256: %q", hash)
	}
	expires := Now().Add(time.Hour)
	var id int64
	err = c.Write(ctx, func(tx *Tx) error {
		var err error
		id, err = tx.CreateShare(ctx, Share{TokenHash: hash, Name: "For Mom", AlbumID: albumID, ExpiresAt: expires, Download: true, PasswordHash: "pw"}, nil)
		if err != nil {
			return err
		}
		_, err = tx.CreateShare(ctx, Share{TokenHash: hash, AlbumID: otherID}, nil)
		if err == nil {
			return errors.New("a second share with the same token hash was accepted")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.ShareByTokenHash(ctx, hash)
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != id || s.Name != "For Mom" || s.AlbumName != "Family" || !s.ExpiresAt.Equal(expires) || !s.Download || s.PasswordHash != "pw" {
		t.Errorf("ShareByTokenHash = %+v", s)
	}
	if !s.Active(time.Now()) || s.Active(time.Now().Add(2*time.Hour)) {
		t.Errorf("Active around expiry %s is wrong", s.ExpiresAt)
	}
	if _, err := c.ShareByTokenHash(ctx, HashToken("forged")); !errors.Is(err, ErrNotFound) {
		t.Errorf("ShareByTokenHash(forged) err = %v; want ErrNotFound", err)
	}

	at := Now()
	err = c.Write(ctx, func(tx *Tx) error {
		if err := tx.RecordShareViews(ctx, id, 1, at); err != nil {
			return err
		}
		if err := tx.RecordShareViews(ctx, id, 1, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
			return err
		}
		return tx.ExtendShare(ctx, id, time.Time{})
	})
	if err != nil {
		t.Fatal(err)
	}
	s, _ = c.ShareByID(ctx, id)
	if s.Views != 2 || !s.LastOpenedAt.Equal(at) || !s.ExpiresAt.IsZero() || !s.Active(time.Now().Add(1000*time.Hour)) {
		t.Errorf("after views and extend: %+v", s)
	}

	var was bool
	err = c.Write(ctx, func(tx *Tx) error {
		var err error
		was, err = tx.RevokeShare(ctx, id, at)
		return err
	})
	if err != nil || !was {
		t.Fatalf("RevokeShare = %v, %v", was, err)
	}
	err = c.Write(ctx, func(tx *Tx) error { return tx.ExtendShare(ctx, id, time.Time{}) })
	if !errors.Is(err, ErrShareRevoked) {
		t.Errorf("ExtendShare(revoked) err = %v; want ErrShareRevoked", err)
	}
	err = c.Write(ctx, func(tx *Tx) error { _, err := tx.RevokeShare(ctx, 999, at); return err })
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("RevokeShare(999) err = %v; want ErrNotFound", err)
	}
	s, _ = c.ShareByID(ctx, id)
	if s.Active(time.Now()) {
		t.Errorf("revoked share is active: %+v", s)
	}
	list, err := c.Shares(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("Shares = %v, %v", list, err)
	}

	p1, _ := c.PhotoBySHA(ctx, testPhoto(1, 10).SHA256)
	p2, _ := c.PhotoBySHA(ctx, testPhoto(2, 20).SHA256)
	if ok, err := opens(c, s, p1.ID); !ok || err != nil {
		t.Errorf("opens(in album) = %v, %v", ok, err)
	}
	if ok, err := opens(c, s, p2.ID); ok || err != nil {
		t.Errorf("opens(outside) = %v, %v", ok, err)
	}
	if got := s.Scope(); got != `album "Family"` {
		t.Errorf("Scope() = %q", got)
	}

	// Removing the album removes its shares.
	if err := c.Write(ctx, func(tx *Tx) error { return tx.DeleteAlbum(ctx, albumID) }); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ShareByTokenHash(ctx, hash); !errors.Is(err, ErrNotFound) {
		t.Errorf("share outlived its album: err = %v", err)
	}
	// The removed share was the newest; its id stays taken all the same:
	// the media URLs signed for it must not open a new link's photos.
	var next int64
	err = c.Write(ctx, func(tx *Tx) error {
		var err error
		next, err = tx.CreateShare(ctx, Share{TokenHash: HashToken("next"), AlbumID: otherID}, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if next <= id {
		t.Errorf("a new share got id %d, not above the removed share's %d", next, id)
	}
}

// TestShareIDsNeverReused: removing the newest share (with its album)
// does not free its id for the next share.
func TestShareIDsNeverReused(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	var ids []int64
	for i := range 3 {
		err := c.Write(ctx, func(tx *Tx) error {
			album, err := tx.CreateAlbum(ctx, fmt.Sprintf("A%d", i))
			if err != nil {
				return err
			}
			id, err := tx.CreateShare(ctx, Share{TokenHash: HashToken(fmt.Sprint("t", i)), AlbumID: album}, nil)
			ids = append(ids, id)
			if err != nil {
				return err
			}
			// Remove the album, and with it the share just made.
			return tx.DeleteAlbum(ctx, album)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if ids[0] >= ids[1] || ids[1] >= ids[2] {
		t.Errorf("share ids after deleting the newest each time: %v, want increasing", ids)
	}
}

func TestYearAndSelectionShares(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	at := func(i int, takenAt string, instant string) Photo {
		p := testPhoto(i, 0)
		p.TakenAt = takenAt
		ts, err := time.Parse(time.RFC3339, instant)
		if err != nil {
			t.Fatal(err)
		}
		p.TakenKey = ts.UnixMilli()
		return p
	}
	insert(t, c,
		at(1, "2024-01-01T05:00:00+09:00", "2023-12-31T20:00:00Z"), // 2024 locally, 2023 in UTC
		at(2, "2023-12-31T23:00:00", "2023-12-31T23:00:00Z"),
		at(3, "2024-06-01T12:00:00Z", "2024-06-01T12:00:00Z"),
		at(4, "2025-01-01T01:00:00-10:00", "2025-01-01T11:00:00Z"),
		at(5, "2024-12-31T22:00:00-10:00", "2025-01-01T08:00:00Z"), // 2024 locally, 2025 in UTC
	)
	ids := map[int]int64{}
	for i := 1; i <= 5; i++ {
		p, err := c.PhotoBySHA(ctx, testPhoto(i, 0).SHA256)
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = p.ID
	}
	list := func(s Share, limit int) []int64 {
		t.Helper()
		var got []int64
		var after *Cursor
		for {
			page, err := c.SharePhotos(ctx, s, after, limit)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range page {
				got = append(got, p.ID)
			}
			if len(page) < limit {
				return got
			}
			cur := CursorOf(page[len(page)-1])
			after = &cur
		}
	}
	create := func(s Share, photos []int64) (Share, error) {
		var id int64
		err := c.Write(ctx, func(tx *Tx) error {
			var err error
			id, err = tx.CreateShare(ctx, s, photos)
			return err
		})
		if err != nil {
			return Share{}, err
		}
		return c.ShareByID(ctx, id)
	}

	year, err := create(Share{TokenHash: HashToken("year"), Year: 2024}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := list(year, 1), []int64{ids[5], ids[3], ids[1]}; !slices.Equal(got, want) {
		t.Errorf("year 2024 lists %v, want %v", got, want)
	}
	if year.Scope() != "photos of 2024" {
		t.Errorf("Scope() = %q", year.Scope())
	}
	for i, want := range map[int]bool{1: true, 2: false, 4: false, 5: true} {
		if ok, err := opens(c, year, ids[i]); ok != want || err != nil {
			t.Errorf("year share has photo %d: %v, %v; want %v", i, ok, err, want)
		}
	}

	sel, err := create(Share{TokenHash: HashToken("sel"), BindIP: true}, []int64{ids[2], ids[4], ids[2]})
	if err != nil {
		t.Fatal(err)
	}
	if sel.Photos != 2 || !sel.BindIP || sel.Scope() != "2 photos" || sel.AlbumID != 0 || sel.Year != 0 {
		t.Errorf("selection share: %+v, scope %q", sel, sel.Scope())
	}
	if got, want := list(sel, 1), []int64{ids[4], ids[2]}; !slices.Equal(got, want) {
		t.Errorf("selection lists %v, want %v", got, want)
	}
	if ok, err := opens(c, sel, ids[3]); ok || err != nil {
		t.Errorf("selection has an unselected photo: %v, %v", ok, err)
	}

	// Trashed photos leave every kind of share at once, and cannot be selected.
	if err := c.Write(ctx, func(tx *Tx) error { _, err := tx.Trash(ctx, []int64{ids[3], ids[4]}); return err }); err != nil {
		t.Fatal(err)
	}
	if got, want := list(year, 10), []int64{ids[5], ids[1]}; !slices.Equal(got, want) {
		t.Errorf("year 2024 after trash lists %v, want %v", got, want)
	}
	if ok, _ := opens(c, sel, ids[4]); ok {
		t.Error("selection share still opens a trashed photo")
	}
	if _, err := create(Share{TokenHash: HashToken("t")}, []int64{ids[3]}); !errors.Is(err, ErrNotFound) {
		t.Errorf("sharing a trashed photo: err = %v, want ErrNotFound", err)
	}
	if _, err := create(Share{TokenHash: HashToken("u")}, []int64{ids[1], 9999}); !errors.Is(err, ErrNotFound) {
		t.Errorf("sharing an unknown photo: err = %v, want ErrNotFound", err)
	}
	if _, err := c.ShareByTokenHash(ctx, HashToken("u")); !errors.Is(err, ErrNotFound) {
		t.Errorf("a refused share was stored: %v", err)
	}
	for _, bad := range []Share{{TokenHash: HashToken("v")}, {TokenHash: HashToken("w"), Year: 2024, AlbumID: 1}} {
		if _, err := create(bad, nil); err == nil {
			t.Errorf("CreateShare(%+v) accepted a share with no single scope", bad)
		}
	}

	// Purging a photo removes it from selections.
	err = c.Write(ctx, func(tx *Tx) error {
		_, err := tx.Purge(ctx, []int64{ids[4]}, func(Photo, []Sidecar) []string { return nil })
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if sel, _ = c.ShareByID(ctx, sel.ID); sel.Photos != 1 {
		t.Errorf("after purge the selection counts %d photos, want 1", sel.Photos)
	}
}

// opens reports whether a share opens a photo, by SharedFile.
func opens(c *Catalog, s Share, photoID int64) (bool, error) {
	_, err := c.SharedFile(context.Background(), s, photoID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}
