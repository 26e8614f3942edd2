package syncer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/picup/picup/internal/blob"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/jobs"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/miniotest"
	"github.com/picup/picup/internal/syncer"
	"github.com/picup/picup/internal/trash"
	"github.com/picup/picup/internal/verify"
)

func syncJournaled(t *testing.T, lib *library.Library, r catalog.Remote, store blob.Store, full bool) syncer.Summary {
	t.Helper()
	time.Sleep(5 * time.Millisecond) // distinct keys (ms)
	sum, err := syncer.Sync(context.Background(), lib, r, store, syncer.WithJournals(syncer.Options{FullSnapshot: full}))
	if err != nil || sum.Failed != 0 {
		t.Fatalf("sync: %v %+v", err, sum)
	}
	return sum
}

// runJobs runs the queue: the deletions of purged photos' files and
// remote objects.
func runJobs(t *testing.T, lib *library.Library, store blob.Store) {
	t.Helper()
	res, err := jobs.NewRunner(lib).WithRemotes(func(context.Context, string) (blob.Store, error) { return store, nil },
		func(context.Context, string) error { return nil }).RunDue(context.Background(), time.Now().Add(time.Minute))
	if err != nil || res.Failed != 0 || res.Dead != 0 {
		t.Fatalf("jobs: %v %+v", err, res)
	}
}

// state is what a restore must give back of a library: every photo by
// id with its content, caption, trash, owners, albums, hearts and
// comments, and the trash log.
func state(t *testing.T, lib *library.Library) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	for _, p := range allPhotos(t, lib) {
		albums, err := lib.Catalog.AlbumNamesOf(ctx, []int64{p.ID})
		if err != nil {
			t.Fatal(err)
		}
		tp, err := lib.Catalog.TakingPart(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var talk []string
		for _, h := range tp.Hearts {
			talk = append(talk, "heart:"+h.Name)
		}
		for _, c := range tp.Comments {
			talk = append(talk, "comment:"+c.Name+":"+c.Text)
		}
		out = append(out, strings.Join([]string{itoa(p.ID), p.SHA256[:12], p.Path, p.Caption, catalog.FormatTime(p.TrashedAt),
			strings.Join(p.Owners, ","), strings.Join(albums[p.ID], ","), strings.Join(talk, ",")}, "|"))
	}
	log, err := lib.Catalog.TrashLog(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range log {
		out = append(out, "trash log "+itoa(e.ID)+" "+e.Reason+" "+itoa(e.Photos))
	}
	return out
}

// Between full snapshots a sync writes a journal of what changed, and a
// restore applies the newest one on its snapshot: the restored library
// is the source, down to ids, captions, albums, hearts, the trash and
// its log, with nothing missing and nothing to upload again but
// thumbnails.
func TestJournalRestore(t *testing.T) {
	srv := miniotest.Start(t)
	ctx := context.Background()
	r, _, store := remoteFor(t, srv, "journal", "", srv.SecretKey)
	lib := openLib(t, t.TempDir())
	addRemote(t, lib, r)
	importInto(t, lib, "Trip", filepath.Join(testPhotos, "orientation", "goexif"))
	first := syncJournaled(t, lib, r, store, false)
	if first.Snapshot == "" || first.Journal != "" {
		t.Fatalf("first sync: %+v, want a full snapshot", first)
	}
	if s := syncJournaled(t, lib, r, store, false); s.Snapshot != "" || s.Journal != "" {
		t.Errorf("sync with nothing changed: %+v", s)
	}

	// Only photos change: new ones, a caption, a heart and a comment, one
	// out of the album, one in the trash, two purged.
	importInto(t, lib, "Trip", filepath.Join(testPhotos, "jpeg"))
	ps := allPhotos(t, lib)
	if len(ps) < 10 {
		t.Fatalf("only %d photos imported", len(ps))
	}
	trip, err := lib.Catalog.AlbumByName(ctx, "Trip")
	if err != nil {
		t.Fatal(err)
	}
	err = lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		if err := tx.SetCaption(ctx, ps[0].ID, "가족여행 제주도에서"); err != nil {
			return err
		}
		if _, err := tx.ToggleHeart(ctx, catalog.Heart{PhotoID: ps[1].ID, Device: "d1", Name: "할머니"}); err != nil {
			return err
		}
		if _, err := tx.AddComment(ctx, catalog.Comment{PhotoID: ps[1].ID, Device: "d1", Name: "할머니", Text: "예쁘다"}); err != nil {
			return err
		}
		if _, err := tx.RemoveFromAlbum(ctx, trip.ID, []int64{ps[2].ID}); err != nil {
			return err
		}
		_, err := tx.Trash(ctx, []int64{ps[3].ID, ps[4].ID, ps[len(ps)-1].ID})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if gone, err := trash.Purge(ctx, lib, []int64{ps[4].ID, ps[len(ps)-1].ID}); err != nil || len(gone) != 2 {
		t.Fatalf("purge: %v %d", err, len(gone))
	}
	runJobs(t, lib, store)
	second := syncJournaled(t, lib, r, store, false)
	if second.Snapshot != "" || second.Journal == "" {
		t.Fatalf("sync after photo changes: %+v, want a journal and no snapshot", second)
	}
	// Another change, to a photo of the first journal: a second journal.
	err = lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		if err := tx.SetCaption(ctx, ps[5].ID, "Seoraksan"); err != nil {
			return err
		}
		return tx.SetCaption(ctx, ps[0].ID, "제주도")
	})
	if err != nil {
		t.Fatal(err)
	}
	third := syncJournaled(t, lib, r, store, false)
	if third.Journal == "" || third.Journal == second.Journal {
		t.Fatalf("third sync: %+v", third)
	}
	if keys := snapshotKeys(t, store); !slices.Equal(keys, []string{first.Snapshot, second.Journal, third.Journal}) {
		t.Errorf("catalog/ holds %v, want the snapshot and both journals", keys)
	}
	verifyClean(t, lib, r, store, syncer.VerifyOptions{})

	want := state(t, lib)
	dst := filepath.Join(t.TempDir(), "restored")
	rsum, err := syncer.Restore(ctx, dst, r, store, syncer.RestoreOptions{})
	if err != nil {
		t.Fatalf("restore: %v %+v", err, rsum)
	}
	if rsum.Snapshot != first.Snapshot || !slices.Equal(rsum.Journals, []string{second.Journal, third.Journal}) || rsum.CaughtUp == 0 || len(rsum.Missing) != 0 {
		t.Errorf("restore: %+v", rsum)
	}
	if _, err := os.Stat(filepath.Join(dst, "restore-journals")); !os.IsNotExist(err) {
		t.Errorf("the note of a pending journal is still there: %v", err)
	}
	rlib := openLib(t, dst)
	if got := state(t, rlib); !slices.Equal(got, want) {
		t.Errorf("restored library:\n%s\nsource:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	rep, err := verify.Run(ctx, rlib, verify.Options{})
	if err != nil || !rep.OK() {
		t.Errorf("local verify of the restored library: %v %+v", err, rep.Problems)
	}
	rr, err := rlib.Catalog.RemoteByName(ctx, r.Name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := syncer.Sync(ctx, rlib, rr, store, syncer.Options{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range s.Failures {
		t.Errorf("dry run from the restored library: %+v", f)
	}
	if max := 2 * rsum.CaughtUp; s.Uploaded > max {
		t.Errorf("the restored library would upload %d objects, want at most the %d thumbnails of the photos caught up", s.Uploaded, max)
	}
	rlib.Close()

	// A new album is not in a journal: the next sync takes a full
	// snapshot and prunes the journal; so does --full-snapshot.
	touchCatalog(t, lib, "Grandpa's 70th")
	fourth := syncJournaled(t, lib, r, store, false)
	if fourth.Snapshot == "" || fourth.Journal != "" {
		t.Errorf("sync after a new album: %+v, want a full snapshot", fourth)
	}
	if keys := snapshotKeys(t, store); slices.ContainsFunc(keys, func(k string) bool { return strings.HasSuffix(k, ".journal.json") }) {
		t.Errorf("journals left after a full snapshot: %v", keys)
	}
	err = lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.SetCaption(ctx, ps[6].ID, "again") })
	if err != nil {
		t.Fatal(err)
	}
	if s := syncJournaled(t, lib, r, store, true); s.Snapshot == "" || s.Journal != "" {
		t.Errorf("sync with FullSnapshot: %+v", s)
	}
}

// A restored library's change numbers are its own: its first sync takes
// a full snapshot, even when the snapshot it came from knew an older one
// that a journal could follow, and a restore from there gives it back.
func TestJournalAfterRestore(t *testing.T) {
	srv := miniotest.Start(t)
	ctx := context.Background()
	r, _, store := remoteFor(t, srv, "again", "", srv.SecretKey)
	lib := openLib(t, t.TempDir())
	addRemote(t, lib, r)
	importInto(t, lib, "", filepath.Join(testPhotos, "orientation", "goexif"))
	syncJournaled(t, lib, r, store, false)
	ps := allPhotos(t, lib)
	err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.SetCaption(ctx, ps[0].ID, "one") })
	if err != nil {
		t.Fatal(err)
	}
	if s := syncJournaled(t, lib, r, store, true); s.Snapshot == "" {
		t.Fatalf("--full-snapshot: %+v", s)
	}
	lib.Close()
	dst := filepath.Join(t.TempDir(), "restored")
	if _, err := syncer.Restore(ctx, dst, r, store, syncer.RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	rlib := openLib(t, dst)
	rr, err := rlib.Catalog.RemoteByName(ctx, r.Name)
	if err != nil {
		t.Fatal(err)
	}
	err = rlib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.SetCaption(ctx, ps[1].ID, "from the restored library") })
	if err != nil {
		t.Fatal(err)
	}
	if s := syncJournaled(t, rlib, rr, store, false); s.Snapshot == "" || s.Journal != "" {
		t.Errorf("first sync from the restored library: %+v, want a full snapshot", s)
	}
	err = rlib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.SetCaption(ctx, ps[2].ID, "and again") })
	if err != nil {
		t.Fatal(err)
	}
	if s := syncJournaled(t, rlib, rr, store, false); s.Journal == "" {
		t.Errorf("second sync from the restored library: %+v, want a journal", s)
	}
	want := state(t, rlib)
	rlib.Close()
	dst2 := filepath.Join(t.TempDir(), "restored-again")
	if _, err := syncer.Restore(ctx, dst2, r, store, syncer.RestoreOptions{}); err != nil {
		t.Fatalf("restore of the restored library: %v", err)
	}
	if got := state(t, openLib(t, dst2)); !slices.Equal(got, want) {
		t.Errorf("restored again:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A journal that cannot be read stops a restore before anything is
// written; one that fails on the way stops it with its catalog made,
// and the restore run again applies the journals; a journal that no sync
// recorded (uploaded, then the sync stopped) is left aside.
func TestJournalRestoreResumes(t *testing.T) {
	srv := miniotest.Start(t)
	ctx := context.Background()
	r, _, store := remoteFor(t, srv, "resume", "", srv.SecretKey)
	lib := openLib(t, t.TempDir())
	addRemote(t, lib, r)
	importInto(t, lib, "", filepath.Join(testPhotos, "orientation", "goexif"))
	syncJournaled(t, lib, r, store, false)
	importInto(t, lib, "", filepath.Join(testPhotos, "orientation", "recurser"))
	j1 := syncJournaled(t, lib, r, store, false)
	if j1.Journal == "" {
		t.Fatalf("no journal: %+v", j1)
	}
	// A journal uploaded by a sync that stopped before recording it: the
	// next one follows the same record.
	var head struct{ Prev string }
	first := get(t, store, j1.Journal)
	if err := json.Unmarshal(first, &head); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	orphan := "catalog/" + time.Now().UTC().Format("20060102T150405.000Z") + ".journal.json"
	putRaw(t, store, orphan, bytes.Replace(first, []byte(`"prev":"`+head.Prev+`"`), []byte(`"prev":"`+j1.Journal+`"`), 1))
	importInto(t, lib, "", filepath.Join(testPhotos, "jpeg"))
	j2 := syncJournaled(t, lib, r, store, false)
	if j2.Journal == "" {
		t.Fatalf("no journal: %+v", j2)
	}
	want := state(t, lib)
	good := get(t, store, j2.Journal)

	putRaw(t, store, j2.Journal, good[:len(good)/2])
	dst := filepath.Join(t.TempDir(), "restored")
	if _, err := syncer.Restore(ctx, dst, r, store, syncer.RestoreOptions{}); err == nil || !strings.Contains(err.Error(), "move it out of catalog/") {
		t.Fatalf("restore with a broken journal: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dst, library.CatalogFile)); !os.IsNotExist(err) {
		t.Fatalf("a catalog was made before the journals were read: %v", err)
	}
	putRaw(t, store, j2.Journal, bytes.Replace(good, []byte(`"imported_at":"`), []byte(`"imported_at":"not a time`), 1))
	if _, err := syncer.Restore(ctx, dst, r, store, syncer.RestoreOptions{}); err == nil || !strings.Contains(err.Error(), "run the same restore again") {
		t.Fatalf("restore with a journal that fails on the way: %v", err)
	}
	putRaw(t, store, j2.Journal, good)
	rsum, err := syncer.Restore(ctx, dst, r, store, syncer.RestoreOptions{})
	if err != nil || !slices.Equal(rsum.Journals, []string{j1.Journal, j2.Journal}) || len(rsum.Missing) != 0 {
		t.Fatalf("restore again: %v %+v", err, rsum)
	}
	rlib := openLib(t, dst)
	if got := state(t, rlib); !slices.Equal(got, want) {
		t.Errorf("restored library:\n%s\nsource:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func get(t *testing.T, store blob.Store, key string) []byte {
	t.Helper()
	rc, _, err := store.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func putRaw(t *testing.T, store blob.Store, key string, data []byte) {
	t.Helper()
	if err := store.Put(context.Background(), key, bytes.NewReader(data), int64(len(data)), sha(data), "application/json"); err != nil {
		t.Fatal(err)
	}
}
