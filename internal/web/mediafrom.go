package web

import (
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/blob"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
)

// mediaOf is the server's archive.Media: the one given, else one without
// --media-from (offloaded originals still come from their remote).
func mediaOf(lib *library.Library, m *archive.Media) *archive.Media {
	if m == nil {
		m = archive.New(lib).OffloadedMedia()
	}
	return m
}

// maxRedirectAge is the longest a browser may keep a redirect to a
// presigned URL (and never beyond half of that URL's life).
const maxRedirectAge = 5 * time.Minute

// fromRemote answers a media request with 302 to a presigned URL of the
// copy in a remote when archive.Media.Locate gives one: always for an
// offloaded original or video, and with --media-from for synced
// originals, videos and screen thumbnails. The URL lives until the media
// URL expires (exp, Unix seconds); the bucket answers with the same
// Content-Type and Content-Disposition as the library would, and a
// Cache-Control no longer than that. A media URL pinned to an address
// (bound) is served from the library whenever it can be, since a
// presigned URL opens from anywhere. It reports whether it answered:
// when not, the file is served from the library.
func (s *server) fromRemote(w http.ResponseWriter, r *http.Request, p catalog.MediaFile, kind string, exp int64, private, bound bool) bool {
	if p.Offloaded == "" && (bound || !s.opts.Media.HasFrom()) {
		return false
	}
	// From the clock's full reading: the URL is signed a moment later,
	// maybe in the next second, and its life (whole seconds, rounded
	// down) must still end by exp.
	life := time.Unix(exp, 0).Sub(s.opts.Now()).Truncate(time.Second)
	if life < time.Second {
		return false // checkMedia refuses what has expired: not reached
	}
	life = min(life, blob.MaxPresignLife)
	scope := "public"
	if private {
		scope = "private"
	}
	h := blob.ResponseHeaders{CacheControl: scope + ", max-age=" + strconv.FormatInt(int64(life/time.Second), 10)}
	switch kind {
	case kindOriginal:
		h.ContentType = fileType(p.MIME, p.Path)
		h.ContentDisposition = mime.FormatMediaType("attachment", map[string]string{"filename": downloadName(catalog.Photo{ID: p.ID, OriginalName: p.OriginalName, Path: p.Path})})
	case kindVideo:
		h.ContentType = fileType(p.MIME, p.Path)
	default:
		h.ContentType = "image/jpeg"
	}
	loc, err := s.opts.Media.Locate(r.Context(), p, kind, life, h)
	switch {
	case err != nil && p.Offloaded == "":
		// The library has it: serve it from here.
		s.log.LogAttrs(r.Context(), slog.LevelWarn, "media from the remote failed; served from the library",
			slog.Int64("photo", p.ID), slog.String("kind", kind), slog.Any("err", err))
		return false
	case errors.Is(err, catalog.ErrNotFound):
		notFound(w) // the remote holding it was removed
		return true
	case err != nil:
		if clientGone(r, err) {
			return true
		}
		s.log.LogAttrs(r.Context(), slog.LevelError, "offloaded original: cannot presign its URL",
			slog.Int64("photo", p.ID), slog.String("remote", p.Offloaded), slog.Any("err", err))
		hd := w.Header()
		hd.Set("Content-Type", "text/plain; charset=utf-8")
		hd.Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("the remote holding this file cannot be reached\n"))
		return true
	case loc == "":
		return false
	}
	hd := w.Header()
	hd.Set("Location", loc)
	hd.Set("Cache-Control", "private, max-age="+strconv.FormatInt(int64(min(maxRedirectAge, life/2)/time.Second), 10))
	w.WriteHeader(http.StatusFound)
	return true
}

// sigExpiry is the expiry of a media signature that checkMedia accepted.
func sigExpiry(sig string) int64 {
	parts := strings.Split(sig, ".")
	if len(parts) < 3 {
		return 0
	}
	exp, _ := strconv.ParseInt(parts[1], 10, 64)
	return exp
}

// mediaSources lets a share page load images and videos from where
// archive.Media.Origins says media may be redirected to: the remote of
// --media-from (or its --media-base-url) and the remotes holding
// offloaded originals, added to the img-src and media-src of its
// Content-Security-Policy. Other responses pass through untouched.
func (s *server) mediaSources(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rest, ok := strings.CutPrefix(r.URL.Path, "/s/"); ok && rest != "" && !strings.Contains(rest, "/") && s.opts.Media != nil {
			origins, err := s.opts.Media.Origins(r.Context())
			if err != nil {
				s.log.LogAttrs(r.Context(), slog.LevelWarn, "media origins", slog.Any("err", err))
			}
			hd := w.Header()
			if csp := hd.Get("Content-Security-Policy"); len(origins) > 0 && csp != "" {
				hd.Set("Content-Security-Policy", withSources(csp, origins, "img-src", "media-src"))
			}
		}
		h.ServeHTTP(w, r)
	})
}

// withSources adds sources to the named directives of a
// Content-Security-Policy.
func withSources(csp string, sources []string, directives ...string) string {
	parts := strings.Split(csp, ";")
	for i, part := range parts {
		name, _, _ := strings.Cut(strings.TrimSpace(part), " ")
		for _, d := range directives {
			if name == d {
				parts[i] = strings.TrimRight(part, " ") + " " + strings.Join(sources, " ")
			}
		}
	}
	return strings.Join(parts, ";")
}
