package blob_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/picup/picup/internal/blob"
	"github.com/picup/picup/internal/miniotest"
)

// A presigned URL opens the object under the store's prefix with the
// response headers asked for, without credentials, and only for the
// object it was made for; Rebase moves it to another host and keeps
// the rest.
func TestPresignGet(t *testing.T) {
	srv := miniotest.Start(t)
	s := newS3(t, s3Config(srv, "presign", "lib/picup"))
	if _, err := s.EnsureBucket(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(t.Context(), "originals/2024/a b.jpg", strings.NewReader("jpeg bytes"), 10, sumOf("jpeg bytes"), "application/octet-stream"); err != nil {
		t.Fatal(err)
	}
	h := blob.ResponseHeaders{ContentType: "image/jpeg", ContentDisposition: `attachment; filename="a b.jpg"`, CacheControl: "private, max-age=60"}
	u, err := s.PresignGet(t.Context(), "originals/2024/a b.jpg", time.Minute, h)
	if err != nil {
		t.Fatal(err)
	}
	if u.Host != srv.Endpoint || !strings.HasPrefix(u.Path, "/presign/lib/picup/originals/2024/") || u.Query().Get("X-Amz-Expires") != "60" {
		t.Errorf("presigned URL %s: want the object under the prefix on %s, living 60 s", u, srv.Endpoint)
	}
	resp, err := http.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "jpeg bytes" {
		t.Fatalf("GET presigned: %d %q", resp.StatusCode, body)
	}
	for k, want := range map[string]string{"Content-Type": h.ContentType, "Content-Disposition": h.ContentDisposition, "Cache-Control": h.CacheControl} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s = %q; want %q", k, got, want)
		}
	}
	// The signature covers the key.
	other := *u
	other.Path = strings.Replace(u.Path, "a b.jpg", "c.jpg", 1)
	other.RawPath = ""
	if resp, err := http.Get(other.String()); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("another key with the same signature: %v, %v; want 403", resp, err)
	} else {
		resp.Body.Close()
	}
	for _, life := range []time.Duration{0, 500 * time.Millisecond, 8 * 24 * time.Hour} {
		if _, err := s.PresignGet(t.Context(), "originals/x.jpg", life, blob.ResponseHeaders{}); err == nil {
			t.Errorf("PresignGet with life %s: no error", life)
		}
	}

	base, err := blob.ParseBaseURL("https://cdn.example.org/")
	if err != nil {
		t.Fatal(err)
	}
	r := blob.Rebase(u, base)
	if r.Scheme != "https" || r.Host != "cdn.example.org" || r.Path != u.Path || r.RawQuery != u.RawQuery {
		t.Errorf("Rebase(%s) = %s; want the same path and query on https://cdn.example.org", u, r)
	}
	if blob.Origin(r) != "https://cdn.example.org" {
		t.Errorf("Origin = %q", blob.Origin(r))
	}
}

func TestParseBaseURL(t *testing.T) {
	for _, bad := range []string{"", "cdn.example.org", "ftp://cdn.example.org", "https://", "https://cdn.example.org/photos", "https://cdn.example.org/?a=b", "https://u:p@cdn.example.org"} {
		if u, err := blob.ParseBaseURL(bad); err == nil {
			t.Errorf("ParseBaseURL(%q) = %v; want an error", bad, u)
		}
	}
	for in, want := range map[string]string{"https://cdn.example.org": "https://cdn.example.org", "http://127.0.0.1:9000/": "http://127.0.0.1:9000"} {
		if u, err := blob.ParseBaseURL(in); err != nil || u.String() != want {
			t.Errorf("ParseBaseURL(%q) = %v, %v; want %s", in, u, err, want)
		}
	}
}
