package sharelink

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
)

func openLibrary(t *testing.T) *library.Library {
	t.Helper()
	lib, err := library.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	return lib
}

func TestCreate(t *testing.T) {
	ctx := context.Background()
	lib := openLibrary(t)
	if err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { _, err := tx.CreateAlbum(ctx, "Jeju 2019"); return err }); err != nil {
		t.Fatal(err)
	}

	link, err := Create(ctx, lib, Spec{Album: "Jeju 2019", Name: "For Mom", Expires: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), BindIP: true})
	if err != nil {
		t.Fatal(err)
	}
	token, ok := strings.CutPrefix(link.URL, DefaultPublicURL+"/s/")
	if !ok || len(token) != 32 {
		t.Fatalf("URL %q: want %s/s/ and a 32-character token", link.URL, DefaultPublicURL)
	}
	sh, err := lib.Catalog.ShareByTokenHash(ctx, catalog.HashToken(token))
	if err != nil {
		t.Fatalf("the link's token does not find its share: %v", err)
	}
	if sh.ID != link.ID || sh.Name != "For Mom" || sh.AlbumName != "Jeju 2019" || !sh.BindIP || !sh.ExpiresAt.Equal(link.ExpiresAt) || catalog.FormatTime(link.ExpiresAt) != "2030-01-01T00:00:00Z" {
		t.Errorf("stored %+v for link %+v", sh, link)
	}
	if link.Scope != `album "Jeju 2019"` {
		t.Errorf("Scope = %q", link.Scope)
	}

	// The saved public URL, then an explicit one.
	if err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.SetSetting(ctx, PublicURLSetting, "https://photos.example.org") }); err != nil {
		t.Fatal(err)
	}
	if link, err = Create(ctx, lib, Spec{Year: 2024}); err != nil || !strings.HasPrefix(link.URL, "https://photos.example.org/s/") || link.Scope != "photos of 2024" {
		t.Errorf("year link: %+v, %v", link, err)
	}
	if link, err = Create(ctx, lib, Spec{Year: 2024, PublicURL: "http://nas.local:8080/"}); err != nil || !strings.HasPrefix(link.URL, "http://nas.local:8080/s/") {
		t.Errorf("link with a public URL: %+v, %v", link, err)
	}

	for _, bad := range []struct {
		spec Spec
		want string
	}{
		{Spec{}, "got 0 of them"},
		{Spec{Album: "Jeju 2019", Year: 2020}, "got 2 of them"},
		{Spec{Year: 24}, "want a year such as 2024"},
		{Spec{Album: "Nowhere"}, `no album named "Nowhere"`},
		{Spec{PhotoIDs: []int64{7}}, "photo 7 is not in the library"},
		{Spec{Year: 2024, PublicURL: "photos.example.org"}, "want an absolute http:// or https:// URL"},
	} {
		if _, err := Create(ctx, lib, bad.spec); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("Create(%+v) = %v; want an error with %q", bad.spec, err, bad.want)
		}
	}
	if _, err := Create(ctx, lib, Spec{PhotoIDs: []int64{7}}); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("unknown photo: %v is not ErrNotFound", err)
	}
	shares, err := lib.Catalog.Shares(ctx)
	if err != nil || len(shares) != 3 {
		t.Errorf("%d shares stored (%v), want the 3 made", len(shares), err)
	}
}
