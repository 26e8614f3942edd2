package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"testing"

	"github.com/picup/picup/internal/blob"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/syncer"
)

// TestGenerate makes a generated library (PICUP_GEN_PHOTOS photos, 3,000
// by default) with its checks (integrity, foreign keys, the search index
// row by row, the users' counters), then reads it through picup's own
// code and checks its shape.
func TestGenerate(t *testing.T) {
	n := 3_000
	if s := os.Getenv("PICUP_GEN_PHOTOS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatalf("PICUP_GEN_PHOTOS=%q: want a count", s)
		}
	}
	ctx := context.Background()
	dir := t.TempDir()
	if err := generate(ctx, options{photos: n, library: dir, seed: 3, check: true, log: t.Logf}); err != nil {
		t.Fatal(err)
	}
	if err := generate(ctx, options{photos: 10, library: dir, seed: 3, log: t.Logf}); err == nil {
		t.Error("a second run on the same library was accepted; want it refused (album names would collide)")
	}
	lib, err := library.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	users, err := lib.Catalog.Users(ctx)
	if err != nil || len(users) != 5 {
		t.Fatalf("users = %d, %v; want 5", len(users), err)
	}
	live, trashed := 0, int64(0)
	for _, u := range users {
		if u.QuotaBytes == nil || u.UsedBytes > *u.QuotaBytes || u.Photos == 0 {
			t.Errorf("user %+v: want a quota above their usage, and photos", u)
		}
		live += u.Photos + u.Videos
		trashed += u.TrashedBytes
	}
	if live < n*98/100 || trashed == 0 {
		t.Errorf("%d live photos counted over the users, %d trashed bytes; want about %d (one in 100 has two owners), some trashed", live, trashed, n)
	}
	albums, err := lib.Catalog.Albums(ctx)
	if err != nil || len(albums) != 2000 {
		t.Fatalf("albums = %d, %v; want 2000", len(albums), err)
	}
	shares, err := lib.Catalog.Shares(ctx)
	if err != nil || len(shares) != 100 {
		t.Fatalf("shares = %d, %v; want 100", len(shares), err)
	}
	scopes := map[string]int{}
	for _, s := range shares {
		switch {
		case s.AlbumID != 0:
			scopes["album"]++
		case s.Year != 0:
			scopes["year"]++
		default:
			scopes["selection"]++
		}
		ps, err := lib.Catalog.SharePhotos(ctx, s, nil, 60)
		if err != nil || s.Year == 0 && len(ps) == 0 {
			t.Errorf("share %d (%s) opens %d photos, %v", s.ID, s.Scope(), len(ps), err)
		}
	}
	if scopes["album"] != 60 || scopes["selection"] != 30 || scopes["year"] != 10 {
		t.Errorf("shares = %v; want 60 albums, 30 selections and 10 years", scopes)
	}
	page, err := lib.Catalog.ListPhotos(ctx, nil, 50)
	if err != nil || len(page) != 50 {
		t.Fatalf("first page: %d photos, %v", len(page), err)
	}
	for i := 1; i < len(page); i++ {
		if catalog.CursorOf(page[i]).TakenKey > page[i-1].TakenKey {
			t.Fatalf("the first page is not newest first: %+v before %+v", page[i-1], page[i])
		}
	}
	checkScale(t, lib, live)
}

// checkScale checks what must hold whatever the size of the library,
// without timing anything: the pages of ls at any depth are full and in
// order, the counters agree with a count, and a sync after which
// nothing changed reads no photo and calls the remote not at all.
func checkScale(t *testing.T, lib *library.Library, live int) {
	ctx := context.Background()
	total, err := lib.Catalog.CountPhotos(ctx, catalog.Filter{})
	if err != nil || total < live/2 {
		t.Fatalf("CountPhotos = %d, %v; the users own %d", total, err, live)
	}
	var cursor *catalog.Cursor
	seen := 0
	for seen < total-50 {
		page, err := lib.Catalog.ListPhotos(ctx, cursor, 1000)
		if err != nil || len(page) != 1000 && seen+len(page) != total {
			t.Fatalf("a page at %d of %d: %d photos, %v", seen, total, len(page), err)
		}
		seen += len(page)
		c := catalog.CursorOf(page[len(page)-1])
		cursor = &c
	}
	albums, err := lib.Catalog.Albums(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range albums[:20] {
		n, err := lib.Catalog.CountPhotos(ctx, catalog.Filter{AlbumID: a.ID})
		if err != nil || n != a.Photos+a.Videos {
			t.Errorf("album %q counts %d photos and %d videos, holds %d (%v)", a.Name, a.Photos, a.Videos, n, err)
		}
	}
	remotes, err := lib.Catalog.Remotes(ctx)
	if err != nil || len(remotes) != 1 {
		t.Fatalf("remotes = %v, %v", remotes, err)
	}
	r := remotes[0]
	seq, err := lib.Catalog.ChangeSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	version, err := lib.Catalog.CatalogVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A sync reached the latest change and recorded the catalog as it is.
	err = lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		if err := tx.SyncedTo(ctx, r.Name, seq, nil); err != nil {
			return err
		}
		return tx.AddSnapshot(ctx, r.Name, catalog.Snapshot{Key: "catalog/now.db", Version: version})
	})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := syncer.Sync(ctx, lib, r, refusingStore{}, syncer.Options{})
	if err != nil || sum.Photos != 0 || sum.Uploaded+sum.Skipped+sum.Failed != 0 {
		t.Errorf("a sync with nothing changed: %v %+v; want no photo read and no call to the remote", err, sum)
	}
}

// refusingStore fails every call: a sync with nothing to do makes none.
type refusingStore struct{}

func (refusingStore) Put(_ context.Context, key string, _ io.Reader, _ int64, _, _ string) error {
	return fmt.Errorf("put %s: a sync with nothing to do called the remote", key)
}
func (refusingStore) Head(_ context.Context, key string) (blob.Info, error) {
	return blob.Info{}, fmt.Errorf("head %s: a sync with nothing to do called the remote", key)
}
func (refusingStore) Get(_ context.Context, key string) (io.ReadCloser, blob.Info, error) {
	return nil, blob.Info{}, fmt.Errorf("get %s: a sync with nothing to do called the remote", key)
}
func (refusingStore) Delete(_ context.Context, key string) error {
	return fmt.Errorf("delete %s: a sync with nothing to do called the remote", key)
}
func (refusingStore) List(_ context.Context, prefix string, _ func(blob.Info) error) error {
	return fmt.Errorf("list %s: a sync with nothing to do called the remote", prefix)
}
