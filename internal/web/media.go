package web

import (
	"errors"
	"mime"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

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
	if kind == kindVideo || kind == kindOriginal {
		return true
	}
	for _, sz := range thumb.Sizes {
		if sz.Name == kind {
			return true
		}
	}
	return false
}

// media serves a thumbnail, a video or an original through a signed URL:
// 403 for a bad or expired signature (or one made for another address
// when the share pins media to it), and for an original when the share
// does not allow downloads; 410 when the share has ended; 404 for a photo
// the share does not open, a video URL of a photo, or a missing or
// offloaded file.
func (s *server) media(w http.ResponseWriter, r *http.Request) {
	kind := r.PathValue("size")
	if !knownKind(kind) {
		notFound(w)
		return
	}
	photoID, err := strconv.ParseInt(r.PathValue("photo"), 10, 64)
	if err != nil || photoID <= 0 {
		notFound(w)
		return
	}
	key, err := s.signingKey(r.Context())
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	shareID, bound, err := checkMedia(key, r.PathValue("sig"), r.PathValue("photo"), kind, s.pinAddr(r), s.opts.Now())
	if err != nil {
		forbidden(w)
		return
	}
	sh, err := s.lib.Catalog.ShareByID(r.Context(), shareID)
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
	in, err := s.lib.Catalog.ShareHasPhoto(r.Context(), sh, photoID)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	if !in {
		notFound(w)
		return
	}
	p, err := s.lib.Catalog.PhotoByID(r.Context(), photoID)
	if errors.Is(err, catalog.ErrNotFound) {
		notFound(w)
		return
	}
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	// Content is addressed by its hash, so it never changes under a URL;
	// a URL pinned to one address must not sit in a shared cache.
	cache := "public, max-age=31536000, immutable"
	if bound || kind == kindVideo || kind == kindOriginal {
		cache = "private, max-age=31536000, immutable"
	}
	switch kind {
	case kindVideo:
		if p.Type != "video" || p.Offloaded != "" {
			notFound(w)
			return
		}
		s.serveFile(w, r, p.Path, fileType(p), `"`+p.SHA256+`"`, cache, "")
	case kindOriginal:
		if p.Offloaded != "" {
			notFound(w)
			return
		}
		disp := mime.FormatMediaType("attachment", map[string]string{"filename": downloadName(p)})
		s.serveFile(w, r, p.Path, fileType(p), `"`+p.SHA256+`"`, cache, disp)
	default:
		s.serveFile(w, r, library.ThumbPath(p.SHA256, kind), "image/jpeg", `"`+p.SHA256+"-"+kind+`"`, cache, "")
	}
}

// serveFile serves a file of the library with ETag, 304 and range
// requests; a missing file is a plain 404.
func (s *server) serveFile(w http.ResponseWriter, r *http.Request, rel, ctype, etag, cache, disposition string) {
	f, err := os.Open(s.lib.Abs(rel))
	if errors.Is(err, os.ErrNotExist) {
		notFound(w)
		return
	}
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", cache)
	h.Set("ETag", etag)
	if disposition != "" {
		h.Set("Content-Disposition", disposition)
	}
	// The content is addressed by its hash: the file's mtime says nothing,
	// so ServeContent gets the zero time and relies on the ETag.
	http.ServeContent(w, r, "", time.Time{}, f)
}

// fileType is the Content-Type of an original: the type recorded at
// import, else one guessed from the name.
func fileType(p catalog.Photo) string {
	if p.MIME != "" {
		return p.MIME
	}
	if t := mime.TypeByExtension(strings.ToLower(path.Ext(p.Path))); t != "" {
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
