package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time      { return c.t }
func (c *fakeClock) add(d time.Duration) { c.t = c.t.Add(d) }
func addr(s string) netip.Addr           { return netip.MustParseAddr(s) }
func (l *limiter[K]) allowed(k K) bool   { ok, _ := l.take(k); return ok }

func TestLimiter(t *testing.T) {
	clock := &fakeClock{time.Unix(1_700_000_000, 0)}
	l := newLimiter[netip.Addr](RateLimit{Rate: 2, Burst: 3}, clock.now)
	a, b := addr("192.0.2.1"), addr("192.0.2.2")
	for i := range 3 {
		if !l.allowed(a) {
			t.Fatalf("request %d of a burst of 3 refused", i+1)
		}
	}
	ok, wait := l.take(a)
	if ok || wait != 500*time.Millisecond {
		t.Errorf("4th request: ok %v, wait %v; want refused, 500ms", ok, wait)
	}
	if !l.allowed(b) {
		t.Error("another client is refused")
	}
	clock.add(200 * time.Millisecond)
	if ok, wait := l.take(a); ok || wait != 300*time.Millisecond {
		t.Errorf("200ms later: ok %v, wait %v; want refused, 300ms", ok, wait)
	}
	clock.add(300 * time.Millisecond)
	if !l.allowed(a) || l.allowed(a) {
		t.Error("after the wait: want exactly one request allowed")
	}
	clock.add(time.Hour)
	for i := range 3 {
		if !l.allowed(a) {
			t.Fatalf("after an idle hour, request %d refused: the bucket must be full, no more", i+1)
		}
	}
	if l.allowed(a) {
		t.Error("an idle hour filled the bucket beyond its burst")
	}
}

func limiterSize(l *limiter[netip.Addr]) int {
	n := 0
	for i := range l.shards {
		n += len(l.shards[i].m)
	}
	return n
}

// Buckets of idle clients are dropped, and however many addresses come,
// the limiter holds at most limiterShards*maxPerShard buckets.
func TestLimiterStaysBounded(t *testing.T) {
	clock := &fakeClock{time.Unix(1_700_000_000, 0)}
	l := newLimiter[netip.Addr](RateLimit{Rate: 1, Burst: 5}, clock.now)
	ip := func(i int) netip.Addr { return netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}) }
	for i := range 500 {
		l.take(ip(i))
	}
	if n := limiterSize(l); n != 500 {
		t.Fatalf("%d buckets for 500 clients", n)
	}
	clock.add(sweepEvery)
	for i := range 5000 {
		l.take(ip(100_000 + i))
	}
	if n := limiterSize(l); n != 5000 {
		t.Errorf("%d buckets after the first 500 clients went idle and 5000 others came; want 5000", n)
	}
	for i := range 200_000 {
		l.take(ip(1_000_000 + i))
	}
	if n := limiterSize(l); n > limiterShards*maxPerShard {
		t.Errorf("%d buckets after 200,000 busy clients; want at most %d", n, limiterShards*maxPerShard)
	}
}

// The default share limit lets a tablet flick through a whole 2,000-photo
// album at once (34 JSON pages, 2,000 thumbnails), and stops a flood.
func TestDefaultShareLimit(t *testing.T) {
	clock := &fakeClock{time.Unix(1_700_000_000, 0)}
	l := newLimiter[netip.Addr](DefaultShareLimit, clock.now)
	tablet := addr("192.168.1.23")
	for page := range 34 {
		for i := range 1 + PageSize {
			if !l.allowed(tablet) {
				t.Fatalf("page %d, request %d refused", page+1, i+1)
			}
		}
		clock.add(50 * time.Millisecond)
	}
	refused := 0
	for range 10_000 {
		if !l.allowed(tablet) {
			refused++
		}
	}
	if refused < 9_000 {
		t.Errorf("a flood of 10,000 requests at once: %d refused; want most", refused)
	}
}

func TestClientKey(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"192.0.2.1", "192.0.2.1"},
		{"::ffff:192.0.2.1", "192.0.2.1"},
		{"2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::"},
		{"fe80::1%eth0", "fe80::"},
	} {
		if got := clientKey(addr(c.in)); got != addr(c.want) {
			t.Errorf("clientKey(%s) = %s; want %s", c.in, got, c.want)
		}
	}
}

func TestClientAddr(t *testing.T) {
	s := &server{opts: Options{TrustedProxies: []netip.Prefix{
		netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.0.0.0/8"),
	}}}
	for _, c := range []struct {
		name, remote string
		xff          []string
		want         string
	}{
		{"direct", "192.0.2.7:5000", nil, "192.0.2.7"},
		{"untrusted peer's header is ignored", "192.0.2.7:5000", []string{"203.0.113.9"}, "192.0.2.7"},
		{"trusted proxy", "127.0.0.1:5000", []string{"203.0.113.9"}, "203.0.113.9"},
		{"trusted proxy without header", "127.0.0.1:5000", nil, "127.0.0.1"},
		{"two trusted proxies", "127.0.0.1:5000", []string{"203.0.113.9, 10.1.2.3"}, "203.0.113.9"},
		{"client's forged entries are skipped", "127.0.0.1:5000", []string{"1.1.1.1, 198.51.100.4", "203.0.113.9"}, "203.0.113.9"},
		{"entry with a port", "127.0.0.1:5000", []string{"203.0.113.9:443"}, "203.0.113.9"},
		{"IPv6 client", "127.0.0.1:5000", []string{"2001:db8::7"}, "2001:db8::7"},
		{"garbage stops the walk", "127.0.0.1:5000", []string{"203.0.113.9, nonsense"}, "127.0.0.1"},
		{"mapped peer", "[::ffff:10.0.0.5]:5000", []string{"203.0.113.9"}, "203.0.113.9"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.remote
		for _, v := range c.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := s.clientAddr(r); got != addr(c.want) {
			t.Errorf("%s: clientAddr = %s; want %s", c.name, got, c.want)
		}
	}
}

func TestParseTrustedProxy(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"127.0.0.1", "127.0.0.1/32"},
		{"10.1.2.3/8", "10.0.0.0/8"},
		{"::1", "::1/128"},
		{"fd00::/8", "fd00::/8"},
		{"::ffff:10.0.0.1", "10.0.0.1/32"},
	} {
		got, err := ParseTrustedProxy(c.in)
		if err != nil || got != netip.MustParsePrefix(c.want) {
			t.Errorf("ParseTrustedProxy(%q) = %v, %v; want %s", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"", "localhost", "10.0.0.0/33", "1.2.3"} {
		if _, err := ParseTrustedProxy(in); err == nil {
			t.Errorf("ParseTrustedProxy(%q) succeeded", in)
		}
	}
}

func TestLimitOf(t *testing.T) {
	for route, want := range map[string]string{
		"POST /s/{token}":             limitPassword,
		"GET /s/{token}":              limitShare,
		"GET /s/{token}/photos":       limitShare,
		"GET /m/{sig}/{photo}/{size}": limitShare,
		"GET /healthz":                "",
		"GET /static/{name}":          "",
		"GET /metrics":                "",
		"/":                           "",
		"unmatched":                   "",
	} {
		if got := limitOf(route); got != want {
			t.Errorf("limitOf(%q) = %q; want %q", route, got, want)
		}
	}
}

// limitedFixture serves the fixture's library with small limits.
func limitedFixture(t *testing.T, o Options) (*fixture, http.Handler, *Metrics, *bytes.Buffer) {
	t.Helper()
	f := newFixture(t)
	var logs bytes.Buffer
	o.Metrics = NewMetrics()
	o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	return f, NewServer(f.lib, o), o.Metrics, &logs
}

func do(h http.Handler, method, path, remote string, form url.Values, header ...string) *httptest.ResponseRecorder {
	var r *http.Request
	if form != nil {
		r = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, path, nil)
	}
	r.RemoteAddr = remote
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func check429(t *testing.T, w *httptest.ResponseRecorder, maxWait int, words string) {
	t.Helper()
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("status %d; want 429", w.Code)
	}
	secs, err := strconv.Atoi(w.Header().Get("Retry-After"))
	if err != nil || secs < 1 || secs > maxWait {
		t.Errorf("Retry-After %q; want 1..%d seconds", w.Header().Get("Retry-After"), maxWait)
	}
	if body := w.Body.String(); !strings.Contains(body, words) || !strings.Contains(body, strconv.Itoa(secs)) {
		t.Errorf("429 body %q; want %q and the wait", body, words)
	}
	if w.Header().Get("Content-Security-Policy") == "" || w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("429 headers %v; want the security headers and no-store", w.Header())
	}
}

func TestPasswordRateLimit(t *testing.T) {
	f, h, m, logs := limitedFixture(t, Options{PasswordLimit: RateLimit{Rate: 1.0 / 60, Burst: 3}})
	// A share without a password answers a posted form at once with a
	// redirect: the limit applies to the route all the same, and the test
	// spends no time on slow password hashes.
	token, _ := f.share(t, catalog.Share{})
	form := url.Values{"password": {"guess"}}
	for i := range 3 {
		if w := do(h, "POST", "/s/"+token, "192.0.2.7:4000", form); w.Code != http.StatusSeeOther {
			t.Fatalf("try %d: %d; want 303", i+1, w.Code)
		}
	}
	check429(t, do(h, "POST", "/s/"+token, "192.0.2.7:4000", form), 60, "Too many password tries")
	check429(t, do(h, "POST", "/s/"+token, "192.0.2.7:4001", form, "Accept-Language", "ko"), 60, "비밀번호를 너무 많이")

	if w := do(h, "POST", "/s/"+token, "192.0.2.8:4000", form); w.Code != http.StatusSeeOther {
		t.Errorf("another client's try: %d; want 303", w.Code)
	}
	if w := do(h, "GET", "/s/"+token, "192.0.2.7:4000", nil); w.Code != http.StatusOK {
		t.Errorf("the limited client opening the page: %d; want 200", w.Code)
	}
	var e exposition
	if err := m.write(&e); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.String(), `picup_http_rate_limited_total{limit="password"} 2`) {
		t.Errorf("metrics do not count the two 429s:\n%s", e.String())
	}
	if !strings.Contains(logs.String(), `route="POST /s/{token}" status=429`) || !strings.Contains(logs.String(), "client=192.0.2.7") {
		t.Errorf("log lacks the 429 line:\n%s", logs.String())
	}
}

func TestShareRateLimit(t *testing.T) {
	f, h, m, _ := limitedFixture(t, Options{ShareLimit: RateLimit{Rate: 1, Burst: 3}})
	token, _ := f.share(t, catalog.Share{})
	paths := []string{"/s/" + token, "/s/" + token + "/photos", "/m/1.2.x/3/grid"}
	for _, p := range paths {
		if w := do(h, "GET", p, "192.0.2.7:4000", nil); w.Code == http.StatusTooManyRequests {
			t.Fatalf("GET %s within the burst: 429", p)
		}
	}
	for _, p := range paths {
		check429(t, do(h, "GET", p, "192.0.2.7:4000", nil), 1, "Too many requests")
	}
	for _, p := range []string{"/healthz", "/static/nope.css", "/nowhere"} {
		if w := do(h, "GET", p, "192.0.2.7:4000", nil); w.Code == http.StatusTooManyRequests {
			t.Errorf("GET %s is rate limited", p)
		}
	}
	if w := do(h, "GET", "/s/"+token, "[2001:db8::1]:4000", nil); w.Code != http.StatusOK {
		t.Errorf("another client: %d; want 200", w.Code)
	}
	if got := counterValue(t, m.limited.WithLabelValues(limitShare)); got != 3 {
		t.Errorf("share 429s counted: %v; want 3", got)
	}
}

// Behind a trusted proxy each client has its own bucket; behind an
// untrusted one they share the proxy's, and the log says what to do.
func TestRateLimitBehindProxy(t *testing.T) {
	for _, trusted := range []bool{true, false} {
		o := Options{ShareLimit: RateLimit{Rate: 1, Burst: 2}}
		if trusted {
			o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
		}
		f, h, _, logs := limitedFixture(t, o)
		token, _ := f.share(t, catalog.Share{})
		codes := ""
		for _, client := range []string{"203.0.113.1", "203.0.113.1", "203.0.113.2", "203.0.113.2"} {
			w := do(h, "GET", "/s/"+token, "127.0.0.1:4000", nil, "X-Forwarded-For", client)
			codes += strconv.Itoa(w.Code) + " "
		}
		hint := strings.Contains(logs.String(), "--trusted-proxy 127.0.0.1/32")
		switch {
		case trusted && (codes != "200 200 200 200 " || hint):
			t.Errorf("trusted proxy: %s(hint logged: %v); want every client served, no hint", codes, hint)
		case !trusted && (codes != "200 200 429 429 " || !hint):
			t.Errorf("untrusted proxy: %s(hint logged: %v); want one shared bucket and the hint", codes, hint)
		}
	}
}

func TestNoRateLimits(t *testing.T) {
	f, h, _, _ := limitedFixture(t, Options{NoRateLimits: true, PasswordLimit: RateLimit{Rate: 1.0 / 60, Burst: 1}})
	token, _ := f.share(t, catalog.Share{})
	for i := range 5 {
		if w := do(h, "POST", "/s/"+token, "192.0.2.7:4000", url.Values{}); w.Code == http.StatusTooManyRequests {
			t.Fatalf("request %d: 429 with limits off", i+1)
		}
	}
}

// BenchmarkFront is the cost of the wrapping every request goes through
// (metrics, access log, security headers, rate limit) on a cheap route: a
// media URL with a bad signature, from one client or many.
func BenchmarkFront(b *testing.B) {
	lib, err := library.Open(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer lib.Close()
	for _, bc := range []struct {
		name    string
		o       Options
		clients int
	}{
		{"no-limits", Options{NoRateLimits: true}, 1},
		{"limits-one-client", Options{ShareLimit: RateLimit{Rate: 1e9, Burst: 1e9}}, 1},
		{"limits-many-clients", Options{ShareLimit: RateLimit{Rate: 1e9, Burst: 1e9}}, 4096},
	} {
		b.Run(bc.name, func(b *testing.B) {
			h := NewServer(lib, bc.o)
			var next atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					n := next.Add(1) % int64(bc.clients)
					r := httptest.NewRequest("GET", "/m/1.2.x/3/grid", nil)
					r.RemoteAddr = netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, byte(n >> 8), byte(n)}), 4000).String()
					w := httptest.NewRecorder()
					h.ServeHTTP(w, r)
					if w.Code != http.StatusForbidden {
						b.Fatalf("status %d", w.Code)
					}
				}
			})
		})
	}
}
