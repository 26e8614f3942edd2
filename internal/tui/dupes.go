package tui

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/termimg"
	"github.com/picup/picup/pkg/bytesize"
	"github.com/picup/picup/pkg/phash"
)

// The look-alikes view (D) shows the groups of photos that look alike,
// as "picup dupes" finds them, one group at a time: its photos side by
// side, each marked keep or trash (the suggested keeper keep, the others
// trash). enter moves those marked trash to the trash through
// archive.TrashFromGroup, s leaves the group as it is.

// dupesState is the look-alikes view.
type dupesState struct {
	from    viewID        // the view esc goes back to
	gen     int           // the load whose result the view waits for
	loading bool          // hashing and grouping
	hashed  *atomic.Int64 // photos the load hashed so far
	err     string
	groups  []dupeReview
	cur     int // the group shown; len(groups) is the summary after the last
	photo   int // the photo under the cursor, in the group
	left    int // the first photo shown when the group is wider than the screen
}

// dupeReview is a group and what the reviewer decided.
type dupeReview struct {
	group archive.DupeGroup
	trash []bool // by photo: marked trash
	done  string // what became of the group ("skipped", …); "" while undecided
	moved int    // photos moved to the trash
}

// Widths of a photo's column in the look-alikes view, in cells.
const (
	dupeMinCol = 24
	dupeMaxCol = 48
)

// dupeLabelLines is how many lines of text go under each picture.
const dupeLabelLines = 7

// dupesMsg carries the groups a load found.
type dupesMsg struct {
	gen    int
	groups []archive.DupeGroup
	hashed archive.HashedPhotos
	err    error
}

// dupesTickMsg redraws the hashing progress while a load runs.
type dupesTickMsg struct{ gen int }

// dupesAppliedMsg says what applying a group did.
type dupesAppliedMsg struct {
	group  int
	moved  int
	action actionMsg
}

// loadDupes hashes the photos imported before hashes were made, as
// "picup dupes" does, then groups the photos that look alike.
func (m *Model) loadDupes() tea.Cmd {
	d := &m.dupes
	d.gen++
	d.loading, d.err, d.hashed = true, "", new(atomic.Int64)
	ctx, lib, gen, hashed := m.ctx, m.lib, d.gen, d.hashed
	m.wg.Add(1)
	load := func() tea.Msg {
		defer m.wg.Done()
		a := archive.New(lib)
		h, err := a.HashMissing(ctx, func(n int) { hashed.Store(int64(n)) })
		if err != nil {
			return dupesMsg{gen: gen, err: fmt.Errorf("hash the photos imported before: %w", err)}
		}
		groups, err := a.Dupes(ctx, phash.DefaultThreshold)
		return dupesMsg{gen: gen, groups: groups, hashed: h, err: err}
	}
	return tea.Batch(load, m.dupesTick(gen))
}

func (m *Model) dupesTick(gen int) tea.Cmd {
	return m.tick(250*time.Millisecond, func(time.Time) tea.Msg { return dupesTickMsg{gen: gen} })
}

func (m *Model) onDupesTick(msg dupesTickMsg) tea.Cmd {
	if !m.dupes.loading || msg.gen != m.dupes.gen {
		return nil
	}
	return m.dupesTick(msg.gen)
}

func (m *Model) onDupes(msg dupesMsg) {
	d := &m.dupes
	if msg.gen != d.gen {
		return
	}
	d.loading = false
	if msg.err != nil {
		d.err = msg.err.Error()
		m.fail("look-alikes", msg.err)
		return
	}
	d.groups = d.groups[:0]
	for _, g := range msg.groups {
		r := dupeReview{group: g, trash: make([]bool, len(g.Photos))}
		for i := 1; i < len(r.trash); i++ {
			r.trash[i] = true
		}
		d.groups = append(d.groups, r)
	}
	d.cur, d.photo, d.left = 0, 0, 0
	h := msg.hashed
	switch {
	case h.Failed > 0:
		m.status, m.statusErr = fmt.Sprintf("grid thumbnails that could not be read, so not compared: %d; \"picup verify --repair\" makes them again", h.Failed), true
	case h.Hashed+h.Plain > 0:
		m.setStatus("hashed " + photosWord(h.Hashed+h.Plain) + " imported before")
	}
}

// review is the group shown, unless the summary is.
func (d *dupesState) review() (*dupeReview, bool) {
	if d.loading || d.cur >= len(d.groups) {
		return nil, false
	}
	return &d.groups[d.cur], true
}

// showGroup shows group i (len(groups) is the summary), the cursor on
// its first photo.
func (d *dupesState) showGroup(i int) {
	d.cur = min(max(i, 0), len(d.groups))
	d.photo, d.left = 0, 0
}

// next shows the first undecided group after the one shown, else the
// first before it, else the summary.
func (d *dupesState) next() {
	n := len(d.groups)
	for k := 1; k <= n; k++ {
		if i := (d.cur + k) % n; d.groups[i].done == "" {
			d.showGroup(i)
			return
		}
	}
	d.showGroup(n)
}

func (m *Model) dupesKey(k tea.KeyMsg) tea.Cmd {
	d := &m.dupes
	switch {
	case is(k, m.keys.Back):
		return m.setView(d.from)
	case d.loading:
		return nil
	case is(k, m.keys.Up):
		d.showGroup(d.cur - 1)
	case is(k, m.keys.Down):
		d.showGroup(d.cur + 1)
	case is(k, m.keys.Top):
		d.showGroup(0)
	case is(k, m.keys.Bottom):
		d.showGroup(len(d.groups))
	}
	r, ok := d.review()
	if !ok {
		return nil
	}
	switch {
	case is(k, m.keys.Left):
		d.photo = max(0, d.photo-1)
	case is(k, m.keys.Right):
		d.photo = min(len(r.trash)-1, d.photo+1)
	case r.done != "" && is(k, m.keys.KeepOrTrash, m.keys.ApplyGroup, m.keys.SkipGroup):
		m.groupDone(r)
	case is(k, m.keys.KeepOrTrash):
		r.trash[d.photo] = !r.trash[d.photo]
	case is(k, m.keys.SkipGroup):
		r.done = "skipped"
		d.next()
	case is(k, m.keys.ApplyGroup):
		return m.applyGroup(d.cur, r)
	}
	return nil
}

// dupesMouse moves between the photos of the group shown with the wheel;
// a click on a photo puts the cursor on it, a second click turns it from
// keep to trash and back, as space does.
func (m *Model) dupesMouse(l layout, x, y, wheel int) {
	d := &m.dupes
	r, ok := d.review()
	if !ok {
		return
	}
	if wheel != 0 {
		d.photo = min(max(d.photo+wheel, 0), len(r.trash)-1)
		return
	}
	ps, dl := m.visibleDupes(l)
	if y < 2 || dl.colW == 0 || x/dl.colW >= len(ps) {
		return
	}
	i := d.left + x/dl.colW
	switch {
	case i != d.photo:
		d.photo = i
	case r.done != "":
		m.groupDone(r)
	default:
		r.trash[i] = !r.trash[i]
	}
}

// groupDone says that a group decided no longer changes.
func (m *Model) groupDone(r *dupeReview) {
	m.setStatus("this group is done (" + r.done + "); the trash (6) gives back what it moved")
}

// applyGroup asks, then moves the photos of the group marked trash to
// the trash.
func (m *Model) applyGroup(i int, r *dupeReview) tea.Cmd {
	var ids []int64
	var keep, gone []string
	for j, p := range r.group.Photos {
		if r.trash[j] {
			ids = append(ids, p.ID)
			gone = append(gone, p.OriginalName)
		} else {
			keep = append(keep, p.OriginalName)
		}
	}
	switch {
	case len(keep) == 0:
		m.status, m.statusErr = "every photo of the group is marked trash: keep at least one (space marks the one under the cursor keep)", true
		return nil
	case len(ids) == 0:
		r.done = "kept whole"
		m.setStatus("nothing marked trash: the group is kept whole")
		m.dupes.next()
		return nil
	}
	m.confirm("Move "+photosWord(len(ids))+" to the trash?", []string{
		"Keep " + strings.Join(keep, ", ") + ".",
		"Move " + strings.Join(gone, ", ") + " to the trash.",
		"They can be restored from the trash (6) until they are purged.",
	}, m.trashFromGroupCmd(i, r.group, ids))
	return nil
}

func (m *Model) trashFromGroupCmd(i int, g archive.DupeGroup, ids []int64) tea.Cmd {
	var moved int
	act := m.act("move look-alikes to the trash", "", func(ctx context.Context, a *archive.Archive) (string, error) {
		n, err := a.TrashFromGroup(ctx, g, ids)
		moved = n
		return "moved " + photosWord(n) + " to the trash; r in the trash (6) restores them", err
	})
	return func() tea.Msg {
		msg := act().(actionMsg)
		return dupesAppliedMsg{group: i, moved: moved, action: msg}
	}
}

// onDupesApplied records what became of the group and shows the next.
func (m *Model) onDupesApplied(msg dupesAppliedMsg) tea.Cmd {
	d := &m.dupes
	if msg.action.err == nil && msg.group < len(d.groups) {
		r := &d.groups[msg.group]
		r.moved, r.done = msg.moved, "moved "+photosWord(msg.moved)+" to the trash"
		if d.cur == msg.group {
			d.next()
		}
	}
	return m.onAction(msg.action)
}

// dupesLayout is how the view places a group: how many photos side by
// side, each in a column of colW cells with a picture of imgW×imgH.
type dupesLayout struct {
	shown, colW, imgW, imgH int
}

func (m *Model) dupesLayout(l layout, n int) dupesLayout {
	shown := max(1, min(n, m.width/dupeMinCol))
	colW := min(dupeMaxCol, m.width/shown)
	imgW := colW - 2
	// Two lines above the pictures, the labels under them; cells are
	// about twice as high as wide, photos mostly 4:3.
	imgH := max(0, min(l.bodyH-2-dupeLabelLines, imgW*3/8))
	return dupesLayout{shown: shown, colW: colW, imgW: imgW, imgH: imgH}
}

func (m *Model) dupesPictureOptions(dl dupesLayout) termimg.Options {
	return termimg.Options{Mode: m.opts.Images, Cols: dl.imgW, Rows: dl.imgH, NoColor: m.opts.NoColor}
}

// visibleDupes are the photos of the group shown that are on screen,
// scrolling so that the cursor's is.
func (m *Model) visibleDupes(l layout) ([]catalog.Photo, dupesLayout) {
	d := &m.dupes
	r, ok := d.review()
	if !ok {
		return nil, dupesLayout{}
	}
	ps := r.group.Photos
	dl := m.dupesLayout(l, len(ps))
	d.left = min(max(d.left, d.photo-dl.shown+1), d.photo)
	d.left = max(0, min(d.left, len(ps)-dl.shown))
	return ps[d.left:min(len(ps), d.left+dl.shown)], dl
}

// loadDupeThumbs renders the thumbnails of the photos on screen.
func (m *Model) loadDupeThumbs(l layout) tea.Cmd {
	ps, dl := m.visibleDupes(l)
	if len(ps) == 0 || dl.imgH == 0 {
		return nil
	}
	return m.loadPictures(ps, m.dupesPictureOptions(dl))
}

func (m *Model) dupesView(l layout) []string {
	d := &m.dupes
	heading := func(s string) string { return " " + m.st.heading.Render(s) }
	switch {
	case d.loading:
		lines := []string{heading("Look-alikes"), "", " " + m.st.dim.Render("looking for photos that look alike…")}
		if n := d.hashed.Load(); n > 0 {
			lines = append(lines, " "+m.st.dim.Render("hashing photos imported before: "+commas(int(n))))
		}
		return lines
	case d.err != "":
		return []string{heading("Look-alikes"), "", " " + m.st.err.Render(d.err), "", " esc goes back."}
	case len(d.groups) == 0:
		return []string{heading("Look-alikes"), "",
			fmt.Sprintf(" No photos look alike: no two hashes are within %d bits.", phash.DefaultThreshold),
			" Resized or re-encoded copies, prints scanned twice and bursts would show up here, a group at a time.",
			"", " esc goes back."}
	case d.cur >= len(d.groups):
		return m.dupesSummary()
	}
	return m.dupeGroupView(l)
}

// dupesSummary is what became of the groups.
func (m *Model) dupesSummary() []string {
	d := &m.dupes
	var applied, moved, skipped, whole, open int
	for _, r := range d.groups {
		switch {
		case r.done == "":
			open++
		case r.done == "skipped":
			skipped++
		case r.done == "kept whole":
			whole++
		default:
			applied++
			moved += r.moved
		}
	}
	lines := []string{" " + m.st.heading.Render("Look-alikes: "+groupsWord(len(d.groups))), "",
		fmt.Sprintf(" %s applied (%s moved to the trash), %d skipped, %d kept whole.", groupsWord(applied), photosWord(moved), skipped, whole)}
	if open > 0 {
		lines = append(lines, fmt.Sprintf(" %s not decided yet: ↑ goes back to them.", groupsWord(open)))
	}
	return append(lines, "", " The trash (6) gives back what was moved until it is purged. esc leaves.")
}

func groupsWord(n int) string {
	if n == 1 {
		return "1 group"
	}
	return commas(n) + " groups"
}

// dupeGroupView draws the group shown: a heading, then its photos side
// by side, each with its picture and labels.
func (m *Model) dupeGroupView(l layout) []string {
	d := &m.dupes
	r, _ := d.review()
	ps, dl := m.visibleDupes(l)
	all := r.group.Photos
	var keep, trash int
	var trashBytes int64
	for j, p := range all {
		if r.trash[j] {
			trash++
			trashBytes += p.Bytes
		} else {
			keep++
		}
	}
	head := fmt.Sprintf("Look-alikes · group %d of %d · %s", d.cur+1, len(d.groups), photosWord(len(all)))
	state := fmt.Sprintf("keep %d, trash %d (%s)", keep, trash, bytesize.Format(trashBytes))
	if r.done != "" {
		state = r.done
	}
	if len(ps) < len(all) {
		head += fmt.Sprintf(" (%d–%d shown)", d.left+1, d.left+len(ps))
	}
	lines := []string{
		" " + m.st.heading.Render(head) + " · " + state,
		" Suggested keeper: " + all[0].OriginalName + ", " + r.group.Why,
	}
	o := m.dupesPictureOptions(dl)
	cols := make([][]string, 0, len(ps))
	for j, p := range ps {
		i := d.left + j
		cols = append(cols, m.dupeColumn(p, o, dl, i == d.photo, i == 0, r.trash[i]))
	}
	return append(lines, beside(cols...)...)
}

// dupeColumn draws one photo of a group: its picture, then its name,
// resolution and size, capture time, path, and keep or trash.
func (m *Model) dupeColumn(p catalog.Photo, o termimg.Options, dl dupesLayout, cur, keeper, trash bool) []string {
	side := " "
	if cur {
		side = "│"
	}
	lines := m.pictureLines(p, o, side, dl.imgH+dupeLabelLines)
	w := dl.colW - 2
	name := fit(p.OriginalName, w)
	left, right := " ", " "
	if cur {
		left, right = "›", "‹"
		name = m.st.cursor.Render(name)
	}
	mark := "✓ keep"
	if trash {
		mark = m.st.err.Render("✗ trash")
	}
	if keeper {
		mark += m.st.dim.Render(" · ★ suggested")
	}
	label := []string{
		left + name + right,
		" " + fmt.Sprintf("%d×%d · %s", p.Width, p.Height, bytesize.Format(p.Bytes)),
		" " + formatTaken(p.TakenAt),
	}
	label = append(label, pathLines(p.Path, w)...)
	label = append(label, "", " "+mark)
	return block(append(lines, label...), dl.colW, dl.imgH+dupeLabelLines)
}

// pathLines are a path in two lines of w cells, each indented by a
// space: the whole path when it fits, else its folder and its file name,
// each cut at the start when too long.
func pathLines(path string, w int) []string {
	if ansi.StringWidth(path) <= w {
		return []string{" " + path, ""}
	}
	dir, name := "", path
	if i := strings.LastIndex(path, "/"); i >= 0 {
		dir, name = path[:i+1], path[i+1:]
	}
	return []string{" " + fitLeft(dir, w), " " + fitLeft(name, w)}
}

// fitLeft cuts s to at most w cells from the start, beginning with "…"
// when it was cut.
func fitLeft(s string, w int) string {
	if n := ansi.StringWidth(s); n > w {
		return "…" + ansi.TruncateLeft(s, n-w+1, "")
	}
	return s
}
