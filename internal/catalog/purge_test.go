package catalog

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// batchCatalog is a catalog of n photos with everything a photo can
// have hanging on it: several owners, albums (one with a Korean name), a
// share, comments, hearts, activity, uploads and sidecars.
func batchCatalog(t *testing.T, r *rand.Rand, n int) (c *Catalog, albums []int64) {
	t.Helper()
	c = openTest(t)
	ctx := context.Background()
	var users []int64
	mustWrite(t, c, func(tx *Tx) error {
		for _, name := range []string{"mom", "dad", "kid"} {
			id, err := tx.CreateUser(ctx, name, nil)
			if err != nil {
				return err
			}
			users = append(users, id)
		}
		for _, name := range []string{"제주 여행", "Beach", "Family"} {
			id, err := tx.CreateAlbum(ctx, name)
			if err != nil {
				return err
			}
			albums = append(albums, id)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO shares (id, token_hash, name, created_at) VALUES (1, 'h', 'picks', ?)`, nowText()); err != nil {
			return err
		}
		for i := 1; i <= n; i++ {
			p := testPhoto(i, r.Int64N(1e12))
			p.Bytes = 1 + r.Int64N(5000)
			p.TakenAt = fmt.Sprintf("20%02d-%02d-01T10:00:00", 10+r.IntN(10), 1+r.IntN(12))
			if i%5 == 0 {
				p.Type = "video"
			}
			id, err := tx.InsertPhoto(ctx, p)
			if err != nil {
				return err
			}
			p.ID = id
			for k, u := range users {
				if k == 0 || r.IntN(3) == 0 {
					if _, err := tx.Own(ctx, p, u); err != nil {
						return err
					}
				}
			}
			for _, a := range albums {
				if r.IntN(2) == 0 {
					if _, err := tx.AddToAlbum(ctx, a, id, Actor{}); err != nil {
						return err
					}
				}
			}
			for _, q := range []string{
				`INSERT INTO share_photos (share_id, photo_id, taken_key) SELECT 1, id, taken_key FROM photos WHERE id = ?`,
				`INSERT INTO comments (photo_id, name, text, created_at) VALUES (?, 'grandma', '예쁘다 lovely', '2024-01-01T00:00:00Z')`,
				`INSERT INTO hearts (photo_id, device, name, created_at) VALUES (?, 'd1', 'grandma', '2024-01-01T00:00:00Z')`,
				`INSERT INTO activity (kind, photo_id, photo_ids, name, at) VALUES ('heart', ?, '[]', 'grandma', '2024-01-01T00:00:00Z')`,
				`INSERT INTO uploads (tus_id, photo_id, name, status, created_at) VALUES ('tus-' || ?1, ?1, 'aunt', 'added', '2024-01-01T00:00:00Z')`,
				`INSERT INTO sidecars (path, photo_id, bytes, sha256) VALUES ('originals/x/' || ?1 || '.xmp', ?1, 10, 'x')`,
			} {
				if r.IntN(3) == 0 {
					if _, err := tx.ExecContext(ctx, q, id); err != nil {
						return fmt.Errorf("%s: %w", q, err)
					}
				}
			}
		}
		return nil
	})
	return c, albums
}

// TestPurgeBatchKeepsEverythingExact purges batches of photos that have
// everything a photo can have hanging on it (several owners, albums, a
// share, comments, hearts, activity, uploads, sidecars), mixed with live
// photos, unknown ids and repeats: only the trashed ones go, each once,
// and every counter, the search index and the rows left behind are what
// a recount says.
func TestPurgeBatchKeepsEverythingExact(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(22, 1))
	const n = 120
	c, _ := batchCatalog(t, r, n)
	var trashed []int64
	mustWrite(t, c, func(tx *Tx) error {
		var err error
		if trashed, err = randomIDs(ctx, tx, r, "1", n/2); err != nil {
			return err
		}
		_, err = tx.Trash(ctx, trashed)
		return err
	})
	isTrashed := map[int64]bool{}
	for _, id := range trashed {
		isTrashed[id] = true
	}
	for round, batch := range [][]int64{
		{trashed[0], trashed[1], 9999, trashed[0], trashed[2]},     // a repeat and an unknown id
		append(append([]int64{}, trashed[3:30]...), 1, 2, 3, 4, 5), // live photos among them, maybe
		trashed[30:],
	} {
		var want []int64
		seen := map[int64]bool{}
		for _, id := range batch {
			if isTrashed[id] && !seen[id] {
				want = append(want, id)
				seen[id] = true
			}
		}
		var got []int64
		mustWrite(t, c, func(tx *Tx) error {
			ps, err := tx.Purge(ctx, batch, func(p Photo, _ []Sidecar) []string { return []string{p.Path} })
			for _, p := range ps {
				got = append(got, p.ID)
			}
			if err == nil {
				_, err = tx.LogPurge(ctx, TrashLogEntry{Reason: PurgeEmptied}, ps)
			}
			return err
		})
		for _, id := range got {
			delete(isTrashed, id)
		}
		when := fmt.Sprintf("after batch %d", round+1)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: purged %v; want the trashed ones in the order asked, each once: %v", when, got, want)
		}
		if bad, err := c.CheckUsage(ctx); err != nil || len(bad) > 0 {
			t.Errorf("%s: CheckUsage = %+v, %v; want the counters equal to a recount", when, bad, err)
		}
		checkAlbumCounters(t, c, when)
		checkDayCounters(t, c, r, when)
		checkIndexExact(t, c)
		var left, logged, jobs, batch int
		err := c.r.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM photos WHERE trashed_at IS NOT NULL),
			(SELECT count(*) FROM trash_log_photos),
			(SELECT count(*) FROM jobs WHERE kind = ?),
			(SELECT count(*) FROM batch_photos)`, JobDeleteFile).Scan(&left, &logged, &jobs, &batch)
		if err != nil {
			t.Fatal(err)
		}
		if purged := len(trashed) - left; logged != purged || jobs != purged || batch != 0 {
			t.Errorf("%s: %d purged so far, %d in the trash log, %d deletion jobs, %d rows in batch_photos; want %d, %d, 0",
				when, purged, logged, jobs, batch, purged, purged)
		}
	}
	var orphans, uploads, kept int
	err := c.r.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM photo_owners WHERE photo_id NOT IN (SELECT id FROM photos)) +
		(SELECT count(*) FROM album_photos WHERE photo_id NOT IN (SELECT id FROM photos)) +
		(SELECT count(*) FROM share_photos WHERE photo_id NOT IN (SELECT id FROM photos)) +
		(SELECT count(*) FROM comments WHERE photo_id NOT IN (SELECT id FROM photos)) +
		(SELECT count(*) FROM hearts WHERE photo_id NOT IN (SELECT id FROM photos)) +
		(SELECT count(*) FROM activity WHERE photo_id NOT IN (SELECT id FROM photos)) +
		(SELECT count(*) FROM sidecars WHERE photo_id NOT IN (SELECT id FROM photos)) +
		(SELECT count(*) FROM photo_changes WHERE photo_id NOT IN (SELECT id FROM photos)),
		(SELECT count(*) FROM uploads WHERE photo_id IS NULL),
		(SELECT count(*) FROM uploads WHERE photo_id IS NOT NULL)`).Scan(&orphans, &uploads, &kept)
	if err != nil {
		t.Fatal(err)
	}
	if orphans != 0 || uploads == 0 || kept == 0 {
		t.Errorf("rows of purged photos left: %d; uploads of purged photos: %d (kept, photo NULL), of live ones: %d; want 0 left and some of each",
			orphans, uploads, kept)
	}
}

// checkBatchDone: every counter and the search index are what a recount
// says, batch_photos is empty, and each photo of ids was numbered for
// sync after seq.
func checkBatchDone(t *testing.T, c *Catalog, r *rand.Rand, when string, seq int64, ids []int64) {
	t.Helper()
	ctx := context.Background()
	if bad, err := c.CheckUsage(ctx); err != nil || len(bad) > 0 {
		t.Errorf("%s: CheckUsage = %+v, %v; want the counters equal to a recount", when, bad, err)
	}
	checkAlbumCounters(t, c, when)
	checkDayCounters(t, c, r, when)
	checkIndexExact(t, c)
	var batch, numbered, distinct int
	var last, highest int64
	err := c.r.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM batch_photos),
		(SELECT count(*) FROM photo_changes WHERE seq > ? AND photo_id IN `+idList+`),
		(SELECT count(DISTINCT seq) FROM photo_changes WHERE seq > ?),
		(SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'change_seq'), (SELECT max(seq) FROM photo_changes)`,
		seq, idsJSON(ids), seq).Scan(&batch, &numbered, &distinct, &last, &highest)
	if err != nil {
		t.Fatal(err)
	}
	if batch != 0 || numbered != len(ids) || distinct < len(ids) {
		t.Errorf("%s: %d rows left in batch_photos, %d of %d photos numbered for sync (%d numbers); want 0 and each its own number",
			when, batch, numbered, len(ids), distinct)
	}
	if last != highest {
		t.Errorf("%s: change_seq is %d and the highest number given %d; want the same, so that the next change is above", when, last, highest)
	}
}

// TestAlbumBatchesKeepEverythingExact trashes an album's photos and
// removes another album (a Korean name, in the album index), each in a few statements for the whole album, and checks
// the counters, the search index and the numbers for sync after each.
func TestAlbumBatchesKeepEverythingExact(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(25, 1))
	c, albums := batchCatalog(t, r, 150)
	albumIDs := func(album int64, where string) []int64 {
		rows, err := c.r.QueryContext(ctx, `SELECT ap.photo_id FROM album_photos ap JOIN photos p ON p.id = ap.photo_id
			WHERE ap.album_id = ? AND `+where+` ORDER BY 1`, album)
		ids, err := collect(rows, err, func(s scanner) (int64, error) {
			var id int64
			err := s.Scan(&id)
			return id, err
		})
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	// Some of the album's photos are in the trash already: they stay as they are.
	mustWrite(t, c, func(tx *Tx) error {
		_, err := tx.Trash(ctx, albumIDs(albums[2], "1")[:5])
		return err
	})
	seq, err := c.ChangeSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	live := albumIDs(albums[2], "p.trashed_at IS NULL")
	var moved int
	mustWrite(t, c, func(tx *Tx) error {
		moved, err = tx.TrashAlbum(ctx, albums[2])
		return err
	})
	if moved != len(live) || len(live) == 0 || len(albumIDs(albums[2], "p.trashed_at IS NULL")) != 0 {
		t.Errorf("TrashAlbum moved %d photos; want the album's %d live ones (and some)", moved, len(live))
	}
	checkBatchDone(t, c, r, "after trashing an album", seq, live)

	found := searchIDs(t, c, "album:여행")
	slices.Sort(found)
	if want := albumIDs(albums[0], "p.trashed_at IS NULL"); len(want) == 0 || !slices.Equal(found, want) {
		t.Fatalf("find album:여행 = %v; want the album's live photos %v", found, want)
	}
	if seq, err = c.ChangeSeq(ctx); err != nil {
		t.Fatal(err)
	}
	members := albumIDs(albums[0], "1")
	mustWrite(t, c, func(tx *Tx) error { return tx.DeleteAlbum(ctx, albums[0]) })
	checkBatchDone(t, c, r, "after removing an album", seq, members)
	wantFound(t, c, "album:여행")
	var left int
	if err := c.r.QueryRowContext(ctx, `SELECT count(*) FROM album_photos WHERE album_id = ?`, albums[0]).Scan(&left); err != nil || left != 0 {
		t.Errorf("the removed album still has %d members (%v)", left, err)
	}
}
