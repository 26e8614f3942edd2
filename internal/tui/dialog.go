package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/picup/picup/internal/sharelink"
)

// searchState is the "/" line.
type searchState struct {
	input input
}

func newSearch() searchState {
	return searchState{input: input{prompt: "/",
		placeholder: `name  album:"Jeju 2019"  camera:iphone  user:mom  2019-05  2019-05-01..2019-06-30`}}
}

func (m *Model) openSearch() {
	m.searching = true
	m.search.input.SetValue(m.query)
}

func (m *Model) searchKey(k tea.KeyMsg) tea.Cmd {
	switch k.Type {
	case tea.KeyEnter:
		m.searching = false
		m.treeFocus = false
		return m.setQuery(m.search.input.Value())
	case tea.KeyEsc:
		m.searching = false
		return nil
	}
	m.search.input.update(k)
	return nil
}

type dialogKind int

const (
	dialogConfirm dialogKind = iota // y runs yes
	dialogAlbum                     // pick or name an album for ids
	dialogShare                     // how long a new link lasts
	dialogLink                      // a new link: URL and QR code
	dialogCaption                   // a photo's caption
)

// dialog is a question or a result drawn over the view; it has the keys
// until it closes.
type dialog struct {
	kind  dialogKind
	title string
	lines []string
	yes   tea.Cmd
	input input
	names []string // album picker: every album's name
	pick  int      // album picker: the highlighted match, -1 for the typed name
	ids   []int64
	album string // share dialog: the album shared ("" for ids)
	link  sharelink.Link
	qr    string
}

// confirm asks a yes/no question; y runs yes.
func (m *Model) confirm(title string, lines []string, yes tea.Cmd) {
	m.dialog = &dialog{kind: dialogConfirm, title: title, lines: lines, yes: yes}
}

// openAlbumPicker asks which album to add ids to; the album list loads
// meanwhile.
func (m *Model) openAlbumPicker(ids []int64) tea.Cmd {
	in := input{prompt: "album: ", placeholder: "type a name; a new one is created"}
	m.dialog = &dialog{kind: dialogAlbum, title: "Add " + photosWord(len(ids)) + " to an album", input: in, ids: ids, pick: -1}
	return m.loadAlbums()
}

// matches are the album names that contain the typed text.
func (d *dialog) matches() []string {
	typed := strings.ToLower(strings.TrimSpace(d.input.Value()))
	var out []string
	for _, n := range d.names {
		if strings.Contains(strings.ToLower(n), typed) {
			out = append(out, n)
		}
	}
	return out
}

// chosen is the album the picker would use.
func (d *dialog) chosen() string {
	if ms := d.matches(); d.pick >= 0 && d.pick < len(ms) {
		return ms[d.pick]
	}
	return strings.TrimSpace(d.input.Value())
}

// openCaption edits the caption of photo p.
func (m *Model) openCaption(id int64, name, caption string) tea.Cmd {
	in := input{prompt: "caption: ", placeholder: "Grandpa at Haeundae, summer 1962"}
	in.SetValue(caption)
	m.dialog = &dialog{kind: dialogCaption, title: "Caption of " + name, input: in, ids: []int64{id}, lines: []string{
		"Shown under the photo on share links, in large type.",
	}}
	return nil
}

// openShare asks how long a link to ids (or to an album) lasts.
func (m *Model) openShare(ids []int64, album string) tea.Cmd {
	in := input{prompt: "expires after: "}
	in.SetValue("30d")
	what := photosWord(len(ids))
	if album != "" {
		what = "album " + album
	}
	m.dialog = &dialog{kind: dialogShare, title: "Share " + what, input: in, ids: ids, album: album, lines: []string{
		"Anyone with the link sees " + what + " in \"picup serve\".",
		"A duration such as 30d, 12h, 90min, 6mo, or never.",
	}}
	return nil
}

func (m *Model) dialogKey(k tea.KeyMsg) tea.Cmd {
	d := m.dialog
	switch d.kind {
	case dialogConfirm:
		switch {
		case is(k, m.keys.Yes):
			m.dialog = nil
			return d.yes
		case is(k, m.keys.No, m.keys.Back, m.keys.Quit):
			m.dialog = nil
			m.setStatus("cancelled")
		}
		return nil
	case dialogLink:
		if is(k, m.keys.Back, m.keys.Open, m.keys.Quit) {
			m.dialog = nil
		}
		return nil
	}
	switch k.Type {
	case tea.KeyEsc:
		m.dialog = nil
		m.setStatus("cancelled")
		return nil
	case tea.KeyEnter:
		switch d.kind {
		case dialogAlbum:
			name := d.chosen()
			if name == "" {
				return nil
			}
			m.dialog = nil
			return m.addToAlbumCmd(name, d.ids)
		case dialogCaption:
			m.dialog = nil
			return m.captionCmd(d.ids[0], d.input.Value())
		}
		expires, err := sharelink.ExpiresIn(d.input.Value(), m.now())
		if err != nil {
			d.lines[len(d.lines)-1] = err.Error()
			return nil
		}
		m.dialog = nil
		return m.shareCmd(sharelink.Spec{PhotoIDs: d.ids, Album: d.album, Expires: expires})
	case tea.KeyUp, tea.KeyDown:
		if d.kind == dialogAlbum {
			n := len(d.matches())
			if k.Type == tea.KeyUp {
				d.pick = max(-1, d.pick-1)
			} else {
				d.pick = min(n-1, d.pick+1)
			}
		}
		return nil
	}
	if d.input.update(k) && d.kind == dialogAlbum {
		d.pick = -1
	}
	return nil
}

// view draws the dialog as a box no wider than w.
func (d *dialog) view(st styles, w, h int) []string {
	inner := max(20, min(w-4, 72))
	if d.kind == dialogLink {
		inner = max(20, min(w-4, ansi.StringWidth(d.link.URL)))
	}
	var body []string
	body = append(body, st.heading.Render(d.title), "")
	for _, l := range d.lines {
		for _, wl := range strings.Split(ansi.Wrap(l, inner, ""), "\n") { // a long error reads whole
			body = append(body, fit(wl, inner))
		}
	}
	switch d.kind {
	case dialogConfirm:
		body = append(body, "", st.key.Render("y")+" yes   "+st.key.Render("n")+" no")
	case dialogAlbum:
		body = append(body, d.input.view(st, inner))
		ms := d.matches()
		typed := strings.TrimSpace(d.input.Value())
		exists := false
		for _, n := range d.names {
			exists = exists || strings.EqualFold(n, typed)
		}
		if typed != "" && !exists {
			line := "  create album \"" + typed + "\""
			if d.pick < 0 {
				line = "›" + line[1:]
			}
			body = append(body, fit(line, inner))
		}
		for i, n := range ms[:min(len(ms), max(1, h-10))] {
			line := "  " + n
			if i == d.pick {
				line = "› " + n
				line = st.cursor.Render(fit(line, inner))
			}
			body = append(body, fit(line, inner))
		}
		body = append(body, "", st.dim.Render("enter add · ↑/↓ pick · esc cancel"))
	case dialogShare:
		body = append(body, d.input.view(st, inner), "", st.dim.Render("enter create the link · esc cancel"))
	case dialogCaption:
		body = append(body, d.input.view(st, inner), "", st.dim.Render("enter save (empty: remove) · esc cancel"))
	case dialogLink:
		body = append(body, d.link.URL)
		qr := strings.Split(strings.TrimRight(d.qr, "\n"), "\n")
		if d.qr != "" && len(qr)+len(body)+4 <= h && ansi.StringWidth(qr[0])+4 <= w {
			body = append(body, qr...)
		} else {
			body = append(body, st.dim.Render("(a larger terminal shows a QR code)"))
		}
		body = append(body, "", st.dim.Render("enter or esc close"))
	}
	return strings.Split(st.dialog.Render(strings.Join(body, "\n")), "\n")
}
