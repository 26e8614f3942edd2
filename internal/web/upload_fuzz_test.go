package web

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/sharelink"
)

// FuzzUploadMetadata sends the tus endpoint hostile Upload-Metadata
// headers and file names: the server never fails (5xx), and a file that
// is stored is named after a cleaned version of its name, inside the
// library.
func FuzzUploadMetadata(f *testing.F) {
	for _, s := range []string{"IMG_0001.HEIC", "../../../etc/passwd", "..", "", ".bashrc", "C:\\Users\\me\\a.jpg", "a\x00b.png",
		"\u202egnp.exe", "<script>alert(1)</script>.png", "\xff\xfe.png", strings.Repeat("가", 200) + ".png", "a/b/c.png", "filename x,filetype"} {
		f.Add(s, "filename "+base64.StdEncoding.EncodeToString([]byte(s)))
	}
	f.Add("x.png", "filename")
	f.Add("x.png", "filename !!!notbase64")
	f.Add("x.png", strings.Repeat("k v,", 2000))
	f.Add("x.png", "filename\x00 eA==")
	s := newUploadSite(f, nil, Options{NoRateLimits: true})
	link := s.link(f, sharelink.Spec{UploadAs: "mom"})
	data := noisePNG(f, 1, 32, 24)
	f.Fuzz(func(t *testing.T, name, rawMeta string) {
		c := s.client(t, link, "Aunt Sue")
		// Straight to the handler: Go's client refuses to send some of
		// these header values, a stranger's need not.
		r := httptest.NewRequest("POST", link+"/uploads/", nil)
		r.Header["Tus-Resumable"] = []string{"1.0.0"}
		r.Header["Upload-Length"] = []string{"10"}
		r.Header["Upload-Metadata"] = []string{rawMeta}
		u, err := url.Parse(s.srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		for _, ck := range c.http.Jar.Cookies(u.JoinPath(link)) {
			r.AddCookie(ck)
		}
		w := httptest.NewRecorder()
		s.h.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("create with Upload-Metadata %q: %d %s", rawMeta, w.Code, w.Body)
		}
		loc, a := c.create(int64(len(data)), name)
		if a.status >= 500 {
			t.Fatalf("create named %q: %v", name, a)
		}
		if a.status != http.StatusCreated {
			return
		}
		a = c.patch(loc, 0, data)
		if a.status >= 500 {
			t.Fatalf("upload named %q: %v", name, a)
		}
		id, err := strconv.ParseInt(a.h.Get("Picup-Photo-Id"), 10, 64)
		if err != nil {
			t.Fatalf("upload named %q: %v; want a photo id", name, a)
		}
		p, err := s.lib.Catalog.PhotoByID(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if a.h.Get("Picup-Upload") == "added" && p.OriginalName != archive.SafeFileName(name) {
			t.Errorf("upload named %q stored as %q; want %q", name, p.OriginalName, archive.SafeFileName(name))
		}
		if !strings.HasPrefix(p.Path, "originals/") || strings.Contains(p.Path, "..") || path.Clean(p.Path) != p.Path {
			t.Errorf("upload named %q stored at %q, outside originals/", name, p.Path)
		}
	})
}

// SafeFileName's promises hold for any name a device sends.
func FuzzSafeFileName(f *testing.F) {
	for _, s := range []string{"IMG_1.HEIC", "../../x", "..", "", "a\\b", "\u202e", "\xff", strings.Repeat("가", 100) + ".jpeg", ". . .png"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := archive.SafeFileName(name)
		if got == "" || !utf8.ValidString(got) || len(got) > 120 || strings.ContainsAny(got, "/\\") || strings.HasPrefix(got, ".") {
			t.Fatalf("SafeFileName(%q) = %q: empty, invalid UTF-8, over 120 bytes, a path or hidden", name, got)
		}
		for _, r := range got {
			if unicode.IsControl(r) || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') {
				t.Fatalf("SafeFileName(%q) = %q keeps %U", name, got, r)
			}
		}
	})
}
