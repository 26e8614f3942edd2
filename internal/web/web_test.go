package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/importer"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/sharelink"
)

type fixture struct {
	lib     *library.Library
	srv     *httptest.Server
	h       *Server // the server's handler, for requests from other addresses
	logs    *bytes.Buffer
	now     time.Time
	album   int64
	inside  []catalog.Photo // the album's photos, newest first
	outside catalog.Photo   // in the library, not in the album
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	return newFixtureOf(t, "../../testdata/photos/jpeg")
}

// newFixtureOf imports dirs into the album "Family", then takes the
// oldest photo out of the album.
func newFixtureOf(t testing.TB, dirs ...string) *fixture {
	t.Helper()
	ctx := context.Background()
	lib, err := library.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	if _, err := importer.Run(ctx, lib, dirs, importer.Options{Album: "Family"}); err != nil {
		t.Fatal(err)
	}
	a, err := lib.Catalog.AlbumByName(ctx, "Family")
	if err != nil {
		t.Fatal(err)
	}
	all, err := lib.Catalog.AlbumPhotos(ctx, a.ID, nil, 100)
	if err != nil || len(all) < 3 {
		t.Fatalf("album has %d photos (%v); want at least 3", len(all), err)
	}
	f := &fixture{lib: lib, logs: &bytes.Buffer{}, now: time.Now(), album: a.ID, inside: all[:len(all)-1], outside: all[len(all)-1]}
	err = lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		_, err := tx.RemoveFromAlbum(ctx, a.ID, []int64{f.outside.ID})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	f.h = NewServer(lib, Options{Logger: slog.New(slog.NewTextHandler(f.logs, nil)), Now: func() time.Time { return f.now }})
	f.srv = httptest.NewUnstartedServer(f.h)
	f.srv.Listener = Listener(f.srv.Listener)
	f.srv.Config.ConnContext = ConnContext
	f.srv.Start()
	t.Cleanup(func() {
		f.h.EndStreams()
		f.srv.Close()
		if err := f.h.Close(context.Background()); err != nil {
			t.Errorf("close the server: %v", err)
		}
	})
	return f
}

// share makes a share of the album and returns its token.
func (f *fixture) share(t testing.TB, sh catalog.Share) (string, int64) {
	t.Helper()
	token := sharelink.NewToken()
	sh.TokenHash = catalog.HashToken(token)
	sh.AlbumID = f.album
	var id int64
	err := f.lib.Catalog.Write(context.Background(), func(tx *catalog.Tx) error {
		var err error
		id, err = tx.CreateShare(context.Background(), sh, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return token, id
}

func noRedirect() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (f *fixture) get(t testing.TB, path string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", f.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := noRedirect().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var imgSrc = regexp.MustCompile(`<img src="([^"]+)"`)

func mediaIDs(t *testing.T, body string) []string {
	t.Helper()
	var out []string
	for _, m := range imgSrc.FindAllStringSubmatch(body, -1) {
		parts := strings.Split(m[1], "/")
		out = append(out, parts[3])
	}
	return out
}

func TestHealthz(t *testing.T) {
	f := newFixture(t)
	resp, body := f.get(t, "/healthz")
	if resp.StatusCode != 200 || body != "ok\n" {
		t.Errorf("GET /healthz = %d %q", resp.StatusCode, body)
	}
	checkSecurityHeaders(t, resp)
}

func checkSecurityHeaders(t *testing.T, resp *http.Response) {
	t.Helper()
	if resp.StatusCode < 400 && strings.HasPrefix(resp.Header.Get("Content-Type"), "image/jpeg") && strings.HasPrefix(resp.Request.URL.Path, "/m/") &&
		(strings.HasSuffix(resp.Request.URL.Path, "/grid") || strings.HasSuffix(resp.Request.URL.Path, "/screen")) {
		// A JPEG of this server's: nosniff, and nothing that only governs
		// documents.
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options = %q", resp.Request.URL.Path, got)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); csp != "" {
			t.Errorf("%s: a thumbnail carries a CSP (%q)", resp.Request.URL.Path, csp)
		}
		return
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "img-src 'self'", "media-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("%s: CSP %q lacks %q", resp.Request.URL.Path, csp, want)
		}
	}
	if got := resp.Header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("%s: Referrer-Policy = %q", resp.Request.URL.Path, got)
	}
	if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options = %q", resp.Request.URL.Path, got)
	}
}

func TestSharePage(t *testing.T) {
	f := newFixture(t)
	token, id := f.share(t, catalog.Share{Name: "For Mom", ExpiresAt: f.now.Add(time.Hour)})
	resp, body := f.get(t, "/s/"+token)
	if resp.StatusCode != 200 {
		t.Fatalf("GET share page = %d\n%s", resp.StatusCode, body)
	}
	checkSecurityHeaders(t, resp)
	if !strings.Contains(body, "<h1>Family</h1>") || !strings.Contains(body, `lang="en"`) {
		t.Errorf("share page lacks the album title or lang:\n%s", body)
	}
	// The first row is in the page: its first tile at once and at high
	// priority (it is what Largest Contentful Paint waits for), the other
	// three once laid out; the rest when scrolled to (data-src).
	if strings.Count(body, ` data-src=`) != max(0, len(f.inside)-4) || strings.Count(body, `fetchpriority="high"`) != min(1, len(f.inside)) ||
		strings.Count(body, `loading="lazy"`) != min(3, max(0, len(f.inside)-1)) ||
		!strings.Contains(body, "data-srcset=") || strings.Contains(body, "http://") || strings.Contains(body, "https://") {
		t.Errorf("share page tiles: want the first 4 eager, the rest lazy, a srcset for the viewer and no external URLs:\n%s", body)
	}
	got := mediaIDs(t, body)
	if len(got) != len(f.inside) {
		t.Fatalf("share page shows %d photos; want the album's %d", len(got), len(f.inside))
	}
	for i, p := range f.inside {
		if got[i] != strconv.FormatInt(p.ID, 10) {
			t.Errorf("tile %d is photo %s; want %d (newest first)", i, got[i], p.ID)
		}
	}
	if slicesContains(got, strconv.FormatInt(f.outside.ID, 10)) {
		t.Errorf("share page shows photo %d, which is not in the album", f.outside.ID)
	}
	if err := f.h.Close(context.Background()); err != nil { // writes the views counted in memory
		t.Fatal(err)
	}
	sh, _ := f.lib.Catalog.ShareByID(context.Background(), id)
	if sh.Views != 1 || sh.LastOpenedAt.IsZero() {
		t.Errorf("after one view: views=%d last_opened=%q", sh.Views, sh.LastOpenedAt)
	}
	if strings.Contains(f.logs.String(), token) {
		t.Errorf("the access log holds the token:\n%s", f.logs)
	}
	if !strings.Contains(f.logs.String(), "route=\"GET /s/{token}\"") || !strings.Contains(f.logs.String(), "status=200") {
		t.Errorf("access log lacks route and status:\n%s", f.logs)
	}

	_, body = f.get(t, "/s/"+token, "Accept-Language", "ko-KR,ko;q=0.9,en-US;q=0.8")
	if !strings.Contains(body, `lang="ko"`) {
		t.Errorf("Accept-Language ko: page is not Korean")
	}
	resp, body = f.get(t, "/static/viewer.js")
	if resp.StatusCode != 200 || !strings.Contains(body, "IntersectionObserver") {
		t.Errorf("GET /static/viewer.js = %d", resp.StatusCode)
	}
	if resp, _ := f.get(t, "/static/"); resp.StatusCode != 404 {
		t.Errorf("GET /static/ = %d; want 404 (no listing)", resp.StatusCode)
	}
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestPickLang(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "en"}, {"ko", "ko"}, {"ko-KR,ko;q=0.9", "ko"}, {"en-US,ko;q=0.5", "en"},
		{"fr-FR,ko;q=0.5,en;q=0.4", "ko"}, {"de", "en"}, {"ko;q=0", "en"},
	}
	for _, tt := range tests {
		if got := pickLang(tt.in); got != tt.want {
			t.Errorf("pickLang(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestSharePhotosJSON(t *testing.T) {
	f := newFixture(t)
	token, _ := f.share(t, catalog.Share{})
	resp, body := f.get(t, "/s/"+token+"/photos")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET photos = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var page photosJSON
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Photos) != len(f.inside) || page.Next != "" {
		t.Fatalf("first page: %d photos, next %q; want %d and no next", len(page.Photos), page.Next, len(f.inside))
	}
	// Continue after the first photo: the rest, in order.
	after := catalog.CursorOf(f.inside[0]).String()
	_, body = f.get(t, "/s/"+token+"/photos?after="+url.QueryEscape(after))
	page = photosJSON{}
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Photos) != len(f.inside)-1 || page.Photos[0].ID != f.inside[1].ID {
		t.Errorf("page after the first photo: %+v", page.Photos)
	}
	if resp, body := f.get(t, "/s/"+token+"/photos?after=garbage!"); resp.StatusCode != 400 || !strings.Contains(body, `"code":"`+codeBadRequest+`"`) {
		t.Errorf("bad cursor: status %d, %q; want 400 in JSON", resp.StatusCode, body)
	}
}

func TestShareStates(t *testing.T) {
	f := newFixture(t)
	expired, _ := f.share(t, catalog.Share{ExpiresAt: f.now.Add(-time.Minute)})
	revoked, rid := f.share(t, catalog.Share{})
	err := f.lib.Catalog.Write(context.Background(), func(tx *catalog.Tx) error {
		_, err := tx.RevokeShare(context.Background(), rid, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		want       int
	}{
		{"expired", "/s/" + expired, 410},
		{"expired json", "/s/" + expired + "/photos", 410},
		{"revoked json", "/s/" + revoked + "/photos?after=x", 410},
		{"forged json", "/s/" + sharelink.NewToken() + "/photos", 404},
		{"revoked", "/s/" + revoked, 410},
		{"forged", "/s/" + sharelink.NewToken(), 404},
		{"short token", "/s/abc", 404},
		{"traversal", "/s/..%2f..%2fcatalog.db", 404},
		{"unknown route", "/thumbs/", 404},
	}
	for _, tt := range tests {
		resp, body := f.get(t, tt.path)
		if resp.StatusCode != tt.want {
			t.Errorf("%s: GET %s = %d; want %d", tt.name, tt.path, resp.StatusCode, tt.want)
		}
		checkSecurityHeaders(t, resp)
		if tt.want == 410 && resp.Request.URL.Path == "/s/"+expired && !strings.Contains(body, "This link has ended") {
			t.Errorf("%s: the 410 page is not the friendly one:\n%s", tt.name, body)
		}
		// What a page's script fetches answers in JSON, refusals too.
		if strings.Contains(tt.path, "/photos") {
			var e apiError
			if err := json.Unmarshal([]byte(body), &e); err != nil || resp.Header.Get("Content-Type") != "application/json" ||
				e.Code != map[int]string{404: codeNotFound, 410: codeGone}[tt.want] || e.Error == "" {
				t.Errorf("%s: %s %q; want a JSON error with its code", tt.name, resp.Header.Get("Content-Type"), body)
			}
			continue
		}
		if tt.want == 404 && body != "not found\n" {
			t.Errorf("%s: 404 body %q says more than not found", tt.name, body)
		}
	}
}

// firstMedia opens a share page and returns its first grid URL.
func (f *fixture) firstMedia(t testing.TB, token string) string {
	t.Helper()
	_, body := f.get(t, "/s/"+token)
	m := imgSrc.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no image on the share page:\n%s", body)
	}
	return m[1]
}

func TestMedia(t *testing.T) {
	f := newFixture(t)
	token, shareID := f.share(t, catalog.Share{})
	u := f.firstMedia(t, token)
	resp, body := f.get(t, u)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" || !strings.HasPrefix(body, "\xff\xd8") {
		t.Fatalf("GET %s = %d %s", u, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	checkSecurityHeaders(t, resp)
	if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
		t.Errorf("Cache-Control = %q", cc)
	}
	etag := resp.Header.Get("ETag")
	if etag != `"`+f.inside[0].SHA256[:16]+`-grid"` {
		t.Errorf("ETag = %q; want the first 16 hex digits of the sha, then the size", etag)
	}
	thumbFile, _ := os.ReadFile(f.lib.Abs(library.ThumbPath(f.inside[0].SHA256, "grid")))
	if body != string(thumbFile) {
		t.Errorf("media body is not the grid thumbnail")
	}

	resp, body = f.get(t, u, "If-None-Match", etag)
	if resp.StatusCode != 304 || body != "" {
		t.Errorf("If-None-Match: %d with %d bytes; want 304 and none", resp.StatusCode, len(body))
	}
	resp, body = f.get(t, u, "Range", "bytes=0-9")
	if resp.StatusCode != 206 || len(body) != 10 || resp.Header.Get("Content-Range") != "bytes 0-9/"+strconv.Itoa(len(thumbFile)) {
		t.Errorf("Range: %d, %d bytes, Content-Range %q; want 206 and 10 bytes", resp.StatusCode, len(body), resp.Header.Get("Content-Range"))
	}
	screen := strings.Replace(u, "/grid", "/screen", 1)
	if resp, _ := f.get(t, screen); resp.StatusCode != 403 {
		t.Errorf("grid signature reused for screen: %d; want 403", resp.StatusCode)
	}

	key, err := f.server().signingKey(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(u, "/") // "", "m", sig, photo, size
	tampered := []string{
		"/m/" + flipMAC(parts[2]) + "/" + parts[3] + "/grid",                   // changed MAC
		"/m/" + parts[2] + "/" + strconv.FormatInt(f.outside.ID, 10) + "/grid", // other photo, same signature
		"/m/garbage/" + parts[3] + "/grid",
		"/m/" + strconv.FormatInt(shareID, 10) + ".9999999999.AAAA/" + parts[3] + "/grid", // forged expiry
	}
	for _, p := range tampered {
		if resp, _ := f.get(t, p); resp.StatusCode != 403 {
			t.Errorf("tampered %s: %d; want 403", p, resp.StatusCode)
		}
	}
	if resp, _ := f.get(t, "/m/"+parts[2]+"/"+parts[3]+"/huge"); resp.StatusCode != 404 {
		t.Errorf("unknown size: %d; want 404", resp.StatusCode)
	}

	// A correctly signed URL for a photo outside the share's album.
	out := mediaURL(key, shareID, f.outside.ID, "grid", f.now.Add(time.Hour).Unix(), "")
	if resp, _ := f.get(t, out); resp.StatusCode != 404 {
		t.Errorf("photo outside the album: %d; want 404", resp.StatusCode)
	}

	// The signature expires.
	old := f.now
	f.now = f.now.Add(3 * time.Hour)
	if resp, _ := f.get(t, u); resp.StatusCode != 403 {
		t.Errorf("expired signature: %d; want 403", resp.StatusCode)
	}
	f.now = old

	// Revoking the share ends its media too.
	err = f.lib.Catalog.Write(context.Background(), func(tx *catalog.Tx) error {
		_, err := tx.RevokeShare(context.Background(), shareID, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := f.get(t, u); resp.StatusCode != 410 {
		t.Errorf("media of a revoked share: %d; want 410", resp.StatusCode)
	}
}

// s returns a server sharing the fixture's library (and so its stored key).
func (f *fixture) server() *server {
	return &server{lib: f.lib, opts: Options{Now: func() time.Time { return f.now }, MediaTTL: time.Hour}}
}

func TestSigningKeyPersists(t *testing.T) {
	f := newFixture(t)
	k1, err := f.server().signingKey(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	k2, _ := f.server().signingKey(context.Background())
	if len(k1) != 32 || !bytes.Equal(k1, k2) {
		t.Errorf("signing key not stable across servers: %x vs %x", k1, k2)
	}
}

func TestPassword(t *testing.T) {
	f := newFixture(t)
	hash, err := sharelink.HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "pbkdf2-sha256$600000$") {
		t.Errorf("HashPassword = %q; want pbkdf2-sha256 with 600000 iterations", hash)
	}
	token, _ := f.share(t, catalog.Share{PasswordHash: hash})

	resp, body := f.get(t, "/s/"+token)
	if resp.StatusCode != 200 || !strings.Contains(body, `type="password"`) || strings.Contains(body, "/m/") {
		t.Fatalf("protected share without cookie: %d, want the form and no media\n%s", resp.StatusCode, body)
	}
	if resp, _ := f.get(t, "/s/"+token+"/photos"); resp.StatusCode != 403 {
		t.Errorf("photos JSON without cookie: %d; want 403", resp.StatusCode)
	}

	post := func(pw string) *http.Response {
		resp, err := noRedirect().PostForm(f.srv.URL+"/s/"+token, url.Values{"password": {pw}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := post("wrong"); resp.StatusCode != 401 || len(resp.Cookies()) != 0 {
		t.Errorf("wrong password: %d with %d cookies; want 401 and none", resp.StatusCode, len(resp.Cookies()))
	}
	resp = post("correct horse")
	if resp.StatusCode != 303 || len(resp.Cookies()) != 1 {
		t.Fatalf("right password: %d with %d cookies; want 303 and one", resp.StatusCode, len(resp.Cookies()))
	}
	c := resp.Cookies()[0]
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure {
		t.Errorf("cookie %+v: want HttpOnly, SameSite=Lax, not Secure over plain HTTP", c)
	}
	cookie := c.Name + "=" + c.Value
	resp, body = f.get(t, "/s/"+token, "Cookie", cookie)
	if resp.StatusCode != 200 || len(mediaIDs(t, body)) != len(f.inside) {
		t.Fatalf("with the cookie: %d, %d photos", resp.StatusCode, len(mediaIDs(t, body)))
	}
	u := imgSrc.FindStringSubmatch(body)[1]
	if resp, _ := f.get(t, u, "Cookie", cookie); resp.StatusCode != 200 {
		t.Errorf("media with the cookie: %d", resp.StatusCode)
	}
	if resp, _ := f.get(t, u); resp.StatusCode != 403 {
		t.Errorf("media without the cookie: %d; want 403", resp.StatusCode)
	}
	forged := c.Name + "=" + strconv.FormatInt(f.now.Add(time.Hour).Unix(), 10) + ".AAAA"
	if resp, body := f.get(t, "/s/"+token, "Cookie", forged); resp.StatusCode != 200 || !strings.Contains(body, `type="password"`) {
		t.Errorf("forged cookie let the page through")
	}
}

// flipMAC changes the first character of a signature's MAC (after its
// last dot) to another one: its bits all count, unlike the last
// character's, whose low bits base64 ignores. Replacing the last two with
// "AA" left a MAC that ended in "AA" unchanged, one time in 4,096.
func flipMAC(sig string) string {
	i := strings.LastIndexByte(sig, '.') + 1
	repl := byte('A')
	if sig[i] == 'A' {
		repl = 'B'
	}
	return sig[:i] + string(repl) + sig[i+1:]
}
