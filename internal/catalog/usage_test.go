package catalog

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
)

// usageOp is one kind of change that moves users' counters.
type usageOp struct {
	name string
	do   func(ctx context.Context, tx *Tx, r *rand.Rand, users []int64) error
}

// randomIDs picks up to n photo ids among those where holds.
func randomIDs(ctx context.Context, tx *Tx, r *rand.Rand, where string, n int) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM photos WHERE `+where+` ORDER BY id`)
	ids, err := collect(rows, err, func(s scanner) (int64, error) {
		var id int64
		err := s.Scan(&id)
		return id, err
	})
	r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	return ids[:min(n, len(ids))], err
}

// usageOps are the ways the archive changes what users own and what
// they own weighs: imports (reserved or not, a photo already stored),
// trash, restore, purge, albums trashed whole, photos handed to another
// user, a size or type written again.
func usageOps(next *int) []usageOp {
	newPhoto := func(ctx context.Context, tx *Tx, r *rand.Rand) (Photo, error) {
		*next++
		p := testPhoto(*next, r.Int64N(1e12))
		p.Bytes = 1 + r.Int64N(5000)
		if r.IntN(5) == 0 {
			p.Type = "video"
		}
		id, err := tx.InsertPhoto(ctx, p)
		p.ID = id
		return p, err
	}
	return []usageOp{
		{"import", func(ctx context.Context, tx *Tx, r *rand.Rand, users []int64) error {
			p, err := newPhoto(ctx, tx, r)
			if err != nil {
				return err
			}
			_, err = tx.Own(ctx, p, users[r.IntN(len(users))])
			return err
		}},
		{"import with a reservation", func(ctx context.Context, tx *Tx, r *rand.Rand, users []int64) error {
			p, err := newPhoto(ctx, tx, r)
			if err != nil {
				return err
			}
			u := users[r.IntN(len(users))]
			res, err := tx.Reserve(ctx, u, p.Bytes, "run-test")
			if err != nil {
				return err
			}
			_, err = tx.OwnReserved(ctx, p, u, res)
			return err
		}},
		{"own a stored photo", func(ctx context.Context, tx *Tx, r *rand.Rand, users []int64) error {
			ids, err := randomIDs(ctx, tx, r, "1", 1)
			if err != nil || len(ids) == 0 {
				return err
			}
			p, err := photoWhere(ctx, tx, "p.id = ?", ids[0])
			if err != nil {
				return err
			}
			_, err = tx.Own(ctx, p, users[r.IntN(len(users))])
			return err
		}},
		{"trash", func(ctx context.Context, tx *Tx, r *rand.Rand, _ []int64) error {
			ids, err := randomIDs(ctx, tx, r, "trashed_at IS NULL", 1+r.IntN(4))
			if err == nil {
				_, err = tx.Trash(ctx, ids)
			}
			return err
		}},
		{"trash an album", func(ctx context.Context, tx *Tx, r *rand.Rand, _ []int64) error {
			ids, err := randomIDs(ctx, tx, r, "1", 1+r.IntN(6))
			if err != nil {
				return err
			}
			*next++
			album, err := tx.CreateAlbum(ctx, fmt.Sprintf("album %d", *next))
			if err != nil {
				return err
			}
			for _, id := range ids {
				if _, err := tx.AddToAlbum(ctx, album, id, Actor{}); err != nil {
					return err
				}
			}
			_, err = tx.TrashAlbum(ctx, album)
			return err
		}},
		{"restore", func(ctx context.Context, tx *Tx, r *rand.Rand, _ []int64) error {
			ids, err := randomIDs(ctx, tx, r, "trashed_at IS NOT NULL", 1+r.IntN(3))
			if err == nil {
				_, err = tx.Restore(ctx, ids)
			}
			return err
		}},
		{"restore the whole trash", func(ctx context.Context, tx *Tx, r *rand.Rand, _ []int64) error {
			if r.IntN(4) > 0 { // rarely, or the trash is never big
				return nil
			}
			_, err := tx.Restore(ctx, nil)
			return err
		}},
		{"purge", func(ctx context.Context, tx *Tx, r *rand.Rand, _ []int64) error {
			ids, err := randomIDs(ctx, tx, r, "trashed_at IS NOT NULL", 1+r.IntN(3))
			if err == nil {
				_, err = tx.Purge(ctx, ids, func(p Photo, _ []Sidecar) []string { return []string{p.Path} })
			}
			return err
		}},
		{"transfer to another user", func(ctx context.Context, tx *Tx, r *rand.Rand, users []int64) error {
			from, to := users[r.IntN(len(users))], users[r.IntN(len(users))]
			if from == to || r.IntN(3) > 0 {
				return nil
			}
			var f, t User
			err := tx.QueryRowContext(ctx, `SELECT name FROM users WHERE id = ?`, from).Scan(&f.Name)
			if err == nil {
				err = tx.QueryRowContext(ctx, `SELECT name FROM users WHERE id = ?`, to).Scan(&t.Name)
			}
			f.ID, t.ID = from, to
			if err == nil {
				_, err = tx.TransferPhotos(ctx, f, t)
			}
			return err
		}},
		{"new size and type", func(ctx context.Context, tx *Tx, r *rand.Rand, _ []int64) error {
			ids, err := randomIDs(ctx, tx, r, "1", 1)
			if err != nil || len(ids) == 0 {
				return err
			}
			_, err = tx.ExecContext(ctx, `UPDATE photos SET bytes = ?, type = iif(type = 'photo', 'video', 'photo') WHERE id = ?`,
				1+r.Int64N(5000), ids[0])
			return err
		}},
	}
}

// TestUsageCountersStayExact runs thousands of random changes, from
// several goroutines at once, and after each one compares every user's
// counters (usage, trashed bytes, photos, videos) with a full recount.
func TestUsageCountersStayExact(t *testing.T) {
	c := openTest(t)
	ctx := context.Background()
	quota := int64(400_000)
	var users []int64
	mustWrite(t, c, func(tx *Tx) error {
		for i, name := range []string{"mom", "dad", "kid", "grandma"} {
			q := &quota
			if i%2 == 1 {
				q = nil
			}
			id, err := tx.CreateUser(ctx, name, q)
			if err != nil {
				return err
			}
			users = append(users, id)
		}
		return nil
	})
	next := 0
	ops := usageOps(&next)
	done := map[string]int{}
	var mu sync.Mutex        // done
	var sawTrash atomic.Bool // photos in the trash after some change
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 15))
			for range 300 {
				op := ops[r.IntN(len(ops))]
				// next is only touched inside Write, which runs one
				// transaction at a time.
				err := c.Write(ctx, func(tx *Tx) error { return op.do(ctx, tx, r, users) })
				if err != nil && !errors.Is(err, ErrQuota) {
					t.Errorf("%s: %v", op.name, err)
					return
				}
				mu.Lock()
				done[op.name]++
				mu.Unlock()
				// Read beside the other goroutines' writes: every
				// committed state must be exact.
				bad, err := c.CheckUsage(ctx)
				if err != nil || len(bad) > 0 {
					t.Errorf("after %s: CheckUsage = %+v, %v; want the counters equal to a recount", op.name, bad, err)
					return
				}
				var trashed int
				if err := c.r.QueryRowContext(ctx, `SELECT count(*) FROM photos WHERE trashed_at IS NOT NULL`).Scan(&trashed); err != nil {
					t.Error(err)
					return
				}
				if trashed > 0 {
					sawTrash.Store(true)
				}
			}
		}()
	}
	wg.Wait()
	for _, op := range ops {
		if done[op.name] == 0 {
			t.Errorf("%s never ran", op.name)
		}
	}
	var trashed, purged int
	if err := c.r.QueryRowContext(ctx, `SELECT count(*) FROM photos WHERE trashed_at IS NOT NULL`).Scan(&trashed); err != nil {
		t.Fatal(err)
	}
	if err := c.r.QueryRowContext(ctx, `SELECT count(*) FROM jobs`).Scan(&purged); err != nil {
		t.Fatal(err)
	}
	us, err := c.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%v; %d photos made, %d in the trash at the end, %d purged; users %+v", done, next, trashed, purged, us)
	// The trash may well be empty at the end (a purge or a restore of
	// the whole trash came last): what counts is that the changes met
	// photos in the trash on the way.
	if !sawTrash.Load() || purged == 0 {
		t.Errorf("photos in the trash along the way: %v; %d purged: the test did not reach both", sawTrash.Load(), purged)
	}
}

// TestUsageCountersOfAUser checks the counters User reads against known
// values through trash, restore, a second owner and purge.
func TestUsageCountersOfAUser(t *testing.T) {
	c := openTest(t)
	ctx := context.Background()
	var mom, dad int64
	photo, video := testPhoto(1, 1), testPhoto(2, 2)
	photo.Bytes, video.Bytes, video.Type = 100, 1000, "video"
	mustWrite(t, c, func(tx *Tx) error {
		var err error
		if mom, err = tx.CreateUser(ctx, "mom", nil); err != nil {
			return err
		}
		if dad, err = tx.CreateUser(ctx, "dad", nil); err != nil {
			return err
		}
		for _, p := range []*Photo{&photo, &video} {
			if p.ID, err = tx.InsertPhoto(ctx, *p); err != nil {
				return err
			}
			if _, err = tx.Own(ctx, *p, mom); err != nil {
				return err
			}
		}
		_, err = tx.Own(ctx, video, dad)
		return err
	})
	type counters struct{ used, trashed, photos, videos int64 }
	tests := []struct {
		name     string
		change   func(tx *Tx) error
		mom, dad counters
	}{
		{"imported", func(*Tx) error { return nil }, counters{1100, 0, 1, 1}, counters{1000, 0, 0, 1}},
		{"video trashed", func(tx *Tx) error { _, err := tx.Trash(ctx, []int64{video.ID}); return err },
			counters{1100, 1000, 1, 0}, counters{1000, 1000, 0, 0}},
		{"video restored", func(tx *Tx) error { _, err := tx.Restore(ctx, nil); return err },
			counters{1100, 0, 1, 1}, counters{1000, 0, 0, 1}},
		{"photo trashed", func(tx *Tx) error { _, err := tx.Trash(ctx, []int64{photo.ID}); return err },
			counters{1100, 100, 0, 1}, counters{1000, 0, 0, 1}},
		{"photo purged", func(tx *Tx) error {
			_, err := tx.Purge(ctx, []int64{photo.ID}, func(Photo, []Sidecar) []string { return nil })
			return err
		}, counters{1000, 0, 0, 1}, counters{1000, 0, 0, 1}},
		{"video handed from dad to mom, who owns it", func(tx *Tx) error {
			_, err := tx.TransferPhotos(ctx, User{ID: dad, Name: "dad"}, User{ID: mom, Name: "mom"})
			return err
		}, counters{1000, 0, 0, 1}, counters{0, 0, 0, 0}},
		{"video trashed and purged", func(tx *Tx) error {
			if _, err := tx.Trash(ctx, []int64{video.ID}); err != nil {
				return err
			}
			_, err := tx.Purge(ctx, []int64{video.ID}, func(Photo, []Sidecar) []string { return nil })
			return err
		}, counters{0, 0, 0, 0}, counters{0, 0, 0, 0}},
	}
	for _, tt := range tests {
		mustWrite(t, c, tt.change)
		for name, want := range map[string]counters{"mom": tt.mom, "dad": tt.dad} {
			u, err := c.UserByName(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			if got := (counters{u.UsedBytes, u.TrashedBytes, int64(u.Photos), int64(u.Videos)}); got != want {
				t.Errorf("%s: %s has %+v; want %+v", tt.name, name, got, want)
			}
		}
	}
}

// TestUsageMigrationCountsExistingRows: a catalog at 0015 with owners,
// some photos in the trash, gets its counters from 0016.
func TestUsageMigrationCountsExistingRows(t *testing.T) {
	ctx := context.Background()
	old, path := openBefore(t, "0016")
	var mom int64
	mustWrite(t, old, func(tx *Tx) error {
		var err error
		if mom, err = tx.CreateUser(ctx, "mom", nil); err != nil {
			return err
		}
		for i := 1; i <= 5; i++ {
			p := testPhoto(i, int64(i))
			if i == 5 {
				p.Type = "video"
			}
			if _, err := tx.InsertPhoto(ctx, p); err != nil {
				return err
			}
			// As picup did before 0016: the owner row and used_bytes by hand.
			if _, err := tx.ExecContext(ctx, `INSERT INTO photo_owners (photo_id, user_id, taken_key, added_at) VALUES (?, ?, ?, '')`, i, mom, i); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE users SET used_bytes = used_bytes + ? WHERE id = ?`, p.Bytes, mom); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE photos SET trashed_at = '2026-01-01T00:00:00Z' WHERE id IN (1, 2)`)
		return err
	})
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	c, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	u, err := c.UserByName(ctx, "mom")
	if err != nil {
		t.Fatal(err)
	}
	if u.UsedBytes != 101+102+103+104+105 || u.TrashedBytes != 101+102 || u.Photos != 2 || u.Videos != 1 {
		t.Errorf("mom after 0016: %+v; want used 515, trashed 203, 2 photos, 1 video", u)
	}
	if bad, err := c.CheckUsage(ctx); err != nil || len(bad) > 0 {
		t.Errorf("CheckUsage after 0016 = %+v, %v", bad, err)
	}
}

// TestCheckUsageNamesTheCounter: each counter out of step is reported,
// and RecomputeUsage puts every one right.
func TestCheckUsageNamesTheCounter(t *testing.T) {
	ctx := context.Background()
	for _, counter := range []string{"used_bytes", "trashed_bytes", "photos", "videos"} {
		t.Run(counter, func(t *testing.T) {
			c := openTest(t)
			mustWrite(t, c, func(tx *Tx) error {
				id, err := tx.CreateUser(ctx, "mom", nil)
				if err != nil {
					return err
				}
				p := testPhoto(1, 1)
				if p.ID, err = tx.InsertPhoto(ctx, p); err != nil {
					return err
				}
				if _, err := tx.Own(ctx, p, id); err != nil {
					return err
				}
				_, err = tx.ExecContext(ctx, `UPDATE users SET `+counter+` = `+counter+` + 7`)
				return err
			})
			bad, err := c.CheckUsage(ctx)
			if err != nil || len(bad) != 1 || bad[0].Counter != counter || bad[0].Recorded != bad[0].Actual+7 {
				t.Fatalf("CheckUsage = %+v, %v; want %s 7 above the count", bad, err, counter)
			}
			mustWrite(t, c, func(tx *Tx) error { return tx.RecomputeUsage(ctx) })
			if bad, err := c.CheckUsage(ctx); err != nil || len(bad) > 0 {
				t.Errorf("CheckUsage after RecomputeUsage = %+v, %v", bad, err)
			}
		})
	}
}

// openBefore opens a new catalog with the migrations numbered below
// first only, as an older picup made it.
func openBefore(t *testing.T, first string) (*Catalog, string) {
	t.Helper()
	before := fstest.MapFS{}
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() >= first {
			continue
		}
		b, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		before["migrations/"+e.Name()] = &fstest.MapFile{Data: b}
	}
	path := filepath.Join(t.TempDir(), "catalog.db")
	c, err := open(context.Background(), path, before)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, path
}
