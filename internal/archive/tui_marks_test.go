package archive

import (
	"context"
	"testing"
)

func TestSeenActivityOnlyMovesForward(t *testing.T) {
	a, _ := newArchive(t)
	ctx := context.Background()
	if seen, err := a.SeenActivity(ctx); err != nil || seen != 0 {
		t.Fatalf("SeenActivity before any = %d, %v; want 0", seen, err)
	}
	v0, err := a.Library().Catalog.CatalogVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{7, 3} {
		if err := a.SetSeenActivity(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if seen, err := a.SeenActivity(ctx); err != nil || seen != 7 {
		t.Errorf("SeenActivity after 7 then 3 = %d, %v; want 7", seen, err)
	}
	// The mark is the browser's own: it does not tell the viewers and
	// the other browsers that the catalog changed.
	if v1, err := a.Library().Catalog.CatalogVersion(ctx); err != nil || v1 != v0 {
		t.Errorf("catalog version %d -> %d (%v); want it unchanged", v0, v1, err)
	}
}
