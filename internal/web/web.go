// Package web is picup's HTTP server: the share pages parents open on a
// tablet, their JSON pages for infinite scroll, and signed media URLs for
// the thumbnails. Templates and static files are embedded in the binary.
package web

import (
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/picup/picup/internal/library"
)

//go:embed templates/*.html static/*
var assets embed.FS

// SigningKeySetting is the catalog setting holding the library's random
// HMAC key (hex) for media URLs and password cookies, made on first use.
const SigningKeySetting = "web.signing_key"

// PageSize is how many photos a share page and each JSON page hold.
const PageSize = 60

// Options tune the server; the zero value is usable.
type Options struct {
	Logger        *slog.Logger     // access log and errors; nil discards
	Now           func() time.Time // clock; nil means time.Now
	MediaTTL      time.Duration    // lifetime of a signed media URL; 0 means one hour
	SecureCookies bool             // mark cookies Secure even without TLS here (behind an https proxy)
}

type server struct {
	lib  *library.Library
	opts Options
	log  *slog.Logger
	tmpl *template.Template

	keyMu sync.Mutex
	key   []byte
}

// NewServer returns the handler for every route of the viewer.
func NewServer(lib *library.Library, opts Options) http.Handler {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MediaTTL <= 0 {
		opts.MediaTTL = time.Hour
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &server{
		lib:  lib,
		opts: opts,
		log:  log,
		tmpl: template.Must(template.New("").Funcs(template.FuncMap{"static": staticURL}).ParseFS(assets, "templates/*.html")),
	}
	mux := http.NewServeMux()
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
	mux.HandleFunc("GET /m/{sig}/{photo}/{size}", s.media)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { notFound(w) })
	return s.logged(securityHeaders(mux))
}

// securityHeaders sets the headers every response carries.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self'; media-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		h.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logged writes one access log line per request. It logs the route
// pattern, never the path, so share tokens and signatures stay out of logs.
func (s *server) logged(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "http",
			slog.String("method", r.Method), slog.String("route", route), slog.Int("status", sw.status),
			slog.Int64("bytes", sw.bytes), slog.Duration("duration", time.Since(start)))
	})
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

func (s *server) internalError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.LogAttrs(r.Context(), slog.LevelError, "http handler", slog.String("route", r.Pattern), slog.Any("err", err))
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintln(w, "internal error")
}
