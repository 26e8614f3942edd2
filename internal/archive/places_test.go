package archive

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/importer"
	"github.com/picup/picup/internal/library"
)

// TestPlaces: an import looks up the place of each photo with a
// position; a library whose photos have none yet gets them from the
// housekeeping every command starts with, a few thousand at a time; a
// position at sea is recorded as nowhere and not looked up again.
func TestPlaces(t *testing.T) {
	ctx := context.Background()
	lib, err := library.Open(ctx, filepath.Join(t.TempDir(), "lib"))
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	if _, err := importer.Run(ctx, lib, []string{filepath.Join("..", "..", "testdata", "photos")}, importer.Options{}); err != nil {
		t.Fatal(err)
	}
	placed := func() map[int64]catalog.Place {
		t.Helper()
		all, err := lib.Catalog.FilteredPhotos(ctx, catalog.PhotoFilter{}, nil, 1000)
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]catalog.Place{}
		for _, p := range all {
			if p.Lat != nil {
				out[p.ID] = p.Place
			}
		}
		return out
	}
	first := placed()
	if len(first) == 0 {
		t.Fatal("no photo of the test data has a position")
	}
	for id, pl := range first {
		if pl.Country == "" || pl.City == "" {
			t.Errorf("photo %d: imported without a place: %+v", id, pl)
		}
	}
	// A library from before places: its photos have positions, no place.
	var some int64
	err = lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE photos SET place_country = NULL, place_region = NULL, place_city = NULL`)
		if err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT min(id) FROM photos WHERE lat IS NOT NULL`).Scan(&some)
	})
	if err != nil {
		t.Fatal(err)
	}
	// And one photo in the middle of the Atlantic.
	err = lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE photos SET lat = 0, lon = -30 WHERE id = ?`, some)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	a := New(lib)
	if _, err := a.Maintain(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	after := placed()
	for id, pl := range after {
		switch {
		case id == some && pl != (catalog.Place{}):
			t.Errorf("photo %d at sea: %+v; want no place", id, pl)
		case id != some && pl != first[id]:
			t.Errorf("photo %d: %+v after housekeeping; want %+v as at import", id, pl, first[id])
		}
	}
	if n, err := a.FillPlaces(ctx, 0); err != nil || n != 0 {
		t.Errorf("FillPlaces after housekeeping: %d, %v; want nothing left (the photo at sea included)", n, err)
	}
}
