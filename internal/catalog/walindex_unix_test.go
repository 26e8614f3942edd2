//go:build !windows

package catalog

import (
	"context"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// A Catalog that closes while another Catalog of the same file stays open
// in the process keeps its WAL-index descriptor open: closing it would
// drop the SQLite locks the other Catalog's connections hold on the file.
func TestWALIndexOutlivesSiblingCatalogs(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	first, err := Open(ctx, filepath.Join(dir, "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	second, err := Open(ctx, filepath.Join(dir, ".", "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.CatalogVersion(ctx); err != nil {
		t.Fatal(err)
	}
	w := first.version.wal
	if w == nil {
		t.Fatal("CatalogVersion mapped no WAL index")
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := unix.FcntlInt(uintptr(w.fd), unix.F_GETFD, 0); err != nil {
		t.Fatalf("the WAL-index descriptor was closed while another Catalog of the file is open: %v", err)
	}
	insert(t, second, testPhoto(1, 10))
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := unix.FcntlInt(uintptr(w.fd), unix.F_GETFD, 0); err == nil {
		t.Error("the WAL-index descriptor is still open after the last Catalog of the file closed")
	}
	openDBs.mu.Lock()
	defer openDBs.mu.Unlock()
	if n, held := openDBs.open[first.key], openDBs.held[first.key]; n != 0 || held != nil {
		t.Errorf("the registry still counts %d open and holds %d descriptors for %s", n, len(held), first.key)
	}
}
