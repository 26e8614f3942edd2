package tui

import (
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// input is a one-line text field: typing, ←/→, home/end, backspace,
// delete, ctrl+u (clear) and ctrl+w (delete a word). The cursor is drawn as
// a character, so it shows without colours too.
type input struct {
	prompt      string
	placeholder string
	value       []rune
	pos         int
}

func (in *input) Value() string { return string(in.value) }

// SetValue replaces the text and puts the cursor at its end.
func (in *input) SetValue(s string) {
	in.value = []rune(s)
	in.pos = len(in.value)
}

// update applies a key; it reports whether the key was for the field.
func (in *input) update(k tea.KeyMsg) bool {
	if k.Alt || k.Paste && k.Type != tea.KeyRunes {
		return false
	}
	switch k.Type {
	case tea.KeyRunes, tea.KeySpace:
		r := k.Runes
		if k.Type == tea.KeySpace {
			r = []rune{' '}
		}
		in.value = append(in.value[:in.pos], append(append([]rune(nil), r...), in.value[in.pos:]...)...)
		in.pos += len(r)
	case tea.KeyBackspace:
		if in.pos > 0 {
			in.value = append(in.value[:in.pos-1], in.value[in.pos:]...)
			in.pos--
		}
	case tea.KeyDelete:
		if in.pos < len(in.value) {
			in.value = append(in.value[:in.pos], in.value[in.pos+1:]...)
		}
	case tea.KeyLeft:
		in.pos = max(0, in.pos-1)
	case tea.KeyRight:
		in.pos = min(len(in.value), in.pos+1)
	case tea.KeyHome, tea.KeyCtrlA:
		in.pos = 0
	case tea.KeyEnd, tea.KeyCtrlE:
		in.pos = len(in.value)
	case tea.KeyCtrlU:
		in.value, in.pos = nil, 0
	case tea.KeyCtrlW:
		i := in.pos
		for i > 0 && in.value[i-1] == ' ' {
			i--
		}
		for i > 0 && in.value[i-1] != ' ' {
			i--
		}
		in.value = append(in.value[:i], in.value[in.pos:]...)
		in.pos = i
	default:
		return false
	}
	return true
}

// view draws the field in w cells, scrolled so the cursor shows.
func (in *input) view(st styles, w int) string {
	prompt := st.key.Render(in.prompt)
	room := max(1, w-ansi.StringWidth(in.prompt)-1)
	if len(in.value) == 0 && in.placeholder != "" {
		return fit(prompt+"▏"+st.dim.Render(in.placeholder), w)
	}
	start := max(0, in.pos-room+1)
	before := string(in.value[start:in.pos])
	after := string(in.value[in.pos:])
	return fit(prompt+before+st.cursor.Render("▏")+after, w)
}
