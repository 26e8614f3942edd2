package catalog

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestQuotaReservationsAndOwnership(t *testing.T) {
	c := openTest(t)
	ctx := context.Background()
	quota := int64(1000)
	var mom, dad int64
	err := c.Write(ctx, func(tx *Tx) error {
		var err error
		if mom, err = tx.CreateUser(ctx, "mom", &quota); err != nil {
			return err
		}
		dad, err = tx.CreateUser(ctx, "dad", nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	p := testPhoto(1, 1)
	p.Bytes = 600
	insert(t, c, p)
	p, _ = c.PhotoBySHA(ctx, p.SHA256)

	var res int64
	err = c.Write(ctx, func(tx *Tx) error {
		var err error
		if res, err = tx.Reserve(ctx, mom, 600, "run-a"); err != nil {
			return err
		}
		// 600 reserved + 600 more > 1000.
		_, err = tx.Reserve(ctx, mom, 600, "run-b")
		if !errors.Is(err, ErrQuota) {
			return errors.New("a second reservation past the quota was accepted")
		}
		for _, want := range []string{`quota exceeded for "mom"`, "600 B of 1.0 kB used", "photo needs 600 B", `picup user set-quota mom`} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("quota error %q lacks %q", err, want)
			}
		}
		if err := tx.Release(ctx, res); err != nil {
			return err
		}
		if added, err := tx.Own(ctx, p, mom); err != nil || !added {
			return errors.New("Own failed")
		}
		if added, err := tx.Own(ctx, p, mom); err != nil || added {
			return errors.New("owning twice charged twice")
		}
		if _, err := tx.Own(ctx, p, dad); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	users, err := c.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.UsedBytes != 600 || u.ReservedBytes != 0 || u.Photos != 1 {
			t.Errorf("user %s: used %d reserved %d photos %d; want 600, 0, 1 (a shared photo counts for each owner)", u.Name, u.UsedBytes, u.ReservedBytes, u.Photos)
		}
	}
	if bad, err := c.CheckUsage(ctx); err != nil || len(bad) != 0 {
		t.Fatalf("CheckUsage = %v, %v", bad, err)
	}

	// Trashing keeps the usage; purging drops it for every owner and
	// queues the file deletions.
	err = c.Write(ctx, func(tx *Tx) error {
		if n, err := tx.Trash(ctx, []int64{p.ID}); err != nil || n != 1 {
			return errors.New("trash failed")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if u, _ := c.UserByName(ctx, "mom"); u.UsedBytes != 600 || u.TrashedBytes != 600 || u.Photos != 0 {
		t.Fatalf("after trash: %+v; want used 600, trashed 600, no live photo", u)
	}
	if ps, _ := c.ListPhotos(ctx, nil, 10); len(ps) != 0 {
		t.Fatalf("a trashed photo is listed: %+v", ps)
	}
	err = c.Write(ctx, func(tx *Tx) error {
		purged, err := tx.Purge(ctx, []int64{p.ID}, func(p Photo, _ []Sidecar) []string { return []string{p.Path, "thumbs/x"} })
		if err == nil && len(purged) != 1 {
			err = errors.New("nothing purged")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"mom", "dad"} {
		if u, _ := c.UserByName(ctx, name); u.UsedBytes != 0 || u.TrashedBytes != 0 {
			t.Errorf("after purge %s: %+v; want nothing used", name, u)
		}
	}
	jobs, err := c.Jobs(ctx, false, 0, 1000)
	if err != nil || len(jobs) != 2 || jobs[0].Kind != JobDeleteFile || jobs[0].Target != p.Path {
		t.Fatalf("jobs after purge = %+v, %v; want deletions of the original and the thumbnail", jobs, err)
	}
}

func TestEnsureFirstUserAdoptsOwnerlessPhotos(t *testing.T) {
	c := openTest(t)
	ctx := context.Background()
	insert(t, c, testPhoto(1, 1), testPhoto(2, 2))
	if err := c.EnsureFirstUser(ctx, "grandpa"); err != nil {
		t.Fatal(err)
	}
	if err := c.EnsureFirstUser(ctx, "someone-else"); err != nil {
		t.Fatal(err)
	}
	users, _ := c.Users(ctx)
	if len(users) != 1 || users[0].Name != "grandpa" || users[0].Photos != 2 || users[0].UsedBytes != 101+102 {
		t.Fatalf("users = %+v; want grandpa owning both photos", users)
	}
}
