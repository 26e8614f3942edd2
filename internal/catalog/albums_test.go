package catalog

import (
	"context"
	"fmt"
	"slices"
	"testing"
)

// Adding many photos to an album (or taking them out) is one statement: ids that name no
// photo, repeat or are in the album already add nothing, the album's
// counters count the photos added, and the feed says who added them in
// rows of at most mergeMax photos, the first grown from the newest row
// when that row is the same person's run in the same album.
func TestAddManyToAlbum(t *testing.T) {
	c := openTest(t)
	ctx := context.Background()
	const n = 2*mergeMax + 30
	var ps []Photo
	for i := 1; i <= n; i++ {
		ps = append(ps, testPhoto(i, int64(i)*1000))
	}
	insert(t, c, ps...)
	var album int64
	add := func(ids []int64, by Actor) int {
		t.Helper()
		var added int
		err := c.Write(ctx, func(tx *Tx) error {
			var err error
			if album == 0 {
				if album, err = tx.CreateAlbum(ctx, "Jeju 2019"); err != nil {
					return err
				}
			}
			added, err = tx.AddManyToAlbum(ctx, album, ids, by)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return added
	}
	mom := Actor{Name: "mom"}
	if got := add([]int64{1, 2, 2, n + 7, 3}, mom); got != 3 {
		t.Errorf("1, 2, 2, a missing id and 3 added %d photos; want 3", got)
	}
	var rest []int64
	for id := int64(1); id <= n; id++ {
		rest = append(rest, id)
	}
	if got := add(rest, mom); got != n-3 {
		t.Errorf("all %d photos added %d; want %d (3 were in the album)", n, got, n-3)
	}
	if got := add([]int64{5}, Actor{}); got != 0 {
		t.Errorf("a member again added %d", got)
	}
	a, err := c.AlbumByName(ctx, "Jeju 2019")
	if err != nil || a.Photos != n || a.Videos != 0 {
		t.Fatalf("album = %+v, %v; want %d photos", a, err, n)
	}
	rows, err := c.Activities(ctx, ActivityFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int
	var all []int64
	for _, r := range rows {
		if r.Kind != ActivityPhotos || r.AlbumID != album || r.Name != "mom" {
			t.Errorf("feed row %+v", r)
		}
		sizes = append(sizes, len(r.PhotoIDs))
		all = append(all, r.PhotoIDs...)
	}
	// Newest first: the last row holds the 30 left over.
	if fmt.Sprint(sizes) != fmt.Sprint([]int{30, mergeMax, mergeMax}) {
		t.Errorf("feed rows of %v photos; want [30 %d %d]", sizes, mergeMax, mergeMax)
	}
	slices.Sort(all)
	if !slices.Equal(all, rest) {
		t.Errorf("the feed names %d photos, not each of the %d once", len(all), n)
	}

	var removed int
	err = c.Write(ctx, func(tx *Tx) error {
		var err error
		removed, err = tx.RemoveFromAlbum(ctx, album, []int64{1, 1, n + 7, 2})
		return err
	})
	if err != nil || removed != 2 {
		t.Fatalf("1, 1, a missing id and 2 removed %d, %v; want 2", removed, err)
	}
	if a, err := c.AlbumByName(ctx, "Jeju 2019"); err != nil || a.Photos != n-2 {
		t.Errorf("album = %+v, %v; want %d photos", a, err, n-2)
	}
}
