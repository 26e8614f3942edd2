package web

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/sharelink"
)

// postPassword posts a password for the link from addr to f's handler.
func postPassword(f *fixture, token, addr, pw string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", "/s/"+token, strings.NewReader(url.Values{"password": {pw}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.RemoteAddr = addr
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return w
}

func TestPasswordFailuresPerLink(t *testing.T) {
	f := newFixture(t)
	hash, err := sharelink.HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	token, _ := f.share(t, catalog.Share{PasswordHash: hash})
	other, _ := f.share(t, catalog.Share{PasswordHash: hash})
	addr := func(i int) string { return "198.51.100." + strconv.Itoa(i) + ":1234" } // a new address each try
	for i := range freeFailures {
		if w := postPassword(f, token, addr(i), "wrong"); w.Code != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d; want 401", i+1, w.Code)
		}
	}
	// Five wrong ones from five addresses: the link now waits a second,
	// for the right password too, from yet another address.
	w := postPassword(f, token, addr(100), "correct horse")
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "1" {
		t.Fatalf("after %d wrong passwords: %d, Retry-After %q; want 429 and 1", freeFailures, w.Code, w.Header().Get("Retry-After"))
	}
	if w := postPassword(f, other, addr(101), "correct horse"); w.Code != http.StatusSeeOther {
		t.Errorf("another link: %d; want 303", w.Code)
	}
	// Each further wrong password doubles the wait.
	for i, want := range []string{"2", "4", "8"} {
		f.now = f.now.Add(time.Hour)
		if w := postPassword(f, token, addr(200+i), "wrong"); w.Code != http.StatusUnauthorized {
			t.Fatalf("wrong password after the wait: %d; want 401", w.Code)
		}
		if w := postPassword(f, token, addr(210+i), "wrong"); w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != want {
			t.Errorf("right after wrong password %d: %d, Retry-After %q; want 429 and %s", freeFailures+i+1, w.Code, w.Header().Get("Retry-After"), want)
		}
	}
	// The right password, once the wait is over, clears the count.
	f.now = f.now.Add(time.Hour)
	if w := postPassword(f, token, addr(220), "correct horse"); w.Code != http.StatusSeeOther {
		t.Fatalf("right password after the wait: %d; want 303", w.Code)
	}
	if w := postPassword(f, token, addr(221), "wrong"); w.Code != http.StatusUnauthorized {
		t.Errorf("wrong password after a right one: %d; want 401 (the count starts again)", w.Code)
	}
}

func TestPasswordChecksBounded(t *testing.T) {
	f := newFixture(t)
	hash, err := sharelink.HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	token, _ := f.share(t, catalog.Share{PasswordHash: hash})
	g := f.h.s.limits.passwords
	for g.enter() { // every slot taken, as by that many checks under way
	}
	w := postPassword(f, token, "198.51.100.1:1234", "correct horse")
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" || len(w.Result().Cookies()) != 0 {
		t.Errorf("with every check slot taken: %d, Retry-After %q; want 503, a Retry-After and no cookie", w.Code, w.Header().Get("Retry-After"))
	}
	g.leave()
	if w := postPassword(f, token, "198.51.100.2:1234", "correct horse"); w.Code != http.StatusSeeOther {
		t.Errorf("with a slot free: %d; want 303", w.Code)
	}
	if n := len(g.checks); n != cap(g.checks)-1 {
		t.Errorf("%d slots taken after the check; want the %d taken before it", n, cap(g.checks)-1)
	}
}

func TestZipDownloadsBounded(t *testing.T) {
	f := newFixture(t)
	token, _ := f.share(t, catalog.Share{Download: true})
	zip := func(addr string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", "/s/"+token+"/download", nil)
		r.RemoteAddr = addr
		w := httptest.NewRecorder()
		f.h.ServeHTTP(w, r)
		return w
	}
	refused := func(w *httptest.ResponseRecorder) bool {
		return w.Code == http.StatusTooManyRequests && w.Header().Get("Retry-After") != ""
	}
	z := f.h.s.limits.zips
	const a, b = "198.51.100.1", "198.51.100.2"
	// Two downloads by a, streaming (their slots held as the handler holds them).
	var held []func()
	for range zipsPerClient {
		release, ok := z.take(netip.MustParseAddr(a))
		if !ok {
			t.Fatal("no slot for a's downloads")
		}
		held = append(held, release)
	}
	if w := zip(a + ":1"); !refused(w) {
		t.Errorf("a third download of one client: %d, Retry-After %q; want 429 with a Retry-After", w.Code, w.Header().Get("Retry-After"))
	}
	if w := zip(b + ":1"); w.Code != 200 {
		t.Errorf("another client's download: %d; want 200", w.Code)
	}
	// Eight in all, from other clients.
	for i := zipsPerClient; i < zipsTotal; i++ {
		release, ok := z.take(netip.AddrFrom4([4]byte{203, 0, 113, byte(i)}))
		if !ok {
			t.Fatalf("no slot for download %d", i+1)
		}
		held = append(held, release)
	}
	if w := zip(b + ":1"); !refused(w) {
		t.Errorf("a ninth download: %d; want 429 with a Retry-After", w.Code)
	}
	for _, release := range held {
		release()
	}
	if w := zip(a + ":1"); w.Code != 200 {
		t.Errorf("a's download once the others ended: %d; want 200", w.Code)
	}
	if z.open != 0 || len(z.byClient) != 0 {
		t.Errorf("%d slots taken (%v) once every download ended", z.open, z.byClient)
	}
}

func TestPasswordMediaPrivate(t *testing.T) {
	f := newFixture(t)
	hash, err := sharelink.HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	open, _ := f.share(t, catalog.Share{})
	if resp, _ := f.get(t, f.firstMedia(t, open)); resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Errorf("a thumbnail of an open link: Cache-Control %q; want public", resp.Header.Get("Cache-Control"))
	}
	locked, _ := f.share(t, catalog.Share{PasswordHash: hash})
	w := postPassword(f, locked, "198.51.100.1:1234", "correct horse")
	if w.Code != http.StatusSeeOther || len(w.Result().Cookies()) != 1 {
		t.Fatalf("right password: %d", w.Code)
	}
	c := w.Result().Cookies()[0]
	cookie := c.Name + "=" + c.Value
	_, body := f.get(t, "/s/"+locked, "Cookie", cookie)
	m := imgSrc.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no thumbnail on the unlocked page")
	}
	// Twice: the second answer comes from the server's thumbnail cache.
	for range 2 {
		resp, _ := f.get(t, m[1], "Cookie", cookie)
		if cc := resp.Header.Get("Cache-Control"); resp.StatusCode != 200 || cc != "private, max-age=31536000, immutable" {
			t.Errorf("a thumbnail of a link behind a password: %d, Cache-Control %q; want 200 and private", resp.StatusCode, cc)
		}
	}
}
