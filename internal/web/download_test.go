package web

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/sharelink"
)

func readZip(t *testing.T, body string) map[string]*zip.File {
	t.Helper()
	zr, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("not a valid zip: %v", err)
	}
	files := map[string]*zip.File{}
	for _, zf := range zr.File {
		if files[zf.Name] != nil {
			t.Errorf("zip holds %s twice", zf.Name)
		}
		files[zf.Name] = zf
	}
	return files
}

func TestShareZip(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	trashed, offloaded := f.inside[1], f.inside[2]
	err := f.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		if _, err := tx.Trash(ctx, []int64{trashed.ID}); err != nil {
			return err
		}
		return tx.SetOffloaded(ctx, offloaded.ID, "b2")
	})
	if err != nil {
		t.Fatal(err)
	}
	token, _ := f.share(t, catalog.Share{Download: true})
	resp, body := f.get(t, "/s/"+token+"/download", "Accept-Encoding", "gzip")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/zip" || resp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("zip: %d %s, encoding %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Encoding"))
	}
	checkSecurityHeaders(t, resp)
	disp, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
	if err != nil || disp != "attachment" || params["filename"] != "Family.zip" {
		t.Errorf("Content-Disposition %q; want attachment; filename=Family.zip", resp.Header.Get("Content-Disposition"))
	}
	files := readZip(t, body)
	head, err := http.Head(f.srv.URL + "/s/" + token + "/download")
	if err != nil {
		t.Fatal(err)
	}
	head.Body.Close()
	if head.StatusCode != 200 || head.Header.Get("Content-Type") != "application/zip" {
		t.Errorf("HEAD zip: %d %s", head.StatusCode, head.Header.Get("Content-Type"))
	}
	want := 0
	for _, p := range f.inside {
		name := p.TakenAt[:10] + "/" + p.OriginalName
		zf := files[name]
		if p.ID == trashed.ID || p.ID == offloaded.ID {
			if zf != nil {
				t.Errorf("zip holds %s, which is trashed or offloaded", name)
			}
			continue
		}
		want++
		if zf == nil {
			t.Errorf("zip lacks %s", name)
			continue
		}
		if zf.Method != zip.Store {
			t.Errorf("%s: method %d; want Store", name, zf.Method)
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		orig, _ := os.ReadFile(f.lib.Abs(p.Path))
		if err != nil || !bytes.Equal(got, orig) {
			t.Errorf("%s: %d bytes (%v); want the original's %d, byte for byte", name, len(got), err, len(orig))
		}
	}
	if len(files) != want {
		names := make([]string, 0, len(files))
		for n := range files {
			names = append(names, n)
		}
		t.Errorf("zip holds %d files %v; want the share's %d", len(files), names, want)
	}
	if name := f.outside.TakenAt[:10] + "/" + f.outside.OriginalName; files[name] != nil {
		t.Errorf("zip holds %s, which is not in the album", name)
	}
}

func TestShareZipRefused(t *testing.T) {
	f := newFixture(t)
	hash, err := sharelink.HashPassword("pw")
	if err != nil {
		t.Fatal(err)
	}
	locked, _ := f.share(t, catalog.Share{Download: true, PasswordHash: hash})
	expired, _ := f.share(t, catalog.Share{Download: true, ExpiresAt: f.now.Add(-time.Minute)})
	closed, _ := f.share(t, catalog.Share{})
	tests := []struct {
		name, path string
		want       int
	}{
		{"downloads not allowed", "/s/" + closed + "/download", 403},
		{"password, no cookie", "/s/" + locked + "/download", 403},
		{"expired", "/s/" + expired + "/download", 410},
		{"unknown token", "/s/" + sharelink.NewToken() + "/download", 404},
	}
	for _, tt := range tests {
		resp, body := f.get(t, tt.path)
		if resp.StatusCode != tt.want || strings.HasPrefix(body, "PK") {
			t.Errorf("%s: %d; want %d and no zip", tt.name, resp.StatusCode, tt.want)
		}
	}
	resp, err := noRedirect().PostForm(f.srv.URL+"/s/"+locked, url.Values{"password": {"pw"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(resp.Cookies()) != 1 {
		t.Fatalf("password accepted without a cookie: %d", resp.StatusCode)
	}
	c := resp.Cookies()[0]
	resp, body := f.get(t, "/s/"+locked+"/download", "Cookie", c.Name+"="+c.Value)
	if resp.StatusCode != 200 || len(readZip(t, body)) != len(f.inside) {
		t.Errorf("zip with the password cookie: %d", resp.StatusCode)
	}
}

func TestZipNames(t *testing.T) {
	f := newFixture(t)
	s := f.server()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := map[string]bool{}
	p := f.inside[0]
	same := []struct{ name, taken string }{
		{"IMG_0001.JPG", "2024-05-03T10:00:00+09:00"},
		{"IMG_0001.JPG", "2024-05-03T11:00:00+09:00"},
		{"img_0001.jpg", "2024-05-03T12:00:00"},
		{"IMG_0001.JPG", "2024-05-04T09:00:00"},
		{"../../evil.jpg", ""},
	}
	for _, tt := range same {
		q := p
		q.OriginalName, q.TakenAt = tt.name, tt.taken
		if ok, err := s.zipAdd(context.Background(), zw, q, names); !ok || err != nil {
			t.Fatalf("zipAdd(%s) = %v, %v", tt.name, ok, err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2024-05-03/IMG_0001.JPG", "2024-05-03/IMG_0001_2.JPG", "2024-05-03/img_0001_3.jpg", "2024-05-04/IMG_0001.JPG", "undated/.._.._evil.jpg"}
	for i, zf := range zr.File {
		if i >= len(want) || zf.Name != want[i] {
			t.Errorf("entry %d = %q; want %q", i, zf.Name, want[min(i, len(want)-1)])
		}
	}
	if len(zr.File) != len(want) {
		t.Errorf("%d entries; want %d", len(zr.File), len(want))
	}
	if got := zr.File[0].Modified.Format(time.DateTime); got != "2024-05-03 10:00:00" {
		t.Errorf("modified time %s; want the capture clock time", got)
	}
}

// brokenPipe is a client that goes away after limit bytes.
type brokenPipe struct {
	h       http.Header
	written int
	limit   int
}

func (b *brokenPipe) Header() http.Header { return b.h }
func (b *brokenPipe) WriteHeader(int)     {}
func (b *brokenPipe) Write(p []byte) (int, error) {
	if b.written+len(p) > b.limit {
		return 0, errors.New("connection reset by peer")
	}
	b.written += len(p)
	return len(p), nil
}

func TestZipClientGone(t *testing.T) {
	f := newFixture(t)
	token, _ := f.share(t, catalog.Share{Download: true, Name: "x"})
	w := &brokenPipe{h: http.Header{}, limit: 50_000}
	req := httptest.NewRequest("GET", "/s/"+token+"/download", nil)
	f.h.ServeHTTP(w, req)
	if w.written > w.limit || !strings.Contains(f.logs.String(), "zip download stopped") {
		t.Errorf("after the client left: %d bytes written, log:\n%s", w.written, f.logs)
	}
}
