package tui

import (
	"context"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/picup/picup/internal/catalog"
)

// timeline is the tree of periods: all photos, years, and the months and
// days of the periods opened.
type timeline struct {
	years    []catalog.Bucket
	children map[string][]catalog.Bucket // of opened periods, once loaded
	open     map[string]bool
	cursor   int // row
	top      int // first visible row
	loaded   bool
}

// treeRow is one line of the tree.
type treeRow struct {
	period string // "" for all photos
	count  int
	depth  int
	open   bool
	leaf   bool // a day: nothing to open
}

func newTimeline() timeline {
	return timeline{children: map[string][]catalog.Bucket{}, open: map[string]bool{}}
}

// rows flattens the tree as shown.
func (t *timeline) rows() []treeRow {
	total := 0
	for _, y := range t.years {
		total += y.Count
	}
	out := []treeRow{{period: "", count: total, depth: 0, open: true}}
	var add func(bs []catalog.Bucket, depth int)
	add = func(bs []catalog.Bucket, depth int) {
		for _, b := range bs {
			leaf := len(b.Period) == len(time.DateOnly)
			out = append(out, treeRow{period: b.Period, count: b.Count, depth: depth, open: t.open[b.Period], leaf: leaf})
			if t.open[b.Period] {
				add(t.children[b.Period], depth+1)
			}
		}
	}
	add(t.years, 1)
	return out
}

// selected is the period under the cursor ("" for all photos).
func (t *timeline) selected() string {
	rows := t.rows()
	if t.cursor < len(rows) {
		return rows[t.cursor].period
	}
	return ""
}

// selectPeriod puts the cursor on a period's row, if shown.
func (t *timeline) selectPeriod(period string) {
	for i, r := range t.rows() {
		if r.period == period {
			t.cursor = i
			return
		}
	}
}

// timelineMsg carries the counts of one level of the tree.
type timelineMsg struct {
	within  string
	buckets []catalog.Bucket
	err     error
}

func loadTimeline(ctx context.Context, c *catalog.Catalog, within string) tea.Cmd {
	return func() tea.Msg {
		bs, err := c.Timeline(ctx, within)
		return timelineMsg{within: within, buckets: bs, err: err}
	}
}

// apply stores a level of counts, keeping the cursor on its period.
func (t *timeline) apply(msg timelineMsg) {
	sel := t.selected()
	if msg.within == "" {
		t.years, t.loaded = msg.buckets, true
	} else {
		t.children[msg.within] = msg.buckets
	}
	t.selectPeriod(sel)
	t.cursor = min(t.cursor, len(t.rows())-1)
}

// reloadAll rereads the years and every opened period.
func (t *timeline) reloadAll(ctx context.Context, c *catalog.Catalog) tea.Cmd {
	cmds := []tea.Cmd{loadTimeline(ctx, c, "")}
	for p, open := range t.open {
		if open {
			cmds = append(cmds, loadTimeline(ctx, c, p))
		}
	}
	return tea.Batch(cmds...)
}

// toggle opens or closes the period under the cursor; opening loads its
// children.
func (t *timeline) toggle(ctx context.Context, c *catalog.Catalog, want bool) tea.Cmd {
	rows := t.rows()
	if t.cursor >= len(rows) {
		return nil
	}
	r := rows[t.cursor]
	if r.period == "" || r.leaf || t.open[r.period] == want {
		return nil
	}
	t.open[r.period] = want
	if want {
		return loadTimeline(ctx, c, r.period)
	}
	return nil
}

// closeOrUp closes the period under the cursor when it is open, else
// moves the cursor to the period that holds it.
func (t *timeline) closeOrUp() {
	p := t.selected()
	switch {
	case t.open[p]:
		t.open[p] = false
	case len(p) == 4:
		t.cursor = 0
	case len(p) > 4:
		t.selectPeriod(p[:len(p)-3])
	}
}

var monthNames = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// label names a period on its row: 2019, "05 May", "01 Wed".
func label(period string) string {
	switch len(period) {
	case 0:
		return "All photos"
	case 4:
		return period
	case 7:
		m := int(period[5]-'0')*10 + int(period[6]-'0')
		if m >= 1 && m <= 12 {
			return period[5:] + " " + monthNames[m-1]
		}
	case 10:
		if d, err := time.Parse(time.DateOnly, period); err == nil {
			return period[8:] + " " + d.Weekday().String()[:3]
		}
	}
	return period
}

// view draws the tree in a w×h box.
func (t *timeline) view(s styles, w, h int, focused bool) []string {
	rows := t.rows()
	if t.cursor < t.top {
		t.top = t.cursor
	}
	if t.cursor >= t.top+h {
		t.top = t.cursor - h + 1
	}
	if !t.loaded {
		return block([]string{s.dim.Render(" counting…")}, w, h)
	}
	lines := make([]string, 0, h)
	for i := t.top; i < len(rows) && len(lines) < h; i++ {
		r := rows[i]
		mark := " "
		switch {
		case r.period == "":
		case r.leaf:
			mark = "·"
		case r.open:
			mark = "▾"
		default:
			mark = "▸"
		}
		left := strings.Repeat(" ", max(0, r.depth-1)*2) + mark + " " + label(r.period)
		count := commas(r.count)
		line := " " + fit(left, max(1, w-2-len(count)-1)) + " " + count + " "
		if i == t.cursor {
			line = "›" + line[1:]
			if focused {
				line = s.cursor.Render(fit(line, w))
			}
		}
		lines = append(lines, line)
	}
	return block(lines, w, h)
}
