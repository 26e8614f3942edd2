package main

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
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
}
