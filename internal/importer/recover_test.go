package importer

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/pkg/filetype"
)

var errCrash = errors.New("simulated crash before commit")

// crashBeforeCommit runs the commit of one file up to the point where a
// process dies: the intent is written into a scratch dir whose process is
// gone (run-dead), and, when placed, the files are renamed into the
// library; then the transaction never commits.
func crashBeforeCommit(t *testing.T, lib *library.Library, file string, placed bool) intent {
	t.Helper()
	ctx := context.Background()
	run, err := lib.StartRun()
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	im := &Importer{lib: lib, run: run, opts: Options{Now: time.Now}}
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(file)
	src := catalog.Source{Path: file, Size: fi.Size(), SHA256: sum(data)}
	prep, err := im.prepare(ctx, item{path: file, info: fi}, filetype.Type{Kind: filetype.Photo, Format: "jpeg", MIME: "image/jpeg"}, file, src)
	if err != nil {
		t.Fatal(err)
	}
	dead := filepath.Join(lib.Root, library.TmpDir, "run-dead")
	if err := os.MkdirAll(dead, 0o755); err != nil {
		t.Fatal(err)
	}
	var in intent
	err = lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		var err error
		if in, err = im.choosePaths(ctx, tx, prep); err != nil {
			return err
		}
		b, _ := json.Marshal(in)
		if err := os.WriteFile(filepath.Join(dead, "intent-"+in.Photo.SHA256+".json"), b, 0o644); err != nil {
			return err
		}
		if placed {
			if err := im.place(prep, in); err != nil {
				return err
			}
		}
		return errCrash
	})
	if !errors.Is(err, errCrash) {
		t.Fatalf("simulated commit: %v", err)
	}
	return in
}

func TestRecoverAdoptsFilesPlacedBeforeACrash(t *testing.T) {
	lib := newLib(t)
	src := t.TempDir()
	file := filepath.Join(src, "IMG_20230102_030405.jpg")
	writeFile(t, file, jpegBytes(t, 1))
	in := crashBeforeCommit(t, lib, file, true)
	if ps := allPhotos(t, lib); len(ps) != 0 {
		t.Fatalf("catalog has %d photos before recovery; want 0", len(ps))
	}
	if err := Recover(context.Background(), lib); err != nil {
		t.Fatal(err)
	}
	ps := allPhotos(t, lib)
	if len(ps) != 1 || ps[0].Path != in.Photo.Path {
		t.Fatalf("after recovery: %+v; want the placed photo at %s", ps, in.Photo.Path)
	}
	for _, rel := range in.Thumbs {
		if !library.Exists(lib.Abs(rel)) {
			t.Errorf("thumbnail %s missing after recovery", rel)
		}
	}
	if left, _ := os.ReadDir(lib.Abs(library.TmpDir)); len(left) != 0 {
		t.Errorf("scratch dirs left after recovery: %v", left)
	}
}

func TestRecoverDropsWhatNeverReachedTheLibrary(t *testing.T) {
	lib := newLib(t)
	src := t.TempDir()
	file := filepath.Join(src, "a.jpg")
	writeFile(t, file, jpegBytes(t, 2))
	crashBeforeCommit(t, lib, file, false)
	if err := Recover(context.Background(), lib); err != nil {
		t.Fatal(err)
	}
	if ps := allPhotos(t, lib); len(ps) != 0 {
		t.Fatalf("recovery invented %d photos", len(ps))
	}
	for _, dir := range []string{library.OriginalsDir, library.ThumbsDir, library.TmpDir} {
		if got := libraryFiles(t, lib, dir); len(got) != 0 {
			t.Errorf("%s holds %v after recovery; want nothing", dir, got)
		}
	}
}

func TestRecoverRemovesACopyStoredTwice(t *testing.T) {
	lib := newLib(t)
	src := t.TempDir()
	file := filepath.Join(src, "a.jpg")
	writeFile(t, file, jpegBytes(t, 3))
	in := crashBeforeCommit(t, lib, file, true)
	// Meanwhile another process, which did not see the crashed run (it
	// is hidden for a moment), stored the same bytes under another name.
	dead := filepath.Join(lib.Root, library.TmpDir, "run-dead")
	hidden := filepath.Join(t.TempDir(), "run-dead")
	if err := os.Rename(dead, hidden); err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	writeFile(t, filepath.Join(other, "b.jpg"), jpegBytes(t, 3))
	if s := run(t, lib, Options{}, other); s.Imported != 1 {
		t.Fatalf("second import: imported %d; want 1", s.Imported)
	}
	if err := os.Rename(hidden, dead); err != nil {
		t.Fatal(err)
	}
	if err := Recover(context.Background(), lib); err != nil {
		t.Fatal(err)
	}
	ps := allPhotos(t, lib)
	if len(ps) != 1 || ps[0].Path == in.Photo.Path {
		t.Fatalf("photos after recovery: %+v; want only b.jpg's row", ps)
	}
	if library.Exists(lib.Abs(in.Photo.Path)) {
		t.Errorf("the crashed run's copy %s is still in the library", in.Photo.Path)
	}
	if got := libraryFiles(t, lib, library.OriginalsDir); len(got) != 1 {
		t.Errorf("originals = %v; want one file", got)
	}
}

func TestRecoverLeavesLiveRunsAlone(t *testing.T) {
	lib := newLib(t)
	run, err := lib.StartRun()
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	marker := filepath.Join(run.Dir, "intent-x.json")
	writeFile(t, marker, []byte("{}"))
	if err := Recover(context.Background(), lib); err != nil {
		t.Fatal(err)
	}
	if !library.Exists(marker) {
		t.Fatal("Recover touched the scratch dir of a live run")
	}
}

// A reservation whose run's scratch directory is gone (the process ended
// without releasing it: the release could not be written) is released by
// the next Recover; a live run's is kept.
func TestRecoverReleasesReservationsOfEndedRuns(t *testing.T) {
	lib := newLib(t)
	ctx := context.Background()
	live, err := lib.StartRun()
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	user, err := lib.Catalog.FirstUser(ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		if _, err := tx.Reserve(ctx, user.ID, 1000, "run-0123456789abcdef"); err != nil {
			return err
		}
		_, err := tx.Reserve(ctx, user.ID, 300, filepath.Base(live.Dir))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := Recover(ctx, lib); err != nil {
		t.Fatal(err)
	}
	held, err := lib.Catalog.Reservations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{filepath.Base(live.Dir): 300}
	if len(held) != 1 || held[filepath.Base(live.Dir)] != 300 {
		t.Fatalf("reservations after Recover = %v; want %v", held, want)
	}
}

// A killed import's placed files become its user's through the
// reservation the import held; when that reservation is gone and the photo
// no longer fits, they are dropped (the import never finished, so its
// source is still there) rather than charged past the quota.
func TestRecoverChargesThroughTheReservation(t *testing.T) {
	for _, held := range []bool{true, false} {
		t.Run(map[bool]string{true: "reservation held", false: "reservation gone"}[held], func(t *testing.T) {
			lib := newLib(t)
			ctx := context.Background()
			file := filepath.Join(t.TempDir(), "IMG_1.jpg")
			data := jpegBytes(t, 3)
			writeFile(t, file, data)
			quota := int64(len(data))
			var kid, res int64
			err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
				var err error
				if kid, err = tx.CreateUser(ctx, "kid", &quota); err != nil {
					return err
				}
				if held {
					res, err = tx.Reserve(ctx, kid, quota, "run-dead")
				} else {
					// Something else took the room the import had.
					res = 1 << 40
					_, err = tx.Reserve(ctx, kid, quota, "run-live-elsewhere")
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			in := crashBeforeCommit(t, lib, file, true)
			in.UserID, in.Reservation = kid, res
			b, _ := json.Marshal(in)
			if err := os.WriteFile(filepath.Join(lib.Root, library.TmpDir, "run-dead", "intent-"+in.Photo.SHA256+".json"), b, 0o644); err != nil {
				t.Fatal(err)
			}
			if !held {
				// Keep the other reservation's run alive.
				if err := os.MkdirAll(filepath.Join(lib.Root, library.TmpDir, "run-live-elsewhere"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := Recover(ctx, lib); err != nil {
				t.Fatal(err)
			}
			u, err := lib.Catalog.UserByName(ctx, "kid")
			if err != nil {
				t.Fatal(err)
			}
			if u.UsedBytes+u.ReservedBytes > quota {
				t.Fatalf("kid after recovery: used %d + reserved %d > quota %d", u.UsedBytes, u.ReservedBytes, quota)
			}
			photos := allPhotos(t, lib)
			if held && (len(photos) != 1 || u.UsedBytes != quota || u.ReservedBytes != 0) {
				t.Fatalf("held: %d photos, kid %+v; want the photo adopted and charged, nothing reserved", len(photos), u)
			}
			if !held && (len(photos) != 0 || u.UsedBytes != 0 || library.Exists(lib.Abs(in.Photo.Path))) {
				t.Fatalf("gone: %d photos, kid %+v, original left: %v; want it dropped", len(photos), u, library.Exists(lib.Abs(in.Photo.Path)))
			}
		})
	}
}
