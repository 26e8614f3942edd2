// Package web is picup's HTTP server: the share pages parents open on a
// tablet, their JSON pages for infinite scroll, and signed media URLs for
// the thumbnails. Templates and static files are embedded in the binary.
package web

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/library"
)

//go:embed templates/*.html static/*
var assets embed.FS

// PageSize is how many photos a share page and each JSON page hold.
const PageSize = 60

// Options tune the server; the zero value is usable.
type Options struct {
	Logger        *slog.Logger     // access log and errors; nil discards
	Now           func() time.Time // clock; nil means time.Now
	MediaTTL      time.Duration    // lifetime of a signed media URL; 0 means one hour
	SecureCookies bool             // mark cookies Secure even without TLS here (behind an https proxy)
	HSTS          bool             // send Strict-Transport-Security over TLS (picup serve --domain)

	// Metrics counts requests; share it with whatever else feeds the
	// server's /metrics (picup serve's job runner). nil makes a private one.
	Metrics *Metrics
	// SeparateMetrics means /metrics has its own listener
	// (Metrics.Handler): here it is 404 for everyone. Otherwise /metrics
	// answers loopback clients that do not come through a proxy.
	SeparateMetrics bool

	ShareLimit    RateLimit // per client, share pages, their JSON and media; zero means DefaultShareLimit
	PasswordLimit RateLimit // per client, password tries; zero means DefaultPasswordLimit
	GuestLimit    RateLimit // per client, hearts and comments; zero means DefaultGuestLimit
	LinkLimit     RateLimit // per link, hearts and comments; zero means DefaultLinkLimit
	NoRateLimits  bool      // turn every limit off (load tests)

	StreamsPerShare  int            // open live-update streams per link; 0 means DefaultStreamsPerShare
	StreamsPerClient int            // open live-update streams per client; 0 means DefaultStreamsPerClient
	TrustedProxies   []netip.Prefix // peers whose X-Forwarded-For names the client

	// Media says which files browsers get from a remote (picup serve
	// --media-from, and offloaded originals); nil: only offloaded ones.
	Media *archive.Media
}

type server struct {
	lib  *library.Library
	opts Options
	log  *slog.Logger
	tmpl *template.Template

	mux     *http.ServeMux
	metrics *Metrics
	limits  *limits // nil when off

	keyMu  sync.Mutex             // held while the key is first read or made
	key    atomic.Pointer[[]byte] // the signing key, once read
	cache  *mediaCache
	thumbs *thumbCache
	views  *viewCounter
	hub    *hub
}

// Server is the handler for every route of the viewer.
type Server struct {
	http.Handler
	s *server
}

// Close ends the live-update streams, stops the loop that feeds them and
// writes the share page views counted in memory to the catalog (see
// viewCounter). Call it once the HTTP server has stopped, before the
// library closes.
func (sv *Server) Close(ctx context.Context) error {
	sv.s.hub.close()
	return sv.s.views.close(ctx)
}

// EndStreams ends the live-update streams and refuses new ones. A stream
// is a request that lasts: http.Server.Shutdown would wait for it until
// its grace ran out, so give EndStreams to the server's
// RegisterOnShutdown (and call it before an httptest.Server's Close).
func (sv *Server) EndStreams() { sv.s.hub.endStreams() }

// NewServer returns the handler for every route of the viewer.
func NewServer(lib *library.Library, opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MediaTTL <= 0 {
		opts.MediaTTL = time.Hour
	}
	opts.Media = mediaOf(lib, opts.Media)
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &server{
		lib:    lib,
		opts:   opts,
		log:    log,
		tmpl:   template.Must(template.New("").Funcs(template.FuncMap{"static": staticURL, "json": jsonText}).ParseFS(assets, "templates/*.html")),
		cache:  newMediaCache(mediaCacheShares, mediaCacheFiles),
		thumbs: newThumbCache(thumbCacheBytes, thumbCacheEntry),
		views:  newViewCounter(lib, log),
		hub:    newHub(lib, log, opts),
	}
	s.metrics = opts.Metrics
	if s.metrics == nil {
		s.metrics = NewMetrics()
	}
	s.limits = newLimits(opts)
	mux := http.NewServeMux()
	s.mux = mux
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("GET /static/{name}", staticFiles())
	mux.Handle("GET /s/{token}", gzipped(http.HandlerFunc(s.sharePage)))
	mux.Handle("POST /s/{token}", gzipped(http.HandlerFunc(s.sharePassword)))
	mux.Handle("GET /s/{token}/photos", gzipped(http.HandlerFunc(s.sharePhotos)))
	mux.HandleFunc("GET /s/{token}/download", s.shareZip)
	mux.HandleFunc("GET /s/{token}/me", s.getName)
	mux.HandleFunc("POST /s/{token}/me", s.setName)
	mux.HandleFunc("GET /s/{token}/photos/{id}/heart", s.hearts)
	mux.HandleFunc("POST /s/{token}/photos/{id}/heart", s.hearts)
	mux.Handle("GET /s/{token}/photos/{id}/comments", gzipped(http.HandlerFunc(s.comments)))
	mux.HandleFunc("POST /s/{token}/photos/{id}/comments", s.comments)
	mux.HandleFunc("DELETE /s/{token}/comments/{id}", s.deleteComment)
	mux.Handle("GET /s/{token}/activity", gzipped(http.HandlerFunc(s.activity)))
	mux.HandleFunc("GET /s/{token}/events", s.events)
	s.routeUploads(mux)
	mux.HandleFunc("GET /m/{sig}/{photo}/{size}", s.media)
	mux.HandleFunc("GET /metrics", s.metricsPage)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { notFound(w) })
	// Outermost first: measure and log everything, 429s included; then
	// HSTS over TLS when asked for; then the security headers, which 429s
	// carry too; then the rate limits; then the refusal of writes sent
	// from other sites.
	h := securityHeaders(s.mediaSources(s.limited(sameOrigin(mux))))
	if opts.HSTS {
		h = strictTransport(h)
	}
	return &Server{Handler: s.instrumented(h), s: s}
}

// securityHeaders sets the headers every response carries (a thumbnail
// then drops those that only govern documents: see documentHeadersOff).
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		for _, kv := range securityHeaderValues {
			hd[kv.key] = kv.value
		}
		h.ServeHTTP(w, r)
	})
}

// documentHeadersOff takes from a response the security headers that only
// govern documents, keeping nosniff: for a thumbnail, a JPEG this server
// encoded. A share page's first view loads twenty of them over a slow
// connection, where their 250 bytes each count.
func documentHeadersOff(h http.Header) {
	delete(h, "Content-Security-Policy")
	delete(h, "Referrer-Policy")
	delete(h, "X-Frame-Options")
}

// securityHeaderValues are the headers of securityHeaders, in canonical
// form. Every response shares their values: nothing changes a header's
// values in place (Set replaces them, Add appends to a full slice).
var securityHeaderValues = [...]struct {
	key   string
	value []string
}{
	{"Content-Security-Policy", []string{"default-src 'self'; img-src 'self'; media-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"}},
	{"Referrer-Policy", []string{"no-referrer"}},
	{"X-Content-Type-Options", []string{"nosniff"}},
	{"X-Frame-Options", []string{"DENY"}},
}

func notFound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprintln(w, "not found")
}

func forbidden(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusForbidden)
	fmt.Fprintln(w, "forbidden")
}

// statusClientClosed is the status that the log and the metrics give a
// request whose client went away before it was answered (nginx's 499);
// nothing is sent.
const statusClientClosed = 499

// internalError answers 500 and logs err; when the client went away
// (the cause of err, likely), it logs at debug level and answers nothing,
// and the request counts as statusClientClosed.
func (s *server) internalError(w http.ResponseWriter, r *http.Request, err error) {
	if clientGone(r, err) {
		s.log.LogAttrs(r.Context(), slog.LevelDebug, "client went away", slog.String("route", r.Pattern), slog.Any("err", err))
		return
	}
	s.log.LogAttrs(r.Context(), slog.LevelError, "http handler", slog.String("route", r.Pattern), slog.Any("err", err))
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintln(w, "internal error")
}

// clientGone reports whether a request's client went away: its context
// ended (the server cancels it when the connection closes), or err is
// that of a closed connection.
func clientGone(r *http.Request, err error) bool {
	return r.Context().Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET)
}

// jsonText is v as JSON text, for a template's data attribute.
func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}
