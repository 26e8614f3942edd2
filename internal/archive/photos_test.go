package archive

import (
	"context"
	"testing"
)

func TestPhotoDetailsAndTrashed(t *testing.T) {
	ctx := context.Background()
	a, ids := newArchive(t)
	if _, err := a.AddToAlbum(ctx, "Family", ids[:1]); err != nil {
		t.Fatal(err)
	}
	if d, err := a.PhotoDetails(ctx, ids[0]); err != nil || len(d.Albums) != 1 || d.Albums[0] != "Family" || d.Sidecars == nil {
		t.Errorf("details of a photo in an album: %+v, %v; want the album, and no sidecars as an empty list", d, err)
	}
	if d, err := a.PhotoDetails(ctx, ids[1]); err != nil || d.Albums == nil || len(d.Albums) != 0 {
		t.Errorf("details of a photo in no album: %+v, %v; want an empty list", d, err)
	}

	if c, err := a.Trashed(ctx); err != nil || len(c.Photos) != 0 || c.Bytes != 0 || c.Retention <= 0 {
		t.Errorf("empty trash: %+v, %v", c, err)
	}
	if _, err := a.Trash(ctx, ids[:2]); err != nil {
		t.Fatal(err)
	}
	c, err := a.Trashed(ctx)
	if err != nil || len(c.Photos) != 2 || c.Bytes != c.Photos[0].Bytes+c.Photos[1].Bytes || c.Photos[0].TrashedAt.IsZero() {
		t.Errorf("trash of 2: %+v, %v; want both, their size and when they were trashed", c, err)
	}
}
