package web

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/thumb"
)

// fastServer serves f's handler on 127.0.0.1 as Run does over plain
// HTTP: the thumbnail path first, net/http for what it hands on. It
// returns the address and a function that tells how many connections
// net/http was handed.
func fastServer(t *testing.T, f *fixture, limits serverLimits) (addr string, handed func() int, fl *fastListener) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	n := 0
	srv := limits.server(f.h)
	srv.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			mu.Lock()
			n++
			mu.Unlock()
		}
	}
	fl = serveFast(t, srv, limits.listener(ln, nil), limits)
	return ln.Addr().String(), func() int { mu.Lock(); defer mu.Unlock(); return n }, fl
}

// roundTrips sends raw, one or more requests, on a new connection to
// addr, and reads n responses (bodies read whole).
func roundTrips(t *testing.T, addr, raw string, n int) []*http.Response {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	var out []*http.Response
	for range n {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("response %d of %d to %q: %v", len(out)+1, n, raw, err)
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("body %d: %v", len(out)+1, err)
		}
		resp.Body = io.NopCloser(strings.NewReader(string(body)))
		out = append(out, resp)
	}
	return out
}

// sameResponse fails when a and b differ in status, headers (but Date,
// and the value of Set-Cookie: each guest gets one of their own) or
// body.
func sameResponse(t *testing.T, what string, a, b *http.Response) {
	t.Helper()
	if a.StatusCode != b.StatusCode {
		t.Errorf("%s: status %d on the thumbnail path, %d from net/http", what, a.StatusCode, b.StatusCode)
	}
	for _, h := range []http.Header{a.Header, b.Header} {
		h.Del("Date")
		if _, ok := h["Set-Cookie"]; ok {
			h["Set-Cookie"] = []string{"(a guest's own)"}
		}
	}
	keys := func(h http.Header) []string {
		var ks []string
		for k, vs := range h {
			ks = append(ks, k+": "+strings.Join(vs, ", "))
		}
		slices.Sort(ks)
		return ks
	}
	if ka, kb := keys(a.Header), keys(b.Header); !slices.Equal(ka, kb) {
		t.Errorf("%s: headers differ:\nthumbnail path: %q\nnet/http:       %q", what, ka, kb)
	}
	ba, _ := io.ReadAll(a.Body)
	bb, _ := io.ReadAll(b.Body)
	if string(ba) != string(bb) {
		t.Errorf("%s: bodies differ: %d bytes on the thumbnail path, %d from net/http", what, len(ba), len(bb))
	}
}

func TestFastPathAnswersAsNetHTTP(t *testing.T) {
	f := newFixture(t)
	addr, handed, _ := fastServer(t, f, viewerLimits)
	plain := strings.TrimPrefix(f.srv.URL, "http://")
	token, shareID := f.share(t, catalog.Share{})
	revokedToken, revokedID := f.share(t, catalog.Share{})
	revoked := f.firstMedia(t, revokedToken)
	if err := f.lib.Catalog.Write(context.Background(), func(tx *catalog.Tx) error {
		_, err := tx.RevokeShare(context.Background(), revokedID, f.now.Add(-time.Minute))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	key, err := (&server{lib: f.lib}).signingKey(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	exp := f.now.Add(time.Hour).Unix()
	grid := mediaURL(key, shareID, f.inside[0].ID, string(thumb.Grid), exp, "")
	screen := mediaURL(key, shareID, f.inside[0].ID, string(thumb.Screen), exp, "")
	outside := mediaURL(key, shareID, f.outside.ID, string(thumb.Grid), exp, "")
	tampered := grid[:len("/m/")+3] + "x" + grid[len("/m/")+4:]

	cases := []struct {
		name, target string
		header       string
		status       int
		fast         bool // answered on the thumbnail path
	}{
		{"grid thumbnail", grid, "", 200, true},
		{"screen thumbnail", screen, "", 200, true},
		{"browser headers", grid, "User-Agent: Mozilla/5.0\r\nAccept: image/avif,image/webp,*/*\r\nsec-fetch-dest: image\r\nAccept-Language: ko-KR,ko;q=0.9\r\nConnection: keep-alive\r\n", 200, true},
		{"tampered signature", tampered, "", 403, true},
		{"photo outside the share", outside, "", 404, true},
		{"revoked share", revoked, "", 410, true},
		{"a precondition", grid, "If-None-Match: \"x\"\r\n", 200, false},
		{"a range", grid, "Range: bytes=0-9\r\n", 206, false},
		{"a cookie", grid, "Cookie: a=b\r\n", 200, false},
		{"forwarded", grid, "X-Forwarded-For: 10.0.0.1\r\n", 200, false},
		{"connection close", grid, "Connection: close\r\n", 200, false},
		{"the share page", "/s/" + token, "", 200, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := "GET " + c.target + " HTTP/1.1\r\nHost: example.org\r\n" + c.header + "\r\n"
			before := handed()
			got := roundTrips(t, addr, raw, 1)[0]
			want := roundTrips(t, plain, raw, 1)[0]
			if got.StatusCode != c.status {
				t.Errorf("status %d; want %d", got.StatusCode, c.status)
			}
			sameResponse(t, c.name, got, want)
			if fast := handed() == before; fast != c.fast {
				t.Errorf("answered on the thumbnail path: %v; want %v", fast, c.fast)
			}
		})
	}

	t.Run("lines ending in a bare LF", func(t *testing.T) {
		before := handed()
		raw := "GET " + grid + " HTTP/1.1\r\nHost: a\nAccept: */*\n\n"
		got := roundTrips(t, addr, raw, 1)[0]
		want := roundTrips(t, plain, raw, 1)[0]
		sameResponse(t, "bare LF", got, want)
		if got.StatusCode != 200 || handed() != before+1 {
			t.Errorf("status %d, handed to net/http %d times; want 200 from net/http", got.StatusCode, handed()-before)
		}
	})

	t.Run("pipelined, then handed on mid-connection", func(t *testing.T) {
		before := handed()
		raw := "GET " + grid + " HTTP/1.1\r\nHost: a\r\n\r\n" +
			"GET " + screen + " HTTP/1.1\r\nHost: a\r\n\r\n" +
			"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n" +
			"GET " + grid + " HTTP/1.1\r\nHost: a\r\n\r\n"
		got := roundTrips(t, addr, raw, 4)
		want := roundTrips(t, plain, raw, 4)
		for i := range got {
			sameResponse(t, "response "+string(rune('1'+i)), got[i], want[i])
		}
		if n := handed() - before; n != 1 {
			t.Errorf("net/http was handed %d connections; want the one, at /healthz", n)
		}
	})
}

func TestFastPathDrain(t *testing.T) {
	f := newFixture(t)
	addr, _, fl := fastServer(t, f, viewerLimits)
	token, _ := f.share(t, catalog.Share{})
	grid := f.firstMedia(t, token)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "GET "+grid+" HTTP/1.1\r\nHost: a\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("thumbnail: %v %v", resp, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	// The connection now waits for its next request, for up to the idle
	// timeout of two minutes: drain must end it at once, not wait.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ended := make(chan struct{})
	go func() { fl.drain(ctx); close(ended) }()
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Fatal("drain still waits for an idle connection after 5 s")
	}
	if n, err := br.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Errorf("the idle connection after drain: read %d bytes, %v; want EOF", n, err)
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Error("a new connection after drain was accepted; want the listener closed")
	}
}

func TestParseFastRequest(t *testing.T) {
	const grid = "/m/1.2.abc_-DEF/7/grid"
	ok := []struct{ name, head string }{
		{"plain", "GET " + grid + " HTTP/1.1\r\nHost: a.example:8080\r\n\r\n"},
		{"screen", "GET /m/1.2.x/7/screen HTTP/1.1\r\nHost: [::1]:80\r\n\r\n"},
		{"lower-case names", "GET " + grid + " HTTP/1.1\r\nhost: a\r\nuser-agent: x\r\nsec-ch-ua: \"A\";v=\"1\"\r\n\r\n"},
		{"odd case names", "GET " + grid + " HTTP/1.1\r\nHOST: a\r\nuSer-AGENT: x\r\n\r\n"},
		{"spaces around values", "GET " + grid + " HTTP/1.1\r\nHost:   a \t\r\nAccept:*/*\r\n\r\n"},
	}
	for _, c := range ok {
		r, good := parseFastRequest([]byte(c.head))
		if !good {
			t.Errorf("%s: refused; want the thumbnail path", c.name)
			continue
		}
		if !strings.HasPrefix(r.target, "/m/") || r.host == "" || r.header.Get("Host") != "" {
			t.Errorf("%s: target %q host %q header %v", c.name, r.target, r.host, r.header)
		}
	}
	bad := []struct{ name, head string }{
		{"no host", "GET " + grid + " HTTP/1.1\r\nAccept: */*\r\n\r\n"},
		{"two hosts", "GET " + grid + " HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"},
		{"a host with a slash", "GET " + grid + " HTTP/1.1\r\nHost: a/b\r\n\r\n"},
		{"a host with a space", "GET " + grid + " HTTP/1.1\r\nHost: a b\r\n\r\n"},
		{"an empty host", "GET " + grid + " HTTP/1.1\r\nHost:\r\n\r\n"},
		{"a header twice", "GET " + grid + " HTTP/1.1\r\nHost: a\r\nAccept: x\r\naccept: y\r\n\r\n"},
		{"a folded line", "GET " + grid + " HTTP/1.1\r\nHost: a\r\nAccept: x\r\n y\r\n\r\n"},
		{"a bare LF in a value", "GET " + grid + " HTTP/1.1\r\nHost: a\r\nAccept: x\ny: z\r\n\r\n"},
		{"a NUL in a value", "GET " + grid + " HTTP/1.1\r\nHost: a\r\nAccept: x\x00\r\n\r\n"},
		{"a space in a name", "GET " + grid + " HTTP/1.1\r\nHost: a\r\nAccept : x\r\n\r\n"},
		{"no colon", "GET " + grid + " HTTP/1.1\r\nHost: a\r\nAccept\r\n\r\n"},
		{"a body's length", "GET " + grid + " HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n"},
		{"chunked", "GET " + grid + " HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"},
		{"an upgrade", "GET " + grid + " HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"},
		{"connection close", "GET " + grid + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"},
		{"expect", "GET " + grid + " HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n"},
		{"HTTP/1.0", "GET " + grid + " HTTP/1.0\r\nHost: a\r\n\r\n"},
		{"HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"},
		{"HEAD", "HEAD " + grid + " HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"lower-case method", "get " + grid + " HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"absolute form", "GET http://a" + grid + " HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"percent-encoded", "GET /m/1.2.%61/7/grid HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"a query", "GET " + grid + "?x=1 HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"a dot segment", "GET /m/../7/grid HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"an empty segment", "GET /m//7/grid HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"a fourth segment", "GET /m/1.2.x/7/grid/x HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"a video", "GET /m/1.2.x/7/video HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"an original", "GET /m/1.2.x/7/original HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"two spaces", "GET  " + grid + " HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"a long target", "GET /m/" + strings.Repeat("a", 600) + "/7/grid HTTP/1.1\r\nHost: a\r\n\r\n"},
	}
	for _, c := range bad {
		if _, good := parseFastRequest([]byte(c.head)); good {
			t.Errorf("%s: taken on the thumbnail path; want it handed to net/http", c.name)
		}
	}
}

func FuzzParseFastRequest(f *testing.F) {
	f.Add([]byte("GET /m/1.2.x/7/grid HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n"))
	f.Add([]byte("GET /m/1.2.x/7/screen HTTP/1.1\r\nhost: a\r\n\r\n"))
	f.Add([]byte("GET /m/1.2.x/7/grid HTTP/1.1\r\nHost: a\r\nX: y\r\n\r\n"))
	f.Fuzz(func(t *testing.T, head []byte) {
		r, ok := parseFastRequest(head)
		if !ok {
			return
		}
		if !fastTarget([]byte(r.target)) || !fastHost(r.host) {
			t.Fatalf("took target %q host %q", r.target, r.host)
		}
		for k, vs := range r.header {
			if !fastHeaders[k] || len(vs) != 1 || strings.ContainsAny(vs[0], "\r\n\x00") {
				t.Fatalf("took header %q: %q", k, vs)
			}
		}
	})
}
