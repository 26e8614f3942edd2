package syncer

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/picup/picup/internal/blob"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/importer"
	"github.com/picup/picup/internal/library"
)

// scaleLibrary opens the generated library PICUP_SCALE_LIBRARY names
// (scripts/gen-catalog) and returns its remote, marked as a finished
// sync leaves it: synced up to the latest change, its catalog
// snapshotted at the current version. It writes those two rows.
func scaleLibrary(b *testing.B) (*library.Library, catalog.Remote) {
	b.Helper()
	dir := os.Getenv("PICUP_SCALE_LIBRARY")
	if dir == "" {
		b.Skip("PICUP_SCALE_LIBRARY is not set: make a library with scripts/gen-catalog --photos N --library DIR and name DIR there")
	}
	ctx := context.Background()
	lib, err := library.Open(ctx, dir)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { lib.Close() })
	remotes, err := lib.Catalog.Remotes(ctx)
	if err != nil || len(remotes) == 0 {
		b.Fatalf("the generated library has no remote (%v)", err)
	}
	r := remotes[0]
	markSynced(b, lib, r)
	return lib, r
}

// markSynced records that a sync to r finished now, with a full
// snapshot of the catalog as it is.
func markSynced(b *testing.B, lib *library.Library, r catalog.Remote) {
	b.Helper()
	ctx := context.Background()
	seq, trashMark, err := lib.Catalog.SnapshotMarks(ctx)
	if err != nil {
		b.Fatal(err)
	}
	fp, err := lib.Catalog.Fingerprint(ctx)
	if err != nil {
		b.Fatal(err)
	}
	version, err := lib.Catalog.CatalogVersion(ctx)
	if err != nil {
		b.Fatal(err)
	}
	err = lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		if err := tx.SyncedTo(ctx, r.Name, seq, nil); err != nil {
			return err
		}
		return tx.AddSnapshot(ctx, r.Name, catalog.Snapshot{Key: fmt.Sprintf("catalog/bench-%d.db", version), Version: version,
			Seq: seq, TrashMark: trashMark, Fingerprint: fp})
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkScaleNoopSync times a whole sync with nothing to do on the
// generated library: it must read no photo and call the store not at
// all, whatever the library's size.
func BenchmarkScaleNoopSync(b *testing.B) {
	lib, r := scaleLibrary(b)
	ctx := context.Background()
	for b.Loop() {
		sum, err := Sync(ctx, lib, r, untouchedStore{}, Options{})
		if err != nil || sum.Photos != 0 || sum.Uploaded+sum.Skipped+sum.Failed != 0 || sum.Snapshot != "" {
			b.Fatalf("no-op sync: %v %+v", err, sum)
		}
	}
}

// BenchmarkScaleSync1000 times the sync of 1,000 photos imported into
// the generated library (small generated JPEGs, imported before the
// timer starts): the plan, the uploads (into a store that drops them),
// the mark and the journal of what changed since the snapshot that
// scaleLibrary recorded (a copy of the whole catalog is not due: see
// BenchmarkScaleSnapshot).
func BenchmarkScaleSync1000(b *testing.B) {
	lib, r := scaleLibrary(b)
	ctx := context.Background()
	// Photos no earlier run imported: their content comes from the clock.
	first := int(time.Now().Unix()%4000) * 4000
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		src := b.TempDir()
		for j := range 1000 {
			writeJPEG(b, filepath.Join(src, fmt.Sprintf("new-%d-%d.jpg", i, j)), first+i*1000+j)
		}
		if _, err := importer.Run(ctx, lib, []string{src}, importer.Options{}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		sum, err := Sync(ctx, lib, r, snapshotStore{}, Options{})
		if err != nil || sum.Photos != 1000 || sum.Failed != 0 || sum.Journal == "" || sum.Snapshot != "" {
			b.Fatalf("sync of 1,000 new photos: %v %+v", err, sum)
		}
	}
}

// BenchmarkScaleSnapshot times a full snapshot of the generated
// library's catalog (sync --full-snapshot after a change), into a store
// that drops it.
func BenchmarkScaleSnapshot(b *testing.B) {
	lib, r := scaleLibrary(b)
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.SetCaption(ctx, 301, fmt.Sprintf("snapshot %d", i)) })
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		sum, err := Sync(ctx, lib, r, snapshotStore{}, Options{FullSnapshot: true})
		if err != nil || sum.Snapshot == "" {
			b.Fatalf("full snapshot: %v %+v", err, sum)
		}
	}
}

// snapshotStore drops what it is given and holds every snapshot it is
// asked about.
type snapshotStore struct{ dropStore }

func (snapshotStore) Head(_ context.Context, key string) (blob.Info, error) {
	if strings.HasPrefix(key, "catalog/") {
		return blob.Info{Key: key}, nil
	}
	return blob.Info{}, os.ErrNotExist
}

// untouchedStore fails every Put: a sync with nothing to do makes none.
type untouchedStore struct{ dropStore }

func (untouchedStore) Put(_ context.Context, key string, _ io.Reader, _ int64, _, _ string) error {
	return fmt.Errorf("put %s: a sync with nothing to do uploaded something", key)
}

// writeJPEG writes a small JPEG that no other seed makes.
func writeJPEG(b *testing.B, path string, seed int) {
	b.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{uint8(seed), uint8(seed >> 8), uint8(x*4 + y), 255})
		}
	}
	img.Set(0, 0, color.RGBA{uint8(seed >> 16), uint8(seed), 7, 255})
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := jpeg.Encode(f, img, &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkScaleRestoreCatalog times the catalog part of a restore from
// a remote on this disk (blob.NewDir): the download of a full snapshot
// of the generated library, its opening and a journal of 1,000 or
// 2,000 changed photos applied on it (the difference is what 1,000
// photos of a journal cost); the originals, which the generated rows name but do
// not have, are not downloaded. Setting up takes a full snapshot.
func BenchmarkScaleRestoreCatalog(b *testing.B) {
	lib, r := scaleLibrary(b)
	for _, n := range []int{1000, 2000} {
		b.Run(fmt.Sprintf("journal-%d", n), func(b *testing.B) { benchRestoreCatalog(b, lib, r, n) })
	}
}

func benchRestoreCatalog(b *testing.B, lib *library.Library, r catalog.Remote, n int) {
	ctx := context.Background()
	store := blob.NewDir(b.TempDir())
	if err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.SetCaption(ctx, 301, fmt.Sprintf("restore %d", n)) }); err != nil {
		b.Fatal(err)
	}
	if sum, err := Sync(ctx, lib, r, store, Options{FullSnapshot: true}); err != nil || sum.Snapshot == "" {
		b.Fatalf("full snapshot: %v %+v", err, sum)
	}
	// n photos whose originals are in the remote get a caption.
	err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE photos SET caption = 'restore ' || id || ' ' || ? WHERE id IN (SELECT p.id FROM photos p
			WHERE p.id >= 1000 AND EXISTS (SELECT 1 FROM remote_objects o WHERE o.remote = ? AND o.key = p.path) ORDER BY p.id LIMIT ?)`,
			n, r.Name, n)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	sum, err := Sync(ctx, lib, r, store, Options{journalAlways: true})
	if err != nil || sum.Journal == "" || sum.Uploaded < n {
		b.Fatalf("journal: %v %+v", err, sum)
	}
	for b.Loop() {
		b.StopTimer()
		dst := filepath.Join(b.TempDir(), "restored")
		b.StartTimer()
		var rs RestoreSummary
		rlib, err := restoreCatalog(ctx, dst, r, store, RestoreOptions{Transfers: 4}, &rs)
		if err != nil || rs.CaughtUp != n {
			b.Fatalf("restore the catalog: %v %+v", err, rs)
		}
		rlib.Close()
		b.StopTimer()
		os.RemoveAll(dst)
		b.StartTimer()
	}
}
