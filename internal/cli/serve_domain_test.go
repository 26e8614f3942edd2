package cli

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeDomainCached serves --domain with a certificate already in the
// library's ACME cache, from a CA that cannot be reached: HTTPS with
// HTTP/2 and HSTS, plain HTTP redirecting to it, the public URL taken
// from the domain, and no certificate for another name.
func TestServeDomainCached(t *testing.T) {
	const domain = "photos.test"
	dir := t.TempDir()
	run(t, dir, "", "import", "--album", "Family", "../../testdata/photos/jpeg")
	cacheDir := filepath.Join(dir, "acme", "127.0.0.1_1")
	if err := os.MkdirAll(cacheDir, 0o700); err != nil {
		t.Fatal(err)
	}
	roots := writeACMECache(t, filepath.Join(cacheDir, domain), domain)

	var httpAddr string
	s := startServe(t, dir, &serveOptions{
		domain: domain, httpAddr: "127.0.0.1:0", acmeDirectory: "https://127.0.0.1:1/directory",
		httpReady: func(a string) { httpAddr = a },
	})
	_, port, _ := net.SplitHostPort(s.addr)
	link := strings.TrimSpace(run(t, dir, "", "share", "Family"))
	if want := "https://" + domain + ":" + port + "/s/"; !strings.HasPrefix(link, want) {
		t.Fatalf("share printed %q; want a link starting with %s", link, want)
	}
	_, token, ok := strings.Cut(link, "/s/")
	if !ok {
		t.Fatalf("link %q has no /s/", link)
	}
	path := "/s/" + token

	client := domainClient(s.addr, domain, roots)
	resp, body := get(t, client, "https://"+domain+":"+port+path)
	if resp.StatusCode != 200 || resp.ProtoMajor != 2 || resp.Header.Get("Strict-Transport-Security") != "max-age=31536000" {
		t.Errorf("share page over HTTPS: %d, HTTP/%d, HSTS %q; want 200, HTTP/2, max-age=31536000\n%.300s",
			resp.StatusCode, resp.ProtoMajor, resp.Header.Get("Strict-Transport-Security"), body)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 20 * time.Second}
	resp, _ = get(t, noRedirect, "http://"+httpAddr+path+"?x=1")
	if want := "https://" + domain + ":" + port + path + "?x=1"; resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != want || resp.Header.Get("Strict-Transport-Security") != "" {
		t.Errorf("GET over HTTP: %d to %q, HSTS %q; want 301 to %s, no HSTS", resp.StatusCode, resp.Header.Get("Location"), resp.Header.Get("Strict-Transport-Security"), want)
	}
	if _, err := domainClient(s.addr, "other.test", roots).Get("https://other.test:" + port + "/healthz"); err == nil {
		t.Error("a TLS handshake for another name than --domain succeeded")
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"scheme=https", "serving ACME challenges and redirects to HTTPS", "stopped"} {
		if !strings.Contains(s.logs.String(), want) {
			t.Errorf("serve log lacks %q:\n%s", want, s.logs.String())
		}
	}
}

// writeACMECache writes a self-signed certificate for domain, valid for
// 90 days (no renewal due), as autocert caches one: the private key, then
// the certificate, in PEM. It returns a pool that trusts it.
func writeACMECache(t *testing.T, file, domain string) *x509.CertPool {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: domain},
		DNSNames:     []string{domain},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(90 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	_ = pem.Encode(&b, &pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(file, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return pool
}

// domainClient is an HTTPS client that trusts roots and connects to addr
// whatever host a URL names (the domain has no DNS here).
func domainClient(addr, serverName string, roots *x509.CertPool) *http.Client {
	var d net.Dialer
	return &http.Client{
		Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: serverName},
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return d.DialContext(ctx, network, addr)
			},
			ForceAttemptHTTP2: true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       20 * time.Second,
	}
}

func TestServeDomainFlagErrors(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(notPEM, []byte("not PEM"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		args  []string
		usage bool
		want  string
	}{
		{"domain and cert", []string{"--domain", "photos.example.org", "--tls-cert", "c.pem", "--tls-key", "k.pem"}, true, "either --domain or --tls-cert and --tls-key"},
		{"domain with scheme", []string{"--domain", "https://photos.example.org"}, true, "is not a domain name"},
		{"domain with port", []string{"--domain", "photos.example.org:443"}, true, "is not a domain name"},
		{"domain an IP", []string{"--domain", "192.0.2.1"}, true, "is not a domain name"},
		{"domain without a dot", []string{"--domain", "localhost"}, true, "is not a domain name"},
		{"http directory", []string{"--domain", "photos.example.org", "--acme-directory", "http://ca.test/dir"}, true, "--acme-directory \"http://ca.test/dir\" is not an https:// URL"},
		{"http-addr alone", []string{"--http-addr", "127.0.0.1:0"}, true, "--http-addr goes with --domain"},
		{"acme-ca alone", []string{"--acme-ca", notPEM}, true, "--acme-ca goes with --domain"},
		{"acme-email alone", []string{"--acme-email", "me@example.org"}, true, "--acme-email goes with --domain"},
		{"acme-directory alone", []string{"--acme-directory", "https://ca.test/dir"}, true, "--acme-directory goes with --domain"},
		{"acme-ca not PEM", []string{"--domain", "photos.example.org", "--http-addr", "127.0.0.1:0", "--acme-ca", notPEM}, false, "read --acme-ca: " + notPEM + " holds no PEM certificate"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := Execute(context.Background(), append([]string{"--library", dir, "serve", "--addr", "127.0.0.1:0"}, c.args...), strings.NewReader(""), io.Discard, io.Discard)
			var ue *UsageError
			if err == nil || errors.As(err, &ue) != c.usage || !strings.Contains(err.Error(), c.want) {
				t.Errorf("serve %v = %v (usage error: %v); want %q, usage error %v", c.args, err, errors.As(err, &ue), c.want, c.usage)
			}
		})
	}
}
