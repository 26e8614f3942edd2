package web

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/blob"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/importer"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/miniotest"
	"github.com/picup/picup/internal/sharelink"
	"github.com/picup/picup/internal/testenv"
)

// bucketFixture is a library synced to a real MinIO as remote "m", with a
// share of its album that allows downloads.
type bucketFixture struct {
	*fixture
	minio   miniotest.Server
	a       *archive.Archive
	token   string
	shareID int64
	byID    map[int64]catalog.Photo
	log     *testenv.Buffer // what the servers of serve log, from their goroutines
}

func newBucketFixture(t *testing.T) *bucketFixture {
	t.Helper()
	srv := miniotest.Start(t)
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	t.Setenv("PICUP_CREDENTIALS", filepath.Join(t.TempDir(), "none"))
	f := newFixtureOf(t, "../../testdata/photos/jpeg", "../../testdata/photos/video")
	ctx := context.Background()
	a := archive.New(f.lib)
	if err := a.AddRemote(ctx, catalog.Remote{Name: "m", Bucket: "family", Endpoint: srv.Endpoint, Insecure: true, KeepSnapshots: 1}); err != nil {
		t.Fatal(err)
	}
	if sum, _, err := a.Sync(ctx, "m", archive.SyncOptions{}); err != nil || sum.Failed != 0 {
		t.Fatalf("sync: %+v, %v", sum, err)
	}
	token, id := f.share(t, catalog.Share{Download: true})
	bf := &bucketFixture{fixture: f, minio: srv, a: a, token: token, shareID: id, byID: map[int64]catalog.Photo{}, log: &testenv.Buffer{}}
	for _, p := range f.inside {
		bf.byID[p.ID] = p
	}
	return bf
}

// serve starts a viewer of the fixture's library with media, on a clock
// shift ahead of the real one.
func (bf *bucketFixture) serve(t *testing.T, media *archive.Media, shift *atomic.Int64) *httptest.Server {
	t.Helper()
	h := NewServer(bf.lib, Options{
		Logger: slog.New(slog.NewTextHandler(bf.log, nil)), Media: media, NoRateLimits: true,
		Now: func() time.Time { return time.Now().Add(time.Duration(shift.Load())) },
	})
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		h.EndStreams()
		srv.Close()
		_ = h.Close(context.Background())
	})
	return srv
}

// offload drops the local original of p as picup offload does once its
// copy in "m" is checked, and returns the original's bytes.
func (bf *bucketFixture) offload(t *testing.T, p catalog.Photo) []byte {
	t.Helper()
	orig, err := os.ReadFile(bf.lib.Abs(p.Path))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := bf.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.SetOffloaded(ctx, p.ID, "m") }); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(bf.lib.Abs(p.Path)); err != nil {
		t.Fatal(err)
	}
	return orig
}

// getFrom sends a GET to base+path without following redirects.
func getFrom(t *testing.T, base, path string, header ...string) (*http.Response, []byte) {
	t.Helper()
	return getURL(t, noRedirect(), base+path, header...)
}

func getURL(t *testing.T, c *http.Client, u string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// checkPresigned checks a redirect to the bucket: 302, a Location on
// host, signed to live no longer than the media URL it answered (whose
// signature expires at exp), and a short private Cache-Control.
func checkPresigned(t *testing.T, what string, resp *http.Response, host string, exp int64) *url.URL {
	t.Helper()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || loc == "" {
		t.Fatalf("%s: %d, Location %q; want 302 to the bucket", what, resp.StatusCode, loc)
	}
	u, err := url.Parse(loc)
	if err != nil || u.Host != host {
		t.Fatalf("%s: Location %q; want one on %s", what, loc, host)
	}
	q := u.Query()
	date, err := time.Parse("20060102T150405Z", q.Get("X-Amz-Date"))
	life, err2 := strconv.ParseInt(q.Get("X-Amz-Expires"), 10, 64)
	if err != nil || err2 != nil || q.Get("X-Amz-Signature") == "" {
		t.Fatalf("%s: Location %q is not a presigned URL", what, loc)
	}
	if end := date.Unix() + life; end > exp {
		t.Errorf("%s: the presigned URL lives until %d, after the media URL's expiry %d", what, end, exp)
	}
	cc := resp.Header.Get("Cache-Control")
	age, err := strconv.ParseInt(strings.TrimPrefix(cc, "private, max-age="), 10, 64)
	if !strings.HasPrefix(cc, "private, max-age=") || err != nil || age > life || age > 300 {
		t.Errorf("%s: Cache-Control %q; want private, at most 300 s and at most the URL's life %d s", what, cc, life)
	}
	return u
}

// mediaExp is the expiry in a media URL's signature.
func mediaExp(t *testing.T, mediaPath string) int64 {
	t.Helper()
	parts := strings.Split(mediaPath, "/") // "", "m", sig, photo, kind
	exp := sigExpiry(parts[2])
	if exp == 0 {
		t.Fatalf("no expiry in %s", mediaPath)
	}
	return exp
}

// Offloaded originals and videos, with no --media-from: the media route
// checks everything as before, then redirects to a presigned URL of the
// remote's copy, which the browser follows (bytes, ranges and headers
// checked here); the zip streams them from the remote; the share page
// lets the browser load media from the bucket. What the checks refuse
// gets its 403, 404 or 410 with no Location.
func TestOffloadedFromTheBucket(t *testing.T) {
	bf := newBucketFixture(t)
	var shift atomic.Int64
	srv := bf.serve(t, nil, &shift)

	var video, photo catalog.Photo
	for _, p := range bf.inside {
		if p.Type == "video" && p.Format == "mov" {
			video = p
		}
		if p.Type == "photo" && photo.ID == 0 {
			photo = p
		}
	}
	if video.ID == 0 || photo.ID == 0 {
		t.Fatal("the fixture lacks a video or a photo")
	}
	videoBytes, photoBytes := bf.offload(t, video), bf.offload(t, photo)

	resp, body := getFrom(t, srv.URL, "/s/"+bf.token)
	if resp.StatusCode != 200 {
		t.Fatalf("share page: %d", resp.StatusCode)
	}
	origin := "http://" + bf.minio.Endpoint
	csp := resp.Header.Get("Content-Security-Policy")
	for _, d := range []string{"img-src 'self' " + origin, "media-src 'self' " + origin} {
		if !strings.Contains(csp, d) {
			t.Errorf("share page CSP %q lacks %q", csp, d)
		}
	}
	_, tiles := parsePage(t, string(body))
	var videoURL, photoURL string
	for _, tl := range tiles {
		switch tl.ID {
		case video.ID:
			videoURL = tl.Video
		case photo.ID:
			photoURL = tl.Original
		}
	}
	if videoURL == "" || photoURL == "" {
		t.Fatalf("no video URL (%q) or original URL (%q) on the page", videoURL, photoURL)
	}

	// The video plays: the player's range requests follow the redirect.
	resp, _ = getFrom(t, srv.URL, videoURL, "Range", "bytes=0-99")
	checkPresigned(t, "offloaded video", resp, bf.minio.Endpoint, mediaExp(t, videoURL))
	follow := &http.Client{}
	resp, got := getURL(t, follow, srv.URL+videoURL, "Range", "bytes=0-99")
	wantRange := "bytes 0-99/" + strconv.Itoa(len(videoBytes))
	if resp.StatusCode != 206 || resp.Header.Get("Content-Range") != wantRange || string(got) != string(videoBytes[:100]) {
		t.Errorf("offloaded video, range 0-99 through the redirect: %d, Content-Range %q, %d bytes; want 206, %q and the first 100 bytes",
			resp.StatusCode, resp.Header.Get("Content-Range"), len(got), wantRange)
	}
	if ct := resp.Header.Get("Content-Type"); ct != video.MIME {
		t.Errorf("offloaded video from the bucket: Content-Type %q; want %q", ct, video.MIME)
	}
	resp, got = getURL(t, follow, srv.URL+videoURL)
	if resp.StatusCode != 200 || sha(got) != video.SHA256 {
		t.Errorf("offloaded video through the redirect: %d, sha256 %s; want 200 and %s", resp.StatusCode, sha(got), video.SHA256)
	}

	// The original opens, as a download named as the library names it.
	resp, _ = getFrom(t, srv.URL, photoURL)
	checkPresigned(t, "offloaded original", resp, bf.minio.Endpoint, mediaExp(t, photoURL))
	resp, got = getURL(t, follow, srv.URL+photoURL)
	if resp.StatusCode != 200 || sha(got) != photo.SHA256 || string(got) != string(photoBytes) {
		t.Errorf("offloaded original through the redirect: %d, sha256 %s; want 200 and %s", resp.StatusCode, sha(got), photo.SHA256)
	}
	disp, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
	if err != nil || disp != "attachment" || params["filename"] != photo.OriginalName {
		t.Errorf("offloaded original from the bucket: Content-Disposition %q; want attachment; filename=%s", resp.Header.Get("Content-Disposition"), photo.OriginalName)
	}
	if ct := resp.Header.Get("Content-Type"); ct != photo.MIME {
		t.Errorf("offloaded original from the bucket: Content-Type %q; want %q", ct, photo.MIME)
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.HasPrefix(cc, "public, max-age=") {
		t.Errorf("offloaded original from the bucket: Cache-Control %q; want public, max-age (a link without password)", cc)
	}

	// Grid thumbnails of offloaded photos stay local.
	key, err := bf.server().signingKey(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	exp := mediaExp(t, photoURL)
	resp, got = getFrom(t, srv.URL, mediaURL(key, bf.shareID, photo.ID, "grid", exp, ""))
	thumbFile, _ := os.ReadFile(bf.lib.Abs(library.ThumbPath(photo.SHA256, "grid")))
	if resp.StatusCode != 200 || resp.Header.Get("Location") != "" || string(got) != string(thumbFile) {
		t.Errorf("grid thumbnail of an offloaded photo: %d, Location %q; want 200 from the library", resp.StatusCode, resp.Header.Get("Location"))
	}

	// The zip holds the offloaded originals, from the bucket.
	resp, got = getFrom(t, srv.URL, "/s/"+bf.token+"/download")
	if resp.StatusCode != 200 {
		t.Fatalf("zip download: %d", resp.StatusCode)
	}
	files := readZip(t, string(got))
	for _, p := range []catalog.Photo{photo, video} {
		zf := files[p.TakenAt[:10]+"/"+p.OriginalName]
		if zf == nil {
			t.Errorf("zip lacks the offloaded %s", p.OriginalName)
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || sha(b) != p.SHA256 {
			t.Errorf("zip: offloaded %s has sha256 %s (%v); want %s", p.OriginalName, sha(b), err, p.SHA256)
		}
	}
	if len(files) != len(bf.inside) {
		t.Errorf("zip holds %d files; want the share's %d", len(files), len(bf.inside))
	}

	// Refused before any redirect.
	parts := strings.Split(photoURL, "/")
	_, noDownloadID := bf.share(t, catalog.Share{})
	outside := bf.outside
	bf.offload(t, outside)
	refused := []struct {
		name, path string
		want       int
	}{
		{"tampered MAC", "/m/" + flipMAC(parts[2]) + "/" + parts[3] + "/original", 403},
		{"signature of another photo", "/m/" + parts[2] + "/" + strconv.FormatInt(video.ID, 10) + "/original", 403},
		{"signature of another kind", "/m/" + parts[2] + "/" + parts[3] + "/video", 403},
		{"video URL of a photo", mediaURL(key, bf.shareID, photo.ID, "video", exp, ""), 404},
		{"photo not in the share", mediaURL(key, bf.shareID, outside.ID, "original", exp, ""), 404},
		{"original of a share without downloads", mediaURL(key, noDownloadID, photo.ID, "original", exp, ""), 403},
		{"unknown kind", "/m/" + parts[2] + "/" + parts[3] + "/raw", 404},
		{"photo id not a number", "/m/" + parts[2] + "/x" + parts[3] + "/original", 404},
	}
	for _, tt := range refused {
		resp, _ := getFrom(t, srv.URL, tt.path)
		if resp.StatusCode != tt.want || resp.Header.Get("Location") != "" {
			t.Errorf("%s: %d, Location %q; want %d and no Location", tt.name, resp.StatusCode, resp.Header.Get("Location"), tt.want)
		}
	}

	// An expired media URL: 403, no Location.
	shift.Store(int64(3 * time.Hour))
	for _, u := range []string{photoURL, videoURL} {
		if resp, _ := getFrom(t, srv.URL, u); resp.StatusCode != 403 || resp.Header.Get("Location") != "" {
			t.Errorf("expired %s: %d, Location %q; want 403 and no Location", u, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	shift.Store(0)

	// A revoked link: 410, no Location.
	err = bf.lib.Catalog.Write(context.Background(), func(tx *catalog.Tx) error {
		_, err := tx.RevokeShare(context.Background(), bf.shareID, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{photoURL, videoURL} {
		if resp, _ := getFrom(t, srv.URL, u); resp.StatusCode != 410 || resp.Header.Get("Location") != "" {
			t.Errorf("revoked link %s: %d, Location %q; want 410 and no Location", u, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

// --media-from with --media-base-url: synced originals, videos and screen
// thumbnails are redirected to the bucket, through the base URL's host;
// grid thumbnails, and what is not synced yet, come from the library.
func TestMediaFromBucket(t *testing.T) {
	bf := newBucketFixture(t)
	ctx := context.Background()
	// A photo imported after the sync: not in the bucket yet.
	if _, err := importer.Run(ctx, bf.lib, []string{"../../testdata/photos/orientation"}, importer.Options{Album: "Family"}); err != nil {
		t.Fatal(err)
	}
	known, err := bf.lib.Catalog.RemoteObjects(ctx, "m")
	if err != nil {
		t.Fatal(err)
	}
	all, err := bf.lib.Catalog.AlbumPhotos(ctx, bf.album, nil, 200)
	if err != nil {
		t.Fatal(err)
	}
	var synced, unsynced catalog.Photo
	for _, p := range all {
		if _, ok := known[p.Path]; ok && p.Type == "photo" && synced.ID == 0 {
			synced = p
		} else if !ok && unsynced.ID == 0 {
			unsynced = p
		}
	}
	if synced.ID == 0 || unsynced.ID == 0 {
		t.Fatalf("want a synced and an unsynced photo; have %d and %d", synced.ID, unsynced.ID)
	}
	cdn, err := blob.ParseBaseURL("https://cdn.example.org")
	if err != nil {
		t.Fatal(err)
	}
	media, err := bf.a.Media(ctx, archive.MediaOptions{From: "m", BaseURL: cdn})
	if err != nil {
		t.Fatal(err)
	}
	var shift atomic.Int64
	srv := bf.serve(t, media, &shift)
	resp, _ := getFrom(t, srv.URL, "/s/"+bf.token)
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' https://cdn.example.org") ||
		!strings.Contains(csp, "media-src 'self' https://cdn.example.org") {
		t.Errorf("share page CSP %q; want the CDN in img-src and media-src", csp)
	}

	key, err := bf.server().signingKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Truncate(time.Hour).Add(2 * time.Hour).Unix()
	asBucket := func(u *url.URL) string { // what the CDN asks the bucket for
		v := *u
		v.Scheme, v.Host = "http", bf.minio.Endpoint
		return v.String()
	}
	for _, kind := range []string{"original", "screen"} {
		path := mediaURL(key, bf.shareID, synced.ID, kind, exp, "")
		resp, _ := getFrom(t, srv.URL, path)
		u := checkPresigned(t, "--media-from "+kind, resp, "cdn.example.org", exp)
		if u.Scheme != "https" {
			t.Errorf("%s: Location %s; want https from the base URL", kind, u)
		}
		want := synced.SHA256
		if kind == "screen" {
			b, _ := os.ReadFile(bf.lib.Abs(library.ThumbPath(synced.SHA256, "screen")))
			want = sha(b)
		}
		resp, got := getURL(t, &http.Client{}, asBucket(u))
		if resp.StatusCode != 200 || sha(got) != want {
			t.Errorf("%s through the CDN's origin: %d, sha256 %s; want 200 and %s", kind, resp.StatusCode, sha(got), want)
		}
	}
	// The server reads its clock just before a second begins, and the
	// URL is signed in that second: it still expires by the media URL.
	shift.Store(int64(-999 * time.Millisecond))
	for range 3 {
		resp, _ := getFrom(t, srv.URL, mediaURL(key, bf.shareID, synced.ID, "screen", exp, ""))
		checkPresigned(t, "--media-from screen, signed in the next second", resp, "cdn.example.org", exp)
	}
	shift.Store(0)
	// Grid thumbnails are never redirected.
	for _, p := range []catalog.Photo{synced, unsynced} {
		resp, _ := getFrom(t, srv.URL, mediaURL(key, bf.shareID, p.ID, "grid", exp, ""))
		if resp.StatusCode != 200 || resp.Header.Get("Location") != "" {
			t.Errorf("grid thumbnail of %s: %d, Location %q; want 200 from the library", p.OriginalName, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	// Not synced yet: from the library.
	for _, kind := range []string{"original", "screen"} {
		resp, got := getFrom(t, srv.URL, mediaURL(key, bf.shareID, unsynced.ID, kind, exp, ""))
		if resp.StatusCode != 200 || resp.Header.Get("Location") != "" || len(got) == 0 {
			t.Errorf("%s not synced yet: %d, Location %q; want 200 from the library", kind, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	_, got := getFrom(t, srv.URL, mediaURL(key, bf.shareID, unsynced.ID, "original", exp, ""))
	if sha(got) != unsynced.SHA256 {
		t.Errorf("unsynced original served locally: sha256 %s; want %s", sha(got), unsynced.SHA256)
	}

	// A link pinned to an address keeps its media here: a presigned URL
	// would open from anywhere.
	_, pinned := bf.share(t, catalog.Share{Download: true, BindIP: true})
	for _, kind := range []string{"original", "screen"} {
		resp, _ := getFrom(t, srv.URL, mediaURL(key, pinned, synced.ID, kind, exp, "127.0.0.1"))
		if resp.StatusCode != 200 || resp.Header.Get("Location") != "" {
			t.Errorf("pinned link's %s: %d, Location %q; want 200 from the library", kind, resp.StatusCode, resp.Header.Get("Location"))
		}
	}

	// Without a base URL the redirect goes to the bucket itself and is
	// followed to the original's bytes.
	plain, err := bf.a.Media(ctx, archive.MediaOptions{From: "m"})
	if err != nil {
		t.Fatal(err)
	}
	srv2 := bf.serve(t, plain, &shift)
	path := mediaURL(key, bf.shareID, synced.ID, "original", exp, "")
	resp, _ = getFrom(t, srv2.URL, path)
	checkPresigned(t, "--media-from original", resp, bf.minio.Endpoint, exp)
	resp, got = getURL(t, &http.Client{}, srv2.URL+path)
	if resp.StatusCode != 200 || sha(got) != synced.SHA256 {
		t.Errorf("--media-from original followed: %d, sha256 %s; want 200 and %s", resp.StatusCode, sha(got), synced.SHA256)
	}
}

// The zip checks what the bucket sends of an offloaded original: a copy
// that is not the original ends the archive unfinished, which no unzip
// takes for a whole one. A link with a password gets its bytes from the
// bucket with Cache-Control private.
func TestOffloadedZipAndPrivate(t *testing.T) {
	bf := newBucketFixture(t)
	var shift atomic.Int64
	srv := bf.serve(t, nil, &shift)
	p := bf.inside[0]
	bf.offload(t, p)

	hash, err := sharelink.HashPassword("sesame")
	if err != nil {
		t.Fatal(err)
	}
	locked, _ := bf.share(t, catalog.Share{Download: true, PasswordHash: hash})
	resp, err := noRedirect().PostForm(srv.URL+"/s/"+locked, url.Values{"password": {"sesame"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(resp.Cookies()) != 1 {
		t.Fatalf("password: %d without a cookie", resp.StatusCode)
	}
	cookie := resp.Cookies()[0].Name + "=" + resp.Cookies()[0].Value
	_, page := getFrom(t, srv.URL, "/s/"+locked, "Cookie", cookie)
	_, tiles := parsePage(t, string(page))
	var orig string
	for _, tl := range tiles {
		if tl.ID == p.ID {
			orig = tl.Original
		}
	}
	if orig == "" {
		t.Fatal("no original URL on the locked share's page")
	}
	if resp, _ := getFrom(t, srv.URL, orig); resp.StatusCode != 403 || resp.Header.Get("Location") != "" {
		t.Errorf("original of a locked link without its cookie: %d, Location %q; want 403 and none", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = getFrom(t, srv.URL, orig, "Cookie", cookie)
	u := checkPresigned(t, "locked link's original", resp, bf.minio.Endpoint, mediaExp(t, orig))
	if cc := u.Query().Get("response-cache-control"); !strings.HasPrefix(cc, "private, max-age=") {
		t.Errorf("locked link's original: the bucket is asked for Cache-Control %q; want private", cc)
	}

	// Another content under the original's key in the bucket.
	s3, err := blob.NewS3(context.Background(), blob.S3Config{Endpoint: bf.minio.Endpoint, Bucket: "family", AccessKey: bf.minio.AccessKey, SecretKey: bf.minio.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	other := []byte("not the original")
	if err := s3.Put(context.Background(), p.Path, strings.NewReader(string(other)), int64(len(other)), sha(other), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	resp, body := getFrom(t, srv.URL, "/s/"+bf.token+"/download")
	if resp.StatusCode != 200 {
		t.Fatalf("zip: %d", resp.StatusCode)
	}
	if _, err := zip.NewReader(strings.NewReader(string(body)), int64(len(body))); err == nil {
		t.Errorf("the zip with a changed remote copy is a whole archive; want it ended unfinished")
	}
	if !strings.Contains(bf.log.String(), "the remote copy is not the original") {
		t.Errorf("the log does not say the remote copy differs:\n%s", bf.log)
	}
}
