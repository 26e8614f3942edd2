package web

import (
	"bytes"
	"context"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// TestAccessLineAsSlog checks that the access log line written directly
// is the one slog's text handler writes for the same record.
func TestAccessLineAsSlog(t *testing.T) {
	seoul := time.FixedZone("KST", 9*3600)
	times := []time.Time{
		time.Date(2026, 12, 6, 2, 5, 0, 0, time.UTC),
		time.Date(2026, 12, 6, 2, 5, 0, 999_999_999, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 100_000, seoul),
		time.Date(1999, 12, 31, 23, 59, 59, 10_000_000, time.Local),
		time.Now(),
	}
	routes := []string{"GET /m/{sig}/{photo}/{size}", "unmatched", "", "GET /s/{token}", `a"b`, "a=b", "tab\there", "ünïcode", "bad\xffutf8", "nbsp\u00a0x", "back\\slash", "del\x7f"}
	methods := []string{"GET", "POST", "M=X", "ÄÖ", ""}
	clients := []netip.Addr{{}, netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1"), netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("fe80::1%eth 0"), netip.MustParseAddr("::ffff:10.0.0.1")}
	durations := []time.Duration{0, 1, 999, 1000, 1500, 123456, time.Millisecond, 2*time.Second + 3, time.Hour + time.Minute, -5 * time.Microsecond}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		a := accessLine{
			at:       times[i%len(times)].Add(time.Duration(rng.Int64N(int64(time.Hour)))),
			method:   methods[rng.IntN(len(methods))],
			route:    routes[rng.IntN(len(routes))],
			status:   []int{200, 304, 404, 499, 503}[rng.IntN(5)],
			bytes:    rng.Int64N(1 << 40),
			duration: durations[rng.IntN(len(durations))] + time.Duration(rng.Int64N(int64(time.Second)))*time.Duration(rng.IntN(2)),
			client:   clients[rng.IntN(len(clients))],
		}
		var want bytes.Buffer
		rec := slog.NewRecord(a.at, slog.LevelInfo, "http", 0)
		rec.AddAttrs(slog.String("method", a.method), slog.String("route", a.route), slog.Int("status", a.status),
			slog.Int64("bytes", a.bytes), slog.Duration("duration", a.duration), slog.String("client", a.client.String()))
		if err := slog.NewTextHandler(&want, nil).Handle(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
		if got := string(a.append(nil)); got != want.String() {
			t.Fatalf("line %d:\ngot  %q\nwant %q", i, got, want.String())
		}
	}
}

// TestAccessLogDirect checks that a server logging to a Log's own logger
// writes the line directly, and through slog otherwise, with the same
// fields.
func TestAccessLogDirect(t *testing.T) {
	var out bytes.Buffer
	l := NewLog(&out)
	if accessLogOf(l.Logger()) != l {
		t.Fatal("a Log's own logger is not written to directly")
	}
	if accessLogOf(l.Logger().With("k", "v")) != nil || accessLogOf(l.Logger().WithGroup("g")) != nil {
		t.Fatal("a logger with attributes or a group is written to directly")
	}
	if accessLogOf(slog.New(slog.NewTextHandler(&out, nil))) != nil {
		t.Fatal("another logger is written to directly")
	}
	l.logAccess(&accessLine{at: time.Now(), method: "GET", route: "GET /healthz", status: 200, bytes: 3, duration: time.Millisecond, client: netip.MustParseAddr("127.0.0.1")})
	if out.Len() != 0 {
		t.Fatal("the line was written before the Log's delay")
	}
	l.Close()
	if line := out.String(); !strings.Contains(line, ` level=INFO msg=http method=GET route="GET /healthz" status=200 bytes=3 duration=1ms client=127.0.0.1`+"\n") {
		t.Fatalf("line %q", line)
	}
}
