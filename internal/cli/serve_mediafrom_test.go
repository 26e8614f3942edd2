package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/picup/picup/internal/miniotest"
)

func TestServeMediaFromFlagErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown remote", []string{"--media-from", "nas"}, `--media-from "nas": the library has no such remote; see "picup remote ls"`},
		{"base URL alone", []string{"--media-base-url", "https://cdn.example.org"}, "--media-base-url goes with --media-from"},
		{"base URL with a path", []string{"--media-from", "nas", "--media-base-url", "https://cdn.example.org/photos"}, "--media-base-url: give only the scheme and host"},
		{"base URL without scheme", []string{"--media-from", "nas", "--media-base-url", "cdn.example.org"}, "is not an http:// or https:// URL"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := Execute(context.Background(), append([]string{"--library", dir, "serve", "--addr", "127.0.0.1:0"}, c.args...), strings.NewReader(""), io.Discard, io.Discard)
			var ue *UsageError
			if err == nil || !errors.As(err, &ue) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("serve %v = %v; want a usage error (exit 2) saying %q", c.args, err, c.want)
			}
		})
	}
}

var screenHref = regexp.MustCompile(`href="(/m/[^"]+/screen)"`)

// picup serve --media-from: it says on start where media come from, and a
// screen image of a synced photo is a redirect to the bucket that opens
// the same bytes as the library's.
func TestServeMediaFrom(t *testing.T) {
	srv := miniotest.Start(t)
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	t.Setenv("PICUP_CREDENTIALS", filepath.Join(t.TempDir(), "none"))
	t.Setenv("PICUP_REMOTES", filepath.Join(t.TempDir(), "remotes"))
	dir := t.TempDir()
	run(t, dir, "", "import", "--album", "Family", "../../testdata/photos/jpeg")
	run(t, dir, "", "remote", "add", "m", "s3://family/picup", "--endpoint", srv.Endpoint, "--insecure-http")
	run(t, dir, "", "sync", "m")
	var link struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal([]byte(run(t, dir, "", "share", "Family", "--json")), &link); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, dir, &serveOptions{mediaFrom: "m", mediaBaseURL: ""})
	if logs := s.logs.String(); !strings.Contains(logs, "media from remote m") || !strings.Contains(logs, "endpoint="+srv.Endpoint) {
		t.Errorf("serve did not say where media come from:\n%s", logs)
	}
	u, err := url.Parse(link.URL)
	if err != nil {
		t.Fatal(err)
	}
	_, page := get(t, http.DefaultClient, "http://"+s.addr+u.Path)
	m := screenHref.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no screen image on the share page:\n%.2000s", page)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, _ := get(t, noRedirect, "http://"+s.addr+m[1])
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, "http://"+srv.Endpoint+"/family/picup/thumbs/") {
		t.Fatalf("screen image: %d, Location %q; want 302 to the bucket", resp.StatusCode, loc)
	}
	resp, body := get(t, http.DefaultClient, "http://"+s.addr+m[1])
	local, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(resp.Request.URL.Path, "/family/picup/"))))
	sum := sha256.Sum256([]byte(body))
	want := sha256.Sum256(local)
	if err != nil || resp.StatusCode != 200 || hex.EncodeToString(sum[:]) != hex.EncodeToString(want[:]) || !bytes.HasPrefix([]byte(body), []byte("\xff\xd8")) {
		t.Errorf("screen image through the redirect: %d, %d bytes (%v); want 200 and the library's thumbnail", resp.StatusCode, len(body), err)
	}
}
