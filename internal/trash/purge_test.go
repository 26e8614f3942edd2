package trash

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/syncer"
	"github.com/picup/picup/internal/thumb"
)

func TestFiles(t *testing.T) {
	p := catalog.Photo{Path: "originals/2024/2024-05-03/IMG_1234.JPG", SHA256: fmt.Sprintf("%064x", 0xabc)}
	scs := []catalog.Sidecar{{Path: "originals/2024/2024-05-03/IMG_1234.XMP"}, {Path: "originals/2024/2024-05-03/IMG_1234.AAE"}}
	want := []string{p.Path, "meta/" + p.SHA256 + ".json", scs[0].Path, scs[1].Path}
	for _, s := range thumb.Sizes {
		want = append(want, "thumbs/"+p.SHA256[:2]+"/"+p.SHA256+"-"+string(s.Name)+".jpg")
	}
	if got := files(p, scs); !reflect.DeepEqual(got, want) {
		t.Errorf("files(%s) = %q; want %q", p.Path, got, want)
	}
	if len(thumb.Sizes) < 2 {
		t.Errorf("thumb.Sizes = %v; want grid and screen at least", thumb.Sizes)
	}
}

// TestPurgeQueuesDeletions: purging forgets the photo, lowers the usage of
// every owner, queues the deletion of each of its files, here and in the
// remote that holds them, and logs it; it deletes no file itself, and
// leaves a photo outside the trash alone.
func TestPurgeQueuesDeletions(t *testing.T) {
	ctx := context.Background()
	lib := openLibrary(t)
	me, err := lib.Catalog.FirstUser(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mk := func(i int) catalog.Photo {
		return catalog.Photo{
			SHA256: fmt.Sprintf("%064x", i), Path: fmt.Sprintf("originals/2024/2024-01-01/IMG_%04d.JPG", i),
			OriginalName: "IMG.JPG", Type: "photo", Format: "jpeg", MIME: "image/jpeg", Bytes: int64(1000 * i),
			TakenAt: "2024-01-01T00:00:00", TakenSource: "exif:DateTimeOriginal", Thumbs: "ok", ImportedAt: catalog.Now(),
		}
	}
	gone, kept := mk(1), mk(2)
	sidecar := "originals/2024/2024-01-01/IMG_0001.XMP"
	var dad int64
	err = lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		var err error
		if dad, err = tx.CreateUser(ctx, "dad", nil); err != nil {
			return err
		}
		for _, p := range []*catalog.Photo{&gone, &kept} {
			if p.ID, err = tx.InsertPhoto(ctx, *p); err != nil {
				return err
			}
			if _, err := tx.Own(ctx, *p, me.ID); err != nil {
				return err
			}
		}
		if _, err := tx.Own(ctx, gone, dad); err != nil {
			return err
		}
		if err := tx.InsertSidecar(ctx, gone.ID, sidecar, 10, fmt.Sprintf("%064x", 99)); err != nil {
			return err
		}
		for _, name := range []string{"b2", "unused"} {
			if err := tx.AddRemote(ctx, catalog.Remote{Name: name, Bucket: "photos", Endpoint: "s3.example.org"}); err != nil {
				return err
			}
		}
		for _, key := range []string{gone.Path, syncer.MetaKey(gone.SHA256)} {
			if err := tx.PutRemoteObject(ctx, "b2", key, gone.SHA256, gone.Bytes); err != nil {
				return err
			}
		}
		_, err = tx.Trash(ctx, []int64{gone.ID})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	original := lib.Abs(gone.Path)
	if err := os.MkdirAll(lib.Abs("originals/2024/2024-01-01"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(original, []byte("photo"), 0o644); err != nil {
		t.Fatal(err)
	}
	trashed, err := lib.Catalog.TrashedPhotos(ctx, time.Time{}, 0, 10)
	if err != nil || len(trashed) != 1 {
		t.Fatalf("trash before the purge = %+v, %v", trashed, err)
	}

	purged, err := Purge(ctx, lib, []int64{gone.ID, kept.ID, 12345})
	if err != nil || len(purged) != 1 || purged[0].ID != gone.ID {
		t.Fatalf("Purge = %+v, %v; want only the trashed photo", purged, err)
	}

	if _, err := lib.Catalog.PhotoByID(ctx, gone.ID); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("the purged photo is still in the catalog: %v", err)
	}
	if p, err := lib.Catalog.PhotoByID(ctx, kept.ID); err != nil || !p.TrashedAt.IsZero() {
		t.Errorf("the photo outside the trash: %+v, %v; want it kept as it was", p, err)
	}
	if scs, err := lib.Catalog.Sidecars(ctx, gone.ID); err != nil || len(scs) != 0 {
		t.Errorf("sidecars of the purged photo = %+v, %v; want none", scs, err)
	}
	if _, err := os.Stat(original); err != nil {
		t.Errorf("the purge deleted the original itself (%v); only its job may, after the commit", err)
	}

	jobs, err := lib.Catalog.Jobs(ctx, false, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, j := range jobs {
		if j.State != catalog.JobPending || j.Attempts != 0 {
			t.Errorf("job %+v: want pending, never tried", j)
		}
		got = append(got, j.Kind+" "+j.Target)
	}
	// Each file, from the library and from the remote that anything was
	// uploaded to, whether it holds that file or not; nothing from the
	// remote never synced.
	files := []string{gone.Path, syncer.MetaKey(gone.SHA256), sidecar}
	for _, s := range thumb.Sizes {
		files = append(files, library.ThumbPath(gone.SHA256, s.Name))
	}
	var want []string
	for _, f := range files {
		want = append(want, catalog.JobDeleteFile+" "+f, catalog.JobDeleteRemote+" b2\t"+f)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("jobs after the purge:\n%q\nwant:\n%q", got, want)
	}
	rels := []string{gone.Path, sidecar, library.ThumbPath(gone.SHA256, "grid"), kept.Path}
	pending, err := lib.Catalog.PendingDeletions(ctx, rels)
	if err != nil || !reflect.DeepEqual(pending, map[string]bool{rels[0]: true, rels[1]: true, rels[2]: true}) {
		t.Errorf("PendingDeletions(%q) = %v, %v; want the purged photo's three files", rels, pending, err)
	}

	users, err := lib.Catalog.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]int64{}
	for _, u := range users {
		used[u.Name] = u.UsedBytes
	}
	if used[me.Name] != kept.Bytes || used["dad"] != 0 {
		t.Errorf("usage after the purge = %v; want %s %d, dad 0", used, me.Name, kept.Bytes)
	}
	if bad, err := lib.Catalog.CheckUsage(ctx); err != nil || len(bad) != 0 {
		t.Errorf("CheckUsage after the purge = %+v, %v", bad, err)
	}

	log, err := lib.Catalog.TrashLog(ctx, 0, 10)
	if err != nil || len(log) != 1 || log[0].Reason != catalog.PurgeEmptied || log[0].Photos != 1 || log[0].Bytes != gone.Bytes {
		t.Fatalf("trash log = %+v, %v; want one emptied entry of 1 photo, %d bytes", log, err, gone.Bytes)
	}
	inLog, err := lib.Catalog.TrashLogPhotos(ctx, log[0].ID, 0, 10)
	wantLog := []catalog.PurgedPhoto{{ID: gone.ID, Path: gone.Path, OriginalName: gone.OriginalName, SHA256: gone.SHA256,
		Bytes: gone.Bytes, TrashedAt: trashed[0].TrashedAt}}
	if err != nil || !reflect.DeepEqual(inLog, wantLog) {
		t.Errorf("photos of the log entry = %+v, %v; want %+v", inLog, err, wantLog)
	}

	// Nothing left to purge: no new log entry, no new job.
	if again, err := Purge(ctx, lib, []int64{gone.ID}); err != nil || len(again) != 0 {
		t.Errorf("Purge again = %+v, %v; want nothing", again, err)
	}
	if log, _ := lib.Catalog.TrashLog(ctx, 0, 10); len(log) != 1 {
		t.Errorf("trash log after an empty purge: %d entries; want 1", len(log))
	}
	if jobs2, _ := lib.Catalog.Jobs(ctx, false, 0, 1000); len(jobs2) != len(jobs) {
		t.Errorf("jobs after an empty purge: %d; want %d", len(jobs2), len(jobs))
	}
}

// TestPurgeExpiredRetention: PurgeExpired purges what has been in the
// trash for the library's retention or longer, whatever the retention
// says, and nothing younger.
func TestPurgeExpiredRetention(t *testing.T) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	day := 24 * time.Hour
	tests := []struct {
		stored string          // the retention setting, "" for none
		keep   time.Duration   // what it means
		ages   []time.Duration // how long each photo has been in the trash
		purged []int           // which of them go (indexes into ages)
	}{
		{"", DefaultRetention, []time.Duration{31 * day, 30 * day, 30*day - time.Second, day, 0}, []int{0, 1}},
		{"2h", 2 * time.Hour, []time.Duration{3 * time.Hour, 2 * time.Hour, 2*time.Hour - time.Second, time.Minute}, []int{0, 1}},
		{"90m", 90 * time.Minute, []time.Duration{2 * time.Hour, 89 * time.Minute}, []int{0}}, // minutes, as an older picup wrote them
		{"1w", 7 * day, []time.Duration{8 * day, 6 * day, 31 * day}, []int{0, 2}},
		{"1y", 365 * day, []time.Duration{31 * day, 364 * day}, nil},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("retention %q", tt.stored), func(t *testing.T) {
			lib := openLibrary(t)
			if tt.stored != "" {
				if err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.SetSetting(ctx, RetentionKey, tt.stored) }); err != nil {
					t.Fatal(err)
				}
			}
			for i, age := range tt.ages {
				addTrashed(t, lib, i+1, 1, now.Add(-age))
			}
			r, err := PurgeExpired(ctx, lib, now)
			if err != nil {
				t.Fatal(err)
			}
			purged, err := lib.Catalog.TrashLogPhotos(ctx, r.LogID, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, p := range purged {
				var i int
				if _, err := fmt.Sscanf(p.Path, "originals/2024/2024-01-01/IMG_%04d.JPG", &i); err != nil {
					t.Fatal(err)
				}
				got = append(got, i-1)
			}
			slices.Sort(got)
			if !reflect.DeepEqual(got, tt.purged) || r.Photos != len(tt.purged) || r.Kind != catalog.PurgeExpired || r.After != tt.keep || r.Bytes != int64(1000*len(tt.purged)) {
				t.Errorf("PurgeExpired with retention %q and ages %v = photos %v, %s after %v, %d bytes; want photos %v, expired after %v",
					tt.stored, tt.ages, got, r.Kind, r.After, r.Bytes, tt.purged, tt.keep)
			}
			if n, err := lib.Catalog.CountTrashed(ctx); err != nil || n != len(tt.ages)-len(tt.purged) {
				t.Errorf("left in the trash: %d, %v; want %d", n, err, len(tt.ages)-len(tt.purged))
			}
			log, err := lib.Catalog.TrashLog(ctx, 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case len(tt.purged) == 0 && (len(log) != 0 || r.LogID != 0):
				t.Errorf("nothing purged, but the trash log has %+v (LogID %d)", log, r.LogID)
			case len(tt.purged) > 0 && (len(log) != 1 || log[0].ID != r.LogID || log[0].Reason != catalog.PurgeExpired ||
				log[0].After != tt.keep || log[0].Photos != int64(len(tt.purged))):
				t.Errorf("trash log = %+v; want one expired entry (id %d) after %v of %d photos", log, r.LogID, tt.keep, len(tt.purged))
			}
		})
	}
}

// A retention that cannot be read purges nothing: the error says why.
func TestPurgeExpiredBadRetention(t *testing.T) {
	ctx := context.Background()
	lib := openLibrary(t)
	addTrashed(t, lib, 1, 2, time.Now().Add(-400*24*time.Hour))
	if err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.SetSetting(ctx, RetentionKey, "soon") }); err != nil {
		t.Fatal(err)
	}
	if d, err := Retention(ctx, lib); err == nil {
		t.Errorf("Retention with %q stored = %v, nil; want an error", "soon", d)
	}
	r, err := PurgeExpired(ctx, lib, time.Now())
	if err == nil || r.Photos != 0 {
		t.Errorf("PurgeExpired with an unreadable retention = %+v, %v; want an error and nothing purged", r, err)
	}
	if n, _ := lib.Catalog.CountTrashed(ctx); n != 2 {
		t.Errorf("left in the trash: %d; want 2", n)
	}
}
