package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// styles are made from one renderer, whose colour profile follows the
// terminal and NO_COLOR (no colours and no attributes at all). Nothing
// relies on colour alone: the cursor and marks are characters too.
type styles struct {
	title, tab, tabActive lipgloss.Style
	cursor, marked, dim   lipgloss.Style
	heading, err, ok      lipgloss.Style
	dialog, key           lipgloss.Style
	bar                   lipgloss.Style
	help                  help.Styles
}

func newStyles(r *lipgloss.Renderer) styles {
	accent := lipgloss.Color("#5fafff")
	grey := lipgloss.Color("#808080")
	s := styles{
		title:     r.NewStyle().Bold(true).Foreground(accent),
		tab:       r.NewStyle().Foreground(grey),
		tabActive: r.NewStyle().Bold(true).Reverse(true),
		cursor:    r.NewStyle().Bold(true).Reverse(true),
		marked:    r.NewStyle().Foreground(lipgloss.Color("#ffaf00")).Bold(true),
		dim:       r.NewStyle().Foreground(grey),
		heading:   r.NewStyle().Bold(true),
		err:       r.NewStyle().Foreground(lipgloss.Color("#ff5f5f")).Bold(true),
		ok:        r.NewStyle().Foreground(lipgloss.Color("#87d787")),
		dialog:    r.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(accent).Padding(0, 1),
		key:       r.NewStyle().Bold(true).Foreground(accent),
		bar:       r.NewStyle().Foreground(accent),
	}
	s.help = help.Styles{
		ShortKey: s.key, ShortDesc: s.dim, ShortSeparator: s.dim, Ellipsis: s.dim,
		FullKey: s.key, FullDesc: r.NewStyle(), FullSeparator: s.dim,
	}
	return s
}

// fit cuts s (which may hold escape sequences) to exactly w cells: longer
// text ends in "…", shorter text is padded with spaces.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	n := ansi.StringWidth(s)
	if n > w {
		s = ansi.Truncate(s, w, "…")
		n = ansi.StringWidth(s)
	}
	return s + strings.Repeat(" ", max(0, w-n))
}

// fitRight is fit with the text pushed to the right edge.
func fitRight(s string, w int) string {
	n := ansi.StringWidth(s)
	if n >= w {
		return fit(s, w)
	}
	return strings.Repeat(" ", w-n) + s
}

// block makes lines exactly w cells wide and exactly h lines long.
func block(lines []string, w, h int) []string {
	out := make([]string, h)
	for i := range out {
		if i < len(lines) {
			out[i] = fit(lines[i], w)
		} else {
			out[i] = strings.Repeat(" ", max(0, w))
		}
	}
	return out
}

// beside joins blocks of equal height left to right.
func beside(blocks ...[]string) []string {
	if len(blocks) == 0 {
		return nil
	}
	out := make([]string, len(blocks[0]))
	for i := range out {
		var b strings.Builder
		for _, bl := range blocks {
			if i < len(bl) {
				b.WriteString(bl[i])
			}
		}
		out[i] = b.String()
	}
	return out
}

// column is a block of h lines of one string (a separator).
func column(s string, h int) []string {
	out := make([]string, h)
	for i := range out {
		out[i] = s
	}
	return out
}

// overlay draws box (lines) centred over base (lines of width w).
func overlay(base, box []string, w int) []string {
	bw := 0
	for _, l := range box {
		bw = max(bw, ansi.StringWidth(l))
	}
	top := max(0, (len(base)-len(box))/2)
	left := max(0, (w-bw)/2)
	out := append([]string(nil), base...)
	for i, l := range box {
		y := top + i
		if y >= len(out) {
			break
		}
		line := out[y]
		right := ansi.TruncateLeft(line, left+bw, "")
		out[y] = ansi.Truncate(line, left, "") + fit(l, bw) + right
	}
	return out
}
