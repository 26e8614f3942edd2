package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
)

// KeyMap is every key binding of the browser: the help view (?), the hint
// line and the table in docs/tui.md are all made from it.
type KeyMap struct {
	Up, Down, Left, Right      key.Binding
	PageUp, PageDown           key.Binding
	Top, Bottom                key.Binding
	NextPane, PrevPane         key.Binding
	Open, Back                 key.Binding
	Timeline, Albums, Users    key.Binding
	Shares, Jobs, Trash        key.Binding
	Activity                   key.Binding
	Mark, MarkRange, ClearMark key.Binding
	AddToAlbum, Delete         key.Binding
	Restore, Share, Revoke     key.Binding
	Caption                    key.Binding
	Dupes, KeepOrTrash         key.Binding
	ApplyGroup, SkipGroup      key.Binding
	Retry, Sync                key.Binding
	Approve, Reject            key.Binding
	RemoveComment              key.Binding
	Search, Detail             key.Binding
	Yes, No                    key.Binding
	Help, Quit                 key.Binding
}

// DefaultKeyMap is the browser's key bindings: vim keys and arrows.
func DefaultKeyMap() KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Up:            b("↑/k", "up", "up", "k"),
		Down:          b("↓/j", "down", "down", "j"),
		Left:          b("←/h", "left", "left", "h"),
		Right:         b("→/l", "right", "right", "l"),
		PageUp:        b("pgup/ctrl+b", "page up", "pgup", "ctrl+b"),
		PageDown:      b("pgdn/ctrl+f", "page down", "pgdown", "ctrl+f"),
		Top:           b("g/home", "first", "g", "home"),
		Bottom:        b("G/end", "last", "G", "end"),
		NextPane:      b("tab", "next pane", "tab"),
		PrevPane:      b("shift+tab", "previous pane", "shift+tab"),
		Open:          b("enter", "open", "enter"),
		Back:          b("esc", "back / cancel", "esc"),
		Timeline:      b("1", "timeline", "1"),
		Albums:        b("2", "albums", "2"),
		Users:         b("3", "users", "3"),
		Shares:        b("4", "shares", "4"),
		Jobs:          b("5", "jobs and sync", "5"),
		Trash:         b("6", "trash", "6"),
		Activity:      b("7", "activity", "7"),
		Mark:          b("space", "mark", " ", "space"),
		MarkRange:     b("v", "mark a range", "v"),
		ClearMark:     b("u", "unmark all", "u"),
		AddToAlbum:    b("a", "add to album", "a"),
		Delete:        b("d/del", "move to trash", "d", "delete"),
		Restore:       b("r", "restore", "r"),
		Share:         b("s", "share link", "s"),
		Revoke:        b("x", "revoke share", "x"),
		Caption:       b("c", "caption", "c"),
		Dupes:         b("D", "look-alikes", "D"),
		KeepOrTrash:   b("space", "keep ↔ trash", " ", "space"),
		ApplyGroup:    b("enter", "trash the marked", "enter"),
		SkipGroup:     b("s", "skip group", "s"),
		Retry:         b("r", "retry failed jobs", "r"),
		Sync:          b("S", "sync now", "S"),
		Approve:       b("a", "approve upload", "a"),
		Reject:        b("r", "reject upload", "r"),
		RemoveComment: b("d/del", "delete comment", "d", "delete"),
		Search:        b("/", "search", "/"),
		Detail:        b("i", "details", "i"),
		Yes:           b("y", "yes", "y"),
		No:            b("n", "no", "n"),
		Help:          b("?", "help", "?"),
		Quit:          b("q/ctrl+c", "quit", "q", "ctrl+c"),
	}
}

// Scope says where a binding works.
type Scope struct {
	Binding key.Binding
	Where   string
}

// Bindings lists every binding with where it works, in the order the docs
// show them.
func (k KeyMap) Bindings() []Scope {
	return []Scope{
		{k.Up, "everywhere"}, {k.Down, "everywhere"}, {k.Left, "everywhere"}, {k.Right, "everywhere"},
		{k.PageUp, "lists, grids"}, {k.PageDown, "lists, grids"}, {k.Top, "lists, grids"}, {k.Bottom, "lists, grids"},
		{k.NextPane, "timeline: periods ↔ photos"}, {k.PrevPane, "timeline: periods ↔ photos"},
		{k.Open, "timeline: open a period; albums, users: show their photos; activity: show the photo"},
		{k.Back, "everywhere"},
		{k.Timeline, "everywhere"}, {k.Albums, "everywhere"}, {k.Users, "everywhere"},
		{k.Shares, "everywhere"}, {k.Jobs, "everywhere"}, {k.Trash, "everywhere"}, {k.Activity, "everywhere"},
		{k.Mark, "photo grids"}, {k.MarkRange, "photo grids: press at both ends"}, {k.ClearMark, "photo grids"},
		{k.AddToAlbum, "timeline: marked photos, else the one under the cursor"},
		{k.Delete, "timeline (asks first)"},
		{k.Restore, "trash"},
		{k.Share, "timeline: marked photos; albums: the album"},
		{k.Revoke, "shares (asks first)"},
		{k.Caption, "timeline: the photo under the cursor (an empty caption removes it)"},
		{k.Dupes, "everywhere: review the groups of photos that look alike"},
		{k.KeepOrTrash, "look-alikes: the photo under the cursor"},
		{k.ApplyGroup, "look-alikes: the group shown (asks first)"},
		{k.SkipGroup, "look-alikes: leave the group as it is"},
		{k.Retry, "jobs: the selected job, or every failed one"},
		{k.Sync, "jobs: the selected remote; elsewhere the only remote"},
		{k.Approve, "activity: the selected upload waiting for review"},
		{k.Reject, "activity: the selected upload waiting for review (asks first)"},
		{k.RemoveComment, "activity: the selected comment (asks first)"},
		{k.Search, "timeline"},
		{k.Detail, "photo grids"},
		{k.Yes, "questions"}, {k.No, "questions"},
		{k.Help, "everywhere"}, {k.Quit, "everywhere"},
	}
}

// Markdown is the key bindings table of docs/tui.md.
func (k KeyMap) Markdown() string {
	var b strings.Builder
	b.WriteString("| key | action | where |\n|---|---|---|\n")
	for _, s := range k.Bindings() {
		h := s.Binding.Help()
		b.WriteString("| `" + h.Key + "` | " + h.Desc + " | " + s.Where + " |\n")
	}
	return b.String()
}
