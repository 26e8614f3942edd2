package web

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/jobs"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/syncer"
)

// shutdownGrace bounds how long in-flight requests may take once Run's
// context ends.
const shutdownGrace = 10 * time.Second

// serverLimits are what the viewer's server bears of a client before it
// closes the connection.
type serverLimits struct {
	readHeader time.Duration // to send a request's headers
	read       time.Duration // its headers and body, where a route sets no deadline of its own (see deadline.go)
	write      time.Duration // to take its response, likewise
	idle       time.Duration // between requests on a kept-alive connection
	// headerBytes is http.Server.MaxHeaderBytes, which lets a request's
	// line and headers run 4,096 bytes over it.
	headerBytes int
	// perClient is how many connections one address (an IPv6 /64) may
	// hold open at once: connCounts.
	perClient int
}

// viewerLimits are the viewer's: headers over 16 KB get 431.
var viewerLimits = serverLimits{
	readHeader:  10 * time.Second,
	read:        30 * time.Second,
	write:       time.Minute,
	idle:        2 * time.Minute,
	headerBytes: 16<<10 - 4096,
	perClient:   64,
}

// server is an http.Server of h with l's limits.
func (l serverLimits) server(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: l.readHeader,
		ReadTimeout:       l.read,
		WriteTimeout:      l.write,
		IdleTimeout:       l.idle,
		MaxHeaderBytes:    l.headerBytes,
		ConnContext:       ConnContext,
	}
}

// listener wraps ln as Listener does, holding each address to
// l.perClient connections, except those that exempt lets through.
func (l serverLimits) listener(ln net.Listener, exempt func(netip.Addr) bool) *listener {
	return &listener{Listener: ln, counts: newConnCounts(l.perClient, exempt)}
}

// RunConfig says how Run serves. The caller opens the listeners, so that
// what it says about an address it cannot listen on is its own.
type RunConfig struct {
	Listener net.Listener // the viewer's; required
	// MetricsListener, when not nil, serves /metrics to whoever reaches
	// it; the viewer's /metrics is then 404 for everyone.
	MetricsListener net.Listener
	// TLS, when not nil, makes the viewer serve HTTPS (TLS 1.2 or newer,
	// HTTP/2) with the certificates it gives: a CertFiles' for files, or
	// any other source of certificates.
	TLS        *tls.Config
	JobEvery   time.Duration // how often to look for due jobs; 0 means 10 s
	PurgeEvery time.Duration // how often to purge the trash; 0 means an hour
	// Ready, when not nil, is called once the servers and the job loop
	// run, with the addresses listened on (metricsAddr "" without
	// MetricsListener).
	Ready func(addr, metricsAddr string)
	// Options are the viewer's; Run sets their Metrics and
	// SeparateMetrics.
	Options Options
	// PublicURL, when set, is where the links point: once serving, Run
	// asks its /healthz through it whether it leads to this process,
	// and logs the answer. ReachClient makes that request (nil: one that
	// trusts the system's roots, as browsers do).
	PublicURL   string
	ReachClient *http.Client
	// CheckOnly makes Run start the servers, check PublicURL, and stop
	// at once without running any job: "picup serve --check". The
	// returned error is then the reason the public URL does not reach
	// this server, wrapped in ErrUnreachable.
	CheckOnly bool
}

// ErrUnreachable wraps why a public URL does not lead to this server.
var ErrUnreachable = errors.New("the public URL does not reach this server")

// Run serves the viewer (and /metrics on a listener of its own) and runs
// the job loop beside them until ctx ends or a server fails. Then it
// stops the loop and the servers, letting requests in flight finish
// within shutdownGrace, and records the share views still counted in
// memory. It closes the listeners.
func Run(ctx context.Context, lib *library.Library, c RunConfig) error {
	if c.JobEvery <= 0 {
		c.JobEvery = 10 * time.Second
	}
	if c.PurgeEvery <= 0 {
		c.PurgeEvery = time.Hour
	}
	log := c.Options.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	metrics := NewMetrics()
	c.Options.Metrics, c.Options.SeparateMetrics = metrics, c.MetricsListener != nil
	rs := &running{log: log, viewer: NewServer(lib, c.Options), id: newInstance()}
	rs.makeServers(ctx, lib, c, metrics)
	rs.errc = make(chan error, len(rs.servers))
	for i, s := range rs.servers {
		go func() {
			if i == 0 && c.TLS != nil {
				rs.errc <- s.ServeTLS(rs.listeners[i], "", "")
			} else {
				rs.errc <- s.Serve(rs.listeners[i])
			}
		}()
	}
	loopCtx, stopLoop := context.WithCancel(ctx)
	defer stopLoop()
	rs.stopLoop = stopLoop
	client := c.ReachClient
	if client == nil {
		client = http.DefaultClient
	}
	if c.CheckOnly {
		var reachErr error
		if c.PublicURL != "" {
			if reachErr = rs.id.reaches(ctx, c.PublicURL, client); reachErr != nil {
				reachErr = fmt.Errorf("%w: %w", ErrUnreachable, reachErr)
			}
		}
		return errors.Join(reachErr, rs.shutdown(ctx, nil))
	}
	rs.loop.Go(func() {
		(&jobLoop{lib: lib, log: log, metrics: metrics, every: c.JobEvery, purgeEvery: c.PurgeEvery}).run(loopCtx)
	})
	if c.PublicURL != "" {
		rs.loop.Go(func() { rs.id.checkReach(loopCtx, log, c.PublicURL, client) })
	}
	if c.Ready != nil {
		metricsAddr := ""
		if c.MetricsListener != nil {
			metricsAddr = c.MetricsListener.Addr().String()
		}
		c.Ready(c.Listener.Addr().String(), metricsAddr)
	}

	var serveErr error
	select {
	case err := <-rs.errc:
		serveErr = fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	return rs.shutdown(ctx, serveErr)
}

// running are the viewer's HTTP server and, with a metrics listener, the
// one of /metrics, each with its listener, and the job loop that runs
// beside them.
type running struct {
	log       *slog.Logger
	viewer    *Server
	id        instance       // what /healthz answers in instanceHeader
	servers   []*http.Server // the viewer's first
	listeners []net.Listener // servers[i] serves listeners[i]
	fast      *fastListener  // the viewer's listener over plain HTTP; nil over TLS

	errc     chan error // what each server's Serve returned
	stopLoop context.CancelFunc
	loop     sync.WaitGroup
}

// makeServers makes the viewer's server, and /metrics' own when c has
// its listener.
func (rs *running) makeServers(ctx context.Context, lib *library.Library, c RunConfig, metrics *Metrics) {
	srv := viewerLimits.server(rs.id.stamp(rs.viewer))
	srv.ErrorLog = slog.NewLogLogger(rs.log.Handler(), slog.LevelWarn)
	srv.BaseContext = func(net.Listener) context.Context { return context.WithoutCancel(ctx) }
	srv.RegisterOnShutdown(rs.viewer.EndStreams)
	if c.TLS != nil {
		srv.TLSConfig = c.TLS.Clone()
		srv.TLSConfig.MinVersion = max(srv.TLSConfig.MinVersion, tls.VersionTLS12)
		srv.Protocols = new(http.Protocols)
		srv.Protocols.SetHTTP1(true)
		srv.Protocols.SetHTTP2(true)
	}
	counted := viewerLimits.listener(c.Listener, func(ip netip.Addr) bool {
		return ip.IsLoopback() || slices.ContainsFunc(c.Options.TrustedProxies, func(p netip.Prefix) bool { return p.Contains(ip) })
	})
	var ln net.Listener = counted
	if c.TLS == nil {
		rs.fast = newFastListener(context.WithoutCancel(ctx), counted, srv.Handler, viewerLimits, rs.log)
		ln = rs.fast
	}
	rs.servers, rs.listeners = []*http.Server{srv}, []net.Listener{ln}
	if c.MetricsListener != nil {
		rs.log.Info("serving metrics", "addr", c.MetricsListener.Addr().String())
		rs.servers = append(rs.servers, &http.Server{
			Handler:           metrics.Handler(lib),
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          srv.ErrorLog,
			BaseContext:       srv.BaseContext,
		})
		rs.listeners = append(rs.listeners, c.MetricsListener)
	}
}

// shutdown stops the job loop and the servers, letting requests in
// flight finish within shutdownGrace, and records the share views still
// counted in memory. serveErr is why serving ended, nil for ctx.
func (rs *running) shutdown(ctx context.Context, serveErr error) error {
	rs.log.Info("shutting down", "grace", shutdownGrace)
	rs.stopLoop()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	for _, s := range rs.servers {
		if err := s.Shutdown(sctx); err != nil {
			_ = s.Close() // the connections that outlived the grace: the error above says enough
			serveErr = errors.Join(serveErr, fmt.Errorf("shut down: %w", err))
		}
	}
	if rs.fast != nil {
		rs.fast.drain(sctx)
	}
	rs.loop.Wait()
	if err := rs.viewer.Close(context.WithoutCancel(ctx)); err != nil {
		serveErr = errors.Join(serveErr, fmt.Errorf("record share views: %w", err))
	}
	if serveErr != nil {
		return serveErr
	}
	for range rs.servers {
		if err := <-rs.errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	rs.log.Info("stopped")
	return nil
}

// jobLoop runs the queue while the server runs: every few seconds the
// jobs that are due (what commands queued, retries of failed ones), and
// every purgeEvery the trash's expired photos, whose deletion jobs follow.
type jobLoop struct {
	lib               *library.Library
	log               *slog.Logger
	metrics           *Metrics
	every, purgeEvery time.Duration
}

// run returns when ctx ends, after the job in progress (which sees ctx
// end, and stays queued when interrupted).
func (l *jobLoop) run(ctx context.Context) {
	a := archive.New(l.lib)
	runner := a.JobRunner(func(sum syncer.Summary) {
		l.metrics.Synced(sum.Remote, sum.Uploaded, sum.Bytes)
		l.log.Info("synced", "remote", sum.Remote, "uploaded", sum.Uploaded, "bytes", sum.Bytes, "failed", sum.Failed)
	})
	// A purge of 100,000 photos queues about 800,000 jobs: each job is a
	// line at debug level, and each run of the queue one line (with the
	// last error when some failed) at info or warn; a job given up on is
	// an error of its own.
	var lastErr error
	runner.Observe(func(j catalog.Job, result string, err error) {
		l.metrics.JobRan(j.Kind, result)
		switch result {
		case jobs.ResultDone:
			l.log.Debug("job done", "id", j.ID, "kind", j.Kind)
		case jobs.ResultFailed:
			lastErr = err
			l.log.Debug("job failed; it will be retried", "id", j.ID, "kind", j.Kind, "attempt", j.Attempts+1, "err", err)
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
			gone, err := a.PurgeExpired(ctx, purged)
			if gone.Photos > 0 { // before any error: what was purged is gone
				l.log.Info(gone.String(), "photos", gone.Photos, "bytes", gone.Bytes, "trash_log", gone.LogID)
			}
			if err != nil && ctx.Err() == nil {
				l.log.Error("purge the trash", "err", err)
			}
		}
		lastErr = nil
		res, err := runner.RunDue(ctx, time.Now().Add(time.Minute))
		if err != nil && ctx.Err() == nil {
			l.log.Error("run queued jobs", "err", err)
		}
		switch {
		case res.Failed > 0:
			l.log.Warn("ran queued jobs; the failed ones will be retried", "done", res.Done, "failed", res.Failed, "last_err", lastErr)
		case res.Done > 0:
			l.log.Info("ran queued jobs", "done", res.Done)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
