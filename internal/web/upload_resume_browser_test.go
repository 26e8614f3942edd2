package web_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/sharelink"
	"github.com/picup/picup/internal/web"
)

// A large video that the page is sending when the server stops (the
// connection drops mid-file) finishes once the server is back at the same
// address, and the second server is sent only what the first had not
// stored.
func TestBrowserUploadResumes(t *testing.T) {
	b := newBrowser(t)
	ctx := context.Background()
	lib, err := library.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	a := archive.New(lib)
	if err := a.AddUser(ctx, "mom", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AddToAlbum(ctx, "Family", nil); err != nil {
		t.Fatal(err)
	}
	l, err := a.CreateShare(ctx, sharelink.Spec{Album: "Family", UploadAs: "mom"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(l.URL)
	if err != nil {
		t.Fatal(err)
	}
	const size = 64 << 20
	video := filepath.Join(t.TempDir(), "trip.mp4")
	if err := os.WriteFile(video, web.BigVideo(t, size), 0o644); err != nil {
		t.Fatal(err)
	}

	// The first server takes the bytes at 16 MB/s, so that the upload is
	// under way when it stops.
	first := serveAt(t, lib, "127.0.0.1:0", 16<<20)
	tab := b.tab(t, "en-US,en;q=0.9")
	step(t, tab, "open the link", chromedp.Navigate(first.url+u.Path))
	const explain = `JSON.stringify(Array.from(document.querySelectorAll("#upload-list .upload-item")).map(function (li) { return li.dataset.state + ": " + li.textContent }))`
	waitFor(t, tab, "the upload button", `!!window.picupNeedName && !!document.getElementById("upload-input")`, explain)
	step(t, tab, "pick the video", chromedp.SetUploadFiles(chromedp.CSS("#upload-input"), []string{video}))
	waitFor(t, tab, "the name sheet", `!document.getElementById("name-sheet").hidden`, explain)
	step(t, tab, "type a name", chromedp.SendKeys(chromedp.CSS("#name-input"), "Aunt Sue"), chromedp.Click(chromedp.CSS(`#name-form button[type="submit"]`)))

	incoming := filepath.Join(lib.Root, library.IncomingDir)
	stored := func() int64 {
		var n int64
		es, _ := os.ReadDir(incoming)
		for _, e := range es {
			if fi, err := e.Info(); err == nil && filepath.Ext(e.Name()) == "" {
				n = max(n, fi.Size())
			}
		}
		return n
	}
	for deadline := time.Now().Add(time.Minute); stored() < 16<<20; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the first server stored %d bytes in a minute; want 16 MB", stored())
		}
	}
	first.stop(t)
	cut := stored()
	if cut >= size {
		t.Fatalf("the whole file arrived before the server stopped (%d bytes)", cut)
	}

	second := serveAt(t, lib, first.addr, 0)
	defer second.stop(t)
	waitFor(t, tab, "the upload done after the restart", `document.querySelectorAll('#upload-list .upload-item[data-state="done"]').length === 1`, explain)
	if got, most := second.patched.Load(), int64(size)-cut; got > most {
		t.Errorf("the second server was sent %d bytes; the first had stored %d of %d, so at most %d were left", got, cut, size, most)
	}
	album, err := lib.Catalog.AlbumByName(ctx, "Family")
	if err != nil || album.Videos != 1 {
		t.Errorf("album after the upload: %+v, %v; want its one video", album, err)
	}
	t.Logf("the first server stored %d of %d bytes before it stopped; the second was sent %d", cut, size, second.patched.Load())
}

// resumeServer is a viewer on a fixed address that counts the bytes of
// the PATCH bodies it reads.
type resumeServer struct {
	addr, url string
	h         *web.Server
	srv       *http.Server
	done      chan error
	patched   atomic.Int64
}

// serveAt serves the library's viewer at addr ("127.0.0.1:0" for any
// port), reading upload bodies at rate bytes a second at most (0: as
// fast as they come).
func serveAt(t *testing.T, lib *library.Library, addr string, rate int) *resumeServer {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s := &resumeServer{addr: ln.Addr().String(), h: web.NewServer(lib, web.Options{NoRateLimits: true}), done: make(chan error, 1)}
	s.url = "http://" + s.addr
	s.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch {
			r.Body = &countingBody{ReadCloser: r.Body, n: &s.patched, rate: rate}
		}
		s.h.ServeHTTP(w, r)
	}), ReadHeaderTimeout: 10 * time.Second}
	go func() { s.done <- s.srv.Serve(ln) }()
	return s
}

// stop closes the server and its connections at once, as a crash or a
// dropped network would, and waits for it.
func (s *resumeServer) stop(t *testing.T) {
	t.Helper()
	s.h.EndStreams()
	if err := s.srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-s.done; !errors.Is(err, http.ErrServerClosed) {
		t.Fatal(err)
	}
	if err := s.h.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// countingBody counts what is read of a request body, at rate bytes a
// second at most (0: no limit).
type countingBody struct {
	io.ReadCloser
	n    *atomic.Int64
	rate int
}

func (c *countingBody) Read(p []byte) (int, error) {
	if c.rate > 0 && len(p) > 64<<10 {
		p = p[:64<<10]
	}
	n, err := c.ReadCloser.Read(p)
	c.n.Add(int64(n))
	if c.rate > 0 {
		time.Sleep(time.Duration(n) * time.Second / time.Duration(c.rate))
	}
	return n, err
}
