package web

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"

	"github.com/picup/picup/internal/library"
)

// DefaultACMEDirectory is Let's Encrypt's production directory, where
// ACME certificates come from unless ACMEConfig.Directory says otherwise.
const DefaultACMEDirectory = autocert.DefaultACMEDirectory

// hstsValue is the Strict-Transport-Security of HTTPS responses with
// ACME: browsers then use https:// for the domain for a year.
const hstsValue = "max-age=31536000"

// ACMEConfig says where an ACME certificate for one domain comes from.
type ACMEConfig struct {
	Domain    string         // the one host name served, such as photos.example.org
	Directory string         // the CA's ACME directory URL; "" means DefaultACMEDirectory
	RootCAs   *x509.CertPool // trusted for the directory's HTTPS; nil means the system's roots
	Email     string         // contact for the CA's expiry notices; may be ""
	// HTTPSPort is the port HTTPS is reached at, which redirects and the
	// public URL name unless it is 443 (or 0).
	HTTPSPort int
}

// ACME gets, caches and renews the certificate of one domain from an ACME
// CA (Let's Encrypt by default) with autocert: its TLSConfig goes in
// RunConfig.TLS, and its HTTPHandler serves the plain HTTP port (80),
// answering HTTP-01 challenges and redirecting everything else to HTTPS.
// TLS-ALPN-01 challenges are answered on the HTTPS port. The certificate
// is asked for at the first TLS handshake that needs it and renewed in
// the background 30 days before it expires.
type ACME struct {
	m        *autocert.Manager
	c        ACMEConfig
	cacheDir string
}

// NewACME makes the ACME certificate source of c.Domain, caching the
// account key and the certificates in lib's acme directory, a
// subdirectory per CA (0700).
func NewACME(lib *library.Library, c ACMEConfig) (*ACME, error) {
	if c.Directory == "" {
		c.Directory = DefaultACMEDirectory
	}
	dir, err := url.Parse(c.Directory)
	if err != nil || dir.Scheme != "https" || dir.Host == "" {
		return nil, fmt.Errorf("ACME directory %q is not an https:// URL", c.Directory)
	}
	// A CA of its own for each directory: a certificate of a test CA
	// must never be served once the directory is the real one.
	cacheDir := filepath.Join(lib.Root, "acme", strings.ReplaceAll(dir.Host, ":", "_"))
	if err := os.MkdirAll(cacheDir, 0o700); err != nil {
		return nil, fmt.Errorf("make the certificate cache: %w", err)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if c.RootCAs != nil {
		transport.TLSClientConfig = &tls.Config{RootCAs: c.RootCAs, MinVersion: tls.VersionTLS12}
	}
	m := &autocert.Manager{
		Prompt:     autocert.AcceptTOS,
		Cache:      autocert.DirCache(cacheDir),
		HostPolicy: hostPolicy(c.Domain),
		Email:      c.Email,
		Client: &acme.Client{
			DirectoryURL: c.Directory,
			HTTPClient:   &http.Client{Transport: &orderLocations{next: transport, orders: map[string]string{}}, Timeout: time.Minute},
			UserAgent:    "picup",
		},
	}
	return &ACME{m: m, c: c, cacheDir: cacheDir}, nil
}

// hostPolicy allows domain alone. A challenge request's Host may carry a
// port (":80" named, or a CA validating on another port, as Pebble does
// in the tests), which autocert.HostWhitelist would refuse; TLS's server
// name never does.
func hostPolicy(domain string) autocert.HostPolicy {
	allow := autocert.HostWhitelist(domain)
	return func(ctx context.Context, host string) error {
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		return allow(ctx, host)
	}
}

// LoadRootCAs is the system's trusted roots and those of a PEM file (for
// a CA of one's own, or a test CA such as Pebble).
func LoadRootCAs(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no PEM certificate", file)
	}
	return pool, nil
}

// CacheDir is the directory of the cached account key and certificates.
func (a *ACME) CacheDir() string { return a.cacheDir }

// PublicURL is the address the viewer is reached at: https://DOMAIN, with
// the port when it is not 443.
func (a *ACME) PublicURL() string { return "https://" + a.host() }

func (a *ACME) host() string {
	if a.c.HTTPSPort == 0 || a.c.HTTPSPort == 443 {
		return a.c.Domain
	}
	return net.JoinHostPort(a.c.Domain, strconv.Itoa(a.c.HTTPSPort))
}

// TLSConfig serves the domain's certificate, getting it first when there
// is none (or none valid) in the cache, and answers TLS-ALPN-01
// challenges; it offers HTTP/2.
func (a *ACME) TLSConfig() *tls.Config { return a.m.TLSConfig() }

// HTTPHandler answers the CA's HTTP-01 challenges and redirects every
// other request to the same path over HTTPS at the domain: 301 for GET
// and HEAD, 308 (which keeps the method and body) for the rest.
func (a *ACME) HTTPHandler() http.Handler {
	return a.m.HTTPHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code := http.StatusPermanentRedirect
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			code = http.StatusMovedPermanently
		}
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, "https://"+a.host()+r.URL.RequestURI(), code)
	}))
}

// ServeHTTP serves HTTPHandler on ln until ctx ends, then closes it
// (requests in flight get shutdownGrace).
func (a *ACME) ServeHTTP(ctx context.Context, ln net.Listener, log *slog.Logger) error {
	srv := &http.Server{
		Handler:           a.HTTPHandler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve http: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close() // the connections that outlived the grace: the error says enough
		return fmt.Errorf("shut down http: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve http: %w", err)
	}
	return nil
}

// strictTransport adds Strict-Transport-Security to the responses sent
// over TLS (Options.HSTS).
func strictTransport(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS != nil {
			w.Header().Set("Strict-Transport-Security", hstsValue)
		}
		h.ServeHTTP(w, r)
	})
}

// orderLocations is the ACME client's transport: it gives a response to
// an order's finalization the order's URL as its Location header when
// the CA sent none. RFC 8555 does not require that header there, and
// Pebble (like some CAs) leaves it out, but x/crypto/acme's
// CreateOrderCert polls the order at that URL (golang/go#77704),
// failing with a POST to "". The order's URL is learnt from the response
// that made or fetched the order (an order is JSON with a "finalize"
// URL, its own URL in Location).
type orderLocations struct {
	next http.RoundTripper

	mu     sync.Mutex
	orders map[string]string // finalize URL → order URL
}

func (o *orderLocations) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := o.next.RoundTrip(req)
	if err != nil || req.Method != http.MethodPost || resp.StatusCode/100 != 2 {
		return resp, err
	}
	loc := resp.Header.Get("Location")
	if loc == "" {
		o.mu.Lock()
		order, ok := o.orders[req.URL.String()]
		delete(o.orders, req.URL.String())
		o.mu.Unlock()
		if ok {
			resp.Header.Set("Location", order)
		}
		return resp, nil
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var order struct {
		Finalize string `json:"finalize"`
	}
	if u, err := req.URL.Parse(loc); err == nil && json.Unmarshal(body, &order) == nil && order.Finalize != "" {
		o.mu.Lock()
		o.orders[order.Finalize] = u.String()
		o.mu.Unlock()
	}
	return resp, nil
}
