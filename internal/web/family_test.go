package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
)

// guestClient is one browser on a link: its own cookie jar, so its own
// device.
type guestClient struct {
	t     testing.TB
	f     *fixture
	base  string // /s/TOKEN
	c     *http.Client
	extra []string // headers sent with every request
}

func (f *fixture) guest(t testing.TB, token string, header ...string) *guestClient {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &guestClient{t: t, f: f, base: "/s/" + token, c: &http.Client{Jar: jar}, extra: header}
}

// call sends a request under the link; body is JSON-encoded unless it is
// a string (sent as it is, with contentType).
func (g *guestClient) call(method, path string, body any, contentType string, header ...string) (int, http.Header, []byte) {
	g.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			g.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, g.f.srv.URL+g.base+path, rd)
	if err != nil {
		g.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	hs := append(append([]string{}, g.extra...), header...)
	for i := 0; i+1 < len(hs); i += 2 {
		req.Header.Set(hs[i], hs[i+1])
	}
	resp, err := g.c.Do(req)
	if err != nil {
		g.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		g.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// post sends JSON.
func (g *guestClient) post(path string, body any) (int, []byte) {
	g.t.Helper()
	code, _, b := g.call("POST", path, body, "application/json")
	return code, b
}

func (g *guestClient) setName(name string) {
	g.t.Helper()
	if code, b := g.post("/me", map[string]string{"name": name}); code != http.StatusOK {
		g.t.Fatalf("POST /me %q: %d %s", name, code, b)
	}
}

// wantError checks a refusal's status and JSON code.
func wantError(t testing.TB, what string, code int, body []byte, wantCode int, wantErr string) {
	t.Helper()
	var e apiError
	if code != wantCode || json.Unmarshal(body, &e) != nil || e.Code != wantErr || e.Error == "" {
		t.Errorf("%s: %d %s; want %d with code %q and words", what, code, body, wantCode, wantErr)
	}
}

func decode[T any](t testing.TB, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

func TestGuestName(t *testing.T) {
	f := newFixture(t)
	token, _ := f.share(t, catalog.Share{})
	other, _ := f.share(t, catalog.Share{})
	g := f.guest(t, token)
	code, _, b := g.call("GET", "/me", nil, "")
	wantError(t, "GET /me before a name", code, b, http.StatusNotFound, codeNoName)

	g.setName("  \u202eMom\u202c  ")
	code, _, b = g.call("GET", "/me", nil, "")
	if code != http.StatusOK || decode[nameJSON](t, b).Name != "Mom" {
		t.Errorf("GET /me: %d %s; want Mom, cleaned of spaces and bidi overrides", code, b)
	}
	// A form works as JSON does, and changes the name of the same device.
	code, _, b = g.call("POST", "/me", url.Values{"name": {"엄마"}}.Encode(), "application/x-www-form-urlencoded")
	if code != http.StatusOK || decode[nameJSON](t, b).Name != "엄마" {
		t.Errorf("POST /me as a form: %d %s", code, b)
	}
	// The cookie is of this link only, HttpOnly and SameSite=Lax.
	u, _ := url.Parse(f.srv.URL + "/s/")
	var cookie *http.Cookie
	for _, c := range g.c.Jar.Cookies(u) {
		if strings.HasPrefix(c.Name, "picup_g") {
			cookie = c
		}
	}
	if cookie == nil {
		t.Fatal("no guest cookie")
	}
	o := f.guest(t, other)
	o.c.Jar.SetCookies(u, []*http.Cookie{{Name: strings.Replace(cookie.Name, "picup_g1", "picup_g2", 1), Value: cookie.Value}})
	code, _, b = o.call("GET", "/me", nil, "")
	wantError(t, "another link's cookie under its name", code, b, http.StatusNotFound, codeNoName)

	// A tampered cookie is no cookie.
	payload, sig, _ := strings.Cut(cookie.Value, ".")
	raw, _ := json.Marshal(guestCookie{Device: strings.Repeat("a", 32), Name: "Dad"})
	for _, v := range []string{
		payload + "." + sig[:len(sig)-2] + "AA",
		base64.RawURLEncoding.EncodeToString(raw) + "." + sig,
		"garbage",
		strings.Repeat("x", 3000),
	} {
		tg := f.guest(t, token)
		tg.c.Jar.SetCookies(u, []*http.Cookie{{Name: cookie.Name, Value: v}})
		code, _, b := tg.call("GET", "/me", nil, "")
		wantError(t, "GET /me with a tampered cookie", code, b, http.StatusNotFound, codeNoName)
	}
	for _, bad := range []string{"", "   ", strings.Repeat("가", archive.MaxNameLen+1), "\u202e\u200f"} {
		code, b := g.post("/me", map[string]string{"name": bad})
		wantError(t, fmt.Sprintf("POST /me %q", bad), code, b, http.StatusUnprocessableEntity, codeBadName)
	}
}

func TestHearts(t *testing.T) {
	f := newFixture(t)
	token, _ := f.share(t, catalog.Share{})
	a, b := f.guest(t, token), f.guest(t, token)
	photo := "/photos/" + strconv.FormatInt(f.inside[0].ID, 10) + "/heart"

	code, body := a.post(photo, nil)
	wantError(t, "a heart before a name", code, body, http.StatusForbidden, codeNoName)
	a.setName("엄마")
	b.setName("Jin")
	code, body = a.post(photo, nil)
	if st := decode[heartJSON](t, body); code != http.StatusOK || !st.Hearted || st.Hearts != 1 || strings.Join(st.Names, ",") != "엄마" {
		t.Errorf("A hearts: %d %s; want hearted, 1, [엄마]", code, body)
	}
	code, body = b.post(photo, nil)
	if st := decode[heartJSON](t, body); code != http.StatusOK || !st.Hearted || st.Hearts != 2 || !slices.Contains(st.Names, "엄마") || !slices.Contains(st.Names, "Jin") {
		t.Errorf("B hearts: %d %s; want hearted, 2, 엄마 and Jin", code, body)
	}
	code, _, body = a.call("GET", photo, nil, "")
	if st := decode[heartJSON](t, body); code != http.StatusOK || !st.Hearted || st.Hearts != 2 {
		t.Errorf("GET as A: %d %s; want hearted by A, 2", code, body)
	}
	code, body = a.post(photo, nil)
	if st := decode[heartJSON](t, body); code != http.StatusOK || st.Hearted || st.Hearts != 1 || strings.Join(st.Names, ",") != "Jin" {
		t.Errorf("A hearts again: %d %s; want taken back, 1, [Jin]", code, body)
	}
	// The page and its JSON pages carry the counts.
	_, page := f.get(t, "/s/"+token+"/photos?ids="+strconv.FormatInt(f.inside[0].ID, 10))
	if p := decode[photosJSON](t, []byte(page)); len(p.Photos) != 1 || p.Photos[0].Hearts != 1 {
		t.Errorf("tiles by id: %s; want the photo with 1 heart", page)
	}
	code, body = a.post("/photos/"+strconv.FormatInt(f.outside.ID, 10)+"/heart", nil)
	wantError(t, "a heart on a photo the link does not show", code, body, http.StatusNotFound, codeNotShared)
	code, body = a.post("/photos/x/heart", nil)
	wantError(t, "a heart on no photo", code, body, http.StatusNotFound, codeNotFound)
}

type commentList struct {
	Comments []commentJSON `json:"comments"`
	Next     string        `json:"next"`
}

func TestComments(t *testing.T) {
	f := newFixture(t)
	token, _ := f.share(t, catalog.Share{})
	a, b := f.guest(t, token), f.guest(t, token)
	a.setName("엄마")
	b.setName("Aunt Sue")
	path := "/photos/" + strconv.FormatInt(f.inside[1].ID, 10) + "/comments"

	code, body := a.post(path, map[string]string{"text": "  This is Uncle Ho, 1962.\n\n\n\nLook at the hat!  "})
	first := decode[commentJSON](t, body)
	if code != http.StatusCreated || first.Text != "This is Uncle Ho, 1962.\n\nLook at the hat!" || first.Name != "엄마" || !first.Mine {
		t.Errorf("POST comment: %d %s; want 201, the text trimmed with at most one blank line, mine", code, body)
	}
	for i := range commentsPage {
		if code, body := b.post(path, map[string]string{"text": "reply " + strconv.Itoa(i)}); code != http.StatusCreated {
			t.Fatalf("comment %d: %d %s", i, code, body)
		}
	}
	// Oldest first, a page at a time; mine only for the writer.
	_, _, body = a.call("GET", path, nil, "")
	p1 := decode[commentList](t, body)
	if len(p1.Comments) != commentsPage || p1.Comments[0].ID != first.ID || !p1.Comments[0].Mine || p1.Comments[1].Mine || p1.Next == "" {
		t.Fatalf("first page: %d comments, next %q; want %d from A's, A's marked mine, a next page", len(p1.Comments), p1.Next, commentsPage)
	}
	_, rest := f.get(t, p1.Next)
	p2 := decode[commentList](t, []byte(rest))
	if len(p2.Comments) != 1 || p2.Comments[0].Text != "reply 49" || p2.Next != "" {
		t.Errorf("second page: %s; want the last reply alone", rest)
	}
	// Only one's own can be deleted.
	del := "/comments/" + strconv.FormatInt(first.ID, 10)
	code, _, body = b.call("DELETE", del, nil, "")
	wantError(t, "B deletes A's comment", code, body, http.StatusForbidden, codeNotYours)
	anon := f.guest(t, token)
	code, _, body = anon.call("DELETE", del, nil, "")
	wantError(t, "a device without a cookie deletes A's comment", code, body, http.StatusForbidden, codeNotYours)
	if code, _, body = a.call("DELETE", del, nil, ""); code != http.StatusNoContent {
		t.Errorf("A deletes its comment: %d %s; want 204", code, body)
	}
	code, _, body = a.call("DELETE", del, nil, "")
	wantError(t, "deleted twice", code, body, http.StatusNotFound, codeNotFound)
	_, _, body = a.call("GET", path, nil, "")
	if p := decode[commentList](t, body); len(p.Comments) != commentsPage || p.Comments[0].Text != "reply 0" {
		t.Errorf("after the delete the list starts with %q; want reply 0", p.Comments[0].Text)
	}
	// A comment under a photo of another link cannot be reached from this one.
	code, body = a.post("/photos/"+strconv.FormatInt(f.outside.ID, 10)+"/comments", map[string]string{"text": "hi"})
	wantError(t, "a comment on a photo the link does not show", code, body, http.StatusNotFound, codeNotShared)
}

// Hostile input: markup stays text, nothing oversized or mislabelled is
// read, and no other site can make a guest's browser post.
func TestGuestHostileInput(t *testing.T) {
	f := newFixture(t)
	token, _ := f.share(t, catalog.Share{})
	g := f.guest(t, token)
	g.setName("<b>Mom</b>")
	path := "/photos/" + strconv.FormatInt(f.inside[0].ID, 10) + "/comments"

	code, body := g.post(path, map[string]string{"text": `<script>alert(1)</script> <img src=x onerror=alert(2)>`})
	c := decode[commentJSON](t, body)
	if code != http.StatusCreated || c.Text != `<script>alert(1)</script> <img src=x onerror=alert(2)>` || c.Name != "<b>Mom</b>" {
		t.Errorf("markup: %d %s; want it kept as text", code, body)
	}
	if bytes.Contains(body, []byte("<script>")) {
		t.Errorf("the JSON carries a raw <script>: %s", body)
	}
	code, body = g.post(path, map[string]string{"text": "abc\u202edef\u2066ghi\x00\x07"})
	if c := decode[commentJSON](t, body); code != http.StatusCreated || c.Text != "abcdefghi" {
		t.Errorf("bidi and control characters: %d %s; want them removed", code, body)
	}
	code, _, body = g.call("POST", path, "{\"text\": \"ok \xff\xfe here\"}", "application/json")
	if c := decode[commentJSON](t, body); code != http.StatusCreated || !strings.HasPrefix(c.Text, "ok ") || !strings.HasSuffix(c.Text, " here") {
		t.Errorf("invalid UTF-8: %d %s; want a comment of the valid text", code, body)
	}
	code, body = g.post(path, map[string]string{"text": strings.Repeat("a", archive.MaxCommentLen+1)})
	wantError(t, "a comment of 2,001 characters", code, body, http.StatusUnprocessableEntity, codeBadComment)

	huge := `{"text": "` + strings.Repeat("a", 10<<20) + `"}`
	code, _, body = g.call("POST", path, huge, "application/json")
	wantError(t, "10 MB body", code, body, http.StatusRequestEntityTooLarge, codeTooLarge)
	code, _, body = g.call("POST", "/me", huge, "application/json")
	wantError(t, "10 MB name", code, body, http.StatusRequestEntityTooLarge, codeTooLarge)
	// Without a Content-Length (chunked), the cap holds while reading.
	req, _ := http.NewRequest("POST", f.srv.URL+g.base+path, io.MultiReader(strings.NewReader(huge)))
	req.Header.Set("Content-Type", "application/json")
	req.ContentLength = -1
	resp, err := g.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	wantError(t, "10 MB chunked body", resp.StatusCode, b, http.StatusRequestEntityTooLarge, codeTooLarge)

	for _, ct := range []string{"", "text/plain", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded"} {
		code, _, body := g.call("POST", path, `{"text": "hi"}`, ct)
		wantError(t, "Content-Type "+ct, code, body, http.StatusUnsupportedMediaType, codeBadType)
	}
	code, _, body = g.call("POST", path, `{"text": `, "application/json")
	wantError(t, "broken JSON", code, body, http.StatusBadRequest, codeBadRequest)

	for _, h := range [][]string{
		{"Origin", "https://evil.example"},
		{"Sec-Fetch-Site", "cross-site"},
		{"Sec-Fetch-Site", "same-site"},
		{"Origin", "null"},
	} {
		for _, p := range []string{path, "/me", "/photos/1/heart"} {
			code, _, body := g.call("POST", p, map[string]string{"text": "x", "name": "x"}, "application/json", h...)
			wantError(t, fmt.Sprintf("POST %s with %s: %s", p, h[0], h[1]), code, body, http.StatusForbidden, codeCrossSite)
		}
		code, _, body := g.call("DELETE", "/comments/"+strconv.FormatInt(c.ID, 10), nil, "", h...)
		wantError(t, "DELETE with "+h[0]+": "+h[1], code, body, http.StatusForbidden, codeCrossSite)
	}
	code, _, body = g.call("POST", path, map[string]string{"text": "from the page"}, "application/json",
		"Origin", f.srv.URL, "Sec-Fetch-Site", "same-origin")
	if code != http.StatusCreated {
		t.Errorf("a same-origin post: %d %s", code, body)
	}
}

func TestGuestSwitchesOff(t *testing.T) {
	f := newFixture(t)
	token, _ := f.share(t, catalog.Share{NoComments: true, NoHearts: true})
	g := f.guest(t, token)
	g.setName("Mom")
	id := strconv.FormatInt(f.inside[0].ID, 10)
	for _, c := range []struct{ method, path string }{
		{"POST", "/photos/" + id + "/heart"}, {"GET", "/photos/" + id + "/heart"},
		{"POST", "/photos/" + id + "/comments"}, {"GET", "/photos/" + id + "/comments"}, {"DELETE", "/comments/1"},
	} {
		code, _, body := g.call(c.method, c.path, map[string]string{"text": "hi"}, "application/json")
		wantError(t, c.method+" "+c.path+" on a --no-comments --no-hearts link", code, body, http.StatusForbidden, codeNotAllowed)
	}
	_, page := f.get(t, "/s/"+token)
	for _, id := range []string{`id="heart"`, `id="comments-open"`, `id="comments"`, `data-hearts `, `data-comments `} {
		if strings.Contains(page, id) {
			t.Errorf("the page of a --no-comments --no-hearts link has %s", id)
		}
	}
}

func TestGuestRateLimits(t *testing.T) {
	f := newFixture(t)
	token, _ := f.share(t, catalog.Share{})
	f.h = NewServer(f.lib, Options{GuestLimit: RateLimit{Rate: 1.0 / 60, Burst: 2}, LinkLimit: RateLimit{Rate: 1.0 / 60, Burst: 3}})
	t.Cleanup(func() { _ = f.h.Close(context.Background()) })
	post := func(remote, cookie string) *http.Response {
		r, _ := http.NewRequest("POST", "/s/"+token+"/photos/"+strconv.FormatInt(f.inside[0].ID, 10)+"/comments", strings.NewReader(`{"text":"hi"}`))
		r.RemoteAddr = remote
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Cookie", cookie)
		w := &recorder{h: http.Header{}}
		f.h.ServeHTTP(w, r)
		return &http.Response{StatusCode: w.code, Header: w.h, Body: io.NopCloser(bytes.NewReader(w.b.Bytes()))}
	}
	nameReq, _ := http.NewRequest("POST", "/s/"+token+"/me", strings.NewReader(`{"name":"Mom"}`))
	nameReq.Header.Set("Content-Type", "application/json")
	nameReq.RemoteAddr = "192.0.2.1:1000"
	w := &recorder{h: http.Header{}}
	f.h.ServeHTTP(w, nameReq)
	cookie := strings.Split(w.h.Get("Set-Cookie"), ";")[0]
	var codes []string
	for _, remote := range []string{"192.0.2.1:1", "192.0.2.1:2", "192.0.2.1:3", "192.0.2.2:1", "192.0.2.3:1"} {
		resp := post(remote, cookie)
		codes = append(codes, strconv.Itoa(resp.StatusCode))
		if resp.StatusCode == http.StatusTooManyRequests {
			b, _ := io.ReadAll(resp.Body)
			wantError(t, "over a limit", resp.StatusCode, b, http.StatusTooManyRequests, codeRateLimited)
			if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
				t.Errorf("Retry-After %q; want 1..60", resp.Header.Get("Retry-After"))
			}
		}
	}
	// Two from the first client, its third refused; a second client takes
	// the link's third; the link is then full for everyone.
	if got := strings.Join(codes, " "); got != "201 201 429 201 429" {
		t.Errorf("statuses %s; want 201 201 429 201 429", got)
	}
}

// recorder is a ResponseWriter that keeps the answer.
type recorder struct {
	h    http.Header
	code int
	b    bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.h }
func (r *recorder) WriteHeader(c int) {
	if r.code == 0 {
		r.code = c
	}
}
func (r *recorder) Write(p []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.b.Write(p)
}

func TestWhatsNew(t *testing.T) {
	f := newFixture(t)
	token, id := f.share(t, catalog.Share{})
	g := f.guest(t, token)
	page := func() string {
		code, _, b := g.call("GET", "", nil, "")
		if code != http.StatusOK {
			t.Fatalf("page: %d", code)
		}
		return string(b)
	}
	if p := page(); strings.Contains(p, `id="whats-new"`) {
		t.Error("a first visit says something is new")
	}
	sh, err := f.lib.Catalog.ShareByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	a := archive.New(f.lib)
	for _, text := range []string{"one", "two"} {
		if _, err := a.Comment(context.Background(), archive.Guest{Share: sh, Device: "other", Name: "Jin"}, f.inside[0].ID, text); err != nil {
			t.Fatal(err)
		}
	}
	if p := page(); !strings.Contains(p, "New since your last visit: 2 comments") {
		t.Errorf("a return visit after two comments: no banner saying so")
	}
	if p := page(); strings.Contains(p, `id="whats-new"`) {
		t.Error("the banner again on the visit after")
	}
	_, _, b := g.call("GET", "/activity", nil, "")
	feed := decode[feedJSON](t, b)
	if len(feed.Items) != 3 || feed.Items[0].Text != "two" || feed.Items[0].Kind != "comment" || feed.Items[0].Name != "Jin" ||
		len(feed.Items[0].PhotoIDs) != 1 || feed.Items[0].PhotoIDs[0] != f.inside[0].ID || feed.Items[1].Text != "one" ||
		feed.Items[2].Kind != "photos" || len(feed.Items[2].PhotoIDs) != len(f.inside)+1 || feed.Next != "" {
		t.Errorf("feed %s; want the two comments, newest first, then the photos the import added", b)
	}
	for range feedPage {
		if _, err := a.Comment(context.Background(), archive.Guest{Share: sh, Device: "other", Name: "Jin"}, f.inside[0].ID, "more"); err != nil {
			t.Fatal(err)
		}
	}
	_, _, b = g.call("GET", "/activity", nil, "")
	feed = decode[feedJSON](t, b)
	if len(feed.Items) != feedPage || feed.Next == "" {
		t.Fatalf("a long feed: %d items, next %q; want a page and a next", len(feed.Items), feed.Next)
	}
	_, rest := f.get(t, feed.Next)
	if older := decode[feedJSON](t, []byte(rest)); len(older.Items) != 3 || older.Items[1].Text != "one" {
		t.Errorf("the feed's next page: %s; want the three oldest", rest)
	}
}

func TestGuestEndedLink(t *testing.T) {
	f := newFixture(t)
	token, id := f.share(t, catalog.Share{})
	g := f.guest(t, token)
	g.setName("Mom")
	err := f.lib.Catalog.Write(context.Background(), func(tx *catalog.Tx) error {
		_, err := tx.RevokeShare(context.Background(), id, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	pid := strconv.FormatInt(f.inside[0].ID, 10)
	for _, c := range []struct{ method, path string }{
		{"GET", "/me"}, {"POST", "/me"}, {"POST", "/photos/" + pid + "/heart"}, {"GET", "/photos/" + pid + "/comments"},
		{"POST", "/photos/" + pid + "/comments"}, {"DELETE", "/comments/1"}, {"GET", "/activity"}, {"GET", "/events"},
	} {
		code, _, body := g.call(c.method, c.path, map[string]string{"text": "hi", "name": "x"}, "application/json")
		wantError(t, c.method+" "+c.path+" of a revoked link", code, body, http.StatusGone, codeGone)
	}
}

// FuzzGuestWrites posts arbitrary names and comments: whatever comes in,
// the answer is a 2xx with text that is clean (no control or bidi
// characters, valid UTF-8, within the limits) or a JSON refusal, never a
// 500; and a stored comment reads back as it was answered.
func FuzzGuestWrites(f *testing.F) {
	for _, s := range []string{"Mom", "엄마", "", "  ", "<script>alert(1)</script>", "\u202egnp.exe", "a\x00b", "\xff\xfe", "line\r\nline",
		strings.Repeat("가", 41), strings.Repeat("x", 2001), `{"text": "nested"}`, "\u2066\u2069\u200f", "e\u0301"} {
		f.Add(s, "application/json")
		f.Add(s, "application/x-www-form-urlencoded")
	}
	fx := newFixture(f)
	token, _ := fx.share(f, catalog.Share{})
	fx.h = NewServer(fx.lib, Options{NoRateLimits: true})
	f.Cleanup(func() { _ = fx.h.Close(context.Background()) })
	path := "/s/" + token + "/photos/" + strconv.FormatInt(fx.inside[0].ID, 10) + "/comments"
	send := func(t *testing.T, target, ct, body, cookie string) *recorder {
		r, _ := http.NewRequest("POST", target, strings.NewReader(body))
		r.RemoteAddr = "192.0.2.1:1"
		r.Header.Set("Content-Type", ct)
		r.Header.Set("Cookie", cookie)
		w := &recorder{h: http.Header{}}
		fx.h.ServeHTTP(w, r)
		if w.code >= 500 {
			t.Fatalf("POST %s %q: %d %s", target, body, w.code, w.b.String())
		}
		return w
	}
	clean := func(t *testing.T, what, s string, max int) {
		if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max || s == "" {
			t.Errorf("%s %q: invalid UTF-8, empty or too long", what, s)
		}
		for _, r := range s {
			if (unicode.IsControl(r) && r != '\n') || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') || r == '\u200f' {
				t.Errorf("%s %q keeps %U", what, s, r)
			}
		}
	}
	f.Fuzz(func(t *testing.T, s, ct string) {
		var body string
		if ct == "application/json" {
			b, _ := json.Marshal(map[string]string{"name": s, "text": s})
			body = string(b)
		} else {
			body = url.Values{"name": {s}, "text": {s}}.Encode()
		}
		w := send(t, "/s/"+token+"/me", ct, body, "")
		if w.code != http.StatusOK {
			var e apiError
			if json.Unmarshal(w.b.Bytes(), &e) != nil || e.Code == "" {
				t.Fatalf("POST /me %q: %d %s; want a JSON refusal", s, w.code, w.b.String())
			}
			return
		}
		clean(t, "name", decode[nameJSON](t, w.b.Bytes()).Name, archive.MaxNameLen)
		cookie := strings.Split(w.h.Get("Set-Cookie"), ";")[0]
		text, _ := json.Marshal(map[string]string{"text": s})
		w = send(t, path, "application/json", string(text), cookie)
		if w.code != http.StatusCreated {
			return
		}
		c := decode[commentJSON](t, w.b.Bytes())
		clean(t, "comment", c.Text, archive.MaxCommentLen)
		got, err := fx.lib.Catalog.CommentByID(context.Background(), c.ID)
		if err != nil || got.Text != c.Text {
			t.Errorf("stored comment %q (%v); answered %q", got.Text, err, c.Text)
		}
	})
}
