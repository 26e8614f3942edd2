// Package web is picup's HTTP server: the share pages parents open on a
// tablet, their JSON pages for infinite scroll, and signed media URLs for
// the thumbnails. Templates and static files are embedded in the binary.
package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/picup/picup/internal/catalog"
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
		tmpl: template.Must(template.New("").Funcs(template.FuncMap{}).ParseFS(assets, "templates/*.html")),
	}
	static, err := fs.Sub(assets, "static")
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("GET /static/", staticHandler(http.StripPrefix("/static/", http.FileServerFS(static))))
	mux.HandleFunc("GET /s/{token}", s.sharePage)
	mux.HandleFunc("POST /s/{token}", s.sharePassword)
	mux.HandleFunc("GET /s/{token}/photos", s.sharePhotos)
	mux.HandleFunc("GET /m/{sig}/{photo}/{size}", s.media)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { notFound(w) })
	return s.logged(securityHeaders(mux))
}

// staticHandler serves embedded files without directory listings.
func staticHandler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			notFound(w)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}

// securityHeaders sets the headers every response carries.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
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

// signingKey returns the library's HMAC key, creating and storing it on
// first use.
func (s *server) signingKey(ctx context.Context) ([]byte, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.key != nil {
		return s.key, nil
	}
	v, err := s.lib.Catalog.Setting(ctx, SigningKeySetting)
	if err != nil {
		return nil, err
	}
	if v == "" {
		err = s.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
			// Another process may have made one meanwhile: keep it.
			err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, SigningKeySetting).Scan(&v)
			if err == nil && v != "" {
				return nil
			}
			b := make([]byte, 32)
			rand.Read(b)
			v = hex.EncodeToString(b)
			return tx.SetSetting(ctx, SigningKeySetting, v)
		})
		if err != nil {
			return nil, fmt.Errorf("create the signing key: %w", err)
		}
	}
	key, err := hex.DecodeString(v)
	if err != nil || len(key) < 16 {
		return nil, fmt.Errorf("setting %s is not a hex key of at least 16 bytes", SigningKeySetting)
	}
	s.key = key
	return key, nil
}

func mac(key []byte, parts ...string) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

// mediaExpiry is when a media URL made now expires: the end of the next
// TTL-long window, so that URLs are stable (and cached) for a while and
// valid for at least one TTL.
func (s *server) mediaExpiry() int64 {
	ttl := s.opts.MediaTTL
	return s.opts.Now().Truncate(ttl).Add(2 * ttl).Unix()
}

// mediaURL signs /m/{shareID.exp.mac}/{photoID}/{size}.
func mediaURL(key []byte, shareID, photoID int64, size string, exp int64) string {
	sid, pid, e := strconv.FormatInt(shareID, 10), strconv.FormatInt(photoID, 10), strconv.FormatInt(exp, 10)
	sig := base64.RawURLEncoding.EncodeToString(mac(key, "media", sid, pid, size, e))
	return "/m/" + sid + "." + e + "." + sig + "/" + pid + "/" + size
}

var errBadSignature = errors.New("bad signature")

// checkMedia verifies a media signature and returns the share id.
func checkMedia(key []byte, sig, photo, size string, now time.Time) (int64, error) {
	parts := strings.Split(sig, ".")
	if len(parts) != 3 {
		return 0, errBadSignature
	}
	got, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return 0, errBadSignature
	}
	if !hmac.Equal(got, mac(key, "media", parts[0], photo, size, parts[1])) {
		return 0, errBadSignature
	}
	exp, err1 := strconv.ParseInt(parts[1], 10, 64)
	id, err2 := strconv.ParseInt(parts[0], 10, 64)
	if err1 != nil || err2 != nil || now.Unix() >= exp {
		return 0, errBadSignature
	}
	return id, nil
}
