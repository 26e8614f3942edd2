package web

import (
	"bufio"
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
)

// sseEv is one event a test client read.
type sseEv struct {
	ID, Event, Data string
}

// sseStream is an open /events request.
type sseStream struct {
	resp   *http.Response
	events chan sseEv // closed at the end of the stream
	cancel context.CancelFunc
}

// openEvents opens a link's stream on srv, with header pairs.
func openEvents(t testing.TB, srvURL, token string, header ...string) (*sseStream, *http.Response) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", srvURL+"/s/"+token+"/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		cancel()
		return nil, resp
	}
	s := &sseStream{resp: resp, events: make(chan sseEv, 1000), cancel: cancel}
	t.Cleanup(s.close)
	go func() {
		defer close(s.events)
		sc := bufio.NewScanner(resp.Body)
		var ev sseEv
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.Event != "" {
					s.events <- ev
				}
				ev = sseEv{}
			case strings.HasPrefix(line, "id: "):
				ev.ID = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.Event = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.Data = line[6:]
			}
		}
	}()
	return s, resp
}

func (s *sseStream) close() {
	s.cancel()
	s.resp.Body.Close()
}

// next returns the next event, failing the test when none comes within
// the bound (a bound on a hang, not a timing assertion).
func (s *sseStream) next(t testing.TB) sseEv {
	t.Helper()
	select {
	case ev, ok := <-s.events:
		if !ok {
			t.Fatal("the stream ended; want an event")
		}
		return ev
	case <-time.After(20 * time.Second):
		t.Fatal("no event within 20 s")
	}
	return sseEv{}
}

// ended waits for the stream to end, failing when it goes on.
func (s *sseStream) ended(t testing.TB) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case _, ok := <-s.events:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatal("the stream did not end within 20 s")
		}
	}
}

// otherProcess opens the library's catalog a second time, as a picup
// command in a terminal would.
func otherProcess(t testing.TB, f *fixture) *catalog.Catalog {
	t.Helper()
	cat, err := catalog.Open(context.Background(), filepath.Join(f.lib.Root, "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	return cat
}

func addComment(t testing.TB, cat *catalog.Catalog, c catalog.Comment) catalog.Comment {
	t.Helper()
	err := cat.Write(context.Background(), func(tx *catalog.Tx) error {
		var err error
		c, err = tx.AddComment(context.Background(), c)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEventsLive(t *testing.T) {
	f := newFixture(t)
	token, shareID := f.share(t, catalog.Share{})
	s, resp := openEvents(t, f.srv.URL, token)
	if s == nil {
		t.Fatalf("GET events: %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type %q", ct)
	}
	// Another process writes: a comment under a photo the link does not
	// show (not sent), then under one it shows.
	other := otherProcess(t, f)
	addComment(t, other, catalog.Comment{PhotoID: f.outside.ID, Device: "d1", Name: "Jin", Text: "not for this link"})
	c := addComment(t, other, catalog.Comment{PhotoID: f.inside[0].ID, ShareID: shareID, Device: "d1", Name: "Jin", Text: "<b>hello</b>\nthere"})
	ev := s.next(t)
	var ce commentEvent
	if err := json.Unmarshal([]byte(ev.Data), &ce); err != nil || ev.Event != "comment" || ce.Comment == nil ||
		ce.Comment.Text != c.Text || ce.Comment.ID != c.ID || ce.PhotoID != f.inside[0].ID || ce.Comments != 1 || ce.Comment.Mine {
		t.Fatalf("first event %+v; want the comment on the link's photo, not the other", ev)
	}
	latest, err := f.lib.Catalog.LatestActivity(context.Background())
	if err != nil || ev.ID != strconv.FormatInt(latest, 10) {
		t.Errorf("event id %q; want the feed row %d", ev.ID, latest)
	}

	// A guest hearts through the server, then takes it back.
	g := f.guest(t, token)
	g.setName("Mom")
	photo := "/photos/" + strconv.FormatInt(f.inside[0].ID, 10) + "/heart"
	g.post(photo, nil)
	ev = s.next(t)
	var he heartEvent
	if err := json.Unmarshal([]byte(ev.Data), &he); err != nil || ev.Event != "heart" || he.Hearts != 1 || he.Name != "Mom" || ev.ID == "" {
		t.Fatalf("event %+v; want Mom's heart", ev)
	}
	g.post(photo, nil)
	ev = s.next(t)
	he = heartEvent{}
	if err := json.Unmarshal([]byte(ev.Data), &he); err != nil || ev.Event != "heart" || he.Hearts != 0 || ev.ID != "" {
		t.Fatalf("event %+v; want the heart taken back, with no id", ev)
	}
	// The guest's own comment, then its deletion.
	code, body := g.post("/photos/"+strconv.FormatInt(f.inside[0].ID, 10)+"/comments", map[string]string{"text": "mine"})
	mine := decode[commentJSON](t, body)
	if code != http.StatusCreated {
		t.Fatalf("comment: %d %s", code, body)
	}
	ev = s.next(t)
	if !strings.Contains(ev.Data, `"text":"mine"`) || ev.Event != "comment" {
		t.Fatalf("event %+v; want the guest's comment", ev)
	}
	g.call("DELETE", "/comments/"+strconv.FormatInt(mine.ID, 10), nil, "")
	ev = s.next(t)
	ce = commentEvent{}
	if err := json.Unmarshal([]byte(ev.Data), &ce); err != nil || ce.Deleted != mine.ID || ce.Comments != 1 {
		t.Fatalf("event %+v; want the deletion of %d, 1 comment left", ev, mine.ID)
	}
	// Photos that join the album, from another process.
	err = other.Write(context.Background(), func(tx *catalog.Tx) error {
		_, err := tx.AddToAlbum(context.Background(), f.album, f.outside.ID, catalog.Actor{Name: "Jin"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ev = s.next(t)
	var pe photoEvent
	if err := json.Unmarshal([]byte(ev.Data), &pe); err != nil || ev.Event != "photo" || len(pe.PhotoIDs) != 1 || pe.PhotoIDs[0] != f.outside.ID {
		t.Fatalf("event %+v; want the photo added", ev)
	}
}

// A client that reconnects with Last-Event-ID gets what its link showed
// since, oldest first, and no more.
func TestEventsResume(t *testing.T) {
	f := newFixture(t)
	token, shareID := f.share(t, catalog.Share{})
	cat := f.lib.Catalog
	before, err := cat.LatestActivity(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, text := range []string{"one", "two", "three"} {
		addComment(t, cat, catalog.Comment{PhotoID: f.inside[0].ID, ShareID: shareID, Device: "d", Name: "Jin", Text: text})
		id, _ := cat.LatestActivity(context.Background())
		ids = append(ids, id)
	}
	addComment(t, cat, catalog.Comment{PhotoID: f.outside.ID, Device: "d", Name: "Jin", Text: "elsewhere"})
	for _, c := range []struct {
		header []string
		want   []string
	}{
		{[]string{"Last-Event-ID", strconv.FormatInt(ids[0], 10)}, []string{"two", "three"}},
		{[]string{"Last-Event-ID", strconv.FormatInt(before, 10)}, []string{"one", "two", "three"}},
	} {
		s, resp := openEvents(t, f.srv.URL, token, c.header...)
		if s == nil {
			t.Fatalf("GET events: %d", resp.StatusCode)
		}
		for _, want := range c.want {
			if ev := s.next(t); !strings.Contains(ev.Data, `"text":"`+want+`"`) {
				t.Errorf("%v: event %+v; want %q", c.header, ev, want)
			}
		}
		addComment(t, cat, catalog.Comment{PhotoID: f.inside[1].ID, ShareID: shareID, Device: "d", Name: "Jin", Text: "live"})
		if ev := s.next(t); !strings.Contains(ev.Data, `"text":"live"`) {
			t.Errorf("%v: after the catch-up, event %+v; want the live comment", c.header, ev)
		}
		s.close()
	}
	req, _ := http.NewRequest("GET", f.srv.URL+"/s/"+token+"/events", nil)
	req.Header.Set("Last-Event-ID", "nope")
	bad, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	bad.Body.Close()
	if bad.StatusCode != http.StatusBadRequest {
		t.Errorf("Last-Event-ID nope: %d; want 400", bad.StatusCode)
	}
}

// Revoking the link, from another process, ends its open stream with
// "revoked"; so does the server's shutdown, without it.
func TestEventsEnd(t *testing.T) {
	f := newFixture(t)
	token, shareID := f.share(t, catalog.Share{})
	keep, _ := f.share(t, catalog.Share{})
	s, resp := openEvents(t, f.srv.URL, token)
	if s == nil {
		t.Fatalf("GET events: %d", resp.StatusCode)
	}
	kept, resp := openEvents(t, f.srv.URL, keep)
	if kept == nil {
		t.Fatalf("GET events: %d", resp.StatusCode)
	}
	err := otherProcess(t, f).Write(context.Background(), func(tx *catalog.Tx) error {
		_, err := tx.RevokeShare(context.Background(), shareID, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if ev := s.next(t); ev.Event != "revoked" {
		t.Errorf("event %+v; want revoked", ev)
	}
	s.ended(t)
	f.h.EndStreams()
	kept.ended(t)
	req, _ := http.NewRequest("GET", f.srv.URL+"/s/"+keep+"/events", nil)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
		t.Errorf("a stream once the server stops: %d; want 503 with Retry-After", r.StatusCode)
	}
}

func TestEventsLimits(t *testing.T) {
	f := newFixture(t)
	a, _ := f.share(t, catalog.Share{})
	b, _ := f.share(t, catalog.Share{})
	h := NewServer(f.lib, Options{StreamsPerShare: 2, StreamsPerClient: 3})
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		h.EndStreams()
		srv.Close()
		_ = h.Close(context.Background())
	})
	var open []*sseStream
	for range 2 {
		s, resp := openEvents(t, srv.URL, a)
		if s == nil {
			t.Fatalf("stream within the limits: %d", resp.StatusCode)
		}
		open = append(open, s)
	}
	_, resp := openEvents(t, srv.URL, a)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("a third stream on one link: %d; want 429 with Retry-After", resp.StatusCode)
	}
	s, resp := openEvents(t, srv.URL, b)
	if s == nil {
		t.Fatalf("a stream on another link: %d", resp.StatusCode)
	}
	if _, resp := openEvents(t, srv.URL, b); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("a fourth stream from one client: %d; want 429", resp.StatusCode)
	}
	open[0].close()
	// The closed stream's place is free once its handler has returned.
	deadline := time.Now().Add(20 * time.Second)
	for {
		s, resp := openEvents(t, srv.URL, a)
		if s != nil {
			break
		}
		if resp.StatusCode != http.StatusTooManyRequests || time.Now().After(deadline) {
			t.Fatalf("after a stream closed: %d; want its place free", resp.StatusCode)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The archive's guest actions reach streams without the server: rows
// written by archive methods in this process are feed rows too.
func TestEventsFromArchive(t *testing.T) {
	f := newFixture(t)
	token, shareID := f.share(t, catalog.Share{})
	s, resp := openEvents(t, f.srv.URL, token)
	if s == nil {
		t.Fatalf("GET events: %d", resp.StatusCode)
	}
	sh, err := f.lib.Catalog.ShareByID(context.Background(), shareID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := archive.New(f.lib).ToggleHeart(context.Background(), archive.Guest{Share: sh, Device: "x", Name: "아빠"}, f.inside[2].ID); err != nil {
		t.Fatal(err)
	}
	if ev := s.next(t); ev.Event != "heart" || !strings.Contains(ev.Data, "아빠") {
		t.Errorf("event %+v; want 아빠's heart", ev)
	}
}

// rssBytes is the process's resident memory (Linux; 0 elsewhere).
func rssBytes() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkEventsFanout: 200 live streams on one link; each iteration a
// comment is written at a random moment of the hub's period — by another
// catalog connection, as another picup process would (other-process), or
// posted to the server by a guest (this-server) — and every stream must
// get it. It reports the latency from the write to each stream's event
// (p50, p99, max over all of them) and how much the resident memory grew
// with the streams open (the clients' goroutines are in this process too:
// an upper bound for the server).
func BenchmarkEventsFanout(b *testing.B) {
	b.Run("other-process", func(b *testing.B) {
		benchFanout(b, func(f *fixture, token string, shareID int64) func(string) {
			other := otherProcess(b, f)
			return func(text string) {
				addComment(b, other, catalog.Comment{PhotoID: f.inside[0].ID, ShareID: shareID, Device: "d", Name: "Jin", Text: text})
			}
		})
	})
	b.Run("this-server", func(b *testing.B) {
		benchFanout(b, func(f *fixture, token string, _ int64) func(string) {
			g := f.guest(b, token)
			g.setName("Jin")
			path := "/photos/" + strconv.FormatInt(f.inside[0].ID, 10) + "/comments"
			return func(text string) {
				if code, body := g.post(path, map[string]string{"text": text}); code != http.StatusCreated {
					b.Fatalf("comment: %d %s", code, body)
				}
			}
		})
	})
}

func benchFanout(b *testing.B, writer func(f *fixture, token string, shareID int64) func(string)) {
	const clients = 200
	f := newFixture(b)
	token, shareID := f.share(b, catalog.Share{})
	h := NewServer(f.lib, Options{NoRateLimits: true, StreamsPerShare: clients, StreamsPerClient: clients})
	f.srv = httptest.NewServer(h)
	b.Cleanup(func() {
		h.EndStreams()
		f.srv.Close()
		_ = h.Close(context.Background())
	})
	write := writer(f, token, shareID)
	runtime.GC()
	rss0 := rssBytes()
	got := make(chan time.Time, clients)
	for range clients {
		s, resp := openEvents(b, f.srv.URL, token)
		if s == nil {
			b.Fatalf("stream: %d", resp.StatusCode)
		}
		go func() {
			for ev := range s.events {
				if ev.Event == "comment" {
					got <- time.Now()
				}
			}
		}()
	}
	// Every stream is registered once the first comment has reached all.
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N+1; i++ {
		time.Sleep(rand.N(hubEvery)) // a comment comes at any moment of the hub's period
		sent := time.Now()
		write("bench " + strconv.Itoa(i))
		for range clients {
			select {
			case at := <-got:
				if i > 0 {
					lat = append(lat, at.Sub(sent))
				}
			case <-time.After(30 * time.Second):
				b.Fatal("a stream did not get the comment within 30 s")
			}
		}
	}
	b.StopTimer()
	runtime.GC()
	slices.Sort(lat)
	q := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(q(0.5), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(q(1), "max-ms")
	b.ReportMetric(float64(rssBytes()-rss0)/(1<<20), "rss-growth-MB")
}
