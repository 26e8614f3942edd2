package syncer_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/picup/picup/internal/blob"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/syncer"
	"github.com/picup/picup/internal/thumb"
)

// memStore accepts every Put (checking its hash) and keeps nothing: it
// lists nothing, and Head and Get find nothing.
type memStore struct {
	puts atomic.Int64
}

func (m *memStore) Put(ctx context.Context, key string, r io.Reader, size int64, sum, ct string) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if int64(len(b)) != size || sha(b) != sum {
		return fmt.Errorf("put %s: content does not match", key)
	}
	m.puts.Add(1)
	return nil
}
func (m *memStore) Head(context.Context, string) (blob.Info, error) {
	return blob.Info{}, os.ErrNotExist
}
func (m *memStore) Get(context.Context, string) (io.ReadCloser, blob.Info, error) {
	return nil, blob.Info{}, os.ErrNotExist
}
func (m *memStore) Delete(context.Context, string) error                      { return nil }
func (m *memStore) List(context.Context, string, func(blob.Info) error) error { return nil }

// countingStore counts every call; a no-op sync must make none.
type countingStore struct {
	calls atomic.Int64
}

func (c *countingStore) Put(context.Context, string, io.Reader, int64, string, string) error {
	c.calls.Add(1)
	return fmt.Errorf("put called")
}
func (c *countingStore) Head(context.Context, string) (blob.Info, error) {
	c.calls.Add(1)
	return blob.Info{}, fmt.Errorf("head called")
}
func (c *countingStore) Get(context.Context, string) (io.ReadCloser, blob.Info, error) {
	c.calls.Add(1)
	return nil, blob.Info{}, fmt.Errorf("get called")
}
func (c *countingStore) Delete(context.Context, string) error {
	c.calls.Add(1)
	return fmt.Errorf("delete called")
}
func (c *countingStore) List(context.Context, string, func(blob.Info) error) error {
	c.calls.Add(1)
	return fmt.Errorf("list called")
}

// fillLibrary catalogues n tiny photos, each with its thumbnails on disk
// and an owner.
func fillLibrary(tb testing.TB, lib *library.Library, n int) { addPhotos(tb, lib, 0, n) }

// addPhotos catalogues the tiny photos from to from+n-1.
func addPhotos(tb testing.TB, lib *library.Library, from, n int) {
	tb.Helper()
	ctx := context.Background()
	users, err := lib.Catalog.Users(ctx)
	if err != nil || len(users) == 0 {
		tb.Fatalf("users: %v", err)
	}
	owner := users[0].ID
	const batch = 1000
	for start := from; start < from+n; start += batch {
		err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
			for i := start; i < min(from+n, start+batch); i++ {
				content := []byte(fmt.Sprintf("photo %d", i))
				p := catalog.Photo{
					SHA256: sha(content), Path: fmt.Sprintf("originals/2024/2024-01-%02d/IMG_%05d.JPG", i%28+1, i),
					OriginalName: fmt.Sprintf("IMG_%05d.JPG", i), Type: "photo", Format: "jpeg", MIME: "image/jpeg",
					Bytes: int64(len(content)), TakenAt: "2024-01-01T12:00:00", TakenKey: int64(1704110400000 + i),
					TakenSource: "exif", Width: 4000, Height: 3000, Orientation: 1, Thumbs: "ok",
					ImportedAt: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC),
				}
				if err := writeFile(lib.Abs(p.Path), content); err != nil {
					return err
				}
				for _, s := range thumb.Sizes {
					if err := writeFile(lib.Abs(library.ThumbPath(p.SHA256, s.Name)), []byte("thumb "+string(s.Name)+p.SHA256)); err != nil {
						return err
					}
				}
				id, err := tx.InsertPhoto(ctx, p)
				if err != nil {
					return err
				}
				p.ID = id
				if _, err := tx.Own(ctx, p, owner); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
}

func writeFile(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// syncedLibrary is a library of n tiny photos with a remote that a first
// sync (into memory) filled; the library closes with the benchmark.
func syncedLibrary(b *testing.B, n int) (*library.Library, catalog.Remote, *memStore) {
	b.Helper()
	ctx := context.Background()
	lib, err := library.Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { lib.Close() })
	r := catalog.Remote{Name: "bench", Bucket: "bench", Endpoint: "127.0.0.1:1", KeepSnapshots: 2}
	if err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.AddRemote(ctx, r) }); err != nil {
		b.Fatal(err)
	}
	fillLibrary(b, lib, n)
	mem := &memStore{}
	sum, err := syncer.Sync(ctx, lib, r, mem, syncer.Options{Transfers: 8})
	if err != nil || sum.Failed != 0 || sum.Snapshot == "" {
		b.Fatalf("priming sync: %v %+v", err, sum)
	}
	return lib, r, mem
}

// BenchmarkNoopSync10k times a sync with nothing to do of a library of
// 10,000 photos whose objects are all recorded as in the remote: it
// looks at no photo (only those changed since the last sync), so its
// time does not grow with the library.
func BenchmarkNoopSync10k(b *testing.B) {
	const n = 10000
	ctx := context.Background()
	start := time.Now()
	lib, r, mem := syncedLibrary(b, n)
	if want := int64(n * (2 + len(thumb.Sizes))); mem.puts.Load() != want+1 {
		b.Fatalf("priming sync put %d objects, want %d", mem.puts.Load(), want+1)
	}
	b.Logf("setup: %d photos, %d objects in %v", n, mem.puts.Load(), time.Since(start).Round(time.Millisecond))

	store := &countingStore{}
	b.ResetTimer()
	for b.Loop() {
		sum, err := syncer.Sync(ctx, lib, r, store, syncer.Options{})
		if err != nil || sum.Uploaded != 0 || sum.Failed != 0 || sum.Snapshot != "" || sum.Skipped != 0 {
			b.Fatalf("no-op sync: %v %+v", err, sum)
		}
	}
	b.StopTimer()
	if c := store.calls.Load(); c != 0 {
		b.Fatalf("a no-op sync made %d calls to the store", c)
	}
}

// BenchmarkSyncAfter1000 times a sync of 1,000 photos added to a library
// of 10,000 already synced (into memory): it reads those 1,000, not the
// 10,000, so its time is that of the new photos.
func BenchmarkSyncAfter1000(b *testing.B) {
	const n, added = 10000, 1000
	ctx := context.Background()
	lib, r, mem := syncedLibrary(b, n)
	next := n
	for b.Loop() {
		b.StopTimer()
		addPhotos(b, lib, next, added)
		next += added
		b.StartTimer()
		sum, err := syncer.Sync(ctx, lib, r, mem, syncer.Options{Transfers: 8})
		if err != nil || sum.Failed != 0 || sum.Uploaded != added*(2+len(thumb.Sizes)) || sum.Skipped != 0 {
			b.Fatalf("sync of %d new photos: %v %+v", added, err, sum)
		}
	}
}
