package syncer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"slices"
	"testing"

	"github.com/picup/picup/internal/blob"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/importer"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/thumb"
)

// dropStore takes every Put and keeps nothing; nothing else is asked
// of it here.
type dropStore struct{}

func (dropStore) Put(_ context.Context, _ string, r io.Reader, _ int64, _, _ string) error {
	_, err := io.Copy(io.Discard, r)
	return err
}
func (dropStore) Head(context.Context, string) (blob.Info, error) { return blob.Info{}, os.ErrNotExist }
func (dropStore) Get(context.Context, string) (io.ReadCloser, blob.Info, error) {
	return nil, blob.Info{}, os.ErrNotExist
}
func (dropStore) Delete(context.Context, string) error { return nil }
func (dropStore) List(context.Context, string, func(blob.Info) error) error {
	return nil
}

// planKeys is what a sync to r would upload, looking at the photos
// changed after the change number after: the keys, sorted.
func planKeys(t *testing.T, lib *library.Library, r catalog.Remote, after int64) []string {
	t.Helper()
	ctx := context.Background()
	upTo, err := lib.Catalog.ChangeSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s := &syncRun{lib: lib, r: r, o: Options{Progress: &Progress{}}}
	originals, thumbs, metas, err := s.plan(ctx, after, upTo)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, u := range slices.Concat(originals, thumbs, metas) {
		keys = append(keys, u.key)
	}
	for _, f := range s.sum.Failures {
		keys = append(keys, "failed:"+f.Key)
	}
	slices.Sort(keys)
	return keys
}

// remoteLibrary is a library of the sample JPEGs (in album, unless "")
// with a remote that nothing was synced to.
func remoteLibrary(t *testing.T, album string) (*library.Library, catalog.Remote) {
	t.Helper()
	ctx := context.Background()
	lib, err := library.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	if _, err := importer.Run(ctx, lib, []string{"../../testdata/photos/jpeg"}, importer.Options{Album: album}); err != nil {
		t.Fatal(err)
	}
	r := catalog.Remote{Name: "r", Bucket: "b", Endpoint: "127.0.0.1:1"}
	if err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.AddRemote(ctx, r) }); err != nil {
		t.Fatal(err)
	}
	return lib, r
}

// TestChangedPlanEqualsFullPlan changes, one at a time, everything a
// sync uploads for a photo, and checks after each change that the sync
// that looks only at the photos changed since the last one would upload
// exactly what one looking at every photo would.
func TestChangedPlanEqualsFullPlan(t *testing.T) {
	ctx := context.Background()
	lib, r := remoteLibrary(t, "Family")
	write := func(fn func(tx *catalog.Tx) error) {
		t.Helper()
		if err := lib.Catalog.Write(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	store := dropStore{}
	sync := func(step string) {
		t.Helper()
		if sum, err := Sync(ctx, lib, r, store, Options{}); err != nil || sum.Failed != 0 {
			t.Fatalf("after %s: sync: %v %+v", step, err, sum)
		}
	}
	sync("the import")
	var photos []catalog.Photo
	err := lib.Catalog.EachPhoto(ctx, func(p catalog.Photo) error { photos = append(photos, p); return nil })
	if err != nil || len(photos) < 4 {
		t.Fatalf("photos: %d, %v", len(photos), err)
	}
	p, q := photos[0], photos[1]
	users, err := lib.Catalog.Users(ctx)
	if err != nil || len(users) == 0 {
		t.Fatalf("users: %v", err)
	}
	album := func(tx *catalog.Tx) int64 {
		id, err := tx.AlbumID(ctx, "Family")
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	var commentID int64
	steps := []struct {
		name  string
		empty bool // changes nothing a sync uploads
		do    func(tx *catalog.Tx) error
	}{
		{"nothing", true, func(*catalog.Tx) error { return nil }},
		{"rename the album", false, func(tx *catalog.Tx) error { return tx.RenameAlbum(ctx, album(tx), "Family 2026") }},
		{"add to a new album", false, func(tx *catalog.Tx) error {
			id, err := tx.CreateAlbum(ctx, "Jeju")
			if err == nil {
				_, err = tx.AddToAlbum(ctx, id, q.ID, catalog.Actor{})
			}
			return err
		}},
		{"delete the new album", false, func(tx *catalog.Tx) error {
			id, err := tx.AlbumID(ctx, "Jeju")
			if err != nil {
				return err
			}
			return tx.DeleteAlbum(ctx, id)
		}},
		{"caption", false, func(tx *catalog.Tx) error { return tx.SetCaption(ctx, p.ID, "Grandpa at Haeundae") }},
		{"trash", false, func(tx *catalog.Tx) error { _, err := tx.Trash(ctx, []int64{q.ID}); return err }},
		{"restore", false, func(tx *catalog.Tx) error { _, err := tx.Restore(ctx, []int64{q.ID}); return err }},
		{"heart", false, func(tx *catalog.Tx) error {
			_, err := tx.ToggleHeart(ctx, catalog.Heart{PhotoID: p.ID, Device: "d1", Name: "Mom"})
			return err
		}},
		{"heart taken back", false, func(tx *catalog.Tx) error {
			_, err := tx.ToggleHeart(ctx, catalog.Heart{PhotoID: p.ID, Device: "d1", Name: "Mom"})
			return err
		}},
		{"comment", false, func(tx *catalog.Tx) error {
			c, err := tx.AddComment(ctx, catalog.Comment{PhotoID: q.ID, Device: "d1", Name: "Mom", Text: "so young!"})
			commentID = c.ID
			return err
		}},
		{"comment deleted", false, func(tx *catalog.Tx) error { _, err := tx.DeleteComment(ctx, commentID, "d1"); return err }},
		{"upload", false, func(tx *catalog.Tx) error {
			_, err := tx.InsertUpload(ctx, catalog.Upload{TusID: "t1", PhotoID: q.ID, UserID: users[0].ID, Name: "Aunt", FileName: "a.jpg", Status: "added"})
			return err
		}},
		{"rename the user", false, func(tx *catalog.Tx) error { return tx.RenameUser(ctx, users[0].ID, "grandma") }},
		{"a second owner", false, func(tx *catalog.Tx) error {
			id, err := tx.CreateUser(ctx, "dad", nil)
			if err == nil {
				_, err = tx.Own(ctx, p, id)
			}
			return err
		}},
		{"sidecar", false, func(tx *catalog.Tx) error {
			rel, data := p.Path+".xmp", []byte("<x/>")
			if err := os.WriteFile(lib.Abs(rel), data, 0o644); err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			return tx.InsertSidecar(ctx, p.ID, rel, int64(len(data)), hex.EncodeToString(sum[:]))
		}},
		{"thumbnails made again", false, func(tx *catalog.Tx) error {
			if err := os.WriteFile(lib.Abs(library.ThumbPath(q.SHA256, thumb.Grid)), []byte("a new grid thumbnail"), 0o644); err != nil {
				return err
			}
			return tx.SetThumbs(ctx, q.ID, "ok")
		}},
		{"a place (not in the sidecar: GPS makes it again)", true, func(tx *catalog.Tx) error {
			return tx.SetPlace(ctx, q.ID, catalog.Place{Country: "KR", Region: "Jeju", City: "Jeju City"})
		}},
		{"purge", true, func(tx *catalog.Tx) error {
			_, err := tx.Purge(ctx, []int64{photos[2].ID}, func(catalog.Photo, []catalog.Sidecar) []string { return nil })
			return err
		}},
		{"a forgotten object", false, func(tx *catalog.Tx) error {
			if err := tx.DeleteRemoteObject(ctx, r.Name, p.Path); err != nil {
				return err
			}
			return tx.MarkChanged(ctx, p.ID)
		}},
	}
	for _, st := range steps {
		write(st.do)
		cur, err := lib.Catalog.RemoteByName(ctx, r.Name)
		if err != nil {
			t.Fatal(err)
		}
		changed, full := planKeys(t, lib, cur, cur.SyncedSeq), planKeys(t, lib, cur, 0)
		if !slices.Equal(changed, full) {
			t.Errorf("after %s: the changed photos' plan uploads %q; the whole library's %q", st.name, changed, full)
		}
		if st.empty != (len(full) == 0) {
			t.Errorf("after %s: the plan uploads %q; want it empty: %v", st.name, full, st.empty)
		}
		sync(st.name)
		if cur, err = lib.Catalog.RemoteByName(ctx, r.Name); err != nil {
			t.Fatal(err)
		}
		if left := planKeys(t, lib, cur, cur.SyncedSeq); len(left) != 0 {
			t.Errorf("after %s and a sync: the next sync would upload %q; want nothing", st.name, left)
		}
	}
}

// failingStore fails every Put of one key.
type failingStore struct {
	dropStore
	key string
}

func (f failingStore) Put(ctx context.Context, key string, r io.Reader, size int64, sha, ct string) error {
	if key == f.key {
		return errors.New("refused")
	}
	return f.dropStore.Put(ctx, key, r, size, sha, ct)
}

// TestSyncMark checks that a sync's mark moves only past what landed: a
// photo whose object failed comes back to the next sync alone, and a
// sync cut off in the middle moves the mark not at all.
func TestSyncMark(t *testing.T) {
	ctx := context.Background()
	lib, r := remoteLibrary(t, "")
	var p catalog.Photo
	if err := lib.Catalog.EachPhoto(ctx, func(ph catalog.Photo) error { p = ph; return nil }); err != nil {
		t.Fatal(err)
	}
	mark := func() int64 {
		cur, err := lib.Catalog.RemoteByName(ctx, r.Name)
		if err != nil {
			t.Fatal(err)
		}
		return cur.SyncedSeq
	}

	cut, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Sync(cut, lib, r, dropStore{}, Options{}); err == nil {
		t.Fatal("a sync with its context ended: no error")
	}
	if m := mark(); m != 0 {
		t.Fatalf("a sync cut off moved the mark to %d", m)
	}

	sum, err := Sync(ctx, lib, r, failingStore{key: p.Path}, Options{})
	if err != nil || sum.Failed != 1 || sum.Uploaded == 0 {
		t.Fatalf("sync with one refused object: %v %+v", err, sum)
	}
	cur, err := lib.Catalog.RemoteByName(ctx, r.Name)
	if err != nil {
		t.Fatal(err)
	}
	if got := planKeys(t, lib, cur, cur.SyncedSeq); !slices.Equal(got, []string{p.Path}) {
		t.Errorf("after a sync that failed %s: the next would upload %q; want that one only", p.Path, got)
	}
	sum, err = Sync(ctx, lib, r, dropStore{}, Options{})
	if err != nil || sum.Failed != 0 || sum.Uploaded != 1 || sum.Skipped != 2+len(thumb.Sizes)-1 {
		t.Errorf("the next sync: %v %+v; want the original uploaded and its other objects skipped", err, sum)
	}
	if sum, err = Sync(ctx, lib, r, dropStore{}, Options{}); err != nil || sum.Uploaded+sum.Skipped+sum.Failed != 0 {
		t.Errorf("a sync with nothing to do: %v %+v; want it to look at nothing", err, sum)
	}
}
