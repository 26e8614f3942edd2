package web

import (
	"context"
	"encoding/binary"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/sharelink"
)

// bigVideo is a real MP4 of the test data followed by a "free" box of
// filler, which players and the importer skip: a video of about n bytes.
func bigVideo(t testing.TB, n int) []byte {
	t.Helper()
	mp4, err := os.ReadFile("../../testdata/photos/video/small/Mpeg4.mp4")
	if err != nil {
		t.Fatal(err)
	}
	pad := max(8, n-len(mp4))
	out := make([]byte, len(mp4)+pad)
	copy(out, mp4)
	binary.BigEndian.PutUint32(out[len(mp4):], uint32(pad))
	copy(out[len(mp4)+4:], "free")
	for i := len(mp4) + 8; i < len(out); i++ {
		out[i] = byte(i * 7)
	}
	return out
}

// countingServer serves h, counts the bytes of the PATCH bodies it
// reads, and tells when no request is being handled.
type countingServer struct {
	*httptest.Server
	patched  atomic.Int64
	handling sync.WaitGroup
}

func startCounting(h http.Handler) *countingServer {
	cs := &countingServer{}
	cs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cs.handling.Add(1)
		defer cs.handling.Done()
		if r.Method == http.MethodPatch {
			r.Body = &countingBody{ReadCloser: r.Body, n: &cs.patched}
		}
		h.ServeHTTP(w, r)
	}))
	return cs
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// waitUntil polls cond every 20 ms, failing after a minute.
func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within a minute", what)
		}
	}
}

// A large video is cut mid-way by the server going away; a new server on
// the same library says how much it holds, and the rest alone finishes
// it.
func TestUploadResumesAfterTheServerStops(t *testing.T) {
	s := newUploadSite(t, nil, Options{})
	link := s.link(t, sharelink.Spec{UploadAs: "mom"})
	data := bigVideo(t, 48<<20)
	first := startCounting(s.h)
	c := s.client(t, link, "Aunt Sue")
	c.base = first.URL
	loc, a := c.create(int64(len(data)), "trip.mp4")
	if a.status != http.StatusCreated {
		t.Fatalf("create: %v", a)
	}
	bin := filepath.Join(s.lib.Root, library.IncomingDir, path.Base(loc))

	// Send the first 20 MB and stop the server while the request waits
	// for the rest.
	cut := 20 << 20
	pr, pw := io.Pipe()
	sent := make(chan error, 1)
	go func() {
		_, err := pw.Write(data[:cut])
		sent <- err
	}()
	req, err := http.NewRequest("PATCH", first.URL+loc, pr)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(data))
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Offset", "0")
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	done := make(chan struct{})
	go func() {
		defer close(done)
		if resp, err := c.http.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the server stores the first part", func() bool {
		fi, err := os.Stat(bin)
		return err == nil && fi.Size() >= int64(cut)
	})
	first.CloseClientConnections()
	first.Close() // waits for the handlers
	pw.CloseWithError(io.ErrUnexpectedEOF)
	<-done
	if err := s.h.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	// "Restart": a new server on the same library.
	s.serve(t, Options{})
	second := startCounting(s.h)
	defer second.Close()
	c.base = second.URL
	a = c.head(loc)
	offset, err := strconv.ParseInt(a.h.Get("Upload-Offset"), 10, 64)
	if err != nil || a.status != http.StatusOK || offset != int64(cut) {
		t.Fatalf("HEAD after the restart: %v, offset %q; want %d", a, a.h.Get("Upload-Offset"), cut)
	}
	a = c.patch(loc, offset, data[offset:])
	got := resultOf(t, a)
	if got.Status != catalog.UploadAdded {
		t.Fatalf("the rest: %v %+v; want added", a, got)
	}
	if n := second.patched.Load(); n != int64(len(data))-offset {
		t.Errorf("the second server read %d bytes; want the %d that were missing", n, int64(len(data))-offset)
	}
	p, err := s.lib.Catalog.PhotoByID(context.Background(), got.PhotoID)
	if err != nil || p.Type != "video" || p.Bytes != int64(len(data)) {
		t.Fatalf("the video: %+v, %v", p, err)
	}
	if names := s.incoming(t); len(names) != 0 {
		t.Errorf("incoming/ holds %v", names)
	}
	s.checkWhole(t)
}

// Uploads nobody finishes are removed after a day; what a crash leaves
// is removed when the endpoint starts.
func TestUploadSweep(t *testing.T) {
	s := newUploadSite(t, nil, Options{})
	link := s.link(t, sharelink.Spec{UploadAs: "mom"})
	c := s.client(t, link, "Aunt Sue")
	data := noisePNG(t, 9, 30, 30)
	half := len(data) / 2
	start := func() string {
		loc, a := c.create(int64(len(data)), "a.png")
		if a.status != http.StatusCreated {
			t.Fatalf("create: %v", a)
		}
		if a := c.patch(loc, 0, data[:half]); a.status != http.StatusNoContent {
			t.Fatalf("PATCH: %v", a)
		}
		return path.Base(loc)
	}
	dir := filepath.Join(s.lib.Root, library.IncomingDir)
	abandoned, recent := start(), start()
	twoDays := time.Now().Add(-48 * time.Hour)
	if err := os.Chtimes(filepath.Join(dir, abandoned), twoDays, twoDays); err != nil {
		t.Fatal(err)
	}
	// What crashes leave: the bytes of an upload already imported, a
	// .info without bytes, bytes without a .info, a .info half written.
	done, _ := c.create(int64(len(data)), "b.png")
	if got := resultOf(t, c.patch(done, 0, data)); got.Status != catalog.UploadAdded {
		t.Fatalf("upload: %+v", got)
	}
	doneID := path.Base(done)
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(doneID, string(data))
	write(doneID+".info", `{"ID":"`+doneID+`","Size":`+strconv.Itoa(len(data))+`,"MetaData":{}}`)
	write("0123456789abcdef0123456789abcdef.info", `{"ID":"0123456789abcdef0123456789abcdef"}`)
	write("fedcba9876543210fedcba9876543210", "x")
	write("00112233445566778899aabbccddeeff", "")
	write("00112233445566778899aabbccddeeff.info", `{"ID":"0011`)

	if err := s.h.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.serve(t, Options{})
	c.base = s.srv.URL
	loc := link + "/uploads/" + recent
	if a := c.head(loc); a.h.Get("Upload-Offset") != strconv.Itoa(half) {
		t.Fatalf("HEAD of the recent upload after a restart: %v", a)
	}
	if names := s.incoming(t); len(names) != 2 || names[0] != recent || names[1] != recent+".info" {
		t.Fatalf("incoming/ after a restart: %v; want only the recent upload %s", names, recent)
	}
	s.checkWhole(t) // verify does not count an upload in flight as a stray file
	if got := resultOf(t, c.patch(loc, int64(half), data[half:])); got.Status != catalog.UploadDuplicate {
		t.Fatalf("the recent upload, finished: %+v; want a duplicate of b.png", got)
	}
}
