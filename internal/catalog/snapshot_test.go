package catalog

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestSnapshotLocksPasswords: a catalog snapshot holds no password hash,
// not even in its free pages, and its password links are locked; the
// catalog itself keeps its hashes.
func TestSnapshotLocksPasswords(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	const hash = "pbkdf2-sha256$600000$c2FsdHNhbHRzYWx0$SECRET-HASH-VALUE-0123456789"
	var withPW, without int64
	err := c.Write(ctx, func(tx *Tx) error {
		album, err := tx.CreateAlbum(ctx, "Family")
		if err != nil {
			return err
		}
		if withPW, err = tx.CreateShare(ctx, Share{TokenHash: HashToken("a"), AlbumID: album, PasswordHash: hash}, nil); err != nil {
			return err
		}
		without, err = tx.CreateShare(ctx, Share{TokenHash: HashToken("b"), AlbumID: album}, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "snapshot.db")
	if err := c.SnapshotTo(ctx, path); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-journal", path + "-wal"} {
		b, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("SECRET-HASH-VALUE")) {
			t.Errorf("%s holds the password hash", filepath.Base(f))
		}
	}
	snap, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	for id, want := range map[int64]string{withPW: PasswordLocked, without: ""} {
		s, err := snap.ShareByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if s.PasswordHash != want {
			t.Errorf("snapshot's share %d has password hash %q, want %q", id, s.PasswordHash, want)
		}
	}
	if s, err := c.ShareByID(ctx, withPW); err != nil || s.PasswordHash != hash {
		t.Errorf("the catalog's own share = %q, %v; want its hash kept", s.PasswordHash, err)
	}
}

// TestSetSharePassword: a new password, its removal, and the refusals.
func TestSetSharePassword(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	var id int64
	err := c.Write(ctx, func(tx *Tx) error {
		album, err := tx.CreateAlbum(ctx, "Family")
		if err != nil {
			return err
		}
		id, err = tx.CreateShare(ctx, Share{TokenHash: HashToken("a"), AlbumID: album, PasswordHash: PasswordLocked}, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	set := func(id int64, hash string) error {
		return c.Write(ctx, func(tx *Tx) error { return tx.SetSharePassword(ctx, id, hash) })
	}
	for _, want := range []string{"new-hash", ""} {
		if err := set(id, want); err != nil {
			t.Fatal(err)
		}
		if s, err := c.ShareByID(ctx, id); err != nil || s.PasswordHash != want {
			t.Errorf("after SetSharePassword(%q): %q, %v", want, s.PasswordHash, err)
		}
	}
	if err := set(id+100, "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown share: err = %v, want ErrNotFound", err)
	}
	if err := c.Write(ctx, func(tx *Tx) error { _, err := tx.RevokeShare(ctx, id, Now()); return err }); err != nil {
		t.Fatal(err)
	}
	if err := set(id, "x"); !errors.Is(err, ErrShareRevoked) {
		t.Errorf("revoked share: err = %v, want ErrShareRevoked", err)
	}
}
