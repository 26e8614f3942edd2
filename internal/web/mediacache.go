package web

import (
	"container/list"
	"context"
	"errors"
	"io"
	"os"
	"sync"

	"github.com/picup/picup/internal/catalog"
)

// mediaCache keeps in memory what the media route reads from the catalog
// for every photo it serves: share rows by id, and whether a share opens
// a photo (with the photo's files). Every entry was read at one
// catalog_version, and is used only by requests that read the same
// version from the catalog first: any change that matters — a link
// revoked, extended or given a password, a photo moved to the trash,
// taken out of an album or offloaded, by this process or by a command run
// next to it — raises the version, and the next request reads afresh.
// Expiry is decided on every request from the cached expiry time.
//
// A request reads the version before the rows, so a row stored under a
// version is at least as new as that version; the version that follows a
// later change empties the cache. Both maps are bounded: past maxShares
// or maxFiles entries an arbitrary entry makes room.
type mediaCache struct {
	maxShares, maxFiles int

	mu      sync.RWMutex
	version int64
	shares  map[int64]shareEntry
	files   map[fileKey]fileEntry
}

type shareEntry struct {
	sh  catalog.Share
	err error // catalog.ErrNotFound, or nil
}

type fileKey struct{ share, photo int64 }

type fileEntry struct {
	f   catalog.MediaFile
	err error // catalog.ErrNotFound when the share does not open the photo, or nil
}

// Default bounds: a share row is some 300 bytes and a file entry some 350,
// so a full cache holds about 20 MB, the photos of a few large albums.
const (
	mediaCacheShares = 4096
	mediaCacheFiles  = 50_000
)

func newMediaCache(maxShares, maxFiles int) *mediaCache {
	return &mediaCache{
		maxShares: maxShares, maxFiles: maxFiles,
		shares: map[int64]shareEntry{}, files: map[fileKey]fileEntry{},
	}
}

// share returns the share with id as of catalog version v.
func (c *mediaCache) share(ctx context.Context, cat *catalog.Catalog, v, id int64) (catalog.Share, error) {
	c.mu.RLock()
	e, ok := c.shares[id]
	ok = ok && c.version == v
	c.mu.RUnlock()
	if ok {
		return e.sh, e.err
	}
	sh, err := cat.ShareByID(ctx, id)
	if err != nil && !errors.Is(err, catalog.ErrNotFound) {
		return sh, err
	}
	c.mu.Lock()
	if c.at(v) {
		putBounded(c.shares, id, shareEntry{sh, err}, c.maxShares)
	}
	c.mu.Unlock()
	return sh, err
}

// file returns the files of a photo that sh opens as of catalog version
// v; catalog.ErrNotFound when it does not open it.
func (c *mediaCache) file(ctx context.Context, cat *catalog.Catalog, v int64, sh catalog.Share, photoID int64) (catalog.MediaFile, error) {
	k := fileKey{sh.ID, photoID}
	c.mu.RLock()
	e, ok := c.files[k]
	ok = ok && c.version == v
	c.mu.RUnlock()
	if ok {
		return e.f, e.err
	}
	f, err := cat.SharedFile(ctx, sh, photoID)
	if err != nil && !errors.Is(err, catalog.ErrNotFound) {
		return f, err
	}
	c.mu.Lock()
	if c.at(v) {
		putBounded(c.files, k, fileEntry{f, err}, c.maxFiles)
	}
	c.mu.Unlock()
	return f, err
}

// at moves the cache to version v when v is newer, emptying it, and
// reports whether entries read at v may be stored. c.mu is held.
func (c *mediaCache) at(v int64) bool {
	if v > c.version {
		c.version = v
		clear(c.shares)
		clear(c.files)
	}
	return v == c.version
}

// putBounded stores m[k] = v, first dropping an arbitrary entry when m
// holds limit entries already.
func putBounded[K comparable, V any](m map[K]V, k K, v V, limit int) {
	if _, ok := m[k]; !ok && len(m) >= limit {
		for old := range m {
			delete(m, old)
			break
		}
	}
	m[k] = v
}

// thumbCache keeps the bytes of recently served thumbnails in memory, the
// least recently used leaving first past maxBytes in all, so that most
// thumbnails are sent without opening a file. A thumbnail's path holds
// its content's hash, so its bytes change only when it is made again
// (picup verify --repair), which the catalog records: an entry is
// checked against the file (same file, size and modification time) once
// the catalog's version has moved since it was read or last checked.
type thumbCache struct {
	maxBytes, maxEntry int64 // in all; of one file (larger ones are served from disk)

	mu    sync.Mutex
	bytes int64
	lru   *list.List // of *thumbEntry, most recently used first
	byKey map[string]*list.Element
}

type thumbEntry struct {
	path     string
	data     []byte
	fi       os.FileInfo // the file data was read from
	verified int64       // catalog version that fi was last found true at
}

// Default bounds: about 2,800 grid thumbnails of 23 KiB, or a mix with
// some screen-size ones.
const (
	thumbCacheBytes = 64 << 20
	thumbCacheEntry = 1 << 20
)

func newThumbCache(maxBytes, maxEntry int64) *thumbCache {
	return &thumbCache{maxBytes: maxBytes, maxEntry: maxEntry, lru: list.New(), byKey: map[string]*list.Element{}}
}

// get returns the bytes of the file at path as of catalog version v (read
// after v was): from memory, or read and kept. It returns nil and no
// error when the file is larger than maxEntry: serve it from disk.
func (c *thumbCache) get(v int64, path string) ([]byte, error) {
	c.mu.Lock()
	var e *thumbEntry
	if el, ok := c.byKey[path]; ok {
		c.lru.MoveToFront(el)
		e = el.Value.(*thumbEntry)
		if e.verified >= v {
			c.mu.Unlock()
			return e.data, nil
		}
	}
	c.mu.Unlock()
	if e != nil {
		fi, err := os.Stat(path)
		if err == nil && os.SameFile(fi, e.fi) && fi.Size() == e.fi.Size() && fi.ModTime().Equal(e.fi.ModTime()) {
			c.mu.Lock()
			e.verified = max(e.verified, v)
			c.mu.Unlock()
			return e.data, nil
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() > c.maxEntry {
		return nil, nil
	}
	data := make([]byte, fi.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, err
	}
	c.put(&thumbEntry{path: path, data: data, fi: fi, verified: v})
	return data, nil
}

// put stores e in place of any entry for its path, then drops the least
// recently used entries past maxBytes.
func (c *thumbCache) put(e *thumbEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[e.path]; ok {
		c.bytes -= int64(len(el.Value.(*thumbEntry).data))
		c.lru.Remove(el)
	}
	c.byKey[e.path] = c.lru.PushFront(e)
	c.bytes += int64(len(e.data))
	for c.bytes > c.maxBytes {
		old := c.lru.Remove(c.lru.Back()).(*thumbEntry)
		delete(c.byKey, old.path)
		c.bytes -= int64(len(old.data))
	}
}
