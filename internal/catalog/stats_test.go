package catalog

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestStats(t *testing.T) {
	c := openTest(t)
	ctx := context.Background()
	var ps []Photo
	for i := range 5 {
		p := testPhoto(i, int64(i))
		if i >= 3 {
			p.Type = "video"
		}
		ps = append(ps, p)
	}
	insert(t, c, ps...) // photos 0..2 (100+101+102 bytes), videos 3, 4 (103, 104)
	err := c.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Trash(ctx, []int64{1, 4}); err != nil { // ps[0] and ps[3], a photo and a video
			return err
		}
		for _, r := range []string{"b2", "nas"} {
			if err := tx.AddRemote(ctx, Remote{Name: r, Bucket: "x", Endpoint: "s3.example.org"}); err != nil {
				return err
			}
		}
		// b2 holds photo 0 as it is and photo 1 with other content.
		if err := tx.PutRemoteObject(ctx, "b2", ps[0].Path, ps[0].SHA256, ps[0].Bytes); err != nil {
			return err
		}
		if err := tx.PutRemoteObject(ctx, "b2", ps[1].Path, ps[2].SHA256, ps[1].Bytes); err != nil {
			return err
		}
		for _, j := range []string{"a", "b", "c"} {
			if err := tx.AddJob(ctx, JobDeleteFile, j); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, c, func(tx *Tx) error {
		return tx.JobsFailed(ctx, []JobFailure{{ID: 3, Attempts: 8, Error: "gone", Next: time.Now(), Dead: true}})
	})
	got, err := c.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := Stats{
		Photos: 2, Videos: 1, Bytes: 101 + 102 + 104,
		TrashPhotos: 1, TrashVideos: 1, TrashBytes: 100 + 103,
		JobsPending: 2, JobsDead: 1,
		RemotePending: map[string]int64{"b2": 4, "nas": 5}, // b2 lacks photo 1's content
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Stats = %+v; want %+v", got, want)
	}
}

// BenchmarkStats is a /metrics scrape's catalog work for a library of
// 100,000 photos and two remotes, one holding them all.
func BenchmarkStats(b *testing.B) {
	c, err := Open(context.Background(), filepath.Join(b.TempDir(), "catalog.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	err = c.Write(ctx, func(tx *Tx) error {
		for _, r := range []string{"b2", "nas"} {
			if err := tx.AddRemote(ctx, Remote{Name: r, Bucket: "x", Endpoint: "s3.example.org"}); err != nil {
				return err
			}
		}
		for i := range 100_000 {
			p := testPhoto(i, int64(i))
			if _, err := tx.InsertPhoto(ctx, p); err != nil {
				return err
			}
			if err := tx.PutRemoteObject(ctx, "b2", p.Path, p.SHA256, p.Bytes); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := c.Stats(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
