package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/blob"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/sharelink"
	"github.com/picup/picup/internal/web"
)

type serveOptions struct {
	addr           string
	publicURL      string
	tlsCert        string
	tlsKey         string
	domain         string // --domain: ACME certificates, HTTP on httpAddr
	httpAddr       string
	acmeDirectory  string
	acmeCA         string
	acmeEmail      string
	metricsAddr    string
	trustedProxies []string
	noRateLimit    bool
	check          bool          // --check: start, check the public URL, stop
	mediaFrom      string        // --media-from: remote whose synced copies browsers are sent to
	mediaBaseURL   string        // --media-base-url: scheme and host in front of --media-from
	jobEvery       time.Duration // web.RunConfig.JobEvery
	purgeEvery     time.Duration // web.RunConfig.PurgeEvery
	// tests: called with the bound addresses (metricsAddr "" without
	// --metrics-addr)
	ready func(addr, metricsAddr string)
	// tests: called with the bound address of --http-addr
	httpReady func(addr string)
}

func newServeCmd(e *env) *cobra.Command {
	o := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve share links to browsers (the family viewer)",
		Long: `Serve the family viewer: the pages that "picup share" links open. It
listens on --addr (127.0.0.1:8080 by default: this machine only; use
0.0.0.0:8080 for the home network, or put a TLS reverse proxy in front).

--public-url is the address people reach the server at (such as
https://photos.example.org behind a proxy); it is saved in the library,
and the links "picup share" prints start with it.

--tls-cert and --tls-key serve HTTPS (TLS 1.2 or newer, HTTP/2) directly,
without a proxy; the files are read again when they change, so a renewed
certificate needs no restart.

--domain serves HTTPS with a certificate it gets by itself from Let's
Encrypt (ACME), for a name whose DNS points at this machine (or at a
router forwarding ports 80 and 443 to it). HTTPS is then on --addr (:443
unless given), plain HTTP on --http-addr (:80 unless given) answers the
CA's challenges and redirects everything else to HTTPS, and browsers are
told to use HTTPS only (HSTS). The certificate is cached in the library's
acme directory and renewed 30 days before it expires; the public URL
becomes https://DOMAIN. --acme-directory and --acme-ca point it at
another ACME CA (a test CA such as Pebble, or a CA of one's own).

Each client address may load 2,500 share pages, photo lists and
thumbnails at once and then 100 a second, and try 5 passwords a minute;
over that it gets 429 Too Many Requests with Retry-After. Behind a reverse
proxy every request comes from the proxy's address: name it with
--trusted-proxy so that its X-Forwarded-For header tells clients apart.

--media-from REMOTE sends browsers to the remote (see "picup remote ls")
for originals, videos and screen-size images that "picup sync" has
copied there: after the usual checks of the link, the server answers
with a redirect to a presigned URL of the object that lives no longer
than the link's media URL, so relatives' downloads use the bucket's
bandwidth instead of the home connection's. Grid thumbnails, and
anything not synced yet, still come from this machine. Originals that
"picup offload" removed from this machine always come from the remote
holding them, with or without --media-from. --media-base-url replaces
the scheme and host of those URLs with a CDN's or another domain's in
front of the bucket (see docs/viewer.md for what it must pass on).

/metrics (Prometheus text format) answers only this machine, and not
through a proxy; --metrics-addr serves it on a listener of its own
instead, to whoever can reach that address.

While serving it runs queued jobs in the background (deletions, syncs to
remotes added with --auto, retries of failed ones) and purges the trash
every hour. On start it logs every address it can be reached at (each
of this machine's addresses when it listens on all of them) and warns
when the links' public URL opens only on this computer or the home
network. Once serving, it asks its own /healthz through the public URL
and logs whether that reaches this very server, with the likely fix
(DNS, port forwarding, a certificate browsers do not trust) when not.

It logs one line per request and per job to stderr (under systemd, where
JOURNAL_STREAM is set, with syslog priorities and no time of its own),
and stops gracefully on Ctrl-C or SIGTERM, finishing requests in flight.
docs/running.md has a systemd unit and notes for macOS and Windows.

--check does all of that up to the public URL's answer, prints what it
found and exits without serving or changing anything: 0 when the public
URL reaches this server, 1 when it does not, 2 for a wrong flag; a
systemd unit runs it before starting.`,
		Example: `  picup serve
  picup serve --addr 0.0.0.0:8080 --public-url http://192.168.1.20:8080
  picup serve --domain photos.example.org --acme-email me@example.org
  picup serve --addr 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem --public-url https://photos.example.org:8443
  picup serve --public-url https://photos.example.org --trusted-proxy 127.0.0.1 --metrics-addr 127.0.0.1:9090
  picup serve --check --domain photos.example.org
  picup serve --domain photos.example.org --media-from b2
  picup serve --domain photos.example.org --media-from b2 --media-base-url https://cdn.example.org`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.domain != "" && !cmd.Flags().Changed("addr") {
				o.addr = ":443"
			}
			if o.domain != "" && !cmd.Flags().Changed("http-addr") {
				o.httpAddr = ":80"
			}
			return runServe(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	listenAddrVar(f, &o.addr, "addr", "127.0.0.1:8080", "address to listen on (with --domain, :443 unless given)")
	publicURLVar(f, &o.publicURL, "`URL` the server is reached at; saved for the links \"picup share\" prints")
	f.StringVar(&o.tlsCert, "tls-cert", "", "serve HTTPS with this PEM certificate (chain) file; needs --tls-key")
	f.StringVar(&o.tlsKey, "tls-key", "", "PEM private key file of --tls-cert")
	f.StringVar(&o.domain, "domain", "", "serve HTTPS for this domain name with a certificate from Let's Encrypt (ACME)")
	listenAddrVar(f, &o.httpAddr, "http-addr", "", "plain HTTP address of --domain: ACME challenges, redirects to HTTPS (:80 unless given)")
	f.StringVar(&o.acmeDirectory, "acme-directory", web.DefaultACMEDirectory, "ACME directory URL of the CA that --domain's certificate comes from")
	f.StringVar(&o.acmeCA, "acme-ca", "", "PEM file of a root certificate to trust for --acme-directory (a test or private CA)")
	f.StringVar(&o.acmeEmail, "acme-email", "", "e-mail address the CA may write to about --domain's certificate")
	listenAddrVar(f, &o.metricsAddr, "metrics-addr", "", "serve /metrics on this address instead of to loopback clients of --addr")
	f.StringArrayVar(&o.trustedProxies, "trusted-proxy", nil, "address or CIDR of a reverse proxy whose X-Forwarded-For is believed (repeatable)")
	f.BoolVar(&o.noRateLimit, "no-rate-limit", false, "turn off the per-client rate limits (load tests)")
	f.BoolVar(&o.check, "check", false, "check the configuration and that the public URL reaches this server, then exit")
	f.StringVar(&o.mediaFrom, "media-from", "", "send browsers to the synced copies in remote `REMOTE` of originals, videos and screen images (presigned redirects)")
	f.StringVar(&o.mediaBaseURL, "media-base-url", "", "`URL` (scheme and host) of a CDN or domain in front of --media-from's bucket, for its URLs")
	return cmd
}

func runServe(ctx context.Context, e *env, o *serveOptions) error {
	public, trusted, err := checkServeFlags(o)
	if err != nil {
		return err
	}
	mediaBase, err := checkMediaFlags(o)
	if err != nil {
		return err
	}
	out := web.NewLog(e.stderr)
	defer out.Close()
	log := out.Logger()
	if os.Getenv("JOURNAL_STREAM") != "" {
		log = out.JournalLogger()
	}
	var tlsConf *tls.Config
	if o.tlsCert != "" {
		certs, err := web.LoadCertFiles(o.tlsCert, o.tlsKey, log)
		if err != nil {
			return certFlagError(o, err)
		}
		tlsConf = &tls.Config{GetCertificate: certs.GetCertificate}
	}
	var roots *x509.CertPool
	if o.acmeCA != "" {
		if roots, err = web.LoadRootCAs(o.acmeCA); err != nil {
			return fmt.Errorf("read --acme-ca: %w", err)
		}
	}
	if o.check {
		if err := checkLibraryExists(e); err != nil {
			return err
		}
	}
	return withLibrary(ctx, e, func(lib *library.Library) error {
		media, err := serveMedia(ctx, lib, o.mediaFrom, mediaBase, log)
		if err != nil {
			return err
		}
		ln, mln, httpLn, err := listenServe(o)
		if err != nil {
			return err
		}
		var acme *web.ACME
		if o.domain != "" {
			acme, err = web.NewACME(lib, web.ACMEConfig{
				Domain: o.domain, Directory: o.acmeDirectory, RootCAs: roots, Email: o.acmeEmail,
				HTTPSPort: ln.Addr().(*net.TCPAddr).Port,
			})
			if err != nil {
				return errors.Join(err, closeAll(ln, mln, httpLn))
			}
			tlsConf = acme.TLSConfig()
			if public == "" {
				public = acme.PublicURL()
			}
		}
		if public, err = savePublicURL(ctx, lib, public, o.check); err != nil {
			return errors.Join(err, closeAll(ln, mln, httpLn))
		}
		scheme := "http"
		if tlsConf != nil {
			scheme = "https"
			if !strings.HasPrefix(public, "https://") {
				log.Warn("serving HTTPS, but the links \"picup share\" prints start with "+public+"; set the https:// address with --public-url", "public_url", public)
			}
		}
		log.Info("serving", "addr", ln.Addr().String(), "scheme", scheme, "public_url", public, "library", lib.Root)
		for _, u := range web.ListenURLs(ln.Addr(), scheme) {
			log.Info("reach it at " + u)
		}
		switch sharelink.ReachOf(public) {
		case sharelink.ReachThisComputer:
			log.Warn("the links \"picup share\" prints open only on this computer; for family elsewhere use --domain photos.example.org (or --public-url with an address that reaches this server)", "public_url", public)
		case sharelink.ReachHomeNetwork:
			log.Warn("the links \"picup share\" prints open only on the home network; for family elsewhere use --domain photos.example.org", "public_url", public)
		}
		rc := web.RunConfig{
			Listener: ln, MetricsListener: mln, TLS: tlsConf, JobEvery: o.jobEvery, PurgeEvery: o.purgeEvery,
			Ready: o.ready, PublicURL: public, ReachClient: reachClient(roots), CheckOnly: o.check,
			Options: web.Options{
				Logger:         log,
				SecureCookies:  tlsConf != nil || strings.HasPrefix(public, "https://"),
				HSTS:           acme != nil,
				NoRateLimits:   o.noRateLimit,
				TrustedProxies: trusted,
				Media:          media,
			},
		}
		if acme == nil {
			err = web.Run(ctx, lib, rc)
		} else {
			err = runACME(ctx, lib, rc, acme, httpLn, o, log)
		}
		if o.check {
			return reportCheck(e, lib, ln, scheme, public, err)
		}
		return err
	})
}

// checkLibraryExists refuses "serve --check" of a library that does not
// exist, which serve would create empty: a mistyped path.
func checkLibraryExists(e *env) error {
	root, err := e.libraryRoot()
	if err != nil {
		return err
	}
	if !library.Exists(filepath.Join(root, library.CatalogFile)) {
		return fmt.Errorf("no library at %s: fix --library (or PICUP_LIBRARY), or make it with \"picup import\"", root)
	}
	return nil
}

// reportCheck prints what "serve --check" found; err is what the check
// returned.
func reportCheck(e *env, lib *library.Library, ln net.Listener, scheme, public string, err error) error {
	if err != nil && !errors.Is(err, web.ErrUnreachable) {
		return err
	}
	fmt.Fprintf(e.stdout, "library:    %s\n", lib.Root)
	fmt.Fprintf(e.stdout, "listens on: %s (%s)\n", ln.Addr(), scheme)
	if err != nil {
		fmt.Fprintf(e.stdout, "public URL: %s does not reach this server\n", public)
		return err
	}
	fmt.Fprintf(e.stdout, "public URL: %s reaches this server\n", public)
	return nil
}

// reachClient is the client that asks the public URL whether it reaches
// this server: as a browser would, trusting the system's roots, or those
// of --acme-ca when given (a private CA).
func reachClient(roots *x509.CertPool) *http.Client {
	if roots == nil {
		return http.DefaultClient
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: t}
}

// runACME runs web.Run and, beside it, the plain HTTP server of --domain
// on httpLn; when either stops, so does the other.
func runACME(ctx context.Context, lib *library.Library, rc web.RunConfig, acme *web.ACME, httpLn net.Listener, o *serveOptions, log *slog.Logger) error {
	log.Info("serving ACME challenges and redirects to HTTPS", "addr", httpLn.Addr().String(), "domain", o.domain,
		"acme_directory", o.acmeDirectory, "cache", acme.CacheDir())
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	httpErr := make(chan error, 1)
	go func() {
		err := acme.ServeHTTP(ctx, httpLn, log)
		cancel()
		httpErr <- err
	}()
	if o.httpReady != nil {
		o.httpReady(httpLn.Addr().String())
	}
	err := web.Run(ctx, lib, rc)
	cancel()
	return errors.Join(err, <-httpErr)
}

// closeAll closes the listeners that are not nil.
func closeAll(lns ...net.Listener) error {
	var errs []error
	for _, ln := range lns {
		if ln != nil {
			errs = append(errs, ln.Close())
		}
	}
	return errors.Join(errs...)
}

// certFlagError names the flags of the files a certificate error is
// about.
func certFlagError(o *serveOptions, err error) error {
	var ce *web.CertError
	switch {
	case !errors.As(err, &ce):
		return err
	case ce.File == "":
		return fmt.Errorf("--tls-cert %s and --tls-key %s are not a certificate and its private key in PEM: %w", o.tlsCert, o.tlsKey, ce.Err)
	case ce.Key:
		return fmt.Errorf("read --tls-key %s: %w", ce.File, ce.Err)
	}
	return fmt.Errorf("read --tls-cert %s: %w", ce.File, ce.Err)
}

// listenServe opens the listeners of --addr, --metrics-addr and
// --http-addr (nil without them).
func listenServe(o *serveOptions) (ln, mln, httpLn net.Listener, err error) {
	if ln, err = net.Listen("tcp", o.addr); err != nil {
		return nil, nil, nil, fmt.Errorf("listen on %s: %w; pick another --addr", o.addr, err)
	}
	if o.metricsAddr != "" {
		if mln, err = net.Listen("tcp", o.metricsAddr); err != nil {
			ln.Close()
			return nil, nil, nil, fmt.Errorf("listen on %s: %w; pick another --metrics-addr", o.metricsAddr, err)
		}
	}
	if o.httpAddr != "" {
		if httpLn, err = net.Listen("tcp", o.httpAddr); err != nil {
			_ = closeAll(ln, mln) // the error says enough
			return nil, nil, nil, fmt.Errorf("listen on %s: %w; pick another --http-addr (ACME's HTTP-01 challenges come to port 80)", o.httpAddr, err)
		}
	}
	return ln, mln, httpLn, nil
}

// checkServeFlags checks serve's flags; it returns --public-url without
// a trailing slash ("" when not given) and the --trusted-proxy prefixes.
func checkServeFlags(o *serveOptions) (public string, trusted []netip.Prefix, err error) {
	if o.publicURL != "" {
		if public, err = checkPublicURL(o.publicURL); err != nil {
			return "", nil, err
		}
	}
	if (o.tlsCert == "") != (o.tlsKey == "") {
		return "", nil, usageErrorf("--tls-cert and --tls-key go together: give both files or neither")
	}
	if err := checkDomainFlags(o); err != nil {
		return "", nil, err
	}
	for _, s := range o.trustedProxies {
		p, err := web.ParseTrustedProxy(s)
		if err != nil {
			return "", nil, &UsageError{Err: fmt.Errorf("--trusted-proxy: %w", err)}
		}
		trusted = append(trusted, p)
	}
	return public, trusted, nil
}

// savePublicURL saves --public-url in the library for the links "picup
// share" prints (unless dryRun), or, without one, returns the URL saved
// before.
func savePublicURL(ctx context.Context, lib *library.Library, public string, dryRun bool) (string, error) {
	if public == "" {
		return publicURL(ctx, lib, "")
	}
	if dryRun {
		return public, nil
	}
	return public, archive.New(lib).SetPublicURL(ctx, public)
}

// checkDomainFlags checks --domain and the flags that go with it.
func checkDomainFlags(o *serveOptions) error {
	if o.domain == "" {
		directory := o.acmeDirectory
		if directory == web.DefaultACMEDirectory {
			directory = ""
		}
		for _, f := range []struct{ name, value string }{
			{"--http-addr", o.httpAddr}, {"--acme-ca", o.acmeCA}, {"--acme-email", o.acmeEmail}, {"--acme-directory", directory},
		} {
			if f.value != "" {
				return usageErrorf("%s goes with --domain", f.name)
			}
		}
		return nil
	}
	if o.tlsCert != "" {
		return usageErrorf("--domain gets its certificate by itself: give either --domain or --tls-cert and --tls-key")
	}
	if !validDomain(o.domain) {
		return usageErrorf("--domain %q is not a domain name (such as photos.example.org: no scheme, port or path)", o.domain)
	}
	if o.acmeDirectory != "" {
		if u, err := url.Parse(o.acmeDirectory); err != nil || u.Scheme != "https" || u.Host == "" {
			return usageErrorf("--acme-directory %q is not an https:// URL", o.acmeDirectory)
		}
	}
	return nil
}

// validDomain reports whether s is a DNS name a CA can issue for: two or
// more dot-separated labels of ASCII letters, digits and inner hyphens,
// not an IP address.
func validDomain(s string) bool {
	if len(s) > 253 || net.ParseIP(s) != nil || !strings.Contains(s, ".") {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// checkMediaFlags checks --media-from and --media-base-url; it returns
// the base URL (nil without one).
func checkMediaFlags(o *serveOptions) (*url.URL, error) {
	if o.mediaBaseURL == "" {
		return nil, nil
	}
	if o.mediaFrom == "" {
		return nil, usageErrorf("--media-base-url goes with --media-from: name the remote it stands in front of")
	}
	u, err := blob.ParseBaseURL(o.mediaBaseURL)
	if err != nil {
		return nil, usageErrorf("--media-base-url: %v", err)
	}
	return u, nil
}

// serveMedia opens the remote of --media-from, and says on start where
// media come from; an unknown remote is a usage error.
func serveMedia(ctx context.Context, lib *library.Library, from string, base *url.URL, log *slog.Logger) (*archive.Media, error) {
	m, err := archive.New(lib).Media(ctx, archive.MediaOptions{From: from, BaseURL: base})
	if errors.Is(err, catalog.ErrNotFound) {
		return nil, usageErrorf("--media-from %q: the library has no such remote; see \"picup remote ls\"", from)
	}
	if err != nil {
		return nil, fmt.Errorf("--media-from %q: %w", from, err)
	}
	if from == "" {
		return m, nil
	}
	r := m.From()
	attrs := []any{"remote", r.Name, "bucket", r.Bucket, "endpoint", r.Endpoint}
	if base != nil {
		attrs = append(attrs, "media_base_url", base.String())
	}
	log.Info("media from remote "+r.Name+": synced originals, videos and screen images are redirected to it; grid thumbnails and what is not synced yet come from here", attrs...)
	if err := m.Check(ctx); err != nil {
		log.Warn("remote "+r.Name+" cannot presign URLs now; media come from here until it can", "remote", r.Name, "err", err)
	}
	return m, nil
}
