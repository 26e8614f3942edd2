package web

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/acme"

	"github.com/picup/picup/internal/library"
)

// TestNewACME: the certificate cache is a 0700 directory of the library
// per CA, the TLS config offers HTTP/2 and TLS-ALPN-01, and the plain
// HTTP handler redirects to HTTPS at the domain, keeping the path.
func TestNewACME(t *testing.T) {
	lib, err := library.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	if _, err := NewACME(lib, ACMEConfig{Domain: "photos.example.org", Directory: "http://ca.test/dir"}); err == nil {
		t.Error("NewACME took a plain http:// directory")
	}
	for _, c := range []struct {
		directory, cacheDir string
		port                int
		publicURL, redirect string
	}{
		{"", "acme-v02.api.letsencrypt.org", 443, "https://photos.example.org", "https://photos.example.org/s/abc?x=1"},
		{"https://127.0.0.1:14000/dir", "127.0.0.1_14000", 8443, "https://photos.example.org:8443", "https://photos.example.org:8443/s/abc?x=1"},
	} {
		a, err := NewACME(lib, ACMEConfig{Domain: "photos.example.org", Directory: c.directory, HTTPSPort: c.port})
		if err != nil {
			t.Fatal(err)
		}
		want := filepath.Join(lib.Root, "acme", c.cacheDir)
		if fi, err := os.Stat(want); a.CacheDir() != want || err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("cache %s (%v); want %s, 0700", a.CacheDir(), err, want)
		}
		if got := a.PublicURL(); got != c.publicURL {
			t.Errorf("PublicURL = %q; want %q", got, c.publicURL)
		}
		if protos := a.TLSConfig().NextProtos; !slices.Contains(protos, "h2") || !slices.Contains(protos, acme.ALPNProto) {
			t.Errorf("NextProtos = %q; want h2 and %s", protos, acme.ALPNProto)
		}
		for method, code := range map[string]int{"GET": 301, "HEAD": 301, "POST": 308} {
			w := httptest.NewRecorder()
			a.HTTPHandler().ServeHTTP(w, httptest.NewRequest(method, "http://photos.example.org/s/abc?x=1", nil))
			if w.Code != code || w.Header().Get("Location") != c.redirect || w.Header().Get("Strict-Transport-Security") != "" {
				t.Errorf("%s over HTTP: %d to %q, HSTS %q; want %d to %q, no HSTS", method, w.Code, w.Header().Get("Location"), w.Header().Get("Strict-Transport-Security"), code, c.redirect)
			}
		}
		// A Host with a port is the domain still; another host is refused.
		for host, code := range map[string]int{"photos.example.org": 404, "photos.example.org:5002": 404, "other.example.org": 403} {
			w := httptest.NewRecorder()
			a.HTTPHandler().ServeHTTP(w, httptest.NewRequest("GET", "http://"+host+"/.well-known/acme-challenge/unknown", nil))
			if w.Code != code {
				t.Errorf("unknown HTTP-01 token at %s: %d; want %d (not a redirect)", host, w.Code, code)
			}
		}
	}
}

// TestLoadRootCAs refuses a file with no certificate in it.
func TestLoadRootCAs(t *testing.T) {
	file := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(file, []byte("not PEM"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadRootCAs(file); err == nil {
		t.Error("LoadRootCAs took a file without PEM")
	}
	if _, err := LoadRootCAs(filepath.Join(t.TempDir(), "missing.pem")); err == nil {
		t.Error("LoadRootCAs took a missing file")
	}
}

// TestHSTS: with Options.HSTS, responses over TLS carry
// Strict-Transport-Security and those over plain HTTP do not.
func TestHSTS(t *testing.T) {
	lib, err := library.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	for _, hsts := range []bool{false, true} {
		srv := NewServer(lib, Options{HSTS: hsts})
		for _, overTLS := range []bool{false, true} {
			r := httptest.NewRequest("GET", "/healthz", nil)
			if overTLS {
				r.TLS = &tls.ConnectionState{}
			}
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, r)
			want := ""
			if hsts && overTLS {
				want = "max-age=31536000"
			}
			if got := w.Header().Get("Strict-Transport-Security"); w.Code != 200 || got != want {
				t.Errorf("HSTS %v, TLS %v: %d, Strict-Transport-Security %q; want 200, %q", hsts, overTLS, w.Code, got, want)
			}
		}
		if err := srv.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestOrderLocations: a finalization response without Location gets the
// URL of its order, learnt from the response that made the order.
func TestOrderLocations(t *testing.T) {
	ca := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp := &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(`{"status":"processing"}`))}
		if r.URL.Path == "/new-order" {
			resp.StatusCode = 201
			resp.Header.Set("Location", "/order/1")
			resp.Body = io.NopCloser(strings.NewReader(`{"status":"pending","finalize":"https://ca.test/finalize/1"}`))
		}
		return resp, nil
	})
	client := &http.Client{Transport: &orderLocations{next: ca, orders: map[string]string{}}}
	post := func(url string) *http.Response {
		t.Helper()
		resp, err := client.Post(url, "application/jose+json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	if resp := post("https://ca.test/finalize/1"); resp.Header.Get("Location") != "" {
		t.Errorf("finalization of an unknown order: Location %q; want none", resp.Header.Get("Location"))
	}
	resp := post("https://ca.test/new-order")
	if body, _ := io.ReadAll(resp.Body); !strings.Contains(string(body), `"finalize"`) {
		t.Errorf("new order's body %q; want it whole", body)
	}
	if resp := post("https://ca.test/finalize/1"); resp.Header.Get("Location") != "https://ca.test/order/1" {
		t.Errorf("finalization: Location %q; want https://ca.test/order/1", resp.Header.Get("Location"))
	}
}
