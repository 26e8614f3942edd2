package catalog

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

func noFiles(Photo, []Sidecar) []string { return nil }

// purgeAndLog purges ids and logs them in one transaction, as
// internal/trash does; fail makes the transaction fail after both.
func purgeAndLog(c *Catalog, e TrashLogEntry, ids []int64, fail error) (TrashLogEntry, error) {
	ctx := context.Background()
	err := c.Write(ctx, func(tx *Tx) error {
		ps, err := tx.Purge(ctx, ids, noFiles)
		if err != nil {
			return err
		}
		if e, err = tx.LogPurge(ctx, e, ps); err != nil {
			return err
		}
		return fail
	})
	return e, err
}

func trashAll(t *testing.T, c *Catalog, ids []int64) {
	t.Helper()
	ctx := context.Background()
	if err := c.Write(ctx, func(tx *Tx) error { _, err := tx.Trash(ctx, ids); return err }); err != nil {
		t.Fatal(err)
	}
}

// TestTrashLogCommitsWithThePurge: the log rows are written in the purge's
// transaction: a purge that rolls back leaves neither the purge nor its
// log, one that commits leaves both; a purge done in several transactions
// is one entry.
func TestTrashLogCommitsWithThePurge(t *testing.T) {
	c := openTest(t)
	ctx := context.Background()
	for i := 1; i <= 5; i++ {
		insert(t, c, testPhoto(i, int64(i)))
	}
	trashAll(t, c, []int64{1, 2, 3, 4})

	boom := errors.New("boom")
	if _, err := purgeAndLog(c, TrashLogEntry{Reason: PurgeExpired, After: 30 * 24 * time.Hour}, []int64{1, 2}, boom); !errors.Is(err, boom) {
		t.Fatalf("purge that fails: %v", err)
	}
	if log, err := c.TrashLog(ctx, 0, 10); err != nil || len(log) != 0 {
		t.Fatalf("TrashLog after a rolled back purge = %+v, %v; want nothing", log, err)
	}
	if ids, _ := c.TrashedBefore(ctx, time.Time{}, 10); len(ids) != 4 {
		t.Fatalf("trash after a rolled back purge: %v; want 4 photos", ids)
	}

	// Photo 5 is not in the trash: it is neither purged nor logged.
	e, err := purgeAndLog(c, TrashLogEntry{Reason: PurgeExpired, After: 30 * 24 * time.Hour}, []int64{1, 2, 5}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if e.ID == 0 || e.Photos != 2 || e.Bytes != 101+102 || e.PurgedAt.IsZero() {
		t.Fatalf("LogPurge = %+v; want a new entry of 2 photos, 203 bytes", e)
	}
	e2, err := purgeAndLog(c, e, []int64{3}, nil) // the same purge, next transaction
	if err != nil {
		t.Fatal(err)
	}
	if e2.ID != e.ID || e2.Photos != 3 || e2.Bytes != 101+102+103 {
		t.Fatalf("LogPurge adding to %d = %+v; want the same entry, 3 photos, 306 bytes", e.ID, e2)
	}
	if _, err := purgeAndLog(c, e2, []int64{5, 99}, nil); err != nil { // nothing purged: nothing logged
		t.Fatal(err)
	}
	emptied, err := purgeAndLog(c, TrashLogEntry{Reason: PurgeEmptied}, []int64{4}, nil)
	if err != nil {
		t.Fatal(err)
	}

	log, err := c.TrashLog(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []TrashLogEntry{
		{ID: emptied.ID, PurgedAt: emptied.PurgedAt, Reason: PurgeEmptied, Photos: 1, Bytes: 104},
		{ID: e.ID, PurgedAt: e.PurgedAt, Reason: PurgeExpired, After: 30 * 24 * time.Hour, Photos: 3, Bytes: 306},
	}
	if !reflect.DeepEqual(log, want) {
		t.Fatalf("TrashLog = %+v; want %+v", log, want)
	}
	ps, err := c.TrashLogPhotos(ctx, e.ID, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, p := range ps {
		got = append(got, p.ID)
		if p.Path != testPhoto(int(p.ID), 0).Path || p.SHA256 != testPhoto(int(p.ID), 0).SHA256 || p.TrashedAt.IsZero() {
			t.Errorf("logged photo %+v; want the photo as it was", p)
		}
	}
	if !reflect.DeepEqual(got, []int64{1, 2, 3}) {
		t.Errorf("TrashLogPhotos = %v; want [1 2 3]", got)
	}
}

// TestTrashLogPaging: entries newest first, by cursor; a purge's photos too.
func TestTrashLogPaging(t *testing.T) {
	c := openTest(t)
	ctx := context.Background()
	for i := 1; i <= 7; i++ {
		insert(t, c, testPhoto(i, int64(i)))
	}
	trashAll(t, c, []int64{1, 2, 3, 4, 5, 6, 7})
	for _, ids := range [][]int64{{1}, {2}, {3}, {4}, {5, 6, 7}} {
		if _, err := purgeAndLog(c, TrashLogEntry{Reason: PurgeEmptied}, ids, nil); err != nil {
			t.Fatal(err)
		}
	}
	entries := idPages(t, func(before int64) ([]TrashLogEntry, error) { return c.TrashLog(ctx, before, 2) },
		func(e TrashLogEntry) int64 { return e.ID })
	if !reflect.DeepEqual(entries, []int64{5, 4, 3, 2, 1}) {
		t.Errorf("TrashLog by pages of 2 = %v; want [5 4 3 2 1]", entries)
	}
	photos := idPages(t, func(after int64) ([]PurgedPhoto, error) { return c.TrashLogPhotos(ctx, 5, after, 2) },
		func(p PurgedPhoto) int64 { return p.ID })
	if !reflect.DeepEqual(photos, []int64{5, 6, 7}) {
		t.Errorf("TrashLogPhotos by pages of 2 = %v; want [5 6 7]", photos)
	}
}

// idPages reads a listing by pages of 2, each after the id of the last
// item of the one before, and returns the ids in the order read.
func idPages[T any](t *testing.T, page func(cursor int64) ([]T, error), id func(T) int64) []int64 {
	t.Helper()
	var ids []int64
	cursor := int64(0)
	for {
		items, err := page(cursor)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			ids = append(ids, id(it))
		}
		if len(items) < 2 {
			return ids
		}
		cursor = ids[len(ids)-1]
	}
}
