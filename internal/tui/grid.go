package tui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/picup/picup/internal/catalog"
)

// source is what a photo grid lists, page by page from a photo of it.
type source interface {
	// after returns up to limit photos after p (nil: from the first).
	after(ctx context.Context, c *catalog.Catalog, p *catalog.Photo, limit int) ([]catalog.Photo, error)
	// before returns up to limit photos just before p (nil: the last ones),
	// in listing order.
	before(ctx context.Context, c *catalog.Catalog, p *catalog.Photo, limit int) ([]catalog.Photo, error)
	// from returns up to limit photos from p on, p included when it is
	// still listed.
	from(ctx context.Context, c *catalog.Catalog, p catalog.Photo, limit int) ([]catalog.Photo, error)
	count(ctx context.Context, c *catalog.Catalog) (int, error)
	// position is how many photos come before p.
	position(ctx context.Context, c *catalog.Catalog, p catalog.Photo) (int, error)
	// between returns the ids of the photos from a to b, both included.
	between(ctx context.Context, c *catalog.Catalog, a, b catalog.Photo) ([]int64, error)
}

// liveSource lists the photos outside the trash that match a filter,
// newest first by capture time.
type liveSource struct{ f catalog.Filter }

func cursorPtr(p *catalog.Photo) *catalog.Cursor {
	if p == nil {
		return nil
	}
	c := catalog.CursorOf(*p)
	return &c
}

func (s liveSource) after(ctx context.Context, c *catalog.Catalog, p *catalog.Photo, limit int) ([]catalog.Photo, error) {
	return c.BrowsePhotos(ctx, s.f, cursorPtr(p), limit)
}

func (s liveSource) before(ctx context.Context, c *catalog.Catalog, p *catalog.Photo, limit int) ([]catalog.Photo, error) {
	return c.BrowsePhotosBefore(ctx, s.f, cursorPtr(p), limit)
}

func (s liveSource) from(ctx context.Context, c *catalog.Catalog, p catalog.Photo, limit int) ([]catalog.Photo, error) {
	cur := catalog.Cursor{TakenKey: p.TakenKey, ID: p.ID + 1}
	return c.BrowsePhotos(ctx, s.f, &cur, limit)
}

func (s liveSource) count(ctx context.Context, c *catalog.Catalog) (int, error) {
	return c.CountPhotos(ctx, s.f)
}

func (s liveSource) position(ctx context.Context, c *catalog.Catalog, p catalog.Photo) (int, error) {
	return c.CountPhotosBefore(ctx, s.f, catalog.CursorOf(p))
}

func (s liveSource) between(ctx context.Context, c *catalog.Catalog, a, b catalog.Photo) ([]int64, error) {
	return c.PhotoIDsBetween(ctx, s.f, catalog.CursorOf(a), catalog.CursorOf(b))
}

// trashSource lists the trash, most recently trashed first.
type trashSource struct{}

func (trashSource) after(ctx context.Context, c *catalog.Catalog, p *catalog.Photo, limit int) ([]catalog.Photo, error) {
	if p == nil {
		return c.TrashedPhotos(ctx, time.Time{}, 0, limit)
	}
	return c.TrashedPhotos(ctx, p.TrashedAt, p.ID, limit)
}

func (trashSource) before(ctx context.Context, c *catalog.Catalog, p *catalog.Photo, limit int) ([]catalog.Photo, error) {
	if p == nil {
		return c.TrashedPhotosBefore(ctx, time.Time{}, 0, limit)
	}
	return c.TrashedPhotosBefore(ctx, p.TrashedAt, p.ID, limit)
}

func (trashSource) from(ctx context.Context, c *catalog.Catalog, p catalog.Photo, limit int) ([]catalog.Photo, error) {
	return c.TrashedPhotos(ctx, p.TrashedAt, p.ID+1, limit)
}

func (trashSource) count(ctx context.Context, c *catalog.Catalog) (int, error) {
	return c.CountTrashed(ctx)
}

func (trashSource) position(ctx context.Context, c *catalog.Catalog, p catalog.Photo) (int, error) {
	return c.CountTrashedBefore(ctx, p.TrashedAt, p.ID)
}

func (trashSource) between(ctx context.Context, c *catalog.Catalog, a, b catalog.Photo) ([]int64, error) {
	return c.TrashedIDsBetween(ctx, a.TrashedAt, a.ID, b.TrashedAt, b.ID)
}

// Window sizes: a grid holds at most maxWindow photos around its cursor
// and loads page photos at a time as the cursor nears either end.
const (
	page      = 120
	maxWindow = 4 * page
)

// grid is a virtual grid of photos: a window of loaded photos at absolute
// positions start…start+len(items)-1 of the listing, the cursor and the
// first visible row, also absolute.
type grid struct {
	name   string // "timeline" or "trash": which grid a message is for
	src    source
	items  []catalog.Photo
	start  int
	cur    int
	topRow int
	total  int // -1 until counted
	atTop  bool
	atEnd  bool

	gen              int // a reset, jump or reload starts a new generation
	loading          bool
	loadingForward   bool
	loadingBackwards bool
	err              string
}

func newGrid(name string, src source) grid {
	return grid{name: name, src: src, total: -1}
}

// current is the photo under the cursor.
func (g *grid) current() (catalog.Photo, bool) {
	i := g.cur - g.start
	if i < 0 || i >= len(g.items) {
		return catalog.Photo{}, false
	}
	return g.items[i], true
}

// at is the photo at an absolute position, if loaded.
func (g *grid) at(abs int) (catalog.Photo, bool) {
	i := abs - g.start
	if i < 0 || i >= len(g.items) {
		return catalog.Photo{}, false
	}
	return g.items[i], true
}

// move moves the cursor by delta within the loaded window.
func (g *grid) move(delta int) {
	if len(g.items) == 0 {
		return
	}
	g.cur = min(max(g.cur+delta, g.start), g.start+len(g.items)-1)
}

// scrollTo keeps the cursor's row on screen.
func (g *grid) scrollTo(cols, rows int) {
	if cols < 1 || rows < 1 {
		return
	}
	row := g.cur / cols
	if row < g.topRow {
		g.topRow = row
	}
	if row >= g.topRow+rows {
		g.topRow = row - rows + 1
	}
	g.topRow = max(g.topRow, 0)
}

// pageKind says how a page of photos joins the window.
type pageKind int

const (
	pageReset  pageKind = iota // a new listing from its start
	pageEnd                    // a new window at the end of the listing
	pageReload                 // the same window, reread
	pageJump                   // a new listing from a photo of it, which gets the cursor
	pageForward
	pageBackwards
)

// gridMsg carries a page of photos to a grid.
type gridMsg struct {
	grid   string
	gen    int
	kind   pageKind
	src    source // resets: the source the page came from
	photos []catalog.Photo
	total  int // resets, ends and reloads: the listing's size
	start  int // reloads: the position of the first photo
	limit  int
	err    error
}

// reset starts the grid over on a new source, from its first photo. The
// query resolves (album and user names) inside the command.
func (g *grid) reset(ctx context.Context, c *catalog.Catalog, resolve func(context.Context) (source, error)) tea.Cmd {
	g.gen++
	g.loading, g.loadingForward, g.loadingBackwards = true, false, false
	name, gen := g.name, g.gen
	return func() tea.Msg {
		src, err := resolve(ctx)
		if err != nil {
			return gridMsg{grid: name, gen: gen, kind: pageReset, err: err}
		}
		ps, err := src.after(ctx, c, nil, page)
		if err != nil {
			return gridMsg{grid: name, gen: gen, kind: pageReset, err: err}
		}
		n, err := src.count(ctx, c)
		return gridMsg{grid: name, gen: gen, kind: pageReset, src: src, photos: ps, total: n, limit: page, err: err}
	}
}

// jump starts the grid over on src from the photo p: the cursor goes on
// it, and the photos before it load as the cursor moves back.
func (g *grid) jump(ctx context.Context, c *catalog.Catalog, src source, p catalog.Photo) tea.Cmd {
	g.gen++
	g.loading, g.loadingForward, g.loadingBackwards = true, false, false
	name, gen := g.name, g.gen
	return func() tea.Msg {
		ps, err := src.from(ctx, c, p, page)
		if err == nil && (len(ps) == 0 || ps[0].ID != p.ID) {
			err = fmt.Errorf("%s is no longer listed", p.OriginalName)
		}
		if err != nil {
			return gridMsg{grid: name, gen: gen, kind: pageJump, err: err}
		}
		start, err := src.position(ctx, c, p)
		if err != nil {
			return gridMsg{grid: name, gen: gen, kind: pageJump, err: err}
		}
		n, err := src.count(ctx, c)
		return gridMsg{grid: name, gen: gen, kind: pageJump, src: src, photos: ps, total: n, start: start, limit: page, err: err}
	}
}

// jumpEnd loads the last page of the listing.
func (g *grid) jumpEnd(ctx context.Context, c *catalog.Catalog) tea.Cmd {
	g.gen++
	g.loading, g.loadingForward, g.loadingBackwards = true, false, false
	name, gen, src := g.name, g.gen, g.src
	return func() tea.Msg {
		ps, err := src.before(ctx, c, nil, page)
		if err != nil {
			return gridMsg{grid: name, gen: gen, kind: pageEnd, err: err}
		}
		n, err := src.count(ctx, c)
		return gridMsg{grid: name, gen: gen, kind: pageEnd, photos: ps, total: n, limit: page, err: err}
	}
}

// reload rereads the window (after a change in the catalog), from its
// first photo.
func (g *grid) reload(ctx context.Context, c *catalog.Catalog) tea.Cmd {
	if g.src == nil {
		return nil
	}
	g.gen++
	g.loading, g.loadingForward, g.loadingBackwards = true, false, false
	name, gen, src := g.name, g.gen, g.src
	var first *catalog.Photo
	if g.start > 0 && len(g.items) > 0 {
		p := g.items[0]
		first = &p
	}
	limit := max(page, len(g.items))
	return func() tea.Msg {
		var ps []catalog.Photo
		var err error
		start := 0
		if first != nil {
			if ps, err = src.from(ctx, c, *first, limit); err == nil && len(ps) > 0 {
				// Photos may have come or gone before the window.
				start, err = src.position(ctx, c, ps[0])
			}
		}
		if err == nil && len(ps) == 0 {
			ps, err = src.after(ctx, c, nil, limit)
		}
		if err != nil {
			return gridMsg{grid: name, gen: gen, kind: pageReload, err: err}
		}
		n, err := src.count(ctx, c)
		return gridMsg{grid: name, gen: gen, kind: pageReload, photos: ps, total: n, start: start, limit: limit, err: err}
	}
}

// fill loads the next page in either direction when the cursor comes
// within a screen or two of the window's end.
func (g *grid) fill(ctx context.Context, c *catalog.Catalog, screen int) tea.Cmd {
	if g.loading || g.src == nil || len(g.items) == 0 {
		return nil
	}
	var cmds []tea.Cmd
	name, gen, src := g.name, g.gen, g.src
	if !g.atEnd && !g.loadingForward && g.start+len(g.items)-g.cur <= 2*screen {
		g.loadingForward = true
		last := g.items[len(g.items)-1]
		cmds = append(cmds, func() tea.Msg {
			ps, err := src.after(ctx, c, &last, page)
			return gridMsg{grid: name, gen: gen, kind: pageForward, photos: ps, limit: page, err: err}
		})
	}
	if !g.atTop && !g.loadingBackwards && g.cur-g.start <= 2*screen {
		g.loadingBackwards = true
		first := g.items[0]
		cmds = append(cmds, func() tea.Msg {
			ps, err := src.before(ctx, c, &first, page)
			return gridMsg{grid: name, gen: gen, kind: pageBackwards, photos: ps, limit: page, err: err}
		})
	}
	return tea.Batch(cmds...)
}

// apply joins a page to the window. It reports false for a stale page.
func (g *grid) apply(msg gridMsg) bool {
	if msg.gen != g.gen {
		return false
	}
	if msg.err != nil {
		g.loading, g.loadingForward, g.loadingBackwards = false, false, false
		g.err = msg.err.Error()
		return true
	}
	g.err = ""
	full := len(msg.photos) == msg.limit
	switch msg.kind {
	case pageReset:
		g.src = msg.src
		g.items, g.start, g.cur, g.topRow = msg.photos, 0, 0, 0
		g.total, g.atTop, g.atEnd = msg.total, true, !full
		g.loading = false
	case pageJump:
		g.src, g.items, g.total, g.start = msg.src, msg.photos, msg.total, msg.start
		g.cur, g.atTop, g.atEnd = msg.start, msg.start == 0, !full
		g.topRow = g.cur // past the cursor's row: scrollTo makes that row the first shown
		g.loading = false
	case pageEnd:
		g.items, g.total, g.atEnd = msg.photos, msg.total, true
		g.start = max(0, msg.total-len(msg.photos))
		g.atTop = g.start == 0
		g.cur = g.start + len(msg.photos) - 1
		g.topRow = 0
		g.loading = false
	case pageReload:
		keep, _ := g.current()
		offset := g.cur - g.start
		g.items, g.total, g.atEnd = msg.photos, msg.total, !full
		g.loading = false
		g.start = msg.start
		g.atTop = g.start == 0
		g.cur = g.start + min(offset, max(0, len(g.items)-1))
		for i, p := range g.items {
			if p.ID == keep.ID {
				g.cur = g.start + i
			}
		}
	case pageForward:
		g.loadingForward = false
		g.items = append(g.items, msg.photos...)
		g.atEnd = !full
		if drop := len(g.items) - maxWindow; drop > 0 && g.cur-g.start > drop+page {
			g.items = append([]catalog.Photo(nil), g.items[drop:]...)
			g.start += drop
			g.atTop = false
		}
	case pageBackwards:
		g.loadingBackwards = false
		n := len(msg.photos)
		g.items = append(append([]catalog.Photo(nil), msg.photos...), g.items...)
		g.start -= n
		if !full || g.start <= 0 {
			// The first photo of the listing: positions count from here.
			g.cur -= g.start
			g.start = 0
			g.atTop = true
		}
		if drop := len(g.items) - maxWindow; drop > 0 && g.start+len(g.items)-g.cur > drop+page {
			g.items = g.items[:len(g.items)-drop]
			g.atEnd = false
		}
	}
	return true
}

// position says where the cursor is: "12 of 1,234".
func (g *grid) position() string {
	if len(g.items) == 0 {
		return ""
	}
	if g.total < 0 {
		return commas(g.cur + 1)
	}
	return commas(g.cur+1) + " of " + commas(g.total)
}

// commas writes n with thousands separators.
func commas(n int) string {
	s := strings.TrimPrefix(strconv.Itoa(n), "-")
	var b strings.Builder
	if n < 0 {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
