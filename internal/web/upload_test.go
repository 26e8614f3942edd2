package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/sharelink"
	"github.com/picup/picup/internal/verify"
)

// Tests of the tus endpoint, spoken with net/http as a tus client does:
// POST to create, PATCH to send bytes, HEAD for the offset, DELETE to end,
// and the result headers and JSON.

// uploadSite is a library with the album "Family" (empty), the user
// "mom" the links charge, and a server.
type uploadSite struct {
	lib  *library.Library
	a    *archive.Archive
	h    *Server
	srv  *httptest.Server
	logs *bytes.Buffer
}

func newUploadSite(t testing.TB, momQuota *int64, opts Options) *uploadSite {
	t.Helper()
	ctx := context.Background()
	lib, err := library.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	a := archive.New(lib)
	if err := a.AddUser(ctx, "mom", momQuota); err != nil {
		t.Fatal(err)
	}
	if err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		_, err := tx.EnsureAlbum(ctx, "Family")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	s := &uploadSite{lib: lib, a: a, logs: &bytes.Buffer{}}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(s.logs, nil))
	}
	s.serve(t, opts)
	return s
}

// serve starts a server on the library (again).
func (s *uploadSite) serve(t testing.TB, opts Options) {
	t.Helper()
	s.h = NewServer(s.lib, opts)
	s.srv = httptest.NewServer(s.h)
	srv, h := s.srv, s.h
	t.Cleanup(func() {
		srv.Close()
		if err := h.Close(context.Background()); err != nil {
			t.Errorf("close the server: %v", err)
		}
	})
}

// link makes a share of the album and returns its path /s/TOKEN.
func (s *uploadSite) link(t testing.TB, spec sharelink.Spec) string {
	t.Helper()
	spec.Album = "Family"
	l, err := s.a.CreateShare(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(l.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}

// tusClient is one device on one link.
type tusClient struct {
	t      testing.TB
	base   string // the server's URL
	link   string // /s/TOKEN
	http   *http.Client
	header http.Header // sent with every request
}

// answer is a response, its body read.
type answer struct {
	status int
	h      http.Header
	body   string
}

func (a answer) String() string { return fmt.Sprintf("%d %q", a.status, a.body) }

// client is a new device on the link; with a name, it says it first.
func (s *uploadSite) client(t testing.TB, link, name string) *tusClient {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &tusClient{t: t, base: s.srv.URL, link: link, http: &http.Client{Jar: jar}, header: http.Header{}}
	if name != "" {
		if a := c.do("POST", link+"/me", strings.NewReader(`{"name":"`+name+`"}`), "Content-Type", "application/json"); a.status != 200 {
			t.Fatalf("POST me: %v", a)
		}
	}
	return c
}

func (c *tusClient) do(method, path string, body io.Reader, header ...string) answer {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if b, ok := body.(*bytes.Reader); ok {
		req.ContentLength = int64(b.Len())
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read the answer: %v", method, path, err)
	}
	return answer{resp.StatusCode, resp.Header, string(b)}
}

// create makes an upload of size bytes and returns its path (the
// Location) and the answer.
func (c *tusClient) create(size int64, name string) (string, answer) {
	c.t.Helper()
	a := c.do("POST", c.link+"/uploads/", nil, "Tus-Resumable", "1.0.0", "Upload-Length", strconv.FormatInt(size, 10),
		"Upload-Metadata", "filename "+b64(name)+",filetype "+b64("image/png"))
	return a.h.Get("Location"), a
}

// patch sends data at offset.
func (c *tusClient) patch(loc string, offset int64, data []byte) answer {
	c.t.Helper()
	return c.do("PATCH", loc, bytes.NewReader(data), "Tus-Resumable", "1.0.0", "Upload-Offset", strconv.FormatInt(offset, 10),
		"Content-Type", "application/offset+octet-stream")
}

func (c *tusClient) head(loc string) answer {
	c.t.Helper()
	return c.do("HEAD", loc, nil, "Tus-Resumable", "1.0.0")
}

// upload sends data as one file, in two PATCHes, and returns the answer
// to the last.
func (c *tusClient) upload(data []byte, name string) answer {
	c.t.Helper()
	loc, a := c.create(int64(len(data)), name)
	if a.status != http.StatusCreated {
		return a
	}
	half := len(data) / 2
	if a := c.patch(loc, 0, data[:half]); a.status != http.StatusNoContent {
		c.t.Fatalf("first PATCH: %v", a)
	}
	return c.patch(loc, int64(half), data[half:])
}

// result asks what became of an upload.
func (c *tusClient) result(loc string) (uploadResult, answer) {
	c.t.Helper()
	a := c.do("GET", loc+"/result", nil)
	var res uploadResult
	if a.status == http.StatusOK {
		if err := json.Unmarshal([]byte(a.body), &res); err != nil {
			c.t.Fatalf("result %q: %v", a.body, err)
		}
	}
	return res, a
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// noisePNG is a PNG of random pixels (distinct for each seed), about
// w×h×4 bytes.
func noisePNG(t testing.TB, seed uint64, w, h int) []byte {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 42))
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = byte(rng.Uint32())
	}
	for i := 3; i < len(img.Pix); i += 4 {
		img.Pix[i] = 255
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// resultOf reads the result headers of an answer.
func resultOf(t testing.TB, a answer) uploadResult {
	t.Helper()
	msg, err := url.PathUnescape(a.h.Get("Picup-Message"))
	if err != nil {
		t.Fatalf("Picup-Message %q: %v", a.h.Get("Picup-Message"), err)
	}
	id, _ := strconv.ParseInt(a.h.Get("Picup-Photo-Id"), 10, 64)
	return uploadResult{Status: a.h.Get("Picup-Upload"), PhotoID: id, Reason: a.h.Get("Picup-Reason"), Message: msg}
}

// incoming lists what the endpoint keeps in incoming/.
func (s *uploadSite) incoming(t testing.TB) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(s.lib.Root, library.IncomingDir))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func (s *uploadSite) user(t testing.TB, name string) catalog.User {
	t.Helper()
	u, err := s.lib.Catalog.UserByName(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// albumPhotos lists the album.
func (s *uploadSite) albumPhotos(t testing.TB) []catalog.Photo {
	t.Helper()
	ctx := context.Background()
	a, err := s.lib.Catalog.AlbumByName(ctx, "Family")
	if err != nil {
		t.Fatal(err)
	}
	ps, err := s.lib.Catalog.AlbumPhotos(ctx, a.ID, nil, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// checkWhole verifies the library and the users' usage.
func (s *uploadSite) checkWhole(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	if bad, err := s.lib.Catalog.CheckUsage(ctx); err != nil || len(bad) > 0 {
		t.Errorf("CheckUsage = %+v, %v", bad, err)
	}
	rep, err := verify.Run(ctx, s.lib, verify.Options{})
	if err != nil || !rep.OK() {
		t.Errorf("verify = %+v, %v", rep.Problems, err)
	}
}

func TestUploadAddsToTheAlbum(t *testing.T) {
	s := newUploadSite(t, nil, Options{})
	link := s.link(t, sharelink.Spec{UploadAs: "mom"})
	c := s.client(t, link, "Aunt Sue")
	data := noisePNG(t, 1, 64, 48)

	loc, a := c.create(int64(len(data)), "IMG_0001.png")
	if a.status != http.StatusCreated || !strings.HasPrefix(loc, link+"/uploads/") {
		t.Fatalf("create: %v, Location %q; want 201 and a path under the link", a, loc)
	}
	half := int64(len(data) / 2)
	if a := c.patch(loc, 0, data[:half]); a.status != http.StatusNoContent || a.h.Get("Upload-Offset") != strconv.FormatInt(half, 10) {
		t.Fatalf("first PATCH: %v, offset %s", a, a.h.Get("Upload-Offset"))
	}
	if a := c.head(loc); a.status != http.StatusOK || a.h.Get("Upload-Offset") != strconv.FormatInt(half, 10) {
		t.Fatalf("HEAD: %v, offset %s; want %d", a, a.h.Get("Upload-Offset"), half)
	}
	if res, a := c.result(loc); a.status != http.StatusConflict {
		t.Fatalf("result before the end: %v %+v; want 409", a, res)
	}
	a = c.patch(loc, half, data[half:])
	got := resultOf(t, a)
	if a.status != http.StatusNoContent || got.Status != catalog.UploadAdded || got.PhotoID == 0 || got.Message != uploadEnglish.Added {
		t.Fatalf("last PATCH: %v, result %+v", a, got)
	}
	if names := s.incoming(t); len(names) != 0 {
		t.Errorf("incoming/ after the import holds %v", names)
	}

	ctx := context.Background()
	p, err := s.lib.Catalog.PhotoByID(ctx, got.PhotoID)
	if err != nil || p.OriginalName != "IMG_0001.png" || p.Bytes != int64(len(data)) {
		t.Fatalf("photo %d = %+v, %v", got.PhotoID, p, err)
	}
	if ps := s.albumPhotos(t); len(ps) != 1 || ps[0].ID != got.PhotoID {
		t.Fatalf("album = %+v; want the upload", ps)
	}
	mom := s.user(t, "mom")
	if own, err := s.lib.Catalog.Owns(ctx, got.PhotoID, mom.ID); err != nil || !own || mom.UsedBytes != int64(len(data)) || mom.ReservedBytes != 0 {
		t.Fatalf("mom owns it: %v (%v), uses %d reserves %d; want %d used", own, err, mom.UsedBytes, mom.ReservedBytes, len(data))
	}

	// A client that lost the last answer asks again: HEAD says every
	// byte is in, with the result, and so does the result route.
	a = c.head(loc)
	if a.status != http.StatusOK || a.h.Get("Upload-Offset") != strconv.Itoa(len(data)) || resultOf(t, a) != got {
		t.Fatalf("HEAD after the end: %v, offset %s, result %+v; want %+v", a, a.h.Get("Upload-Offset"), resultOf(t, a), got)
	}
	if res, a := c.result(loc); a.status != http.StatusOK || res != got {
		t.Fatalf("result: %v %+v; want %+v", a, res, got)
	}
	if a := c.patch(loc, int64(len(data)), nil); a.status != http.StatusNoContent || resultOf(t, a) != got {
		t.Fatalf("PATCH after the end: %v; want 204 and the result", a)
	}

	// The same bytes again, from another device.
	b := s.client(t, link, "엄마")
	b.header.Set("Accept-Language", "ko")
	a = b.upload(data, "copy.png")
	if dup := resultOf(t, a); dup.Status != catalog.UploadDuplicate || dup.PhotoID != got.PhotoID || dup.Message != uploadKorean.Duplicate {
		t.Fatalf("the same file again: %v %+v; want a duplicate of %d, in Korean", a, dup, got.PhotoID)
	}
	if u := s.user(t, "mom"); u.UsedBytes != int64(len(data)) {
		t.Errorf("mom uses %d after a duplicate; want %d", u.UsedBytes, len(data))
	}
	// Only the device that made an upload may ask about it.
	if a := b.head(loc); a.status != http.StatusNotFound {
		t.Errorf("HEAD of another device's upload: %v; want 404", a)
	}
	if _, a := b.result(loc); a.status != http.StatusNotFound {
		t.Errorf("result of another device's upload: %v; want 404", a)
	}
	s.checkWhole(t)
}

func TestUploadByContent(t *testing.T) {
	s := newUploadSite(t, nil, Options{})
	link := s.link(t, sharelink.Spec{UploadAs: "mom"})
	c := s.client(t, link, "Aunt Sue")

	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	w, _ := zw.Create("a.txt")
	_, _ = w.Write(bytes.Repeat([]byte("zip bomb "), 10000))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		name string
		data []byte
	}{
		{"notes.jpg", []byte("Dear Mom, here are the photos.\n")},
		{"bomb.jpg", zipped.Bytes()},
	} {
		a := c.upload(f.data, f.name)
		if got := resultOf(t, a); got.Status != catalog.UploadRefused || got.Reason != archive.RefusedNotMedia || got.PhotoID != 0 {
			t.Errorf("%s: %v, result %+v; want refused as not a photo", f.name, a, got)
		}
	}
	a := c.upload(noisePNG(t, 2, 32, 32), "clip.mov")
	got := resultOf(t, a)
	if got.Status != catalog.UploadAdded {
		t.Fatalf("a PNG named .mov: %v %+v; want added", a, got)
	}
	if p, err := s.lib.Catalog.PhotoByID(context.Background(), got.PhotoID); err != nil || p.Type != "photo" || p.MIME != "image/png" {
		t.Errorf("a PNG named .mov is stored as %+v, %v; want a PNG photo", p, err)
	}
	if ps := s.albumPhotos(t); len(ps) != 1 {
		t.Errorf("album holds %d photos; want the PNG only", len(ps))
	}
	if names := s.incoming(t); len(names) != 0 {
		t.Errorf("incoming/ holds %v", names)
	}
	s.checkWhole(t)
}

func TestUploadOverQuotaAtCreation(t *testing.T) {
	quota := int64(1000)
	s := newUploadSite(t, &quota, Options{})
	link := s.link(t, sharelink.Spec{UploadAs: "mom"})
	c := s.client(t, link, "Aunt Sue")
	keeper, err := s.lib.Catalog.FirstUser(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	loc, a := c.create(1001, "big.png")
	var e apiError
	_ = json.Unmarshal([]byte(a.body), &e)
	want := "mom's space is full: 0 of 1 kB. Ask " + keeper.Name + " to make room."
	if a.status != http.StatusRequestEntityTooLarge || loc != "" || e.Code != codeQuota || e.Error != want {
		t.Fatalf("create over quota: %v; want 413 %q", a, want)
	}
	c.header.Set("Accept-Language", "ko-KR")
	a = c.do("POST", link+"/uploads/", nil, "Tus-Resumable", "1.0.0", "Upload-Length", "5000")
	_ = json.Unmarshal([]byte(a.body), &e)
	if want := "mom의 저장 공간이 가득 찼습니다(1 kB 중 0 kB 사용). " + keeper.Name + "에게 공간을 비워 달라고 부탁하세요."; e.Error != want {
		t.Errorf("in Korean: %q; want %q", e.Error, want)
	}
	if names := s.incoming(t); len(names) != 0 {
		t.Errorf("incoming/ holds %v after refused creations", names)
	}
}

// Two uploads that each fit when they start, but not together: the
// second to end is refused, and leaves nothing.
func TestUploadOverQuotaAtTheEnd(t *testing.T) {
	one, two := noisePNG(t, 3, 40, 40), noisePNG(t, 4, 40, 40)
	quota := int64(len(one) + len(two) - 1)
	s := newUploadSite(t, &quota, Options{})
	link := s.link(t, sharelink.Spec{UploadAs: "mom"})
	c := s.client(t, link, "Aunt Sue")
	loc1, a1 := c.create(int64(len(one)), "one.png")
	loc2, a2 := c.create(int64(len(two)), "two.png")
	if a1.status != http.StatusCreated || a2.status != http.StatusCreated {
		t.Fatalf("create: %v, %v", a1, a2)
	}
	if got := resultOf(t, c.patch(loc1, 0, one)); got.Status != catalog.UploadAdded {
		t.Fatalf("first upload: %+v", got)
	}
	before := s.user(t, "mom")
	files := countFiles(t, s.lib.Root)
	a := c.patch(loc2, 0, two)
	got := resultOf(t, a)
	keeper, _ := s.lib.Catalog.FirstUser(context.Background())
	want := fmt.Sprintf("mom's space is full: %s of %s. Ask %s to make room.", kB(len(one)), kB(int(quota))+" kB", keeper.Name)
	if a.status != http.StatusNoContent || got.Status != catalog.UploadRefused || got.Reason != archive.RefusedQuota || got.Message != want {
		t.Fatalf("second upload: %v %+v; want refused for the quota: %q", a, got, want)
	}
	if res, _ := c.result(loc2); res != got {
		t.Errorf("result = %+v; want %+v", res, got)
	}
	after := s.user(t, "mom")
	if after.UsedBytes != before.UsedBytes || after.ReservedBytes != 0 {
		t.Errorf("mom's usage %d (+%d reserved) after the refusal; was %d", after.UsedBytes, after.ReservedBytes, before.UsedBytes)
	}
	if n := countFiles(t, s.lib.Root); n != files {
		t.Errorf("the library has %d files after the refusal; had %d", n, files)
	}
	if ps := s.albumPhotos(t); len(ps) != 1 {
		t.Errorf("album holds %d photos; want 1", len(ps))
	}
	if names := s.incoming(t); len(names) != 0 {
		t.Errorf("incoming/ holds %v", names)
	}
	s.checkWhole(t)
}

func kB(n int) string {
	return strings.TrimSuffix(strconv.FormatFloat(float64(n)/1000, 'f', 1, 64), ".0")
}

// countFiles counts the files of the library's originals and
// thumbnails.
func countFiles(t testing.TB, root string) int {
	t.Helper()
	n := 0
	for _, d := range []string{library.OriginalsDir, library.ThumbsDir} {
		err := filepath.WalkDir(filepath.Join(root, d), func(_ string, e os.DirEntry, err error) error {
			if err == nil && !e.IsDir() {
				n++
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return n
}

func TestUploadSizeCap(t *testing.T) {
	s := newUploadSite(t, nil, Options{})
	link := s.link(t, sharelink.Spec{UploadAs: "mom", UploadMax: 4000})
	c := s.client(t, link, "Aunt Sue")
	_, a := c.create(4001, "big.png")
	var e apiError
	_ = json.Unmarshal([]byte(a.body), &e)
	if a.status != http.StatusRequestEntityTooLarge || e.Code != codeTooLarge || e.Error != "This file is too big: this link takes files of up to 4 kB." {
		t.Fatalf("create over the cap: %v; want 413 too large", a)
	}
	if a := c.do("OPTIONS", link+"/uploads/", nil); a.status != http.StatusOK || a.h.Get("Tus-Max-Size") != "4000" {
		t.Errorf("OPTIONS: %v, Tus-Max-Size %q; want 4000", a, a.h.Get("Tus-Max-Size"))
	}

	// A client that sends more than it declared: with a Content-Length
	// over what is left, refused before a byte is read; streamed without
	// one, tusd stores what was declared and the upload is refused.
	data := noisePNG(t, 5, 30, 30)
	loc, a := c.create(int64(len(data)), "a.png")
	if a.status != http.StatusCreated {
		t.Fatalf("create: %v", a)
	}
	if a := c.patch(loc, 0, append(bytes.Clone(data), "more"...)); a.status != http.StatusRequestEntityTooLarge {
		t.Errorf("PATCH longer than the upload: %v; want 413", a)
	}
	if a := c.head(loc); a.h.Get("Upload-Offset") != "0" {
		t.Errorf("after it, HEAD: %v offset %s; want 0", a, a.h.Get("Upload-Offset"))
	}
	a = c.do("PATCH", loc, io.MultiReader(bytes.NewReader(data), strings.NewReader("more")), "Tus-Resumable", "1.0.0",
		"Upload-Offset", "0", "Content-Type", "application/offset+octet-stream")
	if a.status != http.StatusRequestEntityTooLarge || a.h.Get("Picup-Upload") != "" {
		t.Errorf("streamed PATCH longer than the upload: %v, result %q; want 413 and no result", a, a.h.Get("Picup-Upload"))
	}
	if ps := s.albumPhotos(t); len(ps) != 0 {
		t.Errorf("album holds %+v; want nothing", ps)
	}
	if _, a := c.result(loc); a.status != http.StatusNotFound {
		t.Errorf("result of the refused upload: %v; want 404", a)
	}
	if names := s.incoming(t); len(names) != 0 {
		t.Errorf("incoming/ holds %v", names)
	}
}

func TestUploadRefusals(t *testing.T) {
	s := newUploadSite(t, nil, Options{})
	link := s.link(t, sharelink.Spec{UploadAs: "mom"})
	code := func(a answer) string {
		var e apiError
		_ = json.Unmarshal([]byte(a.body), &e)
		return e.Code
	}

	anon := s.client(t, link, "")
	if _, a := anon.create(100, "a.png"); a.status != http.StatusForbidden || code(a) != codeNoName {
		t.Errorf("no name: %v; want 403 %s", a, codeNoName)
	}
	c := s.client(t, link, "Aunt Sue")
	for _, h := range [][2]string{{"Origin", "https://evil.example"}, {"Sec-Fetch-Site", "cross-site"}} {
		c.header.Set(h[0], h[1])
		if _, a := c.create(100, "a.png"); a.status != http.StatusForbidden || code(a) != codeCrossSite {
			t.Errorf("%s: %s: %v; want 403 %s", h[0], h[1], a, codeCrossSite)
		}
		c.header.Del(h[0])
	}
	c.header.Set("Sec-Fetch-Site", "same-origin")
	loc, a := c.create(100, "a.png")
	if a.status != http.StatusCreated {
		t.Fatalf("create from the page: %v", a)
	}
	if a := c.do("DELETE", loc, nil, "Tus-Resumable", "1.0.0"); a.status != http.StatusNoContent || len(s.incoming(t)) != 0 {
		t.Errorf("DELETE: %v, incoming/ %v; want 204 and nothing kept", a, s.incoming(t))
	}
	if a := c.head(loc); a.status != http.StatusNotFound {
		t.Errorf("HEAD after DELETE: %v", a)
	}

	plain := s.link(t, sharelink.Spec{})
	p := s.client(t, plain, "Aunt Sue")
	if _, a := p.create(100, "a.png"); a.status != http.StatusForbidden || code(a) != codeNotAllowed {
		t.Errorf("a link without uploads: %v; want 403 %s", a, codeNotAllowed)
	}
	if a := c.do("POST", "/s/"+strings.Repeat("x", 32)+"/uploads/", nil, "Tus-Resumable", "1.0.0", "Upload-Length", "1"); a.status != http.StatusNotFound {
		t.Errorf("unknown link: %v; want 404", a)
	}

	// The link ends while a file is on its way: it is not added.
	data := noisePNG(t, 12, 20, 20)
	loc, _ = c.create(int64(len(data)), "a.png")
	pr, pw := io.Pipe()
	answered := make(chan answer, 1)
	go func() {
		answered <- c.do("PATCH", loc, pr, "Tus-Resumable", "1.0.0", "Upload-Offset", "0",
			"Content-Type", "application/offset+octet-stream")
	}()
	if _, err := pw.Write(data[:10]); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the first bytes are stored", func() bool {
		fi, err := os.Stat(filepath.Join(s.lib.Root, library.IncomingDir, path.Base(loc)))
		return err == nil && fi.Size() == 10
	})
	sh, err := s.lib.Catalog.ShareByTokenHash(context.Background(), catalog.HashToken(strings.TrimPrefix(link, "/s/")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.a.RevokeShare(context.Background(), sh.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := pw.Write(data[10:]); err != nil {
		t.Fatal(err)
	}
	if err := pw.Close(); err != nil {
		t.Fatal(err)
	}
	if a := <-answered; a.status != http.StatusGone || code(a) != codeGone {
		t.Errorf("the last bytes after the link ended: %v; want 410 %s", a, codeGone)
	}
	if ps := s.albumPhotos(t); len(ps) != 0 || len(s.incoming(t)) != 0 {
		t.Errorf("after it, the album holds %d photos and incoming/ %v; want nothing", len(ps), s.incoming(t))
	}
	if _, a := c.create(100, "a.png"); a.status != http.StatusGone {
		t.Errorf("create on a revoked link: %v; want 410", a)
	}
	if a := c.patch(loc, 0, make([]byte, 100)); a.status != http.StatusGone {
		t.Errorf("PATCH on a revoked link: %v; want 410", a)
	}
}

// The page of a link that takes uploads has the button and its small
// script; tus-js-client is not part of the first view.
func TestUploadButton(t *testing.T) {
	s := newUploadSite(t, nil, Options{})
	up, plain := s.link(t, sharelink.Spec{UploadAs: "mom"}), s.link(t, sharelink.Spec{})
	c := s.client(t, up, "")
	a := c.do("GET", up, nil)
	if a.status != http.StatusOK || !strings.Contains(a.body, `id="add-photos"`) || !strings.Contains(a.body, `data-endpoint="`+up+`/uploads/"`) ||
		!strings.Contains(a.body, `/static/upload.js?v=`) || strings.Contains(a.body, `<script src="/static/tus.min.js`) {
		t.Fatalf("page of an upload link: %d\n%s", a.status, a.body)
	}
	if a := c.do("GET", plain, nil); strings.Contains(a.body, "add-photos") || strings.Contains(a.body, "upload.js") {
		t.Errorf("page of a link without uploads offers them:\n%s", a.body)
	}
	for _, name := range []string{"upload.js", "upload.css", "tus.min.js"} {
		if a := c.do("GET", staticURL(name), nil); a.status != http.StatusOK {
			t.Errorf("GET %s: %v", name, a.status)
		}
	}
}
