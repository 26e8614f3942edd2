package catalog

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestFilteredPhotos: each filter and their combinations let through the
// right photos, newest first, page after page by cursor; local dates
// near midnight and before 1970 fall on their own day.
func TestFilteredPhotos(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	// i: local capture time, its instant, type
	type spec struct {
		at, instant, typ string
	}
	specs := []spec{
		1: {"2019-05-01T00:30:00+09:00", "2019-04-30T15:30:00Z", "photo"}, // 1 May in Korea, 30 April in UTC
		2: {"2019-05-03T12:00:00", "2019-05-03T12:00:00Z", "video"},
		3: {"2019-06-30T23:59:00", "2019-06-30T23:59:00Z", "photo"},
		4: {"2019-07-01T00:00:00", "2019-07-01T00:00:00Z", "photo"},
		5: {"1962-07-14T10:00:00", "1962-07-14T10:00:00Z", "photo"},
		6: {"2024-01-01T09:00:00", "2024-01-01T09:00:00Z", "video"},
	}
	ids := map[int]int64{}
	var mom, family int64
	err := c.Write(ctx, func(tx *Tx) error {
		var err error
		if mom, err = tx.CreateUser(ctx, "mom", nil); err != nil {
			return err
		}
		if family, err = tx.CreateAlbum(ctx, "Family"); err != nil {
			return err
		}
		for i, s := range specs {
			if s.at == "" {
				continue
			}
			p := testPhoto(i, 0)
			ts, _ := time.Parse(time.RFC3339, s.instant)
			p.TakenAt, p.TakenKey, p.Type = s.at, ts.UnixMilli(), s.typ
			id, err := tx.InsertPhoto(ctx, p)
			if err != nil {
				return err
			}
			ids[i] = id
			p.ID = id
			if i%2 == 1 {
				if _, err := tx.Own(ctx, p, mom); err != nil {
					return err
				}
			}
			if i <= 3 {
				if _, err := tx.AddToAlbum(ctx, family, id, Actor{}); err != nil {
					return err
				}
			}
		}
		if err := tx.SetState(ctx, ids[3], "corrupt"); err != nil {
			return err
		}
		return tx.SetOffloaded(ctx, ids[4], "b2")
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		f    PhotoFilter
		want []int // newest first
	}{
		{"all", PhotoFilter{}, []int{6, 4, 3, 2, 1, 5}},
		{"a month, by local date", PhotoFilter{Since: "2019-05-01", Until: "2019-05-31"}, []int{2, 1}},
		{"a range's last day included", PhotoFilter{Since: "2019-06-30", Until: "2019-06-30"}, []int{3}},
		{"since alone", PhotoFilter{Since: "2019-07-01"}, []int{6, 4}},
		{"until alone, before 1970", PhotoFilter{Until: "1970-01-01"}, []int{5}},
		{"videos", PhotoFilter{Type: "video"}, []int{6, 2}},
		{"album", PhotoFilter{AlbumID: family}, []int{3, 2, 1}},
		{"album and owner", PhotoFilter{AlbumID: family, OwnerID: mom}, []int{3, 1}},
		{"owner and dates", PhotoFilter{OwnerID: mom, Since: "2019-01-01", Until: "2019-12-31"}, []int{3, 1}},
		{"corrupt", PhotoFilter{State: "corrupt"}, []int{3}},
		{"offloaded", PhotoFilter{State: "offloaded"}, []int{4}},
		{"ok leaves out both", PhotoFilter{State: "ok"}, []int{6, 2, 1, 5}},
		{"nothing", PhotoFilter{Type: "video", AlbumID: family, State: "corrupt"}, nil},
	} {
		for _, pageSize := range []int{1, 2, 100} {
			var got []int
			var after *Cursor
			for range 20 {
				page, err := c.FilteredPhotos(ctx, tc.f, after, pageSize)
				if err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				for _, p := range page {
					got = append(got, indexOf(ids, p.ID))
				}
				if len(page) < pageSize {
					break
				}
				cur := CursorOf(page[len(page)-1])
				after = &cur
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s, pages of %d: %v, want %v", tc.name, pageSize, got, tc.want)
			}
		}
	}
	for _, bad := range []PhotoFilter{{Since: "2019-5-1"}, {Until: "tomorrow"}, {State: "broken"}} {
		if _, err := c.FilteredPhotos(ctx, bad, nil, 10); err == nil {
			t.Errorf("FilteredPhotos(%+v) accepted", bad)
		}
	}
}

func indexOf(ids map[int]int64, id int64) int {
	for i, v := range ids {
		if v == id {
			return i
		}
	}
	panic(fmt.Sprint("unknown photo id ", id))
}

// TestFilteredPhotosDatesAlone: a photo dated by a month or a year alone
// counts as taken on the first day of it.
func TestFilteredPhotosDatesAlone(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	month, year := testPhoto(1, 0), testPhoto(2, 0)
	month.TakenAt, month.TakenKey = "1962-07", time.Date(1962, 7, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	year.TakenAt, year.TakenKey = "1962", time.Date(1962, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	insert(t, c, month, year)
	for _, tc := range []struct {
		f    PhotoFilter
		want int
	}{
		{PhotoFilter{Since: "1962-07-01", Until: "1962-07-31"}, 1},
		{PhotoFilter{Since: "1962-01-01", Until: "1962-12-31"}, 2},
		{PhotoFilter{Since: "1962-07-02"}, 0},
		{PhotoFilter{Until: "1962-06-30"}, 1},
	} {
		got, err := c.FilteredPhotos(ctx, tc.f, nil, 10)
		if err != nil || len(got) != tc.want {
			t.Errorf("%+v: %d photos, %v; want %d", tc.f, len(got), err, tc.want)
		}
	}
}
