package web

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/thumb"
)

// Media kinds besides the thumbnail sizes of thumb.Sizes.
const (
	kindVideo    = "video"    // a video's file, played inline
	kindOriginal = "original" // the original, as a download
)

func knownKind(kind string) bool {
	_, size := thumb.SizeNamed(kind)
	return size || kind == kindVideo || kind == kindOriginal
}

// media serves a thumbnail, a video or an original through a signed URL:
// 403 for a bad or expired signature (or one made for another address
// when the share pins media to it), and for an original when the share
// does not allow downloads; 410 when the share has ended; 404 for a photo
// the share does not open, a video URL of a photo, or a missing file.
// Once every check has passed, an offloaded original (or video), and with
// --media-from a synced original, video or screen thumbnail, is answered
// with 302 to a presigned URL of its copy in the remote (fromRemote);
// grid thumbnails always come from the library.
func (s *server) media(w http.ResponseWriter, r *http.Request) {
	kind := r.PathValue("size")
	if !knownKind(kind) {
		notFound(w)
		return
	}
	if tooManyRanges(r) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
		fmt.Fprintln(w, "too many ranges")
		return
	}
	photoID, err := strconv.ParseInt(r.PathValue("photo"), 10, 64)
	if err != nil || photoID <= 0 {
		notFound(w)
		return
	}
	ctx := r.Context()
	key, err := s.signingKey(ctx)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	shareID, bound, err := checkMedia(key, r.PathValue("sig"), r.PathValue("photo"), kind, s.pinAddr(r), s.opts.Now())
	if err != nil {
		forbidden(w)
		return
	}
	// The catalog's version first: the cache answers only for what was
	// read at the version current now (see mediaCache).
	v, err := s.lib.Catalog.CatalogVersion(ctx)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	sh, err := s.cache.share(ctx, s.lib.Catalog, v, shareID)
	if errors.Is(err, catalog.ErrNotFound) {
		notFound(w)
		return
	}
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	if !sh.Active(s.opts.Now()) {
		s.gone(w, r)
		return
	}
	if (sh.BindIP && !bound) || !s.authorised(r, sh) || (kind == kindOriginal && !sh.Download) {
		forbidden(w)
		return
	}
	p, err := s.cache.file(ctx, s.lib.Catalog, v, sh, photoID)
	if errors.Is(err, catalog.ErrNotFound) {
		notFound(w)
		return
	}
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	// Content is addressed by its hash, so it never changes under a URL;
	// a URL pinned to one address, or of a link behind a password, must
	// not sit in a shared cache.
	cache := "public, max-age=31536000, immutable"
	if bound || sh.PasswordHash != "" || kind == kindVideo || kind == kindOriginal {
		cache = "private, max-age=31536000, immutable"
	}
	// Every check is done: the remote's copy may serve it (see fromRemote).
	private := bound || sh.PasswordHash != ""
	switch kind {
	case kindVideo:
		if p.Type != "video" {
			notFound(w)
			return
		}
		if s.fromRemote(w, r, p, kind, sigExpiry(r.PathValue("sig")), private, bound) {
			return
		}
		s.serveFile(w, r, servedFile{rel: p.Path, ctype: fileType(p.MIME, p.Path), etag: `"` + p.SHA256 + `"`, cache: cache, stream: true})
	case kindOriginal:
		if s.fromRemote(w, r, p, kind, sigExpiry(r.PathValue("sig")), private, bound) {
			return
		}
		name := downloadName(catalog.Photo{ID: p.ID, OriginalName: p.OriginalName, Path: p.Path})
		disp := mime.FormatMediaType("attachment", map[string]string{"filename": name})
		s.serveFile(w, r, servedFile{rel: p.Path, ctype: fileType(p.MIME, p.Path), etag: `"` + p.SHA256 + `"`, cache: cache, disposition: disp, stream: true})
	default:
		if kind == archive.MediaScreen && s.fromRemote(w, r, p, kind, sigExpiry(r.PathValue("sig")), private, bound) {
			return
		}
		size, _ := thumb.SizeNamed(kind)
		s.serveThumb(w, r, v, servedFile{rel: library.ThumbPath(p.SHA256, size), ctype: "image/jpeg", etag: thumbETag(p.SHA256, kind), cache: cache})
	}
}

// servedFile is a file of the library and the headers it goes out with.
type servedFile struct {
	rel         string // library-relative path
	ctype       string // Content-Type
	etag        string // ETag, quoted
	cache       string // Cache-Control
	disposition string // Content-Disposition; "" for none
	stream      bool   // a video or an original: may take long (streamDeadline)
}

// serveThumb serves a thumbnail as serveFile does, from memory when it
// can (see thumbCache); v is the catalog version the request was
// decided at.
func (s *server) serveThumb(w http.ResponseWriter, r *http.Request, v int64, f servedFile) {
	data, err := s.thumbs.get(v, s.lib.Abs(f.rel))
	if errors.Is(err, os.ErrNotExist) {
		notFound(w)
		return
	}
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	documentHeadersOff(w.Header())
	if data == nil {
		s.serveFile(w, r, f)
		return
	}
	h := w.Header()
	h["Content-Type"] = jpegType
	h.Set("Cache-Control", f.cache)
	h.Set("ETag", f.etag)
	if r.Method == http.MethodGet && !conditional(r) {
		// What ServeContent answers to a plain GET, without its copy
		// through a buffer of its own.
		h["Accept-Ranges"] = byteRanges
		h.Set("Content-Length", strconv.Itoa(len(data)))
		coalesced(r, len(data), func() {
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(data) // a client that went away is counted by the metrics
		})
		return
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
}

// Header values that thumbnails share (see securityHeaderValues).
var (
	jpegType   = []string{"image/jpeg"}
	byteRanges = []string{"bytes"}
)

// maxRanges is the most ranges one request may ask for: more are
// refused with 416 (a few hundred tiny ranges of one video make the
// server write a multipart response far larger than the file).
const maxRanges = 10

// tooManyRanges reports whether a request's Range header asks for more
// than maxRanges ranges.
func tooManyRanges(r *http.Request) bool {
	n := 0
	for _, v := range r.Header.Values("Range") {
		n += strings.Count(v, ",") + 1
	}
	return n > maxRanges
}

// conditional reports whether a request has a header that
// http.ServeContent answers to: a range, or a precondition.
func conditional(r *http.Request) bool {
	for _, k := range [...]string{"Range", "If-Range", "If-None-Match", "If-Match", "If-Modified-Since", "If-Unmodified-Since"} {
		if _, ok := r.Header[k]; ok {
			return true
		}
	}
	return false
}

// serveFile serves a file of the library with ETag, 304 and range
// requests; a missing file is a plain 404.
func (s *server) serveFile(w http.ResponseWriter, r *http.Request, sf servedFile) {
	f, err := os.Open(s.lib.Abs(sf.rel))
	if errors.Is(err, os.ErrNotExist) {
		notFound(w)
		return
	}
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	defer f.Close()
	if sf.stream {
		if st, err := f.Stat(); err == nil {
			streamDeadline(w, st.Size())
		}
	}
	h := w.Header()
	h.Set("Content-Type", sf.ctype)
	h.Set("Cache-Control", sf.cache)
	h.Set("ETag", sf.etag)
	if sf.disposition != "" {
		h.Set("Content-Disposition", sf.disposition)
	}
	// The content is addressed by its hash: the file's mtime says nothing,
	// so ServeContent gets the zero time and relies on the ETag.
	http.ServeContent(w, r, "", time.Time{}, f)
}

// fileType is the Content-Type of an original: the type recorded at
// import, else one guessed from its path's extension.
func fileType(recorded, rel string) string {
	if recorded != "" {
		return recorded
	}
	if t := mime.TypeByExtension(strings.ToLower(path.Ext(rel))); t != "" {
		return t
	}
	return "application/octet-stream"
}

// downloadName is the file name an original is saved under: the name it
// was imported with, reduced to a plain base name.
func downloadName(p catalog.Photo) string {
	name := p.OriginalName
	if name == "" {
		name = path.Base(p.Path)
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '/' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	if name == "" || name == "." || name == ".." {
		name = "photo-" + strconv.FormatInt(p.ID, 10) + path.Ext(p.Path)
	}
	return name
}

// thumbETag is a thumbnail's ETag: 64 bits of its original's SHA-256 and
// its size name, which tell its thumbnails apart as well as the whole hash
// would, in 48 bytes fewer of each of a page's many responses.
func thumbETag(sha, kind string) string {
	return `"` + sha[:min(16, len(sha))] + "-" + kind + `"`
}
