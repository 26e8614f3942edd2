package catalog

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// randomTaken is a capture time over 1950–2030 with a random offset (or
// none), now and then a date alone at the precision of a day, a month or
// a year, as taken_at, taken_key and the precision are stored.
func randomTaken(r *rand.Rand) Taken {
	instant := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.Int64N(int64(80 * 365 * 24 * time.Hour))))
	switch r.IntN(10) {
	case 0:
		d := instant.Truncate(24 * time.Hour)
		return Taken{At: d.Format(time.DateOnly), Key: d.UnixMilli(), Source: "manual", Precision: "day"}
	case 1:
		m := time.Date(instant.Year(), instant.Month(), 1, 0, 0, 0, 0, time.UTC)
		return Taken{At: m.Format("2006-01"), Key: m.UnixMilli(), Source: "manual", Precision: "month"}
	case 2:
		y := time.Date(instant.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		return Taken{At: y.Format("2006"), Key: y.UnixMilli(), Source: "manual", Precision: "year"}
	case 3, 4:
		// No offset: the wall clock, kept as if it were UTC.
		return Taken{At: instant.Format("2006-01-02T15:04:05"), Key: instant.UnixMilli(), Source: "exif"}
	}
	zone := time.FixedZone("", (r.IntN(27)-12)*3600)
	return Taken{At: instant.In(zone).Format(time.RFC3339), Key: instant.UnixMilli(), Source: "exif", OffsetKnown: true}
}

// TestDayCountersStayExact makes random photos, puts them in and out of
// albums, trashes, restores, redates, purges and deletes them, turns
// photos into videos, and after each round compares the day counters
// (and the timeline, totals and positions read from them) and the
// albums' counters with a count of the photos themselves.
func TestDayCountersStayExact(t *testing.T) {
	c := openTest(t)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(19, 6))
	var ids, albums []int64
	mustWrite(t, c, func(tx *Tx) error {
		for _, name := range []string{"Jeju 2019", "Grandpa's 70th", "Scans"} {
			id, err := tx.CreateAlbum(ctx, name)
			if err != nil {
				return err
			}
			albums = append(albums, id)
		}
		return nil
	})
	next := 0
	for round := range 12 {
		mustWrite(t, c, func(tx *Tx) error {
			for range 60 {
				tk := randomTaken(r)
				next++
				p := Photo{SHA256: fmt.Sprintf("%064x", next), Path: fmt.Sprintf("originals/%d.jpg", next), OriginalName: "a.jpg",
					Type: "photo", Format: "jpeg", MIME: "image/jpeg", Bytes: 10, TakenAt: tk.At, TakenKey: tk.Key,
					TakenSource: tk.Source, OffsetKnown: tk.OffsetKnown, Width: 1, Height: 1, Orientation: 1, Thumbs: "ok", ImportedAt: time.Now()}
				p.TakenPrecision = tk.Precision
				id, err := tx.InsertPhoto(ctx, p)
				if err != nil {
					return err
				}
				ids = append(ids, id)
			}
			pick := func(n int) []int64 {
				out := make([]int64, n)
				for i := range out {
					out[i] = ids[r.IntN(len(ids))]
				}
				return out
			}
			for _, id := range pick(40) {
				if _, err := tx.AddToAlbum(ctx, albums[r.IntN(len(albums))], id, Actor{}); err != nil {
					return err
				}
			}
			for _, id := range pick(10) {
				if _, err := tx.RemoveFromAlbum(ctx, albums[r.IntN(len(albums))], []int64{id}); err != nil {
					return err
				}
			}
			for _, id := range pick(5) {
				if _, err := tx.ExecContext(ctx, `UPDATE photos SET type = iif(type = 'photo', 'video', 'photo') WHERE id = ?`, id); err != nil {
					return err
				}
			}
			if _, err := tx.Trash(ctx, pick(15)); err != nil {
				return err
			}
			if _, err := tx.Restore(ctx, pick(10)); err != nil {
				return err
			}
			for _, id := range pick(10) {
				p, err := photoWhere(ctx, tx, "p.id = ?", id)
				if err != nil {
					return err
				}
				if err := tx.SetTaken(ctx, id, randomTaken(r), p.Path); err != nil {
					return err
				}
			}
			if round%3 == 2 {
				purged, err := tx.Purge(ctx, pick(10), func(Photo, []Sidecar) []string { return nil })
				if err != nil {
					return err
				}
				gone := pick(3) // rows deleted outside the trash (a failed import's)
				for _, id := range gone {
					if _, err := tx.ExecContext(ctx, `DELETE FROM photos WHERE id = ?`, id); err != nil {
						return err
					}
				}
				for _, p := range purged {
					gone = append(gone, p.ID)
				}
				ids = slices.DeleteFunc(ids, func(id int64) bool { return slices.Contains(gone, id) })
			}
			return nil
		})
		if round == 9 {
			// An album deleted: its rows go, the other albums keep theirs.
			mustWrite(t, c, func(tx *Tx) error { return tx.DeleteAlbum(ctx, albums[2]) })
			albums = albums[:2]
		}
		checkDayCounters(t, c, r, fmt.Sprintf("round %d", round+1))
		checkAlbumCounters(t, c, fmt.Sprintf("round %d", round+1))
	}
}

func checkAlbumCounters(t *testing.T, c *Catalog, when string) {
	t.Helper()
	ctx := context.Background()
	rows, err := c.r.QueryContext(ctx, `SELECT a.name, a.photos, a.videos,
		(SELECT count(*) FROM album_photos ap JOIN photos p ON p.id = ap.photo_id WHERE ap.album_id = a.id AND p.type = 'photo' AND p.trashed_at IS NULL),
		(SELECT count(*) FROM album_photos ap JOIN photos p ON p.id = ap.photo_id WHERE ap.album_id = a.id AND p.type = 'video' AND p.trashed_at IS NULL)
		FROM albums a`)
	type counts struct {
		name                         string
		photos, videos, pWant, vWant int
	}
	all, err := collect(rows, err, func(s scanner) (counts, error) {
		var k counts
		err := s.Scan(&k.name, &k.photos, &k.videos, &k.pWant, &k.vWant)
		return k, err
	})
	if err != nil {
		t.Fatal(err)
	}
	members := 0
	for _, k := range all {
		members += k.pWant + k.vWant
		if k.photos != k.pWant || k.videos != k.vWant {
			t.Errorf("%s: album %q counts %d photos and %d videos; its members are %d and %d", when, k.name, k.photos, k.videos, k.pWant, k.vWant)
		}
	}
	if members == 0 {
		t.Errorf("%s: the albums hold nothing outside the trash: the test checks nothing", when)
	}
}

func checkDayCounters(t *testing.T, c *Catalog, r *rand.Rand, when string) {
	t.Helper()
	ctx := context.Background()
	type live struct {
		at     string
		key, i int64
	}
	rows, err := c.r.QueryContext(ctx, `SELECT taken_at, taken_key, id FROM photos WHERE trashed_at IS NULL`)
	all, err := collect(rows, err, func(s scanner) (live, error) {
		var l live
		err := s.Scan(&l.at, &l.key, &l.i)
		return l, err
	})
	if err != nil {
		t.Fatal(err)
	}
	dates, days := map[string]int{}, map[int64]int{}
	for _, l := range all {
		dates[l.at[:min(10, len(l.at))]]++
		days[keyDay(l.key)]++
	}
	rows, err = c.r.QueryContext(ctx, `SELECT date, photos FROM photo_dates WHERE photos != 0`)
	stored, err := collect(rows, err, func(s scanner) (Bucket, error) {
		var b Bucket
		err := s.Scan(&b.Period, &b.Count)
		return b, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != len(dates) {
		t.Errorf("%s: %d dates counted, %d dates have photos", when, len(stored), len(dates))
	}
	for _, b := range stored {
		if dates[b.Period] != b.Count {
			t.Errorf("%s: photo_dates %s = %d; the photos say %d", when, b.Period, b.Count, dates[b.Period])
		}
	}
	var n, sum int
	if err := c.r.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(photos), 0) FROM photo_key_days WHERE photos != 0`).Scan(&n, &sum); err != nil {
		t.Fatal(err)
	}
	for d, want := range days {
		var got int
		if err := c.r.QueryRowContext(ctx, `SELECT photos FROM photo_key_days WHERE day = ?`, d).Scan(&got); err != nil || got != want {
			t.Errorf("%s: photo_key_days %d = %d (%v); the photos say %d", when, d, got, err, want)
		}
	}
	if n != len(days) || sum != len(all) {
		t.Errorf("%s: %d key days holding %d photos counted; %d days hold %d", when, n, sum, len(days), len(all))
	}

	// The timeline: each period counts the photos whose date begins with it.
	prefixCount := func(prefix string) int {
		k := 0
		for d, c := range dates {
			if strings.HasPrefix(d, prefix) {
				k += c
			}
		}
		return k
	}
	years, err := c.Timeline(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.IsSortedFunc(years, func(a, b Bucket) int { return strings.Compare(b.Period, a.Period) }) {
		t.Errorf("%s: years not newest first: %v", when, years)
	}
	total := 0
	for _, y := range years {
		total += y.Count
		if want := prefixCount(y.Period); y.Count != want {
			t.Errorf("%s: year %s counts %d; want %d", when, y.Period, y.Count, want)
		}
	}
	if total != len(all) {
		t.Errorf("%s: the years count %d photos; %d are outside the trash", when, total, len(all))
	}
	y := years[r.IntN(len(years))].Period
	months, err := c.Timeline(ctx, y)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range months {
		if want := prefixCount(m.Period); m.Count != want || !strings.HasPrefix(m.Period, y+"-") || len(m.Period) != 7 {
			t.Errorf("%s: month %s counts %d; want %d", when, m.Period, m.Count, want)
		}
		ds, err := c.Timeline(ctx, m.Period)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			if d.Count != dates[d.Period] || len(d.Period) != 10 {
				t.Errorf("%s: day %s counts %d; want %d", when, d.Period, d.Count, dates[d.Period])
			}
		}
	}

	// The total and positions without a filter.
	if got, err := c.CountPhotos(ctx, Filter{}); err != nil || got != len(all) {
		t.Errorf("%s: CountPhotos = %d, %v; want %d", when, got, err, len(all))
	}
	for range 20 {
		cur := all[r.IntN(len(all))]
		want := 0
		for _, l := range all {
			if l.key > cur.key || l.key == cur.key && l.i > cur.i {
				want++
			}
		}
		if got, err := c.CountPhotosBefore(ctx, Filter{}, Cursor{TakenKey: cur.key, ID: cur.i}); err != nil || got != want {
			t.Errorf("%s: CountPhotosBefore(%d, %d) = %d, %v; want %d", when, cur.key, cur.i, got, err, want)
		}
	}
}

func TestKeyDay(t *testing.T) {
	for _, c := range []struct{ key, day int64 }{
		{0, 0}, {msPerDay - 1, 0}, {msPerDay, 1}, {-1, -1}, {-msPerDay, -1}, {-msPerDay - 1, -2},
	} {
		if got := keyDay(c.key); got != c.day {
			t.Errorf("keyDay(%d) = %d; want %d", c.key, got, c.day)
		}
	}
}

// A new capture time moves the copies of the photo's key in its owners',
// albums' and links' rows, so that it lists in its new place there.
func TestTakenKeyCopiesFollow(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	insert(t, c, testPhoto(1, 1000), testPhoto(2, 2000))
	mustWrite(t, c, func(tx *Tx) error {
		uid, err := tx.CreateUser(ctx, "mom", nil)
		if err != nil {
			return err
		}
		aid, err := tx.CreateAlbum(ctx, "Jeju")
		if err != nil {
			return err
		}
		for _, id := range []int64{1, 2} {
			p, err := tx.PhotoBySHA(ctx, testPhoto(int(id), 0).SHA256)
			if err != nil {
				return err
			}
			if _, err := tx.Own(ctx, p, uid); err != nil {
				return err
			}
			if _, err := tx.AddToAlbum(ctx, aid, id, Actor{}); err != nil {
				return err
			}
		}
		if _, err := tx.CreateShare(ctx, Share{TokenHash: HashToken("t")}, []int64{1, 2}); err != nil {
			return err
		}
		return tx.SetTaken(ctx, 1, Taken{At: "2030-01-01T00:00:00", Key: 3000, Source: "manual"}, "originals/2030/x.jpg")
	})
	var stale int
	err := c.r.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM photo_owners o JOIN photos p ON p.id = o.photo_id WHERE o.taken_key != p.taken_key) +
		(SELECT count(*) FROM album_photos a JOIN photos p ON p.id = a.photo_id WHERE a.taken_key != p.taken_key) +
		(SELECT count(*) FROM share_photos s JOIN photos p ON p.id = s.photo_id WHERE s.taken_key != p.taken_key) +
		(SELECT count(*) FROM photo_owners WHERE photo_id = 1 AND taken_key = 3000)`).Scan(&stale)
	if err != nil {
		t.Fatal(err)
	}
	if stale != 1 {
		t.Errorf("%d stale copies of taken_key (and photo 1's owner row at 3000 counted as 1), want 1", stale)
	}
	album, err := c.AlbumByName(ctx, "Jeju")
	if err != nil {
		t.Fatal(err)
	}
	ps, err := c.AlbumPhotos(ctx, album.ID, nil, 10)
	if err != nil || len(ps) != 2 || ps[0].ID != 1 {
		t.Errorf("album after a new capture time: %v %v, want photo 1 first (newest)", ps, err)
	}
}
