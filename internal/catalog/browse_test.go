package catalog

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// browsePhoto is a photo taken at a local time given as taken_at writes it
// (with or without an offset).
func browsePhoto(i int, takenAt, name, camera string) Photo {
	p := testPhoto(i, 0)
	p.OriginalName = name
	p.CameraModel = camera
	p.TakenAt = takenAt
	if t, err := time.Parse(time.RFC3339, takenAt); err == nil {
		p.TakenKey, p.OffsetKnown = t.UnixMilli(), true
	} else {
		t, err := time.Parse("2006-01-02T15:04:05", takenAt)
		if err != nil {
			panic(err)
		}
		p.TakenKey = t.UnixMilli()
	}
	return p
}

// browseLibrary holds photos around year and month ends, where the local
// date and the UTC date differ.
func browseLibrary(t *testing.T) *Catalog {
	t.Helper()
	c := openTest(t)
	insert(t, c,
		browsePhoto(1, "2018-06-15T10:00:00", "IMG_0001.JPG", "Canon EOS 5D"),
		browsePhoto(2, "2019-05-01T01:00:00+09:00", "IMG_0002.JPG", "iPhone 12"),   // 2019-04-30 in UTC
		browsePhoto(3, "2019-04-30T22:00:00-10:00", "DSC_0003.JPG", "Nikon D5000"), // 2019-05-01 in UTC
		browsePhoto(4, "2019-12-31T23:30:00+09:00", "IMG_0004.JPG", "iPhone 12"),
		browsePhoto(5, "2020-01-01T05:00:00+09:00", "PXL_0005.JPG", "Pixel 7"), // 2019 in UTC
		browsePhoto(6, "2020-01-01T05:00:00", "PXL_0006.JPG", "Pixel 7"),
		browsePhoto(7, "2019-05-20T12:00:00", "IMG_0007.JPG", ""),
	)
	return c
}

func TestTimeline(t *testing.T) {
	c := browseLibrary(t)
	ctx := context.Background()
	tests := []struct {
		within string
		want   []Bucket
	}{
		{"", []Bucket{{"2020", 2}, {"2019", 4}, {"2018", 1}}},
		{"2019", []Bucket{{"2019-12", 1}, {"2019-05", 2}, {"2019-04", 1}}},
		{"2019-05", []Bucket{{"2019-05-20", 1}, {"2019-05-01", 1}}},
		{"2017", nil},
	}
	for _, tt := range tests {
		got, err := c.Timeline(ctx, tt.within)
		if err != nil {
			t.Fatalf("Timeline(%q): %v", tt.within, err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Timeline(%q) = %v; want %v", tt.within, got, tt.want)
		}
	}
	if _, err := c.Timeline(ctx, "2019-5"); err == nil {
		t.Error(`Timeline("2019-5") succeeded; want an error`)
	}
	if err := c.Write(ctx, func(tx *Tx) error { _, err := tx.Trash(ctx, []int64{1}); return err }); err != nil {
		t.Fatal(err)
	}
	got, err := c.Timeline(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := []Bucket{{"2020", 2}, {"2019", 4}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Timeline after trashing the 2018 photo = %v; want %v", got, want)
	}
}

func TestPeriodDates(t *testing.T) {
	tests := []struct{ in, from, to string }{
		{"2019", "2019-01-01", "2019-12-31"},
		{"2020-02", "2020-02-01", "2020-02-29"},
		{"2019-05-07", "2019-05-07", "2019-05-07"},
	}
	for _, tt := range tests {
		from, to, err := PeriodDates(tt.in)
		if err != nil || from != tt.from || to != tt.to {
			t.Errorf("PeriodDates(%q) = %q, %q, %v; want %q, %q", tt.in, from, to, err, tt.from, tt.to)
		}
	}
	for _, bad := range []string{"", "19", "2019-13", "2019-02-30", "yesterday"} {
		if _, _, err := PeriodDates(bad); err == nil {
			t.Errorf("PeriodDates(%q) succeeded; want an error", bad)
		}
	}
}

func ids(ps []Photo) []int64 {
	out := []int64{}
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

func TestBrowsePhotosFilters(t *testing.T) {
	c := browseLibrary(t)
	ctx := context.Background()
	var album, user int64
	err := c.Write(ctx, func(tx *Tx) error {
		var err error
		if album, err = tx.CreateAlbum(ctx, "Jeju"); err != nil {
			return err
		}
		if user, err = tx.CreateUser(ctx, "mom", nil); err != nil {
			return err
		}
		for _, id := range []int64{2, 4, 7} {
			if _, err := tx.AddToAlbum(ctx, album, id, Actor{}); err != nil {
				return err
			}
		}
		for _, id := range []int64{4, 5} {
			p, err := tx.PhotoBySHA(ctx, fmt.Sprintf("%064x", id))
			if err != nil {
				return err
			}
			if _, err := tx.Own(ctx, p, user); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    Filter
		want []int64
	}{
		{"all", Filter{}, []int64{6, 5, 4, 7, 3, 2, 1}},
		{"name", Filter{Name: "pxl_"}, []int64{6, 5}},
		{"name with a LIKE wildcard", Filter{Name: "IMG%"}, []int64{}},
		{"camera", Filter{Camera: "iphone"}, []int64{4, 2}},
		{"camera make and model", Filter{Camera: "nikon d5"}, []int64{3}},
		{"year by local date", Filter{From: "2019-01-01", To: "2019-12-31"}, []int64{4, 7, 3, 2}},
		{"day by local date", Filter{From: "2019-05-01", To: "2019-05-01"}, []int64{2}},
		{"open end", Filter{From: "2020-01-01"}, []int64{6, 5}},
		{"open start", Filter{To: "2018-12-31"}, []int64{1}},
		{"album", Filter{AlbumID: album}, []int64{4, 7, 2}},
		{"album and dates", Filter{AlbumID: album, From: "2019-05-01", To: "2019-05-31"}, []int64{7, 2}},
		{"user", Filter{UserID: user}, []int64{5, 4}},
		{"album and user", Filter{AlbumID: album, UserID: user}, []int64{4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.BrowsePhotos(ctx, tt.f, nil, 100)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(ids(got), tt.want) {
				t.Errorf("BrowsePhotos = %v; want %v", ids(got), tt.want)
			}
			n, err := c.CountPhotos(ctx, tt.f)
			if err != nil || n != len(tt.want) {
				t.Errorf("CountPhotos = %d, %v; want %d", n, err, len(tt.want))
			}
			// Page by two, forwards then backwards from the end: the same
			// photos in the same order.
			var fwd []Photo
			var after *Cursor
			for {
				page, err := c.BrowsePhotos(ctx, tt.f, after, 2)
				if err != nil {
					t.Fatal(err)
				}
				fwd = append(fwd, page...)
				if len(page) < 2 {
					break
				}
				cur := CursorOf(page[len(page)-1])
				after = &cur
			}
			var back []Photo
			var before *Cursor
			for {
				page, err := c.BrowsePhotosBefore(ctx, tt.f, before, 2)
				if err != nil {
					t.Fatal(err)
				}
				back = append(page, back...)
				if len(page) < 2 {
					break
				}
				cur := CursorOf(page[0])
				before = &cur
			}
			if !reflect.DeepEqual(ids(fwd), tt.want) || !reflect.DeepEqual(ids(back), tt.want) {
				t.Errorf("paged forwards %v, backwards %v; want %v", ids(fwd), ids(back), tt.want)
			}
			for i, p := range got {
				if n, err := c.CountPhotosBefore(ctx, tt.f, CursorOf(p)); err != nil || n != i {
					t.Errorf("CountPhotosBefore(photo %d) = %d, %v; want %d", p.ID, n, err, i)
				}
			}
		})
	}
	if _, err := c.BrowsePhotos(ctx, Filter{From: "2019-5-1"}, nil, 10); err == nil {
		t.Error("a malformed date was accepted")
	}
}

func TestPhotoIDsBetween(t *testing.T) {
	c := browseLibrary(t)
	ctx := context.Background()
	all, err := c.BrowsePhotos(ctx, Filter{}, nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	// Either order of the ends gives the photos between them, newest first.
	for _, ends := range [][2]Photo{{all[1], all[4]}, {all[4], all[1]}} {
		got, err := c.PhotoIDsBetween(ctx, Filter{}, CursorOf(ends[0]), CursorOf(ends[1]))
		if err != nil {
			t.Fatal(err)
		}
		if want := ids(all[1:5]); !reflect.DeepEqual(got, want) {
			t.Errorf("PhotoIDsBetween(%d, %d) = %v; want %v", ends[0].ID, ends[1].ID, got, want)
		}
	}
	got, err := c.PhotoIDsBetween(ctx, Filter{Camera: "iphone"}, CursorOf(all[0]), CursorOf(all[6]))
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{4, 2}; !reflect.DeepEqual(got, want) {
		t.Errorf("PhotoIDsBetween with a filter = %v; want %v", got, want)
	}
}

func TestRemoteStatusesAndJobs(t *testing.T) {
	c := browseLibrary(t)
	ctx := context.Background()
	p1, err := c.PhotoByID(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := c.PhotoByID(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	err = c.Write(ctx, func(tx *Tx) error {
		if err := tx.AddRemote(ctx, Remote{Name: "b2", Bucket: "photos", Endpoint: "s3.example.org"}); err != nil {
			return err
		}
		if err := tx.AddRemote(ctx, Remote{Name: "nas", Bucket: "photos", Endpoint: "nas.lan"}); err != nil {
			return err
		}
		if err := tx.PutRemoteObject(ctx, "b2", p1.Path, p1.SHA256, p1.Bytes); err != nil {
			return err
		}
		// A stale copy (other content under the same key) does not count.
		if err := tx.PutRemoteObject(ctx, "b2", p2.Path, "stale", p2.Bytes); err != nil {
			return err
		}
		if err := tx.AddSnapshot(ctx, "b2", Snapshot{Key: "catalog/1.db", Version: 3}); err != nil {
			return err
		}
		for _, target := range []string{"a", "b", "c"} {
			if err := tx.AddJob(ctx, JobDeleteFile, target); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, c, func(tx *Tx) error {
		return tx.JobsFailed(ctx, []JobFailure{{ID: 2, Attempts: 1, Error: "disk full", Next: time.Now()},
			{ID: 3, Attempts: 8, Error: "disk full", Next: time.Now(), Dead: true}})
	})

	st, err := c.RemoteStatuses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 2 || st[0].Name != "b2" || st[1].Name != "nas" {
		t.Fatalf("RemoteStatuses = %+v; want b2 and nas", st)
	}
	var sizes int64
	for _, id := range []int64{2, 3, 4, 5, 6, 7} {
		p, err := c.PhotoByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		sizes += p.Bytes
	}
	if b2 := st[0]; b2.PendingOriginals != 6 || b2.PendingBytes != sizes || b2.LastUpload.IsZero() || b2.LastSnapshot.IsZero() {
		t.Errorf("b2 = %+v; want 6 originals (%d bytes) pending, an upload and a snapshot", b2, sizes)
	}
	if nas := st[1]; nas.PendingOriginals != 7 || !nas.LastUpload.IsZero() || !nas.LastSnapshot.IsZero() {
		t.Errorf("nas = %+v; want nothing synced and 7 pending", nas)
	}
	// Once a sync reached the latest change, only what changed after it
	// is looked at: photo 2's stale copy was uploaded again meanwhile.
	seq, err := c.ChangeSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = c.Write(ctx, func(tx *Tx) error {
		if err := tx.SyncedTo(ctx, "b2", seq, nil); err != nil {
			return err
		}
		return tx.SetCaption(ctx, 2, "changed after the sync")
	})
	if err != nil {
		t.Fatal(err)
	}
	if st, err = c.RemoteStatuses(ctx); err != nil || st[0].PendingOriginals != 1 || st[0].PendingBytes != p2.Bytes {
		t.Errorf("after a sync, b2 = %+v (%v); want photo 2 alone pending", st, err)
	}
	held, err := c.HeldBy(ctx, p1.Path, p1.SHA256)
	if err != nil || !reflect.DeepEqual(held, []string{"b2"}) {
		t.Errorf("HeldBy(photo 1) = %v, %v; want [b2]", held, err)
	}
	held, err = c.HeldBy(ctx, p2.Path, p2.SHA256)
	if err != nil || len(held) != 0 {
		t.Errorf("HeldBy(photo 2, stale remote copy) = %v, %v; want none", held, err)
	}

	// Job 1 waits to run; nothing was due in 1970.
	if due, err := c.JobsDue(ctx, time.Now(), []string{JobDeleteFile}); err != nil || !due {
		t.Errorf("JobsDue = %v, %v; want true (job 1 waits)", due, err)
	}
	if due, err := c.JobsDue(ctx, time.Unix(0, 0), []string{JobDeleteFile}); err != nil || due {
		t.Errorf("JobsDue(1970) = %v, %v; want false", due, err)
	}
	counts, err := c.CountJobs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (JobCounts{Pending: 2, Failing: 1, Dead: 1}); counts != want {
		t.Errorf("CountJobs = %+v; want %+v", counts, want)
	}
	failed, err := c.JobsAfter(ctx, true, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(failed) != 2 || failed[0].ID != 2 || failed[1].ID != 3 || failed[1].State != JobDead {
		t.Errorf("JobsAfter(failed) = %+v; want jobs 2 and 3 (dead)", failed)
	}
	page, err := c.JobsAfter(ctx, false, 1, 1)
	if err != nil || len(page) != 1 || page[0].ID != 2 {
		t.Errorf("JobsAfter(all, after 1, limit 1) = %+v, %v; want job 2", page, err)
	}
}

// TestBrowseUsesIndexes checks with EXPLAIN QUERY PLAN that every filtered
// listing walks an index in its order from the cursor, without a
// temporary sort.
func TestBrowseUsesIndexes(t *testing.T) {
	c := browseLibrary(t)
	tests := []struct {
		name string
		f    Filter
		want string
	}{
		{"all", Filter{}, "photos_live_by_taken"},
		{"dates", Filter{From: "2019-01-01", To: "2019-12-31"}, "photos_live_by_taken"},
		{"name and camera", Filter{Name: "IMG", Camera: "Canon"}, "photos_live_by_taken"},
		{"album", Filter{AlbumID: 1, From: "2019-05-01"}, "album_photos_by_taken"},
		{"user", Filter{UserID: 1, To: "2019-05-01"}, "photo_owners_by_user"},
	}
	for _, tt := range tests {
		q, err := tt.f.build()
		if err != nil {
			t.Fatal(err)
		}
		for _, older := range []bool{true, false} {
			query, args := q.pageQuery(older, Cursor{TakenKey: 1, ID: 1}, 10)
			plan := explain(t, c, query, args)
			if !strings.Contains(plan, tt.want) {
				t.Errorf("%s (older %v): plan %q does not use %s", tt.name, older, plan, tt.want)
			}
			if strings.Contains(plan, "TEMP B-TREE") {
				t.Errorf("%s (older %v): plan %q sorts in a temporary b-tree", tt.name, older, plan)
			}
		}
	}
	// A year's count reads the index only.
	q, err := Filter{From: "2019-01-01", To: "2019-12-31"}.build()
	if err != nil {
		t.Fatal(err)
	}
	where, args := q.bounded(math.MinInt64, math.MaxInt64)
	if plan := explain(t, c, `SELECT count(*) FROM `+q.from+` WHERE `+where, args); !strings.Contains(plan, "photos_live_by_taken (taken_key>? AND taken_key<?)") {
		t.Errorf("year count: plan %q does not search the taken_key range of photos_live_by_taken", plan)
	}
}

// explain returns the top-level steps of a query's plan.
func explain(t *testing.T, c *Catalog, query string, args []any) string {
	t.Helper()
	rows, err := c.r.Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var top []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		if parent == 0 {
			top = append(top, detail)
		}
	}
	return strings.Join(top, "; ")
}

func TestTrashPaging(t *testing.T) {
	c := browseLibrary(t)
	ctx := context.Background()
	// Trashed at three times; two at the same second, told apart by id.
	err := c.Write(ctx, func(tx *Tx) error {
		for id, at := range map[int64]string{1: "2025-01-01T00:00:00Z", 2: "2025-01-02T00:00:00Z", 3: "2025-01-02T00:00:00Z", 4: "2025-01-03T00:00:00Z"} {
			if _, err := tx.ExecContext(ctx, `UPDATE photos SET trashed_at = ? WHERE id = ?`, at, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []int64{4, 3, 2, 1}
	if n, err := c.CountTrashed(ctx); err != nil || n != 4 {
		t.Errorf("CountTrashed = %d, %v; want 4", n, err)
	}
	all, err := c.TrashedPhotos(ctx, time.Time{}, 0, 10)
	if err != nil || !reflect.DeepEqual(ids(all), want) {
		t.Fatalf("TrashedPhotos = %v, %v; want %v", ids(all), err, want)
	}
	var back []Photo
	at, id := time.Time{}, int64(0)
	for {
		page, err := c.TrashedPhotosBefore(ctx, at, id, 3)
		if err != nil {
			t.Fatal(err)
		}
		back = append(page, back...)
		if len(page) < 3 {
			break
		}
		at, id = page[0].TrashedAt, page[0].ID
	}
	if !reflect.DeepEqual(ids(back), want) {
		t.Errorf("paging the trash backwards = %v; want %v", ids(back), want)
	}
	for i, p := range all {
		if n, err := c.CountTrashedBefore(ctx, p.TrashedAt, p.ID); err != nil || n != i {
			t.Errorf("CountTrashedBefore(photo %d) = %d, %v; want %d", p.ID, n, err, i)
		}
	}
	between, err := c.TrashedIDsBetween(ctx, all[3].TrashedAt, all[3].ID, all[1].TrashedAt, all[1].ID)
	if err != nil || !reflect.DeepEqual(between, []int64{3, 2, 1}) {
		t.Errorf("TrashedIDsBetween = %v, %v; want [3 2 1]", between, err)
	}
	if plan := explain(t, c, trashedBeforeQuery, []any{"", 0, 10}); !strings.Contains(plan, "photos_trashed") || strings.Contains(plan, "TEMP B-TREE") {
		t.Errorf("trash backwards: plan %q does not walk photos_trashed", plan)
	}
}
