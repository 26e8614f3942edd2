package termimg

import (
	"container/list"
	"sync"
)

// Cache keeps the most recently used rendered pictures, keyed by a caller's
// key (a photo id or thumbnail path) and the Options they were rendered
// with. It is safe for concurrent use.
type Cache struct {
	mu      sync.Mutex
	max     int
	order   *list.List // of *cacheEntry, most recently used first
	entries map[cacheKey]*list.Element
}

type cacheKey struct {
	key string
	o   Options
}

type cacheEntry struct {
	k cacheKey
	p Picture
}

// NewCache returns a cache of at most maxEntries pictures; with
// maxEntries below 1 it keeps nothing.
func NewCache(maxEntries int) *Cache {
	return &Cache{max: maxEntries, order: list.New(), entries: make(map[cacheKey]*list.Element)}
}

// Get returns the picture stored for key and o, and marks it as recently
// used. The picture's Lines are shared: do not modify them.
func (c *Cache) Get(key string, o Options) (Picture, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[cacheKey{key, o}]
	if !ok {
		return Picture{}, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*cacheEntry).p, true
}

// Put stores p for key and o, replacing what was there, and evicts the
// least recently used picture when the cache is full.
func (c *Cache) Put(key string, o Options, p Picture) {
	if c.max < 1 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k := cacheKey{key, o}
	if e, ok := c.entries[k]; ok {
		e.Value.(*cacheEntry).p = p
		c.order.MoveToFront(e)
		return
	}
	c.entries[k] = c.order.PushFront(&cacheEntry{k: k, p: p})
	if c.order.Len() > c.max {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.entries, oldest.Value.(*cacheEntry).k)
	}
}
