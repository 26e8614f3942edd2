package web

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
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
