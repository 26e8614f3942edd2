package web

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/picup/picup/internal/catalog"
)

// The hot path of scripts/bench-load, a thumbnail through a signed share
// URL, piece by piece:
//
//	go test -run '^$' -bench 'ServeThumbnail|CheckMedia|AccessLog' -benchmem ./internal/web

// BenchmarkServeThumbnail serves grid thumbnails through signed share
// URLs to the whole handler as picup serve builds it (security headers,
// metrics, an access log line for each request into a Log, whose
// batched writes go to io.Discard), without the network, from many
// goroutines. The rate limits are off, as in scripts/bench-load.
func BenchmarkServeThumbnail(b *testing.B) {
	h, urls := thumbnailServer(b)
	serveEach(b, h, urls)
}

// serveEach has h serve GET requests of urls in turn, from GOMAXPROCS
// goroutines, each answer in a discardWriter, and fails on any answer
// but 200 with a body.
func serveEach(b *testing.B, h http.Handler, urls []string) {
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			req := httptest.NewRequest("GET", urls[i%len(urls)], nil)
			w := &discardWriter{header: http.Header{}}
			h.ServeHTTP(w, req)
			if w.code != http.StatusOK || w.n == 0 {
				b.Errorf("GET %s = %d with %d bytes", req.URL.Path, w.code, w.n)
				return
			}
			i++
		}
	})
}

// thumbnailServer returns a handler as picup serve builds it, logging
// into a Log that writes to io.Discard, with the rate limits off, and
// the grid thumbnail URLs of a share page it serves.
func thumbnailServer(b *testing.B) (*Server, []string) {
	f := newFixture(b)
	urls := f.thumbnailURLs(b)
	out := NewLog(io.Discard)
	b.Cleanup(out.Close)
	h := NewServer(f.lib, Options{Logger: out.Logger(), NoRateLimits: true, Now: func() time.Time { return f.now }})
	b.Cleanup(func() { _ = h.Close(context.Background()) })
	return h, urls
}

// thumbnailURLs are the grid thumbnail URLs on the page of a new share
// of the fixture's album.
func (f *fixture) thumbnailURLs(tb testing.TB) []string {
	tb.Helper()
	token, _ := f.share(tb, catalog.Share{})
	_, body := f.get(tb, "/s/"+token)
	var urls []string
	for _, m := range imgSrc.FindAllStringSubmatch(body, -1) {
		urls = append(urls, m[1])
	}
	if len(urls) == 0 {
		tb.Fatal("no thumbnails on the share page")
	}
	return urls
}

// BenchmarkCheckMedia checks the signature of a media URL, as every
// thumbnail request does.
func BenchmarkCheckMedia(b *testing.B) {
	key := []byte("0123456789abcdef0123456789abcdef")
	now := time.Unix(1_800_000_000, 0)
	exp := now.Add(time.Hour).Unix()
	for _, bench := range []struct{ name, ip string }{{"plain", ""}, {"pinned", "192.0.2.7"}} {
		b.Run(bench.name, func(b *testing.B) {
			u := mediaURL(key, 12, 3456, "grid", exp, bench.ip)
			parts := strings.Split(strings.TrimPrefix(u, "/m/"), "/")
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := checkMedia(key, parts[0], parts[1], parts[2], bench.ip, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAccessLog writes a request's access log line into a Log (to
// io.Discard): directly, as the server does with a Log's own logger,
// and through slog, as it does with any other.
func BenchmarkAccessLog(b *testing.B) {
	a := accessLine{at: time.Now(), method: "GET", route: "GET /m/{sig}/{photo}/{size}", status: 200, bytes: 13412,
		duration: 123456 * time.Nanosecond, client: netip.MustParseAddr("127.0.0.1")}
	b.Run("direct", func(b *testing.B) {
		out := NewLog(io.Discard)
		defer out.Close()
		b.ReportAllocs()
		for b.Loop() {
			out.logAccess(&a)
		}
	})
	b.Run("slog", func(b *testing.B) {
		out := NewLog(io.Discard)
		defer out.Close()
		log := out.Logger().With() // With adds nothing: still the Log's own handler, logged through slog
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			log.LogAttrs(ctx, slog.LevelInfo, "http",
				slog.String("method", a.method), slog.String("route", a.route), slog.Int("status", a.status),
				slog.Int64("bytes", a.bytes), slog.Duration("duration", a.duration), slog.String("client", a.client.String()))
		}
	})
}

// BenchmarkServeThumbnailLoopback is BenchmarkServeThumbnail through the
// server as picup serve runs it (viewerLimits: timeouts, header limit,
// connections counted per address; the Listener that sends a thumbnail
// in one write), over loopback TCP from keep-alive connections that send
// a request and read its answer, 4 per GOMAXPROCS. Client and server
// share the cores, as wrk and picup do in scripts/bench-load.
func BenchmarkServeThumbnailLoopback(b *testing.B) {
	h, urls := thumbnailServer(b)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := viewerLimits.server(h)
	go func() { _ = srv.Serve(viewerLimits.listener(ln, netip.Addr.IsLoopback)) }() // ends with Close
	defer func() { _ = srv.Close() }()
	addr := ln.Addr().String()
	b.SetParallelism(4)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Error(err)
			return
		}
		defer c.Close()
		br := bufio.NewReaderSize(c, 64<<10)
		i := 0
		for pb.Next() {
			if _, err := io.WriteString(c, "GET "+urls[i%len(urls)]+" HTTP/1.1\r\nHost: "+addr+"\r\n\r\n"); err != nil {
				b.Error(err)
				return
			}
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				b.Error(err)
				return
			}
			n, _ := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || n == 0 {
				b.Errorf("GET %s = %d with %d bytes", urls[i%len(urls)], resp.StatusCode, n)
				return
			}
			i++
		}
	})
}
