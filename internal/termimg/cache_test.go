package termimg

import (
	"fmt"
	"sync"
	"testing"
)

func pic(s string) Picture { return Picture{Lines: []string{s}} }

func TestCacheLRU(t *testing.T) {
	o := Options{Mode: Blocks, Cols: 4, Rows: 2}
	c := NewCache(2)
	c.Put("a", o, pic("A"))
	c.Put("b", o, pic("B"))
	if p, ok := c.Get("a", o); !ok || p.Lines[0] != "A" { // a is now the most recent
		t.Fatalf("Get(a) = %v, %v", p, ok)
	}
	c.Put("c", o, pic("C")) // evicts b, the least recently used
	if _, ok := c.Get("b", o); ok {
		t.Error("b was not evicted")
	}
	for _, k := range []string{"a", "c"} {
		if _, ok := c.Get(k, o); !ok {
			t.Errorf("%s was evicted", k)
		}
	}
	c.Put("a", o, pic("A2")) // replaces, evicts nothing
	if p, _ := c.Get("a", o); p.Lines[0] != "A2" {
		t.Errorf("Get(a) after a second Put = %v, want A2", p)
	}
	if _, ok := c.Get("c", o); !ok {
		t.Error("replacing a evicted c")
	}
}

func TestCacheKeyIncludesOptions(t *testing.T) {
	c := NewCache(10)
	base := Options{Mode: Blocks, Cols: 4, Rows: 2}
	variants := []Options{base, {Mode: Kitty, Cols: 4, Rows: 2}, {Mode: Blocks, Cols: 5, Rows: 2},
		{Mode: Blocks, Cols: 4, Rows: 3}, {Mode: Blocks, Cols: 4, Rows: 2, NoColor: true}, {Mode: Blocks, Cols: 4, Rows: 2, ID: 1}}
	for i, o := range variants {
		c.Put("photo", o, pic(fmt.Sprint(i)))
	}
	for i, o := range variants {
		if p, ok := c.Get("photo", o); !ok || p.Lines[0] != fmt.Sprint(i) {
			t.Errorf("Get(photo, %+v) = %v, %v; want %d", o, p, ok, i)
		}
	}
	if _, ok := c.Get("other", base); ok {
		t.Error("Get of an unknown key succeeded")
	}
}

func TestCacheZeroSize(t *testing.T) {
	c := NewCache(0)
	c.Put("a", Options{}, pic("A"))
	if _, ok := c.Get("a", Options{}); ok {
		t.Error("a cache of 0 entries kept a picture")
	}
}

func TestCacheConcurrent(t *testing.T) {
	const size, workers, keys = 16, 8, 64
	c := NewCache(size)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range 500 {
				k := fmt.Sprint((i*7 + w) % keys)
				o := Options{Mode: Blocks, Cols: i % 3, Rows: 1}
				if p, ok := c.Get(k, o); ok && p.Lines[0] != k {
					t.Errorf("Get(%s) returned the picture of %s", k, p.Lines[0])
				}
				c.Put(k, o, pic(k))
			}
		})
	}
	wg.Wait()
	held := 0
	for k := range keys {
		for cols := range 3 {
			if _, ok := c.Get(fmt.Sprint(k), Options{Mode: Blocks, Cols: cols, Rows: 1}); ok {
				held++
			}
		}
	}
	if held > size {
		t.Errorf("cache holds %d pictures, more than its %d", held, size)
	}
	if held == 0 {
		t.Error("cache holds nothing after the writes")
	}
}
