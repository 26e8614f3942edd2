// Package tui is picup's terminal browser: a timeline of the archive with
// a grid of thumbnails and the photos' details, albums, users, share
// links, jobs and sync, the trash, and the family feed with the uploads
// waiting for review, with actions on marked photos. All
// catalog work happens in commands, never in Update or View; listings are
// read page by page from a cursor, so the browser opens a library of any
// size at once.
package tui

import (
	"context"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/syncer"
	"github.com/picup/picup/internal/termimg"
)

// Options configure the browser.
type Options struct {
	// Images is how thumbnails are drawn; NoColor draws them (and
	// everything else) without colours.
	Images  termimg.Mode
	NoColor bool
	// Renderer makes the styles; nil uses lipgloss's default renderer.
	Renderer *lipgloss.Renderer
	// Output receives what pictures write out of band (kitty image
	// transmissions); it must be serialised with the program's output. Nil
	// drops it.
	Output io.Writer
	// Logger receives the log; nil discards it. It must not write to the
	// terminal.
	Logger *slog.Logger
	// Now is the clock (tests fix it); nil is time.Now.
	Now func() time.Time
	// Sync syncs the library to a remote, updating p as it goes; nil
	// leaves syncing out.
	Sync func(ctx context.Context, remote string, p *syncer.Progress) (syncer.Summary, error)
	// RunJobs runs the queued jobs that are due; nil leaves it to the next
	// picup command.
	RunJobs func(ctx context.Context) error
}

type viewID int

const (
	viewTimeline viewID = iota
	viewAlbums
	viewUsers
	viewShares
	viewJobs
	viewTrash
	viewActivity
	viewDupes // look-alikes (D): no tab of its own
)

// viewNames are the tabs' labels, one per view but the look-alikes.
var viewNames = [...]string{"Timeline", "Albums", "Users", "Shares", "Jobs", "Trash", "Activity"}

// pollEvery is how often the browser checks whether another process
// changed the catalog.
const pollEvery = time.Second

// Model is the browser's state. Update and View run on bubbletea's event
// loop; commands get copies of what they need.
type Model struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // background work that must end before the library closes
	lib    *library.Library
	opts   Options
	log    *slog.Logger
	keys   KeyMap
	help   help.Model
	st     styles
	now    func() time.Time
	tick   func(time.Duration, func(time.Time) tea.Msg) tea.Cmd

	width, height int
	view          viewID
	treeFocus     bool // timeline: the periods pane has the keys
	showHelp      bool
	hideDetail    bool

	tl     timeline
	photos grid // timeline grid
	trash  grid
	query  string // the search line in effect
	period string // the timeline period the grid shows

	marks  map[string]map[int64]bool // by grid name
	anchor map[string]*anchor        // by grid name: a range being marked

	detail detail

	albums   listState[catalog.Album]
	users    listState[catalog.User]
	shares   listState[catalog.Share]
	jobs     jobsState
	activity activityState
	dupes    dupesState
	unread   int      // feed items newer than the mark, up to unreadMax
	remotes  []string // remote names, for the sync state of a photo

	searching bool
	search    searchState
	dialog    *dialog

	status    string
	statusErr bool

	retention time.Duration // how long photos stay in the trash, once read

	version  int64
	polls    int
	syncing  *syncRun
	thumbs   *termimg.Cache
	inflight map[string]bool
	sem      chan struct{} // bounds concurrent thumbnail decoding
}

// anchor is where a range of marks starts.
type anchor struct {
	photo catalog.Photo
	abs   int
}

// listState is a list view's rows and cursor.
type listState[T any] struct {
	items  []T
	cursor int
	top    int
	loaded bool
	err    string
}

func (l *listState[T]) move(delta int) {
	l.cursor = min(max(l.cursor+delta, 0), max(0, len(l.items)-1))
}

func (l *listState[T]) current() (T, bool) {
	if l.cursor < len(l.items) {
		return l.items[l.cursor], true
	}
	var zero T
	return zero, false
}

// New makes the browser for an open library; ctx ends its work.
func New(ctx context.Context, lib *library.Library, opts Options) *Model {
	ctx, cancel := context.WithCancel(ctx)
	r := opts.Renderer
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	m := &Model{
		ctx: ctx, cancel: cancel, lib: lib, opts: opts, log: log, now: now, tick: tea.Tick,
		keys: DefaultKeyMap(), help: help.New(), st: newStyles(r),
		tl:       newTimeline(),
		photos:   newGrid("timeline", nil),
		trash:    newGrid("trash", trashSource{}),
		marks:    map[string]map[int64]bool{"timeline": {}, "trash": {}},
		anchor:   map[string]*anchor{},
		thumbs:   termimg.NewCache(512),
		inflight: map[string]bool{},
		sem:      make(chan struct{}, 2),
		activity: activityState{since: -1},
	}
	m.help.Styles = m.st.help
	m.search = newSearch()
	return m
}

// Close stops the browser's background work (a running sync) and waits
// for it, so that the library can be closed.
func (m *Model) Close() {
	m.cancel()
	m.wg.Wait()
}

// Init loads the first screen and starts watching the catalog.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(
		loadTimeline(m.ctx, m.lib.Catalog, ""),
		m.resetPhotos(),
		m.readVersion(),
		m.loadRemoteNames(),
		m.loadUnread(),
		m.schedulePoll(),
	)
}

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmds []tea.Cmd
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.Width = msg.Width
	case tea.KeyMsg:
		cmds = append(cmds, m.onKey(msg))
	case tea.MouseMsg:
		cmds = append(cmds, m.onMouse(msg))
	case timelineMsg:
		if msg.err != nil {
			m.fail("timeline", msg.err)
		}
		m.tl.apply(msg)
		if sel := m.tl.selected(); sel != m.period {
			// The period shown went away (its last photo was trashed).
			m.period = sel
			cmds = append(cmds, m.resetPhotos())
		}
	case gridMsg:
		g := m.gridNamed(msg.grid)
		if g.apply(msg) && msg.err != nil {
			m.fail("list photos", msg.err)
		}
	case detailMsg:
		m.detail.apply(msg)
	case thumbMsg:
		delete(m.inflight, msg.key)
		m.thumbs.Put(msg.sha, msg.o, msg.pic)
		if msg.err != nil {
			m.log.Warn("thumbnail", "sha256", msg.sha, "err", msg.err)
		}
	case albumsMsg:
		m.albums.items, m.albums.loaded, m.albums.err = msg.items, true, errText(msg.err)
		m.albums.move(0)
		if d := m.dialog; d != nil && d.kind == dialogAlbum {
			d.names = d.names[:0]
			for _, a := range msg.items {
				d.names = append(d.names, a.Name)
			}
		}
	case usersMsg:
		m.users.items, m.users.loaded, m.users.err = msg.items, true, errText(msg.err)
		m.users.move(0)
	case sharesMsg:
		m.shares.items, m.shares.loaded, m.shares.err = msg.items, true, errText(msg.err)
		m.shares.move(0)
	case jobsMsg:
		m.jobs.apply(msg)
	case moreJobsMsg:
		m.jobs.applyMore(msg)
	case activityMsg:
		m.activity.apply(msg)
		if msg.err == nil {
			m.unread = 0
		}
	case moreActivityMsg:
		m.activity.applyMore(msg)
	case unreadMsg:
		if msg.err != nil {
			m.log.Warn("count the unread activity", "err", msg.err)
			break
		}
		if m.view != viewActivity {
			m.unread = msg.n
		}
	case photoMsg:
		cmds = append(cmds, m.onPhoto(msg))
	case retentionMsg:
		if msg.err != nil {
			m.fail("trash retention", msg.err)
		}
		m.retention = msg.keep
	case remoteNamesMsg:
		m.remotes = msg.names
	case rangeMsg:
		if msg.err != nil {
			m.fail("mark a range", msg.err)
			break
		}
		for _, id := range msg.ids {
			m.marks[msg.grid][id] = true
		}
		m.setStatus("marked " + commas(len(msg.ids)) + " photos")
	case actionMsg:
		cmds = append(cmds, m.onAction(msg))
	case linkMsg:
		cmds = append(cmds, m.onLink(msg))
	case pollMsg:
		m.polls++
		cmds = append(cmds, m.readVersion(), m.schedulePoll())
		if m.view == viewJobs && m.polls%5 == 0 {
			cmds = append(cmds, m.loadJobs())
		}
	case versionMsg:
		cmds = append(cmds, m.onVersion(msg))
	case syncTickMsg:
		if m.syncing != nil {
			cmds = append(cmds, m.syncTick())
		}
	case syncDoneMsg:
		cmds = append(cmds, m.onSyncDone(msg))
	case dupesMsg:
		m.onDupes(msg)
	case dupesTickMsg:
		cmds = append(cmds, m.onDupesTick(msg))
	case dupesAppliedMsg:
		cmds = append(cmds, m.onDupesApplied(msg))
	}
	cmds = append(cmds, m.settle())
	return m, tea.Batch(cmds...)
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// fail logs an error and shows it on the status line.
func (m *Model) fail(what string, err error) {
	m.log.Error(what, "err", err)
	m.status, m.statusErr = what+": "+err.Error(), true
}

func (m *Model) setStatus(s string) {
	m.status, m.statusErr = s, false
}

func (m *Model) gridNamed(name string) *grid {
	if name == "trash" {
		return &m.trash
	}
	return &m.photos
}

// activeGrid is the grid of the view shown, if it has one.
func (m *Model) activeGrid() *grid {
	switch m.view {
	case viewTimeline:
		return &m.photos
	case viewTrash:
		return &m.trash
	}
	return nil
}

// settle follows up on the state after every message: keep the cursor on
// screen, load pages near the window's ends, the detail of the photo
// under the cursor and the visible thumbnails.
func (m *Model) settle() tea.Cmd {
	if m.view == viewDupes && m.width > 0 {
		return m.loadDupeThumbs(m.layout())
	}
	g := m.activeGrid()
	if g == nil || m.width == 0 {
		return nil
	}
	l := m.layout()
	g.scrollTo(l.cols, l.rows)
	cmds := []tea.Cmd{g.fill(m.ctx, m.lib.Catalog, l.cols*l.rows)}
	if p, ok := g.current(); ok && p.ID != m.detail.id {
		cmds = append(cmds, m.loadDetail(p))
	}
	cmds = append(cmds, m.loadThumbs(g, l))
	return tea.Batch(cmds...)
}

// resetPhotos lists the timeline grid again from its start, for the
// current period and query.
func (m *Model) resetPhotos() tea.Cmd {
	q, period, cat := m.query, m.period, m.lib.Catalog
	m.anchor["timeline"] = nil
	return m.photos.reset(m.ctx, cat, func(ctx context.Context) (source, error) {
		return timelineSource(q, period)
	})
}

// setQuery applies a search line to the timeline grid.
func (m *Model) setQuery(q string) tea.Cmd {
	if strings.TrimSpace(q) != "" {
		if _, err := catalog.ParseQuery(q); err != nil {
			m.status, m.statusErr = "search: "+err.Error(), true
			return nil
		}
	}
	m.query = strings.TrimSpace(q)
	return m.resetPhotos()
}

// selection is what an action applies to: the marked photos of a grid,
// else the one under its cursor.
func (m *Model) selection(g *grid) []int64 {
	var ids []int64
	for id := range m.marks[g.name] {
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		if p, ok := g.current(); ok {
			ids = append(ids, p.ID)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// setView switches views, loading the new one's data.
func (m *Model) setView(v viewID) tea.Cmd {
	if v == viewDupes && m.view != viewDupes {
		m.dupes.from = m.view
	}
	m.view = v
	m.showHelp = false
	switch v {
	case viewAlbums:
		return m.loadAlbums()
	case viewUsers:
		return m.loadUsers()
	case viewShares:
		return m.loadShares()
	case viewJobs:
		return m.loadJobs()
	case viewTrash:
		return tea.Batch(m.loadRetention(),
			m.trash.reset(m.ctx, m.lib.Catalog, func(context.Context) (source, error) { return trashSource{}, nil }))
	case viewActivity:
		m.activity.since = -1
		return m.loadActivity()
	case viewDupes:
		return m.loadDupes()
	}
	return nil
}

// refresh rereads everything shown after the catalog changed.
func (m *Model) refresh() tea.Cmd {
	m.detail.id = 0
	cmds := []tea.Cmd{m.tl.reloadAll(m.ctx, m.lib.Catalog), m.photos.reload(m.ctx, m.lib.Catalog), m.loadRemoteNames()}
	if m.trash.src != nil && len(m.trash.items) > 0 || m.view == viewTrash {
		cmds = append(cmds, m.trash.reload(m.ctx, m.lib.Catalog))
	}
	switch m.view {
	case viewAlbums:
		cmds = append(cmds, m.loadAlbums())
	case viewUsers:
		cmds = append(cmds, m.loadUsers())
	case viewShares:
		cmds = append(cmds, m.loadShares())
	case viewJobs:
		cmds = append(cmds, m.loadJobs())
	}
	if m.view == viewActivity {
		cmds = append(cmds, m.loadActivity())
	} else {
		cmds = append(cmds, m.loadUnread())
	}
	return tea.Batch(cmds...)
}

// pollMsg asks for a look at the catalog's version.
type pollMsg struct{}

// versionMsg carries the catalog's change counter.
type versionMsg struct {
	version int64
	err     error
}

func (m *Model) schedulePoll() tea.Cmd {
	return m.tick(pollEvery, func(time.Time) tea.Msg { return pollMsg{} })
}

func (m *Model) readVersion() tea.Cmd {
	ctx, cat := m.ctx, m.lib.Catalog
	return func() tea.Msg {
		v, err := cat.CatalogVersion(ctx)
		return versionMsg{version: v, err: err}
	}
}

// onVersion refreshes what is shown when another process (or an action
// here) changed the catalog.
func (m *Model) onVersion(msg versionMsg) tea.Cmd {
	if msg.err != nil {
		m.log.Warn("read the catalog version", "err", msg.err)
		return nil
	}
	if msg.version == m.version {
		return nil
	}
	first := m.version == 0
	m.version = msg.version
	if first {
		return nil
	}
	m.log.Info("catalog changed", "version", msg.version)
	return m.refresh()
}

// key.Matches with the binding's keys, for readability below.
func is(k tea.KeyMsg, b ...key.Binding) bool { return key.Matches(k, b...) }

func (m *Model) onKey(k tea.KeyMsg) tea.Cmd {
	if k.Type == tea.KeyCtrlC && (m.dialog == nil || m.dialog.kind != dialogConfirm) {
		// ctrl+c quits from anywhere, the search line and dialogs too.
		m.dialog, m.searching = nil, false
		return m.quit()
	}
	if k.Type == tea.KeyRunes && len(k.Runes) > 1 && !k.Paste && !m.typing() {
		// Keys typed faster than they are read come as one message
		// ("jjd"): each is a key of its own.
		cmds := make([]tea.Cmd, 0, len(k.Runes))
		for _, r := range k.Runes {
			cmds = append(cmds, m.onKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: k.Alt}))
		}
		return tea.Batch(cmds...)
	}
	if m.dialog != nil {
		return m.dialogKey(k)
	}
	if m.searching {
		return m.searchKey(k)
	}
	if m.showHelp {
		if is(k, m.keys.Help, m.keys.Back, m.keys.Quit) {
			m.showHelp = false
		}
		return nil
	}
	switch {
	case is(k, m.keys.Quit):
		return m.quit()
	case is(k, m.keys.Help):
		m.showHelp = true
		return nil
	case is(k, m.keys.Timeline):
		return m.setView(viewTimeline)
	case is(k, m.keys.Albums):
		return m.setView(viewAlbums)
	case is(k, m.keys.Users):
		return m.setView(viewUsers)
	case is(k, m.keys.Shares):
		return m.setView(viewShares)
	case is(k, m.keys.Jobs):
		return m.setView(viewJobs)
	case is(k, m.keys.Trash):
		return m.setView(viewTrash)
	case is(k, m.keys.Activity):
		return m.setView(viewActivity)
	case is(k, m.keys.Dupes):
		return m.setView(viewDupes)
	case is(k, m.keys.Sync) && m.view != viewJobs:
		return m.syncOnly()
	}
	switch m.view {
	case viewTimeline:
		if m.treeFocus {
			return m.treeKey(k)
		}
		return m.gridKey(&m.photos, k)
	case viewTrash:
		return m.gridKey(&m.trash, k)
	case viewAlbums:
		return m.albumsKey(k)
	case viewUsers:
		return m.usersKey(k)
	case viewShares:
		return m.sharesKey(k)
	case viewJobs:
		return m.jobsKey(k)
	case viewActivity:
		return m.activityKey(k)
	case viewDupes:
		return m.dupesKey(k)
	}
	return nil
}

// typing reports whether a text field has the keys: the search line, or a
// dialog's field.
func (m *Model) typing() bool {
	return m.searching || m.dialog != nil && (m.dialog.kind == dialogAlbum || m.dialog.kind == dialogShare || m.dialog.kind == dialogCaption)
}

// quit ends the browser, asking first when a sync is running.
func (m *Model) quit() tea.Cmd {
	if m.syncing != nil {
		m.confirm("Quit?", []string{"A sync to " + m.syncing.remote + " is running.", "Quitting stops it; the next sync goes on from there."}, tea.Quit)
		return nil
	}
	return tea.Quit
}

// treeKey handles keys in the timeline's periods pane.
func (m *Model) treeKey(k tea.KeyMsg) tea.Cmd {
	before := m.tl.selected()
	var cmd tea.Cmd
	l := m.layout()
	switch {
	case is(k, m.keys.Up):
		m.tl.cursor = max(0, m.tl.cursor-1)
	case is(k, m.keys.Down):
		m.tl.cursor = min(len(m.tl.rows())-1, m.tl.cursor+1)
	case is(k, m.keys.PageUp):
		m.tl.cursor = max(0, m.tl.cursor-l.bodyH)
	case is(k, m.keys.PageDown):
		m.tl.cursor = min(len(m.tl.rows())-1, m.tl.cursor+l.bodyH)
	case is(k, m.keys.Top):
		m.tl.cursor = 0
	case is(k, m.keys.Bottom):
		m.tl.cursor = len(m.tl.rows()) - 1
	case is(k, m.keys.Right):
		cmd = m.tl.toggle(m.ctx, m.lib.Catalog, true)
	case is(k, m.keys.Open):
		rows := m.tl.rows()
		if r := rows[min(m.tl.cursor, len(rows)-1)]; r.leaf || r.period == "" || r.open {
			m.treeFocus = false
		} else {
			cmd = m.tl.toggle(m.ctx, m.lib.Catalog, true)
		}
	case is(k, m.keys.Left):
		m.tl.closeOrUp()
	case is(k, m.keys.NextPane, m.keys.PrevPane):
		m.treeFocus = false
	case is(k, m.keys.Search):
		m.openSearch()
	case is(k, m.keys.Back):
		if m.query != "" {
			m.query = ""
			return m.resetPhotos()
		}
	default:
		return m.gridAction(&m.photos, k)
	}
	if sel := m.tl.selected(); sel != before {
		m.period = sel
		return tea.Batch(cmd, m.resetPhotos())
	}
	return cmd
}

// gridKey handles keys in a photo grid.
func (m *Model) gridKey(g *grid, k tea.KeyMsg) tea.Cmd {
	l := m.layout()
	switch {
	case is(k, m.keys.Left):
		g.move(-1)
	case is(k, m.keys.Right):
		g.move(1)
	case is(k, m.keys.Up):
		g.move(-l.cols)
	case is(k, m.keys.Down):
		g.move(l.cols)
	case is(k, m.keys.PageUp):
		g.move(-l.cols * l.rows)
	case is(k, m.keys.PageDown):
		g.move(l.cols * l.rows)
	case is(k, m.keys.Top):
		if g.atTop {
			g.cur = g.start
			return nil
		}
		src := g.src
		return g.reset(m.ctx, m.lib.Catalog, func(context.Context) (source, error) { return src, nil })
	case is(k, m.keys.Bottom):
		if g.atEnd {
			g.cur = g.start + max(0, len(g.items)-1)
			return nil
		}
		return g.jumpEnd(m.ctx, m.lib.Catalog)
	case is(k, m.keys.NextPane, m.keys.PrevPane):
		if m.view == viewTimeline {
			m.treeFocus = true
		}
	case is(k, m.keys.Back):
		switch {
		case m.anchor[g.name] != nil:
			m.anchor[g.name] = nil
			m.setStatus("range cancelled")
		case m.view == viewTimeline && m.query != "":
			m.query = ""
			return m.resetPhotos()
		case m.view == viewTimeline:
			m.treeFocus = true
		}
	case is(k, m.keys.Mark):
		if p, ok := g.current(); ok {
			if m.marks[g.name][p.ID] {
				delete(m.marks[g.name], p.ID)
			} else {
				m.marks[g.name][p.ID] = true
			}
			g.move(1)
		}
	case is(k, m.keys.MarkRange):
		return m.markRange(g)
	case is(k, m.keys.ClearMark):
		n := len(m.marks[g.name])
		m.marks[g.name] = map[int64]bool{}
		m.anchor[g.name] = nil
		m.setStatus("unmarked " + commas(n))
	case is(k, m.keys.Detail):
		m.hideDetail = !m.hideDetail
	case is(k, m.keys.Search) && m.view == viewTimeline:
		m.openSearch()
	case is(k, m.keys.Caption) && m.view == viewTimeline:
		if p, ok := g.current(); ok {
			return m.openCaption(p.ID, p.OriginalName, p.Caption)
		}
	default:
		return m.gridAction(g, k)
	}
	return nil
}

// gridAction handles the action keys on a grid's selection.
func (m *Model) gridAction(g *grid, k tea.KeyMsg) tea.Cmd {
	ids := m.selection(g)
	switch {
	case len(ids) == 0:
		return nil
	case m.view == viewTimeline && is(k, m.keys.AddToAlbum):
		return m.openAlbumPicker(ids)
	case m.view == viewTimeline && is(k, m.keys.Delete):
		m.confirm("Move to the trash?", []string{
			"Move " + photosWord(len(ids)) + " to the trash?",
			"They can be restored from the trash (6) until they are purged.",
		}, m.trashCmd(ids))
	case m.view == viewTimeline && is(k, m.keys.Share):
		return m.openShare(ids, "")
	case m.view == viewTrash && is(k, m.keys.Restore):
		return m.restoreCmd(ids)
	}
	return nil
}

func photosWord(n int) string {
	if n == 1 {
		return "1 photo"
	}
	return commas(n) + " photos"
}

// markRange starts a range at the cursor, or marks from the start to the
// cursor.
func (m *Model) markRange(g *grid) tea.Cmd {
	p, ok := g.current()
	if !ok {
		return nil
	}
	a := m.anchor[g.name]
	if a == nil {
		m.anchor[g.name] = &anchor{photo: p, abs: g.cur}
		m.setStatus("range starts here: move to its other end and press v again (esc cancels)")
		return nil
	}
	m.anchor[g.name] = nil
	ctx, cat, src, name, from := m.ctx, m.lib.Catalog, g.src, g.name, a.photo
	return func() tea.Msg {
		ids, err := src.between(ctx, cat, from, p)
		return rangeMsg{grid: name, ids: ids, err: err}
	}
}

// rangeMsg carries the ids of a marked range.
type rangeMsg struct {
	grid string
	ids  []int64
	err  error
}

func (m *Model) albumsKey(k tea.KeyMsg) tea.Cmd {
	l := m.layout()
	switch {
	case m.listNav(&m.albums.cursor, len(m.albums.items), l.bodyH-2, k):
	case is(k, m.keys.Open):
		if a, ok := m.albums.current(); ok {
			return m.showPhotos("album:" + quoteValue(a.Name))
		}
	case is(k, m.keys.Share):
		if a, ok := m.albums.current(); ok {
			return m.openShare(nil, a.Name)
		}
	}
	return nil
}

func (m *Model) usersKey(k tea.KeyMsg) tea.Cmd {
	l := m.layout()
	switch {
	case m.listNav(&m.users.cursor, len(m.users.items), l.bodyH-2, k):
	case is(k, m.keys.Open):
		if u, ok := m.users.current(); ok {
			return m.showPhotos("user:" + quoteValue(u.Name))
		}
	}
	return nil
}

func (m *Model) sharesKey(k tea.KeyMsg) tea.Cmd {
	l := m.layout()
	switch {
	case m.listNav(&m.shares.cursor, len(m.shares.items), l.bodyH-2, k):
	case is(k, m.keys.Revoke):
		s, ok := m.shares.current()
		if !ok {
			return nil
		}
		if !s.RevokedAt.IsZero() {
			m.setStatus("share " + itoa64(s.ID) + " is already revoked")
			return nil
		}
		m.confirm("Revoke the link?", []string{
			"Revoke share " + itoa64(s.ID) + " (" + s.Scope() + ")?",
			"Whoever has the link will no longer see the photos.",
		}, m.revokeCmd(s.ID))
	}
	return nil
}

// listNav moves a list cursor; it reports whether k was a movement key.
func (m *Model) listNav(cursor *int, n, pageRows int, k tea.KeyMsg) bool {
	delta := 0
	switch {
	case is(k, m.keys.Up):
		delta = -1
	case is(k, m.keys.Down):
		delta = 1
	case is(k, m.keys.PageUp):
		delta = -max(1, pageRows)
	case is(k, m.keys.PageDown):
		delta = max(1, pageRows)
	case is(k, m.keys.Top):
		delta = -n
	case is(k, m.keys.Bottom):
		delta = n
	default:
		return false
	}
	*cursor = min(max(*cursor+delta, 0), max(0, n-1))
	return true
}

// showPhotos shows the timeline grid with a search line.
func (m *Model) showPhotos(q string) tea.Cmd {
	m.view, m.treeFocus = viewTimeline, false
	m.tl.cursor, m.period = 0, ""
	return m.setQuery(q)
}
