package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
)

// catalogChange is a change that another connection or process makes to
// the catalog while the server runs, as the CLI would.
type catalogChange struct {
	do  string // "revoke", "expire", "extend", "trash", "restore", "unalbum"
	id  int64  // share, photo or album id
	arg int64  // photo id of "unalbum"
}

func (c catalogChange) apply(ctx context.Context, cat *catalog.Catalog) error {
	return cat.Write(ctx, func(tx *catalog.Tx) error {
		var err error
		switch c.do {
		case "revoke":
			_, err = tx.RevokeShare(ctx, c.id, time.Now())
		case "expire":
			err = tx.ExtendShare(ctx, c.id, time.Now().Add(-time.Minute))
		case "extend":
			err = tx.ExtendShare(ctx, c.id, time.Now().Add(time.Hour))
		case "trash":
			_, err = tx.Trash(ctx, []int64{c.id})
		case "restore":
			_, err = tx.Restore(ctx, []int64{c.id})
		case "unalbum":
			_, err = tx.RemoveFromAlbum(ctx, c.id, []int64{c.arg})
		default:
			err = fmt.Errorf("unknown change %q", c.do)
		}
		return err
	})
}

// TestHelperCatalogChange is the other process of
// TestMediaSeesChangesAtOnce: it applies $PICUP_TEST_CHANGE ("do id arg")
// to the catalog $PICUP_TEST_CATALOG.
func TestHelperCatalogChange(t *testing.T) {
	path := os.Getenv("PICUP_TEST_CATALOG")
	if path == "" {
		t.Skip("the other process of TestMediaSeesChangesAtOnce")
	}
	var c catalogChange
	if _, err := fmt.Sscan(os.Getenv("PICUP_TEST_CHANGE"), &c.do, &c.id, &c.arg); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cat, err := catalog.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	if err := c.apply(ctx, cat); err != nil {
		t.Fatal(err)
	}
}

// A media URL whose answer sits in the server's memory answers what the
// catalog says the moment another connection, or another process such as
// "picup share revoke" or "picup rm", has changed it.
func TestMediaSeesChangesAtOnce(t *testing.T) {
	for _, via := range []string{"connection", "process"} {
		t.Run(via, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t)
			path := filepath.Join(f.lib.Root, library.CatalogFile)
			change := func(c catalogChange) {
				t.Helper()
				if via == "process" {
					cmd := exec.Command(os.Args[0], "-test.run=^TestHelperCatalogChange$")
					cmd.Env = append(os.Environ(), "PICUP_TEST_CATALOG="+path, fmt.Sprintf("PICUP_TEST_CHANGE=%s %d %d", c.do, c.id, c.arg))
					if out, err := cmd.CombinedOutput(); err != nil {
						t.Fatalf("%s in another process: %v\n%s", c.do, err, out)
					}
					return
				}
				other, err := catalog.Open(ctx, path)
				if err != nil {
					t.Fatal(err)
				}
				defer other.Close()
				if err := c.apply(ctx, other); err != nil {
					t.Fatalf("%s through another connection: %v", c.do, err)
				}
			}
			status := func(u string) int {
				t.Helper()
				resp, _ := f.get(t, u)
				return resp.StatusCode
			}

			token, shareID := f.share(t, catalog.Share{})
			u := f.firstMedia(t, token) // the grid thumbnail of f.inside[0]
			photo := f.inside[0].ID
			screen := strings.Replace(u, "/grid", "/screen", 1)
			type step struct {
				change catalogChange
				want   int
			}
			steps := []step{
				{catalogChange{}, 200},
				{catalogChange{do: "trash", id: photo}, 404},
				{catalogChange{do: "restore", id: photo}, 200},
				{catalogChange{do: "expire", id: shareID}, 410},
				{catalogChange{do: "extend", id: shareID}, 200},
				{catalogChange{do: "unalbum", id: f.album, arg: photo}, 404},
				{catalogChange{do: "revoke", id: shareID}, 410},
			}
			if via == "process" { // what "picup rm" and "picup share revoke" do
				steps = []step{steps[0], steps[1], steps[2], steps[6]}
			}
			for _, step := range steps {
				if step.change.do != "" {
					change(step.change)
				}
				// Twice: the first answer fills the memory, the second comes from it.
				for range 2 {
					if got := status(u); got != step.want {
						t.Fatalf("after %s: GET grid = %d; want %d", step.change.do, got, step.want)
					}
				}
				if got := status(screen); got != 403 { // signed for grid only
					t.Fatalf("after %s: GET screen with the grid signature = %d; want 403", step.change.do, got)
				}
			}
		})
	}
}

// The memory of shares and photos holds at most its bounds, and answers
// right whatever it dropped.
func TestMediaCacheBounded(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	var shares []catalog.Share
	for range 3 {
		_, id := f.share(t, catalog.Share{})
		sh, err := f.lib.Catalog.ShareByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		shares = append(shares, sh)
	}
	v, err := f.lib.Catalog.CatalogVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := newMediaCache(2, 3)
	for round := range 2 {
		for _, sh := range shares {
			got, err := c.share(ctx, f.lib.Catalog, v, sh.ID)
			if err != nil || got.ID != sh.ID {
				t.Fatalf("round %d: share(%d) = %d, %v", round, sh.ID, got.ID, err)
			}
			if len(c.shares) > 2 {
				t.Fatalf("%d shares in memory; bound 2", len(c.shares))
			}
			for _, p := range append(f.inside, f.outside) {
				file, err := c.file(ctx, f.lib.Catalog, v, sh, p.ID)
				if p.ID == f.outside.ID {
					if !errors.Is(err, catalog.ErrNotFound) {
						t.Fatalf("file(outside) err = %v; want ErrNotFound", err)
					}
				} else if err != nil || file.SHA256 != p.SHA256 {
					t.Fatalf("file(%d) = %+v, %v; want sha %s", p.ID, file, err, p.SHA256)
				}
				if len(c.files) > 3 {
					t.Fatalf("%d files in memory; bound 3", len(c.files))
				}
			}
		}
	}
	if _, err := c.share(ctx, f.lib.Catalog, v, 999); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("share(no such share) err = %v; want ErrNotFound", err)
	}
}

// thumbFiles writes n files of distinct content and sizes.
func thumbFiles(t *testing.T, n int) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for i := range n {
		p := filepath.Join(dir, strconv.Itoa(i)+".jpg")
		if err := os.WriteFile(p, bytes.Repeat([]byte{byte('a' + i)}, 100+i), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

func TestThumbCacheBounded(t *testing.T) {
	paths := thumbFiles(t, 6)
	c := newThumbCache(250, 103) // room for two of 100-105 bytes; the two largest are too large
	for round := range 2 {
		for i, p := range paths {
			data, err := c.get(1, p)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := os.ReadFile(p)
			switch {
			case i > 3 && data != nil:
				t.Fatalf("get(%d bytes) kept in memory; want nil (larger than an entry may be)", len(want))
			case i <= 3 && !bytes.Equal(data, want):
				t.Fatalf("round %d: get(%s) = %d bytes; want the file's %d", round, p, len(data), len(want))
			}
			if c.bytes > 250 || c.lru.Len() != len(c.byKey) || c.lru.Len() > 2 {
				t.Fatalf("%d bytes in %d entries (%d keys); bound 250 bytes", c.bytes, c.lru.Len(), len(c.byKey))
			}
		}
	}
	if _, err := c.get(1, filepath.Join(t.TempDir(), "missing.jpg")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("get(missing) err = %v; want ErrNotExist", err)
	}
}

// A thumbnail made again (picup verify --repair, which raises the
// catalog's version) is read again once the version has moved.
func TestThumbCacheSeesRemadeFile(t *testing.T) {
	p := thumbFiles(t, 1)[0]
	c := newThumbCache(1<<20, 1<<20)
	first, _ := c.get(1, p)
	tmp := p + ".new"
	if err := os.WriteFile(tmp, []byte("remade"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.get(1, p); !bytes.Equal(got, first) {
		t.Errorf("at the same version: %q; want what was read (%d bytes)", got, len(first))
	}
	if got, _ := c.get(2, p); string(got) != "remade" {
		t.Errorf("at a later version: %q; want the new file", got)
	}
	if got, _ := c.get(3, p); string(got) != "remade" { // unchanged file, checked again
		t.Errorf("at a later version again: %q", got)
	}
}

// A client that goes away while its request waits on the catalog is
// neither a 500 nor an error in the log: it counts as 499.
func TestClientGone(t *testing.T) {
	f := newFixture(t)
	_, id := f.share(t, catalog.Share{})
	key, err := f.h.s.signingKey(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	u := mediaURL(key, id, f.inside[0].ID, "grid", f.now.Add(time.Hour).Unix(), "")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, httptest.NewRequest("GET", u, nil).WithContext(ctx))
	if rec.Code == 500 || rec.Body.Len() != 0 {
		t.Errorf("request of a gone client: %d %q; want nothing written", rec.Code, rec.Body)
	}
	logs := f.logs.String()
	if strings.Contains(logs, "level=ERROR") || strings.Contains(logs, "status=500") || !strings.Contains(logs, "status=499") {
		t.Errorf("a gone client's request: want status=499 and no error in the log:\n%s", logs)
	}
	m := scrape(t, f.srv.URL)
	if got := m.get(t, "picup_http_request_duration_seconds_count", "route", "GET /m/{sig}/{photo}/{size}", "code", "499"); got != 1 {
		t.Errorf("requests counted as 499 = %v; want 1", got)
	}
	if resp, _ := f.get(t, u); resp.StatusCode != 200 {
		t.Errorf("the same URL from a client that stays: %d", resp.StatusCode)
	}
}

// Share page views are counted in memory and written together.
func TestShareViewsWritten(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	a, aID := f.share(t, catalog.Share{})
	b, bID := f.share(t, catalog.Share{})
	for _, tok := range []string{a, b, a} {
		if resp, _ := f.get(t, "/s/"+tok); resp.StatusCode != 200 {
			t.Fatalf("GET share page = %d", resp.StatusCode)
		}
	}
	if err := f.h.Close(ctx); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[int64]int64{aID: 2, bID: 1} {
		sh, err := f.lib.Catalog.ShareByID(ctx, id)
		if err != nil || sh.Views != want || catalog.FormatTime(sh.LastOpenedAt) != f.now.UTC().Format(time.RFC3339) {
			t.Errorf("share %d: views %d, last opened %q (%v); want %d at %s", id, sh.Views, catalog.FormatTime(sh.LastOpenedAt), err, want, f.now.UTC().Format(time.RFC3339))
		}
	}
}

// BenchmarkMediaThumbnail serves grid thumbnails through signed share
// URLs straight to the handler (no network, no rate limits), from many
// goroutines: the cost of the media route itself.
func BenchmarkMediaThumbnail(b *testing.B) {
	f := newFixture(b)
	urls := f.thumbnailURLs(b)
	h := NewServer(f.lib, Options{NoRateLimits: true, Now: func() time.Time { return f.now }})
	defer func() { _ = h.Close(context.Background()) }()
	serveEach(b, h, urls)
}

// discardWriter is a ResponseWriter that keeps the status and counts the
// bytes of the body.
type discardWriter struct {
	header http.Header
	code   int
	n      int
}

func (w *discardWriter) Header() http.Header { return w.header }

func (w *discardWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *discardWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.n += len(b)
	return len(b), nil
}

// countingListener counts the writes made to its connections.
type countingListener struct {
	net.Listener
	writes *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	return countingConn{c, l.writes}, err
}

type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// A thumbnail's headers and bytes leave in one write on the connections
// of Listener; ranges and other answers are whole too.
func TestThumbnailOneWrite(t *testing.T) {
	f := newFixture(t)
	token, _ := f.share(t, catalog.Share{})
	u := f.firstMedia(t, token)
	want, err := os.ReadFile(f.lib.Abs(library.ThumbPath(f.inside[0].SHA256, "grid")))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var writes atomic.Int64
	srv := &http.Server{Handler: f.h, ConnContext: ConnContext}
	go func() { _ = srv.Serve(Listener(countingListener{ln, &writes})) }() // ends with Close
	defer func() { _ = srv.Close() }()
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	defer client.CloseIdleConnections()
	for _, tt := range []struct {
		name, header string
		status       int
		body         []byte
	}{
		{"whole", "", 200, want},
		{"again", "", 200, want},
		{"range", "bytes=0-9", 206, want[:10]},
		{"whole after a range", "", 200, want},
	} {
		req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+u, nil)
		if tt.header != "" {
			req.Header.Set("Range", tt.header)
		}
		before := writes.Load()
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || !bytes.Equal(body, tt.body) || resp.Header.Get("ETag") == "" {
			t.Errorf("%s: %d with %d bytes, ETag %q; want %d with %d bytes", tt.name, resp.StatusCode, len(body), resp.Header.Get("ETag"), tt.status, len(tt.body))
		}
		if n := writes.Load() - before; tt.status == 200 && n != 1 {
			t.Errorf("%s: the answer took %d writes; want 1", tt.name, n)
		}
	}
}
