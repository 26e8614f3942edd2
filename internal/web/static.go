package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sync"
	"time"
)

// staticFile is one embedded CSS or JavaScript file, compressed once at
// startup.
type staticFile struct {
	ctype   string
	version string // first 12 hex digits of the SHA-256 of raw
	raw, gz []byte // gz is nil when compressing does not pay
}

// staticSet reads and compresses every file under static/ once.
var staticSet = sync.OnceValue(func() map[string]*staticFile {
	set := map[string]*staticFile{}
	err := fs.WalkDir(assets, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := assets.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(raw)
		f := &staticFile{ctype: mime.TypeByExtension(path.Ext(p)), version: hex.EncodeToString(sum[:6]), raw: raw}
		if f.ctype == "" {
			f.ctype = "application/octet-stream"
		}
		if hasAnyPrefix(f.ctype, compressible) {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			_, _ = zw.Write(raw) // into memory
			_ = zw.Close()
			if buf.Len() < len(raw) {
				f.gz = buf.Bytes()
			}
		}
		set[path.Base(p)] = f
		return nil
	})
	if err != nil {
		panic(err) // the files are compiled in: this cannot fail at run time
	}
	return set
})

// staticURL is the versioned URL of an embedded file, for templates:
// /static/viewer.css?v=0123456789ab. A URL with the current version is
// cached for a year; a new build changes the version.
func staticURL(name string) string {
	f, ok := staticSet()[name]
	if !ok {
		panic("no static file " + name)
	}
	return "/static/" + name + "?v=" + f.version
}

// staticFiles serves the embedded files by name only (no directories, no
// listing, nothing else reachable), gzip-compressed when the client
// accepts it and asks for no range.
func staticFiles() http.Handler {
	set := staticSet()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := set[r.PathValue("name")]
		if !ok {
			notFound(w)
			return
		}
		h := w.Header()
		h.Set("Content-Type", f.ctype)
		h.Add("Vary", "Accept-Encoding")
		if r.URL.Query().Get("v") == f.version {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "public, max-age=3600")
		}
		body, etag := f.raw, `"`+f.version+`"`
		if f.gz != nil && r.Header.Get("Range") == "" && acceptsGzip(r) {
			body, etag = f.gz, `"`+f.version+`-gz"`
			h.Set("Content-Encoding", "gzip")
		}
		h.Set("ETag", etag)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	})
}
