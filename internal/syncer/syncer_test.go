package syncer_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/picup/picup/internal/blob"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/importer"
	"github.com/picup/picup/internal/jobs"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/miniotest"
	"github.com/picup/picup/internal/syncer"
	"github.com/picup/picup/internal/thumb"
	"github.com/picup/picup/internal/trash"
	"github.com/picup/picup/internal/verify"
)

const testPhotos = "../../testdata/photos"

var fastRetry = blob.RetryPolicy{Attempts: 3, Base: 10 * time.Millisecond, Max: 50 * time.Millisecond, BreakAfter: 5, Cooldown: 200 * time.Millisecond}

// remoteFor returns a remote description, the raw S3 store (bucket
// created) and the retrying store for bucket/prefix on srv.
func remoteFor(t *testing.T, srv miniotest.Server, bucket, prefix, secret string) (catalog.Remote, *blob.S3, blob.Store) {
	t.Helper()
	ctx := context.Background()
	s3, err := blob.NewS3(ctx, blob.S3Config{Endpoint: srv.Endpoint, Bucket: bucket, Prefix: prefix, AccessKey: srv.AccessKey, SecretKey: secret})
	if err != nil {
		t.Fatal(err)
	}
	if secret == srv.SecretKey {
		waitReady(t, s3)
	}
	r := catalog.Remote{Name: "m", Bucket: bucket, Prefix: prefix, Endpoint: srv.Endpoint, Insecure: true, KeepSnapshots: 3}
	return r, s3, blob.WithRetry(s3, fastRetry)
}

// waitReady creates the bucket, waiting for MinIO to serve S3 requests:
// miniotest returns once /minio/health/live answers, when MinIO may still
// refuse requests with "Server not initialized yet".
func waitReady(t *testing.T, s3 *blob.S3) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, err := s3.EnsureBucket(context.Background())
		if err == nil {
			return
		}
		if time.Now().After(deadline) || !strings.Contains(err.Error(), "not initialized") {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func openLib(t *testing.T, dir string) *library.Library {
	t.Helper()
	lib, err := library.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	return lib
}

func addRemote(t *testing.T, lib *library.Library, r catalog.Remote) {
	t.Helper()
	ctx := context.Background()
	if err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.AddRemote(ctx, r) }); err != nil {
		t.Fatal(err)
	}
}

func importInto(t *testing.T, lib *library.Library, album string, srcs ...string) importer.Summary {
	t.Helper()
	sum, err := importer.Run(context.Background(), lib, srcs, importer.Options{Album: album})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Imported == 0 {
		t.Fatalf("imported nothing from %v: %+v", srcs, sum)
	}
	return sum
}

func allPhotos(t *testing.T, lib *library.Library) []catalog.Photo {
	t.Helper()
	var out []catalog.Photo
	if err := lib.Catalog.EachPhoto(context.Background(), func(p catalog.Photo) error { out = append(out, p); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func listLive(t *testing.T, lib *library.Library) map[string]catalog.Photo {
	t.Helper()
	ps, err := lib.Catalog.ListPhotos(context.Background(), nil, 100000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]catalog.Photo{}
	for _, p := range ps {
		out[p.SHA256] = p
	}
	return out
}

func hashFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func mustSync(t *testing.T, lib *library.Library, r catalog.Remote, store blob.Store) syncer.Summary {
	t.Helper()
	sum, err := syncer.Sync(context.Background(), lib, r, store, syncer.Options{})
	if err != nil {
		t.Fatalf("sync: %v (%+v)", err, sum)
	}
	if sum.Failed != 0 {
		t.Fatalf("sync failures: %+v", sum.Failures)
	}
	return sum
}

func verifyClean(t *testing.T, lib *library.Library, r catalog.Remote, store blob.Store, o syncer.VerifyOptions, allowUnknown ...string) syncer.RemoteReport {
	t.Helper()
	rep, err := syncer.VerifyRemote(context.Background(), lib, r, store, o)
	if err != nil {
		t.Fatalf("verify remote: %v", err)
	}
	for _, p := range rep.Problems {
		if p.Kind == "unknown" && slices.Contains(allowUnknown, p.Key) {
			continue
		}
		t.Errorf("verify remote problem: %+v", p)
	}
	if rep.Checked == 0 {
		t.Error("verify remote checked nothing")
	}
	return rep
}

// objectKeys are the keys a photo has in a remote.
func objectKeys(p catalog.Photo) []string {
	keys := []string{p.Path, syncer.MetaKey(p.SHA256)}
	for _, s := range thumb.Sizes {
		keys = append(keys, library.ThumbPath(p.SHA256, s.Name))
	}
	return keys
}

func TestRoundTrip(t *testing.T) {
	srv := miniotest.Start(t)
	ctx := context.Background()
	r, _, store := remoteFor(t, srv, "roundtrip", "family/lib", srv.SecretKey)
	lib := openLib(t, t.TempDir())
	addRemote(t, lib, r)
	isum := importInto(t, lib, "Holidays", testPhotos)
	if isum.Imported != 28 {
		t.Logf("imported %d files (expected 28): failures %+v", isum.Imported, isum.Failures)
	}

	// A guest's heart and comment travel in the photo's sidecar.
	talked := allPhotos(t, lib)[0]
	err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		if _, err := tx.AddComment(ctx, catalog.Comment{PhotoID: talked.ID, Device: "d1", Name: "엄마", Text: "That's uncle Bong-su\n1962"}); err != nil {
			return err
		}
		_, err := tx.ToggleHeart(ctx, catalog.Heart{PhotoID: talked.ID, Device: "d1", Name: "엄마"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	// A password link: its password stays on this machine.
	var locked int64
	err = lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		album, err := tx.CreateAlbum(ctx, "Secret")
		if err != nil {
			return err
		}
		locked, err = tx.CreateShare(ctx, catalog.Share{TokenHash: catalog.HashToken("pw"), AlbumID: album, PasswordHash: "pbkdf2-sha256$1$c2FsdA$a2V5"}, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	first := mustSync(t, lib, r, store)
	if first.Uploaded == 0 || first.Snapshot == "" {
		t.Fatalf("first sync: %+v", first)
	}
	// Every original, thumbnail and meta object is there, plus the snapshot.
	photos := allPhotos(t, lib)
	wantMin := len(photos) * 2 // originals + meta, at least
	if first.Uploaded < wantMin {
		t.Errorf("uploaded %d objects for %d photos", first.Uploaded, len(photos))
	}
	if _, err := store.Head(ctx, first.Snapshot); err != nil {
		t.Errorf("head snapshot: %v", err)
	}

	second := mustSync(t, lib, r, store)
	if second.Uploaded != 0 || second.Snapshot != "" || second.Bytes != 0 {
		t.Errorf("second sync did something: %+v", second)
	}
	if second.Photos != 0 || second.Skipped != 0 {
		t.Errorf("second sync looked at %d photos, %d objects already there; want none: nothing changed", second.Photos, second.Skipped)
	}
	verifyClean(t, lib, r, store, syncer.VerifyOptions{ReadData: true})

	// Restore from the snapshot.
	dst := filepath.Join(t.TempDir(), "restored")
	rsum, err := syncer.Restore(ctx, dst, r, store, syncer.RestoreOptions{})
	if err != nil {
		t.Fatalf("restore: %v (%+v)", err, rsum)
	}
	if rsum.Snapshot != first.Snapshot || rsum.Photos != len(photos) || len(rsum.Missing) != 0 || rsum.Downloaded == 0 {
		t.Errorf("restore summary: %+v (snapshot %s, %d photos)", rsum, first.Snapshot, len(photos))
	}
	if !slices.Equal(rsum.LockedShares, []int64{locked}) {
		t.Errorf("restore's locked links: %v, want [%d]", rsum.LockedShares, locked)
	}
	rlib := openLib(t, dst)
	src, got := listLive(t, lib), listLive(t, rlib)
	if len(src) != len(got) {
		t.Errorf("restored %d live photos, source has %d", len(got), len(src))
	}
	for s, p := range src {
		q, ok := got[s]
		if !ok {
			t.Errorf("restored library lacks %s (%s)", p.Path, s)
			continue
		}
		if q.Path != p.Path {
			t.Errorf("%s restored at %s, was %s", s, q.Path, p.Path)
		}
		if h := hashFile(t, rlib.Abs(q.Path)); h != s {
			t.Errorf("restored %s has sha %s", q.Path, h)
		}
		a, _ := os.ReadFile(lib.Abs(p.Path))
		b, _ := os.ReadFile(rlib.Abs(q.Path))
		if !bytes.Equal(a, b) {
			t.Errorf("restored %s differs from the source", q.Path)
		}
		for _, sz := range thumb.Sizes {
			k := library.ThumbPath(s, sz.Name)
			if _, err := os.Stat(lib.Abs(k)); err == nil {
				if hashFile(t, lib.Abs(k)) != hashFile(t, rlib.Abs(k)) {
					t.Errorf("restored thumbnail %s differs", k)
				}
			}
		}
	}
	rs, err := rlib.Catalog.Remotes(ctx)
	if err != nil || len(rs) != 1 || rs[0].Bucket != r.Bucket || rs[0].Prefix != r.Prefix || rs[0].Endpoint != r.Endpoint {
		t.Errorf("remotes of the restored library: %+v, %v", rs, err)
	}
	rep, err := verify.Run(ctx, rlib, verify.Options{})
	if err != nil || !rep.OK() {
		t.Errorf("local verify of the restored library: %v %+v", err, rep.Problems)
	}
	// The restored library syncs to the same remote with nothing to upload.
	rr, err := rlib.Catalog.RemoteByName(ctx, rs[0].Name)
	if err != nil {
		t.Fatal(err)
	}
	if s := mustSync(t, rlib, rr, store); s.Uploaded != 0 {
		t.Errorf("sync from the restored library uploaded %d objects: %+v", s.Uploaded, s)
	}
	rlib.Close()

	// Resume: nothing more to download.
	again, err := syncer.Restore(ctx, dst, r, store, syncer.RestoreOptions{})
	if err != nil || again.Downloaded != 0 || len(again.Missing) != 0 {
		t.Errorf("restore again: %v %+v", err, again)
	}

	// Interrupted restore: delete a few files, run again; only those come back.
	rlib2 := openLib(t, dst)
	some := allPhotos(t, rlib2)[:3]
	rlib2.Close()
	for _, p := range some {
		os.Remove(filepath.Join(dst, filepath.FromSlash(p.Path)))
	}
	resumed, err := syncer.Restore(ctx, dst, r, store, syncer.RestoreOptions{})
	if err != nil || resumed.Downloaded != 3 {
		t.Errorf("resumed restore: %v %+v, want 3 downloads", err, resumed)
	}

	// From the JSON sidecars alone.
	dst2 := filepath.Join(t.TempDir(), "fromsidecars")
	ssum, err := syncer.Restore(ctx, dst2, r, store, syncer.RestoreOptions{FromSidecars: true})
	if err != nil || len(ssum.Missing) != 0 || ssum.Photos != len(photos) {
		t.Fatalf("restore from sidecars: %v %+v", err, ssum)
	}
	slib := openLib(t, dst2)
	got2 := listLive(t, slib)
	if len(got2) != len(src) {
		t.Errorf("restored from sidecars %d photos, want %d", len(got2), len(src))
	}
	album, err := slib.Catalog.AlbumByName(ctx, "Holidays")
	if err != nil {
		t.Fatalf("album after restore from sidecars: %v", err)
	}
	if p, err := slib.Catalog.PhotoBySHA(ctx, talked.SHA256); err != nil {
		t.Errorf("the commented photo after restore from sidecars: %v", err)
	} else if tp, err := slib.Catalog.TakingPart(ctx, p.ID); err != nil || len(tp.Comments) != 1 || tp.Comments[0].Text != "That's uncle Bong-su\n1962" ||
		tp.Comments[0].Name != "엄마" || len(tp.Hearts) != 1 || tp.Hearts[0].Name != "엄마" {
		t.Errorf("hearts and comments restored from sidecars: %+v, %v; want 엄마's heart and comment", tp, err)
	}
	inAlbum, err := slib.Catalog.AlbumPhotos(ctx, album.ID, nil, 1000)
	if err != nil || len(inAlbum) != len(src) {
		t.Errorf("album Holidays has %d photos after restore from sidecars, want %d (%v)", len(inAlbum), len(src), err)
	}
	for s, p := range src {
		q, ok := got2[s]
		if !ok {
			t.Errorf("restore from sidecars lacks %s", p.Path)
			continue
		}
		if q.Path != p.Path || !slices.Equal(q.Owners, p.Owners) || q.TakenAt != p.TakenAt || q.Bytes != p.Bytes {
			t.Errorf("restored from sidecars: %+v\nsource: %+v", q, p)
		}
		if h := hashFile(t, slib.Abs(q.Path)); h != s {
			t.Errorf("restored %s has sha %s", q.Path, h)
		}
	}
	rep, err = verify.Run(ctx, slib, verify.Options{})
	if err != nil || !rep.OK() {
		t.Errorf("local verify of the library restored from sidecars: %v %+v", err, rep.Problems)
	}
}

// hookStore calls before ahead of each Put and counts the Puts that
// succeeded, by key.
type hookStore struct {
	blob.Store
	before func(n int64, key string)
	n      atomic.Int64
	mu     sync.Mutex
	put    map[string]int
}

func (h *hookStore) Put(ctx context.Context, key string, r io.Reader, size int64, sha, ct string) error {
	if h.before != nil {
		h.before(h.n.Add(1), key)
	}
	err := h.Store.Put(ctx, key, r, size, sha, ct)
	if err == nil {
		h.mu.Lock()
		h.put[key]++
		h.mu.Unlock()
	}
	return err
}

func TestOutageMidSync(t *testing.T) {
	srv := miniotest.Start(t)
	ctx := context.Background()
	r, s3, _ := remoteFor(t, srv, "outage", "", srv.SecretKey)
	lib := openLib(t, t.TempDir())
	addRemote(t, lib, r)
	importInto(t, lib, "", filepath.Join(testPhotos, "orientation"))

	// The server dies when the 6th object is about to be sent.
	const stopAt = 6
	hook := &hookStore{put: map[string]int{}}
	hook.Store = s3
	hook.before = func(n int64, key string) {
		if n == stopAt {
			srv.Stop()
		}
	}
	store := blob.WithRetry(hook, fastRetry)
	dry, err := syncer.Sync(ctx, lib, r, store, syncer.Options{DryRun: true})
	if err != nil || dry.Uploaded == 0 {
		t.Fatalf("dry run: %v %+v", err, dry)
	}
	total := dry.Uploaded

	start := time.Now()
	sum, err := syncer.Sync(ctx, lib, r, store, syncer.Options{Transfers: 1})
	elapsed := time.Since(start)
	if !errors.Is(err, blob.ErrCircuitOpen) {
		t.Fatalf("sync during an outage: err %v, want ErrCircuitOpen", err)
	}
	if elapsed > 10*time.Second {
		t.Errorf("sync took %v to give up", elapsed)
	}
	if sum.Failed == 0 || sum.Uploaded != stopAt-1 || sum.Snapshot != "" || len(sum.Failures) != sum.Failed {
		t.Errorf("summary of the failed sync: %+v", sum)
	}
	known, err := lib.Catalog.RemoteObjects(ctx, r.Name)
	if err != nil || len(known) != stopAt-1 {
		t.Errorf("recorded %d objects after the outage, want %d (%v)", len(known), stopAt-1, err)
	}

	srv.Restart()
	waitReady(t, s3)
	hook.before = nil
	// A fresh breaker, as a new picup process would have.
	store = blob.WithRetry(hook, fastRetry)
	sum2, err := syncer.Sync(ctx, lib, r, store, syncer.Options{})
	if err != nil || sum2.Failed != 0 {
		t.Fatalf("sync after restart: %v %+v", err, sum2)
	}
	if sum2.Uploaded != total-(stopAt-1) {
		t.Errorf("sync after restart uploaded %d objects (snapshot %q), want %d", sum2.Uploaded, sum2.Snapshot, total-(stopAt-1))
	}
	if sum2.Snapshot == "" {
		t.Error("no snapshot after the completed sync")
	}
	for k, n := range hook.put {
		if n > 1 {
			t.Errorf("%s was uploaded %d times", k, n)
		}
	}
	verifyClean(t, lib, r, store, syncer.VerifyOptions{})
}

// TestBreakerReusedAfterOutage syncs again with the very store whose
// circuit opened, once the remote is back and the cooldown has passed, as
// a long-running process would: while the half-open circuit's trial call
// runs, the other transfers wait for its outcome instead of failing.
func TestBreakerReusedAfterOutage(t *testing.T) {
	srv := miniotest.Start(t)
	ctx := context.Background()
	r, s3, store := remoteFor(t, srv, "breaker", "", srv.SecretKey)
	lib := openLib(t, t.TempDir())
	addRemote(t, lib, r)
	importInto(t, lib, "", filepath.Join(testPhotos, "orientation", "goexif"))

	srv.Stop()
	sum, err := syncer.Sync(ctx, lib, r, store, syncer.Options{})
	if !errors.Is(err, blob.ErrCircuitOpen) || sum.Failed == 0 || sum.Uploaded != 0 {
		t.Fatalf("sync with the server down: %v %+v", err, sum)
	}
	srv.Restart()
	waitReady(t, s3)
	time.Sleep(fastRetry.Cooldown + 50*time.Millisecond)
	sum, err = syncer.Sync(ctx, lib, r, store, syncer.Options{Transfers: 4})
	if err != nil || sum.Failed != 0 {
		t.Errorf("sync once the remote is back, same store: %v; uploaded %d, failed %d, first failures %v",
			err, sum.Uploaded, sum.Failed, sum.Failures[:min(2, len(sum.Failures))])
	}
}

func TestBadCredentials(t *testing.T) {
	srv := miniotest.Start(t)
	ctx := context.Background()
	remoteFor(t, srv, "creds", "", srv.SecretKey) // creates the bucket
	r, _, store := remoteFor(t, srv, "creds", "", "wrong-secret-key")
	lib := openLib(t, t.TempDir())
	addRemote(t, lib, r)
	importInto(t, lib, "", filepath.Join(testPhotos, "orientation", "goexif"))
	start := time.Now()
	sum, err := syncer.Sync(ctx, lib, r, store, syncer.Options{})
	if !errors.Is(err, blob.ErrPermanent) {
		t.Fatalf("sync with a wrong secret: %v, want ErrPermanent", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v to fail", d)
	}
	if sum.Uploaded != 0 || sum.Failed == 0 || sum.Snapshot != "" {
		t.Errorf("summary: %+v", sum)
	}
	if known, _ := lib.Catalog.RemoteObjects(ctx, r.Name); len(known) != 0 {
		t.Errorf("recorded %d objects", len(known))
	}
	if _, err := syncer.VerifyRemote(ctx, lib, r, store, syncer.VerifyOptions{}); !errors.Is(err, blob.ErrPermanent) {
		t.Errorf("verify with a wrong secret: %v", err)
	}
}

func TestDamage(t *testing.T) {
	srv := miniotest.Start(t)
	ctx := context.Background()
	r, _, store := remoteFor(t, srv, "damage", "p", srv.SecretKey)
	lib := openLib(t, t.TempDir())
	addRemote(t, lib, r)
	importInto(t, lib, "", filepath.Join(testPhotos, "orientation"))
	mustSync(t, lib, r, store)
	ps := allPhotos(t, lib)
	if len(ps) < 4 {
		t.Fatalf("%d photos", len(ps))
	}
	deleted, overwritten, rotten, metaGone := ps[0].Path, ps[1].Path, ps[2].Path, syncer.MetaKey(ps[3].SHA256)

	if err := store.Delete(ctx, deleted); err != nil {
		t.Fatal(err)
	}
	if err := store.Delete(ctx, metaGone); err != nil {
		t.Fatal(err)
	}
	other := []byte("not the photo at all")
	if err := store.Put(ctx, overwritten, bytes.NewReader(other), int64(len(other)), sha(other), ""); err != nil {
		t.Fatal(err)
	}
	stray := []byte("left by someone")
	if err := store.Put(ctx, "stray/file.txt", bytes.NewReader(stray), int64(len(stray)), sha(stray), ""); err != nil {
		t.Fatal(err)
	}
	// Bit rot: same size, the metadata still claims the right hash; only
	// reading the data can tell.
	orig, err := os.ReadFile(lib.Abs(rotten))
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Clone(orig)
	bad[len(bad)/2] ^= 0xff
	mc, err := minio.New(srv.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(srv.AccessKey, srv.SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mc.PutObject(ctx, r.Bucket, "p/"+rotten, bytes.NewReader(bad), int64(len(bad)),
		minio.PutObjectOptions{UserMetadata: map[string]string{"picup-sha256": ps[2].SHA256}}); err != nil {
		t.Fatal(err)
	}
	if info, err := store.Head(ctx, rotten); err != nil || info.SHA256 != ps[2].SHA256 {
		t.Fatalf("head of the rotten object: %+v %v", info, err)
	}

	kinds := func(rep syncer.RemoteReport) map[string][]string {
		m := map[string][]string{}
		for _, p := range rep.Problems {
			m[p.Kind] = append(m[p.Kind], p.Key)
		}
		for _, v := range m {
			sort.Strings(v)
		}
		return m
	}
	wantMissing := []string{deleted, metaGone}
	sort.Strings(wantMissing)

	rep, err := syncer.VerifyRemote(ctx, lib, r, store, syncer.VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	k := kinds(rep)
	if !slices.Equal(k["missing"], wantMissing) || !slices.Equal(k["corrupt"], []string{overwritten}) ||
		!slices.Equal(k["unknown"], []string{"stray/file.txt"}) || len(rep.Problems) != 4 || rep.Repaired {
		t.Errorf("verify without reading data: %+v", rep.Problems)
	}
	// Nothing was forgotten without Repair: a sync uploads nothing.
	if s := mustSync(t, lib, r, store); s.Uploaded != 0 {
		t.Errorf("sync before repair uploaded %d", s.Uploaded)
	}

	rep, err = syncer.VerifyRemote(ctx, lib, r, store, syncer.VerifyOptions{ReadData: true, Repair: true})
	if err != nil {
		t.Fatal(err)
	}
	k = kinds(rep)
	wantCorrupt := []string{overwritten, rotten}
	sort.Strings(wantCorrupt)
	if !slices.Equal(k["missing"], wantMissing) || !slices.Equal(k["corrupt"], wantCorrupt) ||
		!slices.Equal(k["unknown"], []string{"stray/file.txt"}) || !rep.Repaired {
		t.Errorf("verify --read-data --repair: %+v", rep.Problems)
	}
	s := mustSync(t, lib, r, store)
	if s.Uploaded != 4 {
		t.Errorf("sync after repair uploaded %d objects, want 4: %+v", s.Uploaded, s)
	}
	verifyClean(t, lib, r, store, syncer.VerifyOptions{ReadData: true}, "stray/file.txt")
}

func TestPurgeDeletesRemoteObjects(t *testing.T) {
	srv := miniotest.Start(t)
	ctx := context.Background()
	r, _, store := remoteFor(t, srv, "purge", "", srv.SecretKey)
	lib := openLib(t, t.TempDir())
	addRemote(t, lib, r)
	importInto(t, lib, "", filepath.Join(testPhotos, "orientation", "goexif"))
	mustSync(t, lib, r, store)
	ps := allPhotos(t, lib)
	gone := ps[:2]
	ids := []int64{gone[0].ID, gone[1].ID}
	for _, p := range gone {
		for _, k := range objectKeys(p) {
			if _, err := store.Head(ctx, k); err != nil {
				t.Fatalf("before purge, head %s: %v", k, err)
			}
		}
	}
	if err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { _, err := tx.Trash(ctx, ids); return err }); err != nil {
		t.Fatal(err)
	}
	purged, err := trash.Purge(ctx, lib, ids)
	if err != nil || len(purged) != 2 {
		t.Fatalf("purge: %v %d", err, len(purged))
	}
	opened := 0
	res, err := jobs.NewRunner(lib).WithRemotes(func(ctx context.Context, name string) (blob.Store, error) {
		opened++
		if name != r.Name {
			t.Errorf("runner opened remote %q", name)
		}
		return store, nil
	}, func(ctx context.Context, target string) error {
		t.Errorf("unexpected sync job for %q", target)
		return nil
	}).RunDue(ctx, time.Now().Add(time.Minute))
	if err != nil || res.Failed != 0 || res.Dead != 0 {
		t.Fatalf("jobs: %v %+v", err, res)
	}
	if opened != 1 {
		t.Errorf("remote opened %d times", opened)
	}
	known, err := lib.Catalog.RemoteObjects(ctx, r.Name)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range gone {
		for _, k := range objectKeys(p) {
			if _, err := store.Head(ctx, k); !blob.IsNotExist(err) {
				t.Errorf("after purge, head %s: %v", k, err)
			}
			if _, ok := known[k]; ok {
				t.Errorf("%s still recorded in remote_objects", k)
			}
		}
	}
	for _, p := range ps[2:] {
		for _, k := range objectKeys(p) {
			if _, err := store.Head(ctx, k); err != nil {
				t.Errorf("kept photo's %s: %v", k, err)
			}
		}
	}
	verifyClean(t, lib, r, store, syncer.VerifyOptions{})
	s := mustSync(t, lib, r, store)
	if s.Uploaded != 0 || s.Snapshot == "" {
		t.Errorf("sync after purge: %+v, want only a new snapshot", s)
	}
}

func TestLargeFileMultipart(t *testing.T) {
	srv := miniotest.Start(t)
	ctx := context.Background()
	r, _, store := remoteFor(t, srv, "large", "", srv.SecretKey)
	lib := openLib(t, t.TempDir())
	addRemote(t, lib, r)
	src, err := os.ReadFile(filepath.Join(testPhotos, "video", "drewnoakes", "with-gps.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	big := slices.Concat(src, make([]byte, 20<<20))
	if err := os.WriteFile(filepath.Join(dir, "big.mp4"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	importInto(t, lib, "", dir)
	ps := allPhotos(t, lib)
	if len(ps) != 1 || ps[0].Bytes != int64(len(big)) || ps[0].SHA256 != sha(big) {
		t.Fatalf("imported %+v", ps)
	}
	mustSync(t, lib, r, store)
	info, err := store.Head(ctx, ps[0].Path)
	if err != nil || info.SHA256 != sha(big) || info.Size != int64(len(big)) {
		t.Errorf("head of the big file: %+v %v, want %s", info, err, sha(big))
	}
	verifyClean(t, lib, r, store, syncer.VerifyOptions{ReadData: true})
	rsum, err := syncer.Restore(ctx, filepath.Join(t.TempDir(), "r"), r, store, syncer.RestoreOptions{})
	if err != nil || rsum.Photos != 1 || len(rsum.Missing) != 0 || rsum.Bytes < int64(len(big)) {
		t.Errorf("restore: %v %+v", err, rsum)
	}
}

// TestPrefixIsolation checks that two remotes in one bucket under
// different prefixes see only their own objects.
func TestPrefixIsolation(t *testing.T) {
	srv := miniotest.Start(t)
	ctx := context.Background()
	ra, _, sa := remoteFor(t, srv, "shared", "a", srv.SecretKey)
	rb, _, sb := remoteFor(t, srv, "shared", "ab", srv.SecretKey)
	la, lb := openLib(t, t.TempDir()), openLib(t, t.TempDir())
	addRemote(t, la, ra)
	addRemote(t, lb, rb)
	importInto(t, la, "", filepath.Join(testPhotos, "orientation", "goexif"))
	importInto(t, lb, "", filepath.Join(testPhotos, "other", "small"))
	mustSync(t, la, ra, sa)
	mustSync(t, lb, rb, sb)
	verifyClean(t, la, ra, sa, syncer.VerifyOptions{})
	verifyClean(t, lb, rb, sb, syncer.VerifyOptions{})
	var keys []string
	if err := sa.List(ctx, "", func(i blob.Info) error { keys = append(keys, i.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if strings.HasPrefix(k, "b/") {
			t.Errorf("prefix a lists %s", k)
		}
	}
}

func snapshotKeys(t *testing.T, store blob.Store) []string {
	t.Helper()
	var keys []string
	if err := store.List(context.Background(), "catalog/", func(i blob.Info) error { keys = append(keys, i.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	return keys
}

func touchCatalog(t *testing.T, lib *library.Library, album string) {
	t.Helper()
	ctx := context.Background()
	if err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { _, err := tx.EnsureAlbum(ctx, album); return err }); err != nil {
		t.Fatal(err)
	}
}

// TestSnapshotPruning checks that no more than KeepSnapshots snapshots stay
// in the remote, also when syncing from a library restored from one (whose
// catalog does not know the snapshot it came from).
func TestSnapshotPruning(t *testing.T) {
	srv := miniotest.Start(t)
	ctx := context.Background()
	r, _, store := remoteFor(t, srv, "snaps", "", srv.SecretKey)
	r.KeepSnapshots = 2
	lib := openLib(t, t.TempDir())
	addRemote(t, lib, r)
	importInto(t, lib, "", filepath.Join(testPhotos, "orientation", "goexif"))
	for i := range 4 {
		if i > 0 {
			time.Sleep(5 * time.Millisecond) // distinct snapshot keys (ms)
			touchCatalog(t, lib, "a"+string(rune('0'+i)))
		}
		if s := mustSync(t, lib, r, store); s.Snapshot == "" {
			t.Fatalf("sync %d took no snapshot", i)
		}
	}
	if keys := snapshotKeys(t, store); len(keys) != 2 {
		t.Errorf("%d snapshots in the remote, keep is 2: %v", len(keys), keys)
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
	for i := range 3 {
		time.Sleep(5 * time.Millisecond)
		touchCatalog(t, rlib, "b"+string(rune('0'+i)))
		if s := mustSync(t, rlib, rr, store); s.Snapshot == "" {
			t.Fatalf("sync %d from the restored library took no snapshot", i)
		}
	}
	if keys := snapshotKeys(t, store); len(keys) != 2 {
		t.Errorf("after syncing from the restored library, %d snapshots in the remote, keep is 2: %v", len(keys), keys)
	}
}
