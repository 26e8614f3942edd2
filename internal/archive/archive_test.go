package archive

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/importer"
	"github.com/picup/picup/internal/library"
)

// newArchive opens a library holding the committed JPEG samples.
func newArchive(t *testing.T) (*Archive, []int64) {
	t.Helper()
	ctx := context.Background()
	lib, err := library.Open(ctx, filepath.Join(t.TempDir(), "lib"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	if _, err := importer.Run(ctx, lib, []string{filepath.Join("..", "..", "testdata", "photos", "jpeg")}, importer.Options{}); err != nil {
		t.Fatal(err)
	}
	photos, err := lib.Catalog.ListPhotos(ctx, nil, 100)
	if err != nil || len(photos) < 3 {
		t.Fatalf("samples: %d photos, %v; want 3 or more", len(photos), err)
	}
	var ids []int64
	for _, p := range photos {
		ids = append(ids, p.ID)
	}
	return New(lib), ids
}

func TestAlbumMembership(t *testing.T) {
	a, ids := newArchive(t)
	ctx := context.Background()
	c, err := a.AddToAlbum(ctx, "Jeju 2019", ids[:2])
	if err != nil || c != (AlbumChange{Created: true, Changed: 2}) {
		t.Fatalf("AddToAlbum(new album) = %+v, %v; want created with 2", c, err)
	}
	c, err = a.AddToAlbum(ctx, "Jeju 2019", ids[:3])
	if err != nil || c != (AlbumChange{Changed: 1, Unchanged: 2}) {
		t.Fatalf("AddToAlbum(again) = %+v, %v; want 1 added, 2 already in it", c, err)
	}
	c, err = a.RemoveFromAlbum(ctx, "Jeju 2019", ids[:1])
	if err != nil || c != (AlbumChange{Changed: 1}) {
		t.Fatalf("RemoveFromAlbum = %+v, %v; want 1 removed", c, err)
	}
	if _, err := a.RemoveFromAlbum(ctx, "Nowhere", ids[:1]); !errors.Is(err, catalog.ErrNotFound) {
		t.Fatalf("RemoveFromAlbum(missing album) = %v; want not found", err)
	}
	if err := a.CreateAlbum(ctx, "Jeju 2019"); !errors.Is(err, catalog.ErrAlbumExists) || !strings.Contains(err.Error(), "picup album add") {
		t.Fatalf("CreateAlbum(taken) = %v; want exists, with the way out", err)
	}
	if err := a.RenameAlbum(ctx, "Jeju 2019", "Jeju"); err != nil {
		t.Fatal(err)
	}
	if n, err := a.TrashAlbum(ctx, "Jeju"); err != nil || n != 2 {
		t.Fatalf("TrashAlbum = %d, %v; want its 2 photos", n, err)
	}
	if n, err := a.Restore(ctx, ids); err != nil || n != 2 {
		t.Fatalf("Restore = %d, %v; want the 2 trashed", n, err)
	}
	if err := a.DeleteAlbum(ctx, "Jeju"); err != nil {
		t.Fatal(err)
	}
}

func TestRemoveUser(t *testing.T) {
	a, _ := newArchive(t)
	ctx := context.Background()
	first, err := a.Library().Catalog.FirstUser(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.RemoveUser(ctx, first.Name, ""); err == nil || !strings.Contains(err.Error(), "--transfer-to") {
		t.Fatalf("RemoveUser(owner of photos) = %v; want refused with the way out", err)
	}
	if _, err := a.RemoveUser(ctx, first.Name, first.Name); !errors.Is(err, ErrTransferToSelf) {
		t.Fatalf("RemoveUser(to self) = %v; want ErrTransferToSelf", err)
	}
	small := int64(10)
	if err := a.AddUser(ctx, "kid", &small); err != nil {
		t.Fatal(err)
	}
	if _, err := a.RemoveUser(ctx, first.Name, "kid"); !errors.Is(err, catalog.ErrQuota) {
		t.Fatalf("RemoveUser(to a small quota) = %v; want the quota refusal", err)
	}
	if _, err := a.SetQuota(ctx, "kid", nil); err != nil {
		t.Fatal(err)
	}
	moved, err := a.RemoveUser(ctx, first.Name, "kid")
	if err != nil || moved != first.UsedBytes {
		t.Fatalf("RemoveUser = %d, %v; want %d bytes moved", moved, err, first.UsedBytes)
	}
	if _, err := a.RemoveUser(ctx, "kid", ""); err == nil || !strings.Contains(err.Error(), "--transfer-to") {
		t.Fatalf("RemoveUser(last user, owner) = %v", err)
	}
}

func TestRetention(t *testing.T) {
	a, _ := newArchive(t)
	ctx := context.Background()
	var short *ShortRetentionError
	if err := a.SetRetention(ctx, time.Hour, false); !errors.As(err, &short) || !strings.Contains(err.Error(), "after 1 hour") {
		t.Fatalf("SetRetention(1h) = %v; want refused, saying when photos would go", err)
	}
	if err := a.SetRetention(ctx, time.Hour, true); err != nil {
		t.Fatal(err)
	}
	if d, err := a.Retention(ctx); err != nil || d != time.Hour {
		t.Fatalf("Retention = %v, %v; want 1h", d, err)
	}
}
