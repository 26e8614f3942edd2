package tui

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/ansi"
	"golang.org/x/text/language"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/photorecord"
	"github.com/picup/picup/internal/sharelink"
	"github.com/picup/picup/internal/termimg"
	"github.com/picup/picup/pkg/bytesize"
	"github.com/picup/picup/pkg/period"
	"github.com/picup/picup/pkg/places"
)

// layout is where things go on a screen of the model's size. The screen
// is a tab line, the body, a status line and a line of key hints.
type layout struct {
	bodyH   int
	treeW   int // timeline periods pane, 0 elsewhere
	gridX   int
	gridW   int
	gridH   int
	stripH  int // detail lines under the grid on narrow screens
	detailW int // detail pane on the right on wide screens
	imgW    int
	imgH    int
	cellW   int
	cellH   int
	cols    int
	rows    int
}

// Minimum screen; below it the browser asks for a larger terminal.
const (
	minWidth  = 60
	minHeight = 16
)

func (m *Model) layout() layout {
	w, h := m.width, m.height
	l := layout{bodyH: max(1, h-3)}
	rest := w
	if m.view == viewTimeline {
		l.treeW = 20
		if w >= 100 {
			l.treeW = 24
		}
		rest -= l.treeW + 1
		l.gridX = l.treeW + 1
	}
	l.gridH = l.bodyH
	switch {
	case m.hideDetail:
	case w >= 110:
		l.detailW = 36
		rest -= l.detailW + 1
	default:
		l.stripH = 3
		l.gridH -= l.stripH
	}
	l.gridW = max(1, rest)
	l.imgW, l.imgH = 16, 7
	if l.gridW >= 88 && l.gridH >= 30 {
		l.imgW, l.imgH = 20, 9
	}
	l.cellW, l.cellH = l.imgW+2, l.imgH+1
	l.cols = max(1, l.gridW/l.cellW)
	l.rows = max(1, l.gridH/l.cellH)
	return l
}

// View draws the screen.
func (m *Model) View() string {
	if m.width == 0 || m.height == 0 {
		return ""
	}
	if m.width < minWidth || m.height < minHeight {
		return fmt.Sprintf("picup needs a terminal of at least %d×%d (this one is %d×%d).", minWidth, minHeight, m.width, m.height)
	}
	l := m.layout()
	var body []string
	switch {
	case m.showHelp:
		body = m.helpView(l)
	case m.view == viewTimeline:
		body = m.timelineView(l)
	case m.view == viewTrash:
		body = m.trashView(l)
	case m.view == viewAlbums:
		body = m.albumsView(l)
	case m.view == viewUsers:
		body = m.usersView(l)
	case m.view == viewShares:
		body = m.sharesView(l)
	case m.view == viewJobs:
		body = m.jobsView(l)
	case m.view == viewActivity:
		body = m.activityView(l)
	case m.view == viewDupes:
		body = m.dupesView(l)
	}
	body = block(body, m.width, l.bodyH)
	if m.dialog != nil {
		body = overlay(body, m.dialog.view(m.st, m.width, l.bodyH), m.width)
	}
	lines := append([]string{m.header()}, body...)
	lines = append(lines, m.statusLine(), m.hintLine())
	return strings.Join(lines, "\n")
}

// tab is a view's label on the tab line and where it is.
type tab struct {
	text   string
	x0, x1 int
}

const brand = " picup "

// tabs are the views' labels, the activity's with its unread count. The
// brand goes first when they all fit beside it.
func (m *Model) tabs() []tab {
	out := make([]tab, len(viewNames))
	x := 0
	for i, n := range viewNames {
		if u := m.unreadText(); viewID(i) == viewActivity && u != "" {
			n += " (" + u + ")"
		}
		t := " " + strconv.Itoa(i+1) + " " + n + " "
		out[i] = tab{text: t, x0: x, x1: x + len(t)}
		x += len(t)
	}
	if x+len(brand) <= m.width {
		for i := range out {
			out[i].x0 += len(brand)
			out[i].x1 += len(brand)
		}
	}
	return out
}

func (m *Model) header() string {
	var b strings.Builder
	tabs := m.tabs()
	if tabs[0].x0 > 0 {
		b.WriteString(m.st.title.Render(brand))
	}
	for i, t := range tabs {
		if viewID(i) == m.view {
			b.WriteString(m.st.tabActive.Render("[" + t.text[1:len(t.text)-1] + "]"))
		} else {
			b.WriteString(m.st.tab.Render(t.text))
		}
	}
	left := b.String()
	right := ""
	if m.tl.loaded {
		total := 0
		for _, y := range m.tl.years {
			total += y.Count
		}
		right = commas(total) + " photos and videos "
	}
	if ansi.StringWidth(left)+len([]rune(right)) > m.width {
		right = ""
	}
	return fit(left, m.width-len([]rune(right))) + m.st.dim.Render(right)
}

func (m *Model) timelineView(l layout) []string {
	tree := m.tl.view(m.st, l.treeW, l.bodyH, m.treeFocus)
	sep := column(m.st.dim.Render("│"), l.bodyH)
	main := m.gridView(&m.photos, l, m.emptyTimeline())
	return beside(tree, sep, m.withDetail(&m.photos, l, main))
}

func (m *Model) emptyTimeline() string {
	if m.query != "" {
		return "No photos match \"" + m.query + "\". esc clears the search."
	}
	return "No photos yet. Import some with \"picup import PATH\"."
}

func (m *Model) trashView(l layout) []string {
	return m.withDetail(&m.trash, l, m.gridView(&m.trash, l, "The trash is empty."))
}

// withDetail puts the detail of the grid's current photo beside or below
// the grid's lines.
func (m *Model) withDetail(g *grid, l layout, main []string) []string {
	p, ok := g.current()
	switch {
	case l.detailW > 0:
		var lines []string
		if ok {
			lines = m.detailLines(g, p, l.detailW)
		}
		return beside(main, column(m.st.dim.Render("│"), l.bodyH), block(lines, l.detailW, l.bodyH))
	case l.stripH > 0:
		strip := []string{m.st.dim.Render(strings.Repeat("─", l.gridW))}
		if ok {
			strip = append(strip, m.detailStrip(g, p)...)
		}
		return append(main, block(strip, l.gridW, l.stripH)...)
	}
	return main
}

// gridView draws a grid's visible rows of cells in gridW×gridH.
func (m *Model) gridView(g *grid, l layout, empty string) []string {
	if len(g.items) == 0 {
		msg := empty
		switch {
		case g.err != "":
			msg = m.st.err.Render(g.err)
		case g.loading || g.src == nil:
			msg = m.st.dim.Render("loading…")
		}
		return block([]string{"", " " + msg}, l.gridW, l.gridH)
	}
	o := m.pictureOptions(l)
	var lines []string
	a := m.anchor[g.name]
	for r := 0; r < l.rows; r++ {
		cells := make([][]string, 0, l.cols)
		for c := 0; c < l.cols; c++ {
			abs := (g.topRow+r)*l.cols + c
			p, ok := g.at(abs)
			if !ok {
				cells = append(cells, block(nil, l.cellW, l.cellH))
				continue
			}
			inRange := a != nil && abs >= min(a.abs, g.cur) && abs <= max(a.abs, g.cur)
			cells = append(cells, m.cellView(p, o, l, abs == g.cur, m.marks[g.name][p.ID], inRange))
		}
		lines = append(lines, beside(cells...)...)
	}
	return block(lines, l.gridW, l.gridH)
}

// cellView draws one photo: its picture, then a caption with the marks.
// The cursor is drawn with characters, not only colour: › ‹ around the
// caption, and bars beside the picture while the grid has the keys.
func (m *Model) cellView(p catalog.Photo, o termimg.Options, l layout, cur, marked, inRange bool) []string {
	side := " "
	if cur && !(m.view == viewTimeline && m.treeFocus) {
		side = "│"
	}
	lines := m.pictureLines(p, o, side, l.cellH)
	mark := " "
	switch {
	case marked:
		mark = "✓"
	case inRange:
		mark = "+"
	}
	name := p.OriginalName
	if p.Type == "video" {
		name = "▶ " + name
	}
	caption := fit(name, l.imgW-1)
	left, right := " ", " "
	if cur {
		left, right = "›", "‹"
		caption = m.st.cursor.Render(caption)
	}
	if marked || inRange {
		mark = m.st.marked.Render(mark)
	}
	return append(lines, left+mark+caption+right)
}

// pictureLines are the o.Rows lines of a photo's thumbnail between two
// side characters, with room for capacity lines in all; a dot marks the
// middle while the thumbnail is not drawn yet.
func (m *Model) pictureLines(p catalog.Photo, o termimg.Options, side string, capacity int) []string {
	pic, ok := m.thumbs.Get(p.SHA256, o)
	lines := make([]string, 0, capacity)
	for i := 0; i < o.Rows; i++ {
		img := strings.Repeat(" ", o.Cols)
		if ok && i < len(pic.Lines) {
			img = pic.Lines[i]
		} else if i == o.Rows/2 {
			img = fit(strings.Repeat(" ", (o.Cols-1)/2)+"·", o.Cols)
		}
		lines = append(lines, side+img+side)
	}
	return lines
}

// formatTaken writes a capture time for people: 2019-05-01 10:00:00 +09:00.
func formatTaken(s string) string {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.Format("2006-01-02 15:04:05 Z07:00")
	}
	return strings.Replace(s, "T", " ", 1)
}

// formatTime prints a catalog time (UTC) as formatTaken prints a capture
// time: "2026-12-05 20:04:01 Z".
func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 Z07:00") }

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

// camera names the camera once: the model often starts with the make.
func camera(p photorecord.Record) string {
	if p.CameraMake != "" && !strings.HasPrefix(strings.ToLower(p.CameraModel), strings.ToLower(p.CameraMake)) {
		return strings.TrimSpace(p.CameraMake + " " + p.CameraModel)
	}
	return p.CameraModel
}

func gps(p photorecord.Record) string {
	if p.Lat == nil || p.Lon == nil {
		return "-"
	}
	s := fmt.Sprintf("%.5f, %.5f", *p.Lat, *p.Lon)
	if p.Altitude != nil {
		s += fmt.Sprintf(" (%.0f m)", *p.Altitude)
	}
	return s
}

// syncState says which remotes hold the original.
func (m *Model) syncState(p catalog.Photo) string {
	if len(m.remotes) == 0 {
		return "no remote"
	}
	if !m.detail.loaded || m.detail.id != p.ID {
		return "…"
	}
	var in, out []string
	for _, r := range m.remotes {
		held := false
		for _, h := range m.detail.held {
			held = held || h == r
		}
		if held {
			in = append(in, r)
		} else {
			out = append(out, r)
		}
	}
	var parts []string
	if len(in) > 0 {
		parts = append(parts, "in "+strings.Join(in, ", "))
	}
	if len(out) > 0 {
		parts = append(parts, "not yet in "+strings.Join(out, ", "))
	}
	return strings.Join(parts, "; ")
}

func (m *Model) albumsOf(p catalog.Photo) string {
	if !m.detail.loaded || m.detail.id != p.ID {
		return "…"
	}
	return orDash(strings.Join(m.detail.albums, ", "))
}

func size(p photorecord.Record) string {
	s := bytesize.Format(p.Bytes)
	if p.Width > 0 {
		s += fmt.Sprintf(", %d×%d", p.Width, p.Height)
	}
	if p.DurationMS != nil {
		d := time.Duration(*p.DurationMS) * time.Millisecond
		s += fmt.Sprintf(", %d:%02d", int(d.Minutes()), int(d.Seconds())%60)
	}
	return s
}

// detailLines is the detail pane of a photo, w cells wide.
func (m *Model) detailLines(g *grid, p catalog.Photo, w int) []string {
	row := m.detailRow
	r := photorecord.Of(p)
	lines := []string{
		" " + m.st.heading.Render(r.OriginalName),
		" " + r.Type + " · " + r.Format + " · " + size(r),
		"",
		row("Taken", formatTaken(r.TakenAt)),
		row("  from", r.TakenAtSource),
		row("Camera", orDash(camera(r))),
		row("Lens", orDash(r.Lens)),
		row("GPS", gps(r)),
		row("Place", orDash(places.Place{Country: p.Place.Country, Region: p.Place.Region, City: p.Place.City}.Name(language.English))),
		row("Owner", orDash(strings.Join(r.Owners, ", "))),
		row("Albums", m.albumsOf(p)),
		row("Sync", m.syncState(p)),
		row("Path", r.Path),
	}
	if m.detail.sidecars > 0 && m.detail.id == p.ID {
		lines = append(lines, row("Sidecars", strconv.Itoa(m.detail.sidecars)))
	}
	if p.Offloaded != "" {
		lines = append(lines, row("Original", "only in "+p.Offloaded))
	}
	if p.State != "ok" {
		lines = append(lines, row("State", m.st.err.Render(p.State)))
	}
	if !p.TrashedAt.IsZero() {
		lines = append(lines, row("Trashed", formatTime(p.TrashedAt)))
		if purge := m.purgeAfter(p); purge != "" {
			lines = append(lines, row("Purged", "after "+purge))
		}
	}
	if m.marks[g.name][p.ID] {
		lines = append(lines, "", " "+m.st.marked.Render("✓ marked"))
	}
	if m.detail.loaded && m.detail.id == p.ID {
		lines = append(lines, m.takingPartLines(w)...)
	}
	if m.detail.err != "" && m.detail.id == p.ID {
		lines = append(lines, "", " "+m.st.err.Render(m.detail.err))
	}
	return lines
}

// detailRow is a line of the detail pane: a label, then its value.
func (m *Model) detailRow(k, v string) string { return " " + m.st.dim.Render(fit(k, 8)) + v }

// commentsShown is how many comments the detail pane shows, the newest.
const commentsShown = 3

// takingPartLines are the hearts, uploads and comments of the photo in
// the detail pane, w cells wide.
func (m *Model) takingPartLines(w int) []string {
	tp := m.detail.tp
	if tp.Empty() {
		return nil
	}
	lines := []string{""}
	if len(tp.Hearts) > 0 {
		lines = append(lines, m.detailRow("Hearts", heartsLine(tp.Hearts)))
	}
	for _, u := range tp.Uploads {
		lines = append(lines, m.detailRow("Upload", "by "+u.Name+", "+m.until(u.CreatedAt)+" ("+u.Status+")"))
	}
	n := len(tp.Comments)
	if n == 0 {
		return lines
	}
	heading := commentsWord(n)
	if n > commentsShown {
		heading += ", the newest " + strconv.Itoa(commentsShown)
	}
	lines = append(lines, "", " "+m.st.heading.Render(heading))
	for _, c := range tp.Comments[max(0, n-commentsShown):] {
		lines = append(lines, " "+c.Name+m.st.dim.Render(" · "+m.until(c.CreatedAt)))
		for _, l := range strings.Split(ansi.Wrap(c.Text, max(8, w-3), ""), "\n") {
			lines = append(lines, "   "+l)
		}
	}
	return lines
}

// takingPartShort is the hearts, comments and uploaders of the photo in
// a few words, for the detail strip: "♥ 3 · 2 comments".
func (m *Model) takingPartShort(p catalog.Photo) string {
	if !m.detail.loaded || m.detail.id != p.ID {
		return ""
	}
	tp := m.detail.tp
	var parts []string
	if n := len(tp.Hearts); n > 0 {
		parts = append(parts, "♥ "+commas(n))
	}
	if n := len(tp.Comments); n > 0 {
		parts = append(parts, commentsWord(n))
	}
	for _, u := range tp.Uploads {
		parts = append(parts, "uploaded by "+u.Name)
	}
	return strings.Join(parts, " · ")
}

// heartsLine is how many hearts a photo has and from whom, each name
// once: "♥ 3 · 엄마, 아빠, Jin".
func heartsLine(hs []catalog.Heart) string {
	var names []string
	seen := map[string]bool{}
	for _, h := range hs {
		if !seen[h.Name] {
			seen[h.Name] = true
			names = append(names, h.Name)
		}
	}
	return "♥ " + commas(len(hs)) + " · " + strings.Join(names, ", ")
}

func commentsWord(n int) string {
	if n == 1 {
		return "1 comment"
	}
	return commas(n) + " comments"
}

// purgeAfter is when a trashed photo gets purged, once the retention is
// known.
func (m *Model) purgeAfter(p catalog.Photo) string {
	if p.TrashedAt.IsZero() || m.retention == 0 {
		return ""
	}
	return p.TrashedAt.Add(m.retention).UTC().Format("2006-01-02 15:04")
}

// detailStrip is the detail of a photo in two lines.
func (m *Model) detailStrip(g *grid, p catalog.Photo) []string {
	r := photorecord.Of(p)
	first := " " + m.st.heading.Render(r.OriginalName) + " · " + formatTaken(r.TakenAt) + " (" + r.TakenAtSource + ")"
	if c := camera(r); c != "" {
		first += " · " + c
	}
	second := size(r) + " · owner " + orDash(strings.Join(r.Owners, ", ")) + " · albums " + m.albumsOf(p) + " · " + m.syncState(p)
	if t := m.takingPartShort(p); t != "" {
		second = t + " · " + second
	}
	if !p.TrashedAt.IsZero() {
		trashed := "trashed " + formatTime(p.TrashedAt)
		if purge := m.purgeAfter(p); purge != "" {
			trashed += ", purged after " + purge
		}
		second = trashed + " · " + second
	}
	return []string{first, " " + second}
}

// table draws a row of columns: a positive width is left-aligned, a
// negative one right-aligned, and the columns of width 0 share what is
// left.
func table(widths []int, w int, cells []string) string {
	rest, flex := w, 0
	for _, cw := range widths {
		rest -= max(cw, -cw) + 1
		if cw == 0 {
			flex++
		}
	}
	var b strings.Builder
	for i, c := range cells {
		cw := widths[i]
		switch {
		case cw == 0:
			share := max(4, rest/flex)
			rest, flex = rest-share, flex-1
			b.WriteString(fit(c, share) + " ")
		case cw < 0:
			b.WriteString(fitRight(c, -cw) + " ")
		default:
			b.WriteString(fit(c, cw) + " ")
		}
	}
	return b.String()
}

// listLines draws a list with a heading line, keeping the cursor row in
// view; row draws one item.
func listLines[T any](m *Model, l *listState[T], h int, heading string, empty string, row func(T) string) []string {
	lines := []string{m.st.heading.Render(heading)}
	switch {
	case l.err != "":
		return append(lines, " "+m.st.err.Render(l.err))
	case !l.loaded:
		return append(lines, " "+m.st.dim.Render("loading…"))
	case len(l.items) == 0:
		return append(lines, " "+empty)
	}
	rows := h - 1
	if l.cursor < l.top {
		l.top = l.cursor
	}
	if l.cursor >= l.top+rows {
		l.top = l.cursor - rows + 1
	}
	for i := l.top; i < len(l.items) && i < l.top+rows; i++ {
		lines = append(lines, m.rowLine(row(l.items[i]), i == l.cursor))
	}
	return lines
}

// rowLine is a row of a list, marked when the cursor is on it.
func (m *Model) rowLine(row string, cur bool) string {
	if cur {
		return m.st.cursor.Render(fit("›"+row, m.width))
	}
	return " " + row
}

func (m *Model) albumsView(l layout) []string {
	widths := []int{0, -7, -7, 10, 10}
	w := m.width - 1
	return listLines(m, &m.albums, l.bodyH, " "+table(widths, w, []string{"ALBUM", "PHOTOS", "VIDEOS", "FROM", "TO"}),
		"No albums yet: mark photos in the timeline (space) and press a.",
		func(a catalog.Album) string {
			return table(widths, w, []string{a.Name, commas(a.Photos), commas(a.Videos), dateOnly(a.FirstAt), dateOnly(a.LastAt)})
		})
}

func dateOnly(s string) string {
	if len(s) >= 10 {
		return s[:10]
	}
	return "-"
}

// bar draws a fraction as a bar of w cells.
func (m *Model) bar(frac float64, w int) string {
	full := int(math.Round(math.Min(1, math.Max(0, frac)) * float64(w)))
	return m.st.bar.Render(strings.Repeat("█", full)) + m.st.dim.Render(strings.Repeat("░", w-full))
}

func (m *Model) usersView(l layout) []string {
	widths := []int{12, 15, 0, -9, -7, -6}
	w := m.width - 1
	return listLines(m, &m.users, l.bodyH, " "+table(widths, w, []string{"USER", "QUOTA", "USED", "IN TRASH", "PHOTOS", "VIDEOS"}),
		"No users.",
		func(u catalog.User) string {
			used := bytesize.Format(u.UsedBytes)
			quota := "unlimited"
			if u.QuotaBytes != nil {
				q := *u.QuotaBytes
				frac := float64(u.UsedBytes+u.ReservedBytes) / float64(max(q, 1))
				quota = m.bar(frac, 10) + fmt.Sprintf(" %3.0f%%", 100*frac)
				used += " of " + bytesize.Format(q)
				if frac > 1 {
					used += " " + m.st.err.Render("over quota")
				}
			}
			trashed := "-"
			if u.TrashedBytes > 0 {
				trashed = bytesize.Format(u.TrashedBytes)
			}
			return table(widths, w, []string{u.Name, quota, used, trashed, commas(u.Photos), commas(u.Videos)})
		})
}

// until says how far a time is from now: "in 29d", "2h ago".
func (m *Model) until(t time.Time) string {
	d := t.Sub(m.now())
	round := func(d time.Duration) string {
		switch {
		case d >= 48*time.Hour:
			return period.Format(d.Truncate(24 * time.Hour))
		case d >= time.Hour:
			return period.Format(d.Truncate(time.Hour))
		}
		return period.Format(max(d.Truncate(time.Minute), time.Minute))
	}
	if d >= 0 {
		return "in " + round(d)
	}
	return round(-d) + " ago"
}

func (m *Model) sharesView(l layout) []string {
	widths := []int{-4, 0, 14, 8, 10, -5, 12}
	w := m.width - 1
	now := m.now()
	return listLines(m, &m.shares, l.bodyH, " "+table(widths, w, []string{"ID", "OPENS", "NAME", "STATE", "EXPIRES", "VIEWS", "LAST OPENED"}),
		"No share links yet: press s on marked photos or on an album.",
		func(s catalog.Share) string {
			expires := "never"
			if !s.ExpiresAt.IsZero() {
				expires = m.until(s.ExpiresAt)
			}
			last := "-"
			if !s.LastOpenedAt.IsZero() {
				last = m.until(s.LastOpenedAt)
			}
			return table(widths, w, []string{itoa64(s.ID), s.Scope(), orDash(s.Name), sharelink.State(s, now), expires, strconv.FormatInt(s.Views, 10), last})
		})
}

func (m *Model) jobsView(l layout) []string {
	j := &m.jobs
	w := m.width - 1
	lines := []string{m.st.heading.Render(" Remotes")}
	if j.err != "" {
		lines = append(lines, " "+m.st.err.Render(j.err))
	}
	if !j.loaded {
		return append(lines, " "+m.st.dim.Render("loading…"))
	}
	cursorRow := func(i int, s string) string { return m.rowLine(s, i == j.cursor) }
	rw := []int{10, 0, 34, 0}
	if len(j.remotes) == 0 {
		lines = append(lines, " No remotes: add one with \"picup remote add NAME s3://BUCKET --endpoint HOST\".")
	}
	for i, r := range j.remotes {
		pending := "up to date"
		if r.PendingOriginals > 0 {
			pending = commas(r.PendingOriginals) + " originals to upload (" + bytesize.Format(r.PendingBytes) + ")"
		}
		last := "never synced"
		if !r.LastUpload.IsZero() {
			last = "last upload " + m.until(r.LastUpload)
		}
		if !r.LastSnapshot.IsZero() {
			last += ", snapshot " + m.until(r.LastSnapshot)
		}
		where := r.Endpoint + "/" + r.Bucket
		if r.Auto {
			where += " (auto)"
		}
		lines = append(lines, cursorRow(i, table(rw, w, []string{r.Name, where, pending, last})))
	}
	if s := m.syncing; s != nil {
		lines = append(lines, "", " "+m.syncProgress(max(20, w-2)))
	}
	c := j.counts
	heading := fmt.Sprintf(" Jobs: %d pending (%d failing), %d dead", c.Pending, c.Failing, c.Dead)
	if failed := c.Failing + c.Dead; len(j.failed) < failed {
		heading += fmt.Sprintf("; %d of the %d failed listed, more as you scroll", len(j.failed), failed)
	}
	lines = append(lines, "", m.st.heading.Render(heading))
	jw := []int{-6, 13, 7, -5, 0, 0}
	if len(j.failed) == 0 {
		lines = append(lines, " No failed jobs.")
	} else {
		lines = append(lines, " "+m.st.dim.Render(table(jw, w, []string{"ID", "KIND", "STATE", "TRIES", "TARGET", "LAST ERROR"})))
	}
	room := l.bodyH - len(lines)
	first := len(j.remotes)
	if j.cursor-first >= j.top+room {
		j.top = j.cursor - first - room + 1
	}
	if j.cursor-first < j.top {
		j.top = max(0, j.cursor-first)
	}
	for i := j.top; i < len(j.failed) && len(lines) < l.bodyH; i++ {
		job := j.failed[i]
		lines = append(lines, cursorRow(first+i, table(jw, w, []string{itoa64(job.ID), job.Kind, job.State,
			strconv.Itoa(job.Attempts), job.Target, job.LastError})))
	}
	return lines
}

// syncProgress is the running sync's bar and counts in about w cells.
func (m *Model) syncProgress(w int) string {
	s := m.syncing
	total, done := s.prog.TotalObjects.Load(), s.prog.DoneObjects.Load()
	tb, db := s.prog.TotalBytes.Load(), s.prog.DoneBytes.Load()
	frac := 0.0
	if tb > 0 {
		frac = float64(db) / float64(tb)
	}
	text := fmt.Sprintf(" %d/%d objects, %s of %s", done, total, bytesize.Format(db), bytesize.Format(tb))
	if total == 0 {
		text = " planning…"
	}
	label := "sync " + s.remote + " "
	return label + m.bar(frac, max(10, min(30, w-len(label)-len(text)))) + text
}

func (m *Model) statusLine() string {
	if m.searching {
		return m.search.input.view(m.st, m.width)
	}
	left := " " + m.status
	if m.statusErr {
		left = " " + m.st.err.Render(m.status)
	}
	var right []string
	if g := m.activeGrid(); g != nil {
		if n := len(m.marks[g.name]); n > 0 {
			right = append(right, m.st.marked.Render(commas(n)+" marked"))
		}
		if pos := g.position(); pos != "" {
			right = append(right, pos)
		}
	}
	if m.view == viewTimeline && m.query != "" {
		right = append(right, "search: "+m.query)
	}
	if m.syncing != nil {
		right = append(right, m.syncProgress(46))
	}
	r := " " + strings.Join(right, " · ") + " "
	rw := min(ansi.StringWidth(r), m.width*2/3)
	return fit(left, m.width-rw) + fitRight(r, rw)
}

func (m *Model) hintLine() string {
	return fit(" "+m.help.ShortHelpView(m.shortHelp()), m.width)
}

// shortHelp is the hint line's keys for what has the keys now.
func (m *Model) shortHelp() []key.Binding {
	k := m.keys
	switch {
	case m.searching:
		return []key.Binding{
			key.NewBinding(key.WithHelp("enter", "search")),
			key.NewBinding(key.WithHelp("esc", "cancel")),
			key.NewBinding(key.WithHelp("2019-05-01..2019-06-30", "dates")),
			key.NewBinding(key.WithHelp("album: camera: user:", "fields")),
		}
	case m.dialog != nil || m.showHelp:
		return []key.Binding{k.Back}
	}
	common := []key.Binding{k.Help, k.Quit}
	switch m.view {
	case viewTimeline:
		if m.treeFocus {
			return append([]key.Binding{k.Up, k.Down, k.Open, k.NextPane, k.Search}, common...)
		}
		return append([]key.Binding{k.Mark, k.MarkRange, k.AddToAlbum, k.Share, k.Delete, k.Search, k.NextPane, k.Detail}, common...)
	case viewTrash:
		return append([]key.Binding{k.Mark, k.MarkRange, k.Restore, k.Detail}, common...)
	case viewAlbums:
		return append([]key.Binding{k.Up, k.Down, withDesc(k.Open, "show photos"), withDesc(k.Share, "share album")}, common...)
	case viewUsers:
		return append([]key.Binding{k.Up, k.Down, withDesc(k.Open, "show photos")}, common...)
	case viewShares:
		return append([]key.Binding{k.Up, k.Down, k.Revoke}, common...)
	case viewActivity:
		return append([]key.Binding{k.Up, k.Down, withDesc(k.Open, "show the photo"), k.Approve, k.Reject, k.RemoveComment}, common...)
	case viewDupes:
		return append([]key.Binding{k.KeepOrTrash, k.ApplyGroup, k.SkipGroup,
			key.NewBinding(key.WithKeys("left"), key.WithHelp("←/→", "photo")),
			key.NewBinding(key.WithKeys("up"), key.WithHelp("↑/↓", "group")), k.Back}, common...)
	case viewJobs:
		if m.syncing != nil {
			return append([]key.Binding{k.Up, k.Down, withDesc(k.Back, "stop the sync"), k.Retry}, common...)
		}
		return append([]key.Binding{k.Up, k.Down, k.Sync, k.Retry}, common...)
	}
	return common
}

func withDesc(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}

// helpView lists every key binding in as many columns as fit.
func (m *Model) helpView(l layout) []string {
	all := m.keys.Bindings()
	rows := max(1, l.bodyH-3)
	var groups [][]key.Binding
	for i := 0; i < len(all); i += rows {
		var g []key.Binding
		for _, s := range all[i:min(len(all), i+rows)] {
			g = append(g, s.Binding)
		}
		groups = append(groups, g)
	}
	h := m.help
	h.Width = m.width - 2
	h.FullSeparator = "   " // three columns of keys fit in 80 cells
	lines := []string{m.st.heading.Render(" Keys") + m.st.dim.Render("   (? or esc closes; docs/tui.md says where each works)"), ""}
	for _, line := range strings.Split(h.FullHelpView(groups), "\n") {
		lines = append(lines, " "+line)
	}
	return lines
}
