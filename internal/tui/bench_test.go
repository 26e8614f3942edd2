package tui

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/termimg"
)

// The generated 100,000-photo library is made once per test binary run
// and removed by TestMain.
var big struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if big.dir != "" {
		os.RemoveAll(big.dir)
	}
	os.Exit(code)
}

// bigLibrary returns the root of a library of 100,000 photos taken over 20
// years, in a few write transactions through the catalog API (no files:
// the grid shows placeholders where thumbnails would be).
func bigLibrary(b *testing.B) string {
	b.Helper()
	big.once.Do(func() {
		big.dir, big.err = os.MkdirTemp("", "picup-tui-bench-")
		if big.err != nil {
			return
		}
		ctx := context.Background()
		cat, err := catalog.Open(ctx, filepath.Join(big.dir, library.CatalogFile))
		if err != nil {
			big.err = err
			return
		}
		defer cat.Close()
		start := time.Date(2005, 1, 1, 0, 0, 0, 0, time.UTC)
		const n, batch = 100_000, 20_000
		for first := 0; first < n && big.err == nil; first += batch {
			big.err = cat.Write(ctx, func(tx *catalog.Tx) error {
				for i := first; i < first+batch; i++ {
					taken := start.Add(time.Duration(i) * 105 * time.Minute).Format("2006-01-02T15:04:05")
					p := testPhoto(i, taken, fmt.Sprintf("IMG_%06d.JPG", i), "Canon", "Canon EOS 5D")
					if _, err := tx.InsertPhoto(ctx, p); err != nil {
						return err
					}
				}
				return nil
			})
		}
		if big.err == nil {
			big.err = cat.EnsureFirstUser(ctx, "mom") // owns every photo
		}
	})
	if big.err != nil {
		b.Fatal(big.err)
	}
	return big.dir
}

// benchLibrary is the library the first screen and scroll benchmarks
// read: the one PICUP_SCALE_LIBRARY names (scripts/gen-catalog), else
// bigLibrary's 100,000 photos; with the number of its photos.
func benchLibrary(b *testing.B) (string, int) {
	b.Helper()
	root := os.Getenv("PICUP_SCALE_LIBRARY")
	if root == "" {
		return bigLibrary(b), 100_000
	}
	ctx := context.Background()
	lib, err := library.Open(ctx, root)
	if err != nil {
		b.Fatal(err)
	}
	defer lib.Close()
	n, err := lib.Catalog.CountPhotos(ctx, catalog.Filter{})
	if err != nil {
		b.Fatal(err)
	}
	return root, n
}

// BenchmarkFirstScreen measures the time from opening a library of
// 100,000 photos (or PICUP_SCALE_LIBRARY's) to the first screen drawn
// with its data: the timeline's years with their counts, the first page
// of the grid with its count, the detail of the newest photo.
func BenchmarkFirstScreen(b *testing.B) {
	root, total := benchLibrary(b)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		lib, err := library.Open(ctx, root)
		if err != nil {
			b.Fatal(err)
		}
		h := &harness{t: b, m: New(ctx, lib, Options{Images: termimg.Blocks, NoColor: true, Renderer: asciiRenderer()})}
		h.m.tick = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }
		h.send(tea.WindowSizeMsg{Width: 160, Height: 48})
		h.run(h.m.Init())
		screen := h.m.View()
		b.StopTimer()
		if len(h.m.photos.items) == 0 || h.m.photos.total != total || !h.m.tl.loaded || len(screen) == 0 {
			b.Fatalf("first screen without its data: %d photos of %d (want %d), timeline loaded %v",
				len(h.m.photos.items), h.m.photos.total, total, h.m.tl.loaded)
		}
		h.m.Close()
		lib.Close()
		b.StartTimer()
	}
}

// BenchmarkScroll measures one step down the grid of the 100,000-photo
// library (or PICUP_SCALE_LIBRARY's), a row at a time from the newest
// photo onwards: the key handled, the pages read as the window slides,
// and the screen drawn.
func BenchmarkScroll(b *testing.B) {
	root, _ := benchLibrary(b)
	lib, err := library.Open(context.Background(), root)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { lib.Close() })
	h := bigHarness(b, lib)
	down := keyMsg("j")
	b.ResetTimer()
	for b.Loop() {
		h.send(down)
		h.m.View()
	}
	b.StopTimer()
	if h.m.photos.cur == 0 {
		b.Fatal("the cursor did not move")
	}
}

// BenchmarkLookalikes100k measures D on the 100,000-photo library with
// every photo hashed, 1,000 bursts of three among them: from the key to
// the first group drawn (grouping, the groups' photos read, the screen).
func BenchmarkLookalikes100k(b *testing.B) {
	lib := openBig(b)
	ctx := context.Background()
	err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		r := rand.New(rand.NewPCG(1, 2))
		var burst uint64
		for id := int64(1); id <= 100_000; id++ {
			h := r.Uint64()
			switch {
			case id <= 3000 && id%3 == 1:
				burst = h
			case id <= 3000:
				h = burst ^ 1<<(id%64) ^ 1<<((id*7)%64) // two bits from the burst's first
			}
			if err := tx.SetPHash(ctx, id, h, true); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	h := bigHarness(b, lib)
	b.ResetTimer()
	for b.Loop() {
		h.send(keyMsg("D"))
		h.m.View()
		b.StopTimer()
		if n := len(h.m.dupes.groups); n < 1000 || h.m.dupes.err != "" {
			b.Fatalf("%d groups (%s); want the 1,000 bursts", n, h.m.dupes.err)
		}
		h.send(keyMsg("esc"))
		b.StartTimer()
	}
}

// openBig opens the 100,000-photo library until the benchmark ends.
func openBig(b *testing.B) *library.Library {
	b.Helper()
	lib, err := library.Open(context.Background(), bigLibrary(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { lib.Close() })
	return lib
}

// bigHarness is the browser on lib at 160×48, its first screen loaded,
// closed when the benchmark ends.
func bigHarness(b *testing.B, lib *library.Library) *harness {
	b.Helper()
	h := &harness{t: b, m: New(context.Background(), lib, Options{Images: termimg.Blocks, NoColor: true, Renderer: asciiRenderer()})}
	b.Cleanup(h.m.Close)
	h.m.tick = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }
	h.send(tea.WindowSizeMsg{Width: 160, Height: 48})
	h.run(h.m.Init())
	return h
}
