package archive

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/url"
	"sync"
	"time"

	"github.com/picup/picup/internal/blob"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/remote"
	"github.com/picup/picup/internal/thumb"
)

// Kinds of a photo's files that the viewer may send a browser to a remote
// for (see Media.Locate).
const (
	MediaOriginal = "original"
	MediaVideo    = "video"
	MediaScreen   = string(thumb.Screen) // the screen-size thumbnail; grid thumbnails always come from the library
)

// MediaOptions say where the viewer's media may come from besides the
// library.
type MediaOptions struct {
	// From names the remote whose synced copies of originals, videos and
	// screen thumbnails browsers are sent to (picup serve --media-from);
	// "" for none. Offloaded originals always come from the remote that
	// holds them.
	From string
	// BaseURL replaces the scheme and host of From's presigned URLs (a
	// CDN or another domain in front of the bucket); nil for none.
	BaseURL *url.URL
}

// Media decides where the viewer's browsers get a photo's files from: the
// library, or a presigned URL of the copy in a remote. It keeps each
// remote it has opened; it is safe for concurrent use.
type Media struct {
	a    *Archive
	from catalog.Remote // the zero Remote without MediaOptions.From
	base *url.URL

	mu      sync.Mutex
	remotes map[string]*mediaRemote // by name; opened when first needed
	version int64                   // catalog version origins was read at
	origins []string
	read    bool      // origins holds what was read at version
	retry   time.Time // with a remote left out of origins: when to try it again
}

type mediaRemote struct {
	r      catalog.Remote
	store  blob.Store // with retries, for downloads
	s3     *blob.S3   // for presigning
	origin string     // scheme and host of its presigned URLs; "" until known
}

// Media returns the decisions of where media come from. With o.From it
// opens that remote (its credentials are read now): an unknown name is
// catalog.ErrNotFound.
func (a *Archive) Media(ctx context.Context, o MediaOptions) (*Media, error) {
	if o.From == "" {
		if o.BaseURL != nil {
			return nil, errors.New("a media base URL needs the remote it stands in front of")
		}
		return a.OffloadedMedia(), nil
	}
	m := &Media{a: a, base: o.BaseURL, remotes: map[string]*mediaRemote{}}
	mr, err := m.open(ctx, o.From)
	if err != nil {
		return nil, err
	}
	m.from = mr.r
	return m, nil
}

// OffloadedMedia returns the decisions of where media come from without
// MediaOptions.From: only offloaded originals come from a remote.
func (a *Archive) OffloadedMedia() *Media {
	return &Media{a: a, remotes: map[string]*mediaRemote{}}
}

// HasFrom reports whether MediaOptions.From named a remote.
func (m *Media) HasFrom() bool { return m.from.Name != "" }

// From is the remote of MediaOptions.From (the zero Remote without one).
func (m *Media) From() catalog.Remote { return m.from }

// Check makes one presigned URL of the MediaOptions.From remote, within
// ten seconds: what the first redirect would need (with no region
// configured, the bucket's is asked for once).
func (m *Media) Check(ctx context.Context) error {
	if m.from.Name == "" {
		return nil
	}
	mr, err := m.open(ctx, m.from.Name)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err = mr.s3.PresignGet(ctx, "originals", time.Second, blob.ResponseHeaders{})
	return err
}

// open returns the remote named name, opened.
func (m *Media) open(ctx context.Context, name string) (*mediaRemote, error) {
	m.mu.Lock()
	mr := m.remotes[name]
	m.mu.Unlock()
	if mr != nil {
		return mr, nil
	}
	r, err := m.a.lib.Catalog.RemoteByName(ctx, name)
	if err != nil {
		return nil, err
	}
	store, s3, err := remote.Open(ctx, r, remote.Options{})
	if err != nil {
		return nil, err
	}
	mr = &mediaRemote{r: r, store: store, s3: s3}
	m.mu.Lock()
	if had := m.remotes[name]; had != nil {
		mr = had
	} else {
		m.remotes[name] = mr
	}
	m.mu.Unlock()
	return mr, nil
}

// Locate returns a presigned URL, living for life, of the copy in a
// remote of one file of a photo (kind MediaOriginal, MediaVideo or
// MediaScreen), with the response headers h; "" when the file is to be
// served from the library. An offloaded original (or video) always comes
// from the remote holding it; otherwise only with MediaOptions.From, and
// only when the catalog records the object as synced to it with the same
// content. Grid thumbnails and unknown kinds always answer "".
func (m *Media) Locate(ctx context.Context, f catalog.MediaFile, kind string, life time.Duration, h blob.ResponseHeaders) (string, error) {
	var name, key string
	switch kind {
	case MediaOriginal, MediaVideo:
		key = f.Path
		switch {
		case f.Offloaded != "":
			name = f.Offloaded
		case m.from.Name != "" && m.synced(ctx, key, f.SHA256):
			name = m.from.Name
		}
	case MediaScreen:
		if key = library.ThumbPath(f.SHA256, thumb.Screen); m.from.Name != "" && m.synced(ctx, key, "") {
			name = m.from.Name
		}
	}
	if name == "" {
		return "", nil
	}
	mr, err := m.open(ctx, name)
	if err != nil {
		return "", fmt.Errorf("remote %q: %w", name, err)
	}
	u, err := mr.s3.PresignGet(ctx, key, life, h)
	if err != nil {
		return "", fmt.Errorf("remote %q: %w", name, err)
	}
	if name == m.from.Name {
		u = blob.Rebase(u, m.base)
	}
	return u.String(), nil
}

// synced reports whether the catalog records key as synced to the
// MediaOptions.From remote, with the content sha when it is not "".
func (m *Media) synced(ctx context.Context, key, sha string) bool {
	o, err := m.a.lib.Catalog.RemoteObjectByKey(ctx, m.from.Name, key)
	return err == nil && (sha == "" || o.SHA256 == sha)
}

// Origins lists the scheme and host of every URL Locate may answer with
// now: the base URL or the MediaOptions.From remote, and each remote
// holding offloaded originals (as far as each is known: a remote that
// could not be reached within 3 s is left out, and tried again a minute
// later). For the viewer's Content-Security-Policy.
func (m *Media) Origins(ctx context.Context) ([]string, error) {
	v, err := m.a.lib.Catalog.CatalogVersion(ctx)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	if m.read && m.version == v && (m.retry.IsZero() || time.Now().Before(m.retry)) {
		out := m.origins
		m.mu.Unlock()
		return out, nil
	}
	m.mu.Unlock()
	names, err := m.a.lib.Catalog.OffloadRemotes(ctx)
	if err != nil {
		return nil, err
	}
	if m.from.Name != "" {
		names = append([]string{m.from.Name}, names...)
	}
	var out []string
	complete := true
	seen := map[string]bool{}
	for _, name := range names {
		o, err := m.origin(ctx, name)
		if err != nil {
			complete = false
			continue
		}
		if !seen[o] {
			seen[o] = true
			out = append(out, o)
		}
	}
	m.mu.Lock()
	m.version, m.origins, m.read, m.retry = v, out, true, time.Time{}
	if !complete {
		m.retry = time.Now().Add(originRetry)
	}
	m.mu.Unlock()
	return out, nil
}

// originRetry is how long Origins leaves out a remote it could not reach
// before it tries again.
const originRetry = time.Minute

// origin is the scheme and host of the URLs Locate makes for the remote
// named name, learnt from a presigned URL once.
func (m *Media) origin(ctx context.Context, name string) (string, error) {
	if name == m.from.Name && m.base != nil {
		return blob.Origin(m.base), nil
	}
	mr, err := m.open(ctx, name)
	if err != nil {
		return "", err
	}
	m.mu.Lock()
	o := mr.origin
	m.mu.Unlock()
	if o != "" {
		return o, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	u, err := mr.s3.PresignGet(ctx, "originals", time.Second, blob.ResponseHeaders{})
	if err != nil {
		return "", err
	}
	o = blob.Origin(u)
	m.mu.Lock()
	mr.origin = o
	m.mu.Unlock()
	return o, nil
}

// OpenOffloaded streams the original of an offloaded photo from the
// remote holding it. The reader fails at its end when what came is not
// the photo's content (another size or SHA-256).
func (m *Media) OpenOffloaded(ctx context.Context, p catalog.Photo) (io.ReadCloser, error) {
	if p.Offloaded == "" {
		return nil, fmt.Errorf("photo %d: its original is not offloaded", p.ID)
	}
	mr, err := m.open(ctx, p.Offloaded)
	if err != nil {
		return nil, fmt.Errorf("remote %q: %w", p.Offloaded, err)
	}
	rc, _, err := mr.store.Get(ctx, p.Path)
	if err != nil {
		return nil, fmt.Errorf("remote %q: %w", p.Offloaded, err)
	}
	return &checkedReader{rc: rc, h: sha256.New(), left: p.Bytes, want: p.SHA256, key: p.Path}, nil
}

// checkedReader reads an object and fails at its end unless it had the
// size and SHA-256 wanted.
type checkedReader struct {
	rc   io.ReadCloser
	h    hash.Hash
	left int64
	want string
	key  string
}

func (c *checkedReader) Read(b []byte) (int, error) {
	n, err := c.rc.Read(b)
	c.h.Write(b[:n])
	c.left -= int64(n)
	if c.left < 0 {
		return n, fmt.Errorf("%s: the remote copy is longer than the original", c.key)
	}
	if errors.Is(err, io.EOF) {
		if got := hex.EncodeToString(c.h.Sum(nil)); c.left != 0 || got != c.want {
			return n, fmt.Errorf("%s: the remote copy is not the original (sha256 %s, %d bytes short); run \"picup verify --remote\"", c.key, got, c.left)
		}
	}
	return n, err
}

func (c *checkedReader) Close() error { return c.rc.Close() }
