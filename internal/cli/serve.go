package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/jobs"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/syncer"
	"github.com/picup/picup/internal/trash"
	"github.com/picup/picup/internal/web"
)

type serveOptions struct {
	addr           string
	publicURL      string
	tlsCert        string
	tlsKey         string
	metricsAddr    string
	trustedProxies []string
	noRateLimit    bool
	jobEvery       time.Duration // how often to look for due jobs; 0 means 10 s
	purgeEvery     time.Duration // how often to purge the trash; 0 means an hour
	// tests: called with the bound addresses (metricsAddr "" without
	// --metrics-addr)
	ready func(addr, metricsAddr string)
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

Each client address may load 2,500 share pages, photo lists and
thumbnails at once and then 100 a second, and try 5 passwords a minute;
over that it gets 429 Too Many Requests with Retry-After. Behind a reverse
proxy every request comes from the proxy's address: name it with
--trusted-proxy so that its X-Forwarded-For header tells clients apart.

/metrics (Prometheus text format) answers only this machine, and not
through a proxy; --metrics-addr serves it on a listener of its own
instead, to whoever can reach that address.

While serving it runs queued jobs in the background (deletions, syncs to
remotes added with --auto, retries of failed ones) and purges the trash
every hour. It logs one line per request and per job to stderr, and stops
gracefully on Ctrl-C or SIGTERM, finishing requests in flight.`,
		Example: `  picup serve
  picup serve --addr 0.0.0.0:8080 --public-url http://192.168.1.20:8080
  picup serve --addr 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem --public-url https://photos.example.org:8443
  picup serve --public-url https://photos.example.org --trusted-proxy 127.0.0.1 --metrics-addr 127.0.0.1:9090`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runServe(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to listen on")
	f.StringVar(&o.publicURL, "public-url", "", "URL the server is reached at; saved for the links \"picup share\" prints")
	f.StringVar(&o.tlsCert, "tls-cert", "", "serve HTTPS with this PEM certificate (chain) file; needs --tls-key")
	f.StringVar(&o.tlsKey, "tls-key", "", "PEM private key file of --tls-cert")
	f.StringVar(&o.metricsAddr, "metrics-addr", "", "serve /metrics on this address instead of to loopback clients of --addr")
	f.StringArrayVar(&o.trustedProxies, "trusted-proxy", nil, "address or CIDR of a reverse proxy whose X-Forwarded-For is believed (repeatable)")
	f.BoolVar(&o.noRateLimit, "no-rate-limit", false, "turn off the per-client rate limits (load tests)")
	return cmd
}

// shutdownGrace bounds how long in-flight requests may take after a stop
// signal.
const shutdownGrace = 10 * time.Second

func runServe(ctx context.Context, e *env, o *serveOptions) error {
	public, trusted, err := checkServeFlags(o)
	if err != nil {
		return err
	}
	out := newServeLog(e.stderr)
	defer out.close()
	log := out.logger()
	var certs *certFiles
	if o.tlsCert != "" {
		if certs, err = loadCertFiles(o.tlsCert, o.tlsKey, log); err != nil {
			return err
		}
	}
	return withLibrary(ctx, e, func(lib *library.Library) error {
		if public, err = savePublicURL(ctx, lib, public); err != nil {
			return err
		}
		if certs != nil && !strings.HasPrefix(public, "https://") {
			log.Warn("serving HTTPS, but the links \"picup share\" prints start with "+public+"; set the https:// address with --public-url", "public_url", public)
		}
		vs, err := listenViewer(ctx, lib, o, log, web.Options{
			Logger:          log,
			SecureCookies:   certs != nil || strings.HasPrefix(public, "https://"),
			SeparateMetrics: o.metricsAddr != "",
			NoRateLimits:    o.noRateLimit,
			TrustedProxies:  trusted,
		}, certs)
		if err != nil {
			return err
		}
		vs.log.Info("serving", "addr", vs.addr(), "scheme", vs.scheme(), "public_url", public, "library", lib.Root)
		return vs.serve(ctx, o)
	})
}

// checkServeFlags checks serve's flags and fills in the loops' defaults;
// it returns --public-url without a trailing slash ("" when not given)
// and the --trusted-proxy prefixes.
func checkServeFlags(o *serveOptions) (public string, trusted []netip.Prefix, err error) {
	if o.publicURL != "" {
		if public, err = checkPublicURL(o.publicURL); err != nil {
			return "", nil, err
		}
	}
	if o.jobEvery <= 0 {
		o.jobEvery = 10 * time.Second
	}
	if o.purgeEvery <= 0 {
		o.purgeEvery = time.Hour
	}
	if (o.tlsCert == "") != (o.tlsKey == "") {
		return "", nil, usageErrorf("--tls-cert and --tls-key go together: give both files or neither")
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
// share" prints, or, without one, returns the URL saved before.
func savePublicURL(ctx context.Context, lib *library.Library, public string) (string, error) {
	if public == "" {
		return publicURL(ctx, lib, "")
	}
	return public, archive.New(lib).SetPublicURL(ctx, public)
}

// viewerServers are the viewer's HTTP server and, with --metrics-addr,
// the one of /metrics, each with its listener, and the job loop that
// runs beside them.
type viewerServers struct {
	lib       *library.Library
	log       *slog.Logger
	viewer    *web.Server
	metrics   *web.Metrics
	servers   []*http.Server // the viewer's first
	listeners []net.Listener // servers[i] serves listeners[i]
	tls       bool           // the viewer serves HTTPS

	errc     chan error // what each server's Serve returned
	stopLoop context.CancelFunc
	loop     sync.WaitGroup
}

// listenViewer makes the viewer's server (and /metrics' own with
// --metrics-addr) and opens their listeners.
func listenViewer(ctx context.Context, lib *library.Library, o *serveOptions, log *slog.Logger, wo web.Options, certs *certFiles) (*viewerServers, error) {
	vs := &viewerServers{lib: lib, log: log, metrics: web.NewMetrics(), tls: certs != nil}
	wo.Metrics = vs.metrics
	vs.viewer = web.NewServer(lib, wo)
	srv := &http.Server{
		Handler:           vs.viewer,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		ConnContext:       web.ConnContext,
	}
	if certs != nil {
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: certs.get}
		srv.Protocols = new(http.Protocols)
		srv.Protocols.SetHTTP1(true)
		srv.Protocols.SetHTTP2(true)
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w; pick another --addr", o.addr, err)
	}
	vs.servers, vs.listeners = []*http.Server{srv}, []net.Listener{web.Listener(ln)}
	if o.metricsAddr != "" {
		mln, err := net.Listen("tcp", o.metricsAddr)
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("listen on %s: %w; pick another --metrics-addr", o.metricsAddr, err)
		}
		vs.servers = append(vs.servers, &http.Server{
			Handler:           vs.metrics.Handler(lib),
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          srv.ErrorLog,
			BaseContext:       srv.BaseContext,
		})
		vs.listeners = append(vs.listeners, mln)
	}
	return vs, nil
}

// addr is the address the viewer listens on.
func (vs *viewerServers) addr() string { return vs.listeners[0].Addr().String() }

// metricsAddr is the address /metrics listens on alone, "" without
// --metrics-addr.
func (vs *viewerServers) metricsAddr() string {
	if len(vs.listeners) < 2 {
		return ""
	}
	return vs.listeners[1].Addr().String()
}

func (vs *viewerServers) scheme() string {
	if vs.tls {
		return "https"
	}
	return "http"
}

// serve runs the servers and the job loop until ctx ends or a server
// fails, then shuts them down.
func (vs *viewerServers) serve(ctx context.Context, o *serveOptions) error {
	if m := vs.metricsAddr(); m != "" {
		vs.log.Info("serving metrics", "addr", m)
	}
	vs.errc = make(chan error, len(vs.servers))
	for i, s := range vs.servers {
		go func() {
			if i == 0 && vs.tls {
				vs.errc <- s.ServeTLS(vs.listeners[i], "", "")
			} else {
				vs.errc <- s.Serve(vs.listeners[i])
			}
		}()
	}
	loopCtx, stopLoop := context.WithCancel(ctx)
	defer stopLoop()
	vs.stopLoop = stopLoop
	vs.loop.Go(func() {
		(&jobLoop{lib: vs.lib, log: vs.log, metrics: vs.metrics, every: o.jobEvery, purgeEvery: o.purgeEvery}).run(loopCtx)
	})
	if o.ready != nil {
		o.ready(vs.addr(), vs.metricsAddr())
	}

	var serveErr error
	select {
	case err := <-vs.errc:
		serveErr = fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	return vs.shutdown(ctx, serveErr)
}

// shutdown stops the job loop and the servers, letting requests in
// flight finish within shutdownGrace, and records the share views still
// counted in memory. serveErr is why serving ended, nil for ctx.
func (vs *viewerServers) shutdown(ctx context.Context, serveErr error) error {
	vs.log.Info("shutting down", "grace", shutdownGrace)
	vs.stopLoop()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	for _, s := range vs.servers {
		if err := s.Shutdown(sctx); err != nil {
			_ = s.Close() // the connections that outlived the grace: the error above says enough
			serveErr = errors.Join(serveErr, fmt.Errorf("shut down: %w", err))
		}
	}
	vs.loop.Wait()
	if err := vs.viewer.Close(context.WithoutCancel(ctx)); err != nil {
		serveErr = errors.Join(serveErr, fmt.Errorf("record share views: %w", err))
	}
	if serveErr != nil {
		return serveErr
	}
	for range vs.servers {
		if err := <-vs.errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	vs.log.Info("stopped")
	return nil
}

// jobLoop runs the queue while the server runs: every few seconds the
// jobs that are due (what commands queued, retries of failed ones), and
// every purgeEvery the trash's expired photos, whose deletion jobs follow.
type jobLoop struct {
	lib               *library.Library
	log               *slog.Logger
	metrics           *web.Metrics
	every, purgeEvery time.Duration
}

// run returns when ctx ends, after the job in progress (which sees ctx
// end, and stays queued when interrupted).
func (l *jobLoop) run(ctx context.Context) {
	runner := archive.New(l.lib).JobRunner(func(sum syncer.Summary) {
		l.metrics.Synced(sum.Remote, sum.Uploaded, sum.Bytes)
		l.log.Info("synced", "remote", sum.Remote, "uploaded", sum.Uploaded, "bytes", sum.Bytes, "failed", sum.Failed)
	}).Observe(func(j catalog.Job, result string, err error) {
		l.metrics.JobRan(j.Kind, result)
		switch result {
		case jobs.ResultDone:
			l.log.Info("job done", "id", j.ID, "kind", j.Kind)
		case jobs.ResultFailed:
			l.log.Warn("job failed; it will be retried", "id", j.ID, "kind", j.Kind, "attempt", j.Attempts+1, "err", err)
		default:
			l.log.Error("job failed for the last time; see \"picup jobs ls --failed\" and \"picup jobs retry\"",
				"id", j.ID, "kind", j.Kind, "attempt", j.Attempts+1, "err", err)
		}
	})
	tick := time.NewTicker(l.every)
	defer tick.Stop()
	var purged time.Time
	for {
		if time.Since(purged) >= l.purgeEvery {
			purged = time.Now()
			gone, err := trash.PurgeExpired(ctx, l.lib, purged)
			if len(gone.Photos) > 0 { // before any error: what was purged is gone
				l.log.Info(gone.String(), "photos", len(gone.Photos), "bytes", gone.Bytes, "trash_log", gone.LogID)
			}
			if err != nil && ctx.Err() == nil {
				l.log.Error("purge the trash", "err", err)
			}
		}
		if _, err := runner.RunDue(ctx, time.Now().Add(time.Minute)); err != nil && ctx.Err() == nil {
			l.log.Error("run queued jobs", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// certFiles is the certificate of --tls-cert and --tls-key, read again
// when either file changes (a renewal), at most once a minute.
type certFiles struct {
	certFile, keyFile string
	log               *slog.Logger
	now               func() time.Time

	mu       sync.Mutex
	cert     *tls.Certificate
	modified [2]time.Time
	checked  time.Time
}

func loadCertFiles(certFile, keyFile string, log *slog.Logger) (*certFiles, error) {
	c := &certFiles{certFile: certFile, keyFile: keyFile, log: log, now: time.Now}
	cert, mod, err := c.load()
	if err != nil {
		return nil, err
	}
	c.cert, c.modified, c.checked = cert, mod, c.now()
	if until := cert.Leaf.NotAfter; c.now().After(until) {
		log.Warn("the TLS certificate has expired: browsers will refuse it; renew it", "file", certFile, "not_after", until)
	}
	return c, nil
}

func (c *certFiles) load() (*tls.Certificate, [2]time.Time, error) {
	var mod [2]time.Time
	var pems [2][]byte
	for i, f := range [2]struct{ flag, name string }{{"--tls-cert", c.certFile}, {"--tls-key", c.keyFile}} {
		fi, err := os.Stat(f.name)
		if err == nil {
			mod[i] = fi.ModTime()
			pems[i], err = os.ReadFile(f.name)
		}
		if err != nil {
			return nil, mod, fmt.Errorf("read %s %s: %w", f.flag, f.name, err)
		}
	}
	cert, err := tls.X509KeyPair(pems[0], pems[1])
	if err != nil {
		return nil, mod, fmt.Errorf("--tls-cert %s and --tls-key %s are not a certificate and its private key in PEM: %w", c.certFile, c.keyFile, err)
	}
	return &cert, mod, nil
}

// get is tls.Config.GetCertificate.
func (c *certFiles) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if now.Sub(c.checked) < time.Minute {
		return c.cert, nil
	}
	c.checked = now
	var mod [2]time.Time
	for i, name := range [2]string{c.certFile, c.keyFile} {
		if fi, err := os.Stat(name); err == nil {
			mod[i] = fi.ModTime()
		}
	}
	if mod == c.modified {
		return c.cert, nil
	}
	cert, mod, err := c.load()
	if err != nil {
		// Halfway through a renewal, perhaps: keep the old pair and
		// look again next minute.
		c.log.Warn("reload the TLS certificate; keeping the current one", "err", err)
		return c.cert, nil
	}
	c.cert, c.modified = cert, mod
	c.log.Info("reloaded the TLS certificate", "file", c.certFile, "not_after", cert.Leaf.NotAfter)
	return c.cert, nil
}
