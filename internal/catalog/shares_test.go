package catalog

import (
	"context"
	"errors"
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
		_, err = tx.AddToAlbum(ctx, albumID, p.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	hash := HashToken("secret-token")
	if HashToken("secret-token") != hash || HashToken("other") == hash || len(hash) != 64 {
		t.Fatalf("HashToken is not a stable hex SHA-256: %q", hash)
	}
	expires := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	var id int64
	err = c.Write(ctx, func(tx *Tx) error {
		var err error
		id, err = tx.CreateShare(ctx, Share{TokenHash: hash, Name: "For Mom", AlbumID: albumID, ExpiresAt: expires, Download: true, PasswordHash: "pw"})
		if err != nil {
			return err
		}
		_, err = tx.CreateShare(ctx, Share{TokenHash: hash, AlbumID: otherID})
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
	if s.ID != id || s.Name != "For Mom" || s.AlbumName != "Family" || s.ExpiresAt != expires || !s.Download || s.PasswordHash != "pw" {
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
		if err := tx.RecordShareView(ctx, id, at); err != nil {
			return err
		}
		if err := tx.RecordShareView(ctx, id, at); err != nil {
			return err
		}
		return tx.ExtendShare(ctx, id, "")
	})
	if err != nil {
		t.Fatal(err)
	}
	s, _ = c.ShareByID(ctx, id)
	if s.Views != 2 || s.LastOpenedAt != at || s.ExpiresAt != "" || !s.Active(time.Now().Add(1000*time.Hour)) {
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
	err = c.Write(ctx, func(tx *Tx) error { return tx.ExtendShare(ctx, id, "") })
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
	if ok, err := c.AlbumHasPhoto(ctx, albumID, p1.ID); !ok || err != nil {
		t.Errorf("AlbumHasPhoto(in album) = %v, %v", ok, err)
	}
	if ok, err := c.AlbumHasPhoto(ctx, albumID, p2.ID); ok || err != nil {
		t.Errorf("AlbumHasPhoto(outside) = %v, %v", ok, err)
	}

	// Removing the album removes its shares.
	if err := c.Write(ctx, func(tx *Tx) error { return tx.DeleteAlbum(ctx, albumID) }); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ShareByTokenHash(ctx, hash); !errors.Is(err, ErrNotFound) {
		t.Errorf("share outlived its album: err = %v", err)
	}
}
