package termimg

import (
	"fmt"
	"strings"
)

// Mode is a way of drawing pictures in a terminal.
type Mode string

// The modes, from the richest to the plainest.
const (
	Kitty  Mode = "kitty"  // kitty graphics protocol, Unicode placeholders
	ITerm  Mode = "iterm"  // iTerm2 inline images (OSC 1337)
	Sixel  Mode = "sixel"  // DEC sixel graphics
	Blocks Mode = "blocks" // truecolor half blocks, or a luminance ramp with NoColor
	None   Mode = "none"   // no pictures: a blank box with a small mark
)

// modes lists the valid Mode values in the order the help text shows them.
var modes = []Mode{Kitty, ITerm, Sixel, Blocks, None}

// ParseMode parses an --images flag value (case-insensitive). "auto" is
// not a Mode: the caller resolves it with Detect.
func ParseMode(s string) (Mode, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	for _, m := range modes {
		if v == string(m) {
			return m, nil
		}
	}
	names := make([]string, len(modes))
	for i, m := range modes {
		names[i] = string(m)
	}
	valid := strings.Join(names, ", ")
	if v == "auto" {
		return "", fmt.Errorf("image mode %q is resolved by Detect; ParseMode takes one of %s", s, valid)
	}
	return "", fmt.Errorf("unknown image mode %q: use auto or one of %s", s, valid)
}

// Detect picks the best Mode for the terminal described by the environment;
// getenv is os.Getenv outside tests. The rules, first match wins:
//
//   - TERM=dumb: None.
//   - NO_COLOR set (not empty): Blocks, which the caller draws with
//     Options.NoColor as a luminance ramp without colours.
//   - inside tmux or screen (TMUX or STY set, TERM=screen* or tmux*,
//     TERM_PROGRAM=tmux): Blocks, since passing graphics through the
//     multiplexer is unreliable.
//   - kitty (TERM=xterm-kitty, KITTY_WINDOW_ID set) or Ghostty
//     (TERM_PROGRAM=ghostty, TERM=xterm-ghostty): Kitty; both support the Unicode placeholders Kitty mode relies on.
//   - iTerm2 (TERM_PROGRAM=iTerm.app, LC_TERMINAL=iTerm2, which iTerm2 also
//     sends over SSH) or WezTerm (TERM_PROGRAM=WezTerm, whose kitty protocol
//     lacks Unicode placeholders but whose iTerm2 images work): ITerm.
//   - a terminal known to draw sixels (TERM contains "sixel", TERM=foot*,
//     TERM=mlterm* or MLTERM set): Sixel.
//   - anything else: Blocks.
func Detect(getenv func(string) string) Mode {
	term := strings.ToLower(getenv("TERM"))
	program := strings.ToLower(getenv("TERM_PROGRAM"))
	switch {
	case term == "dumb":
		return None
	case getenv("NO_COLOR") != "":
		return Blocks
	case getenv("TMUX") != "" || getenv("STY") != "" ||
		strings.HasPrefix(term, "screen") || strings.HasPrefix(term, "tmux") || program == "tmux":
		return Blocks
	case term == "xterm-kitty" || getenv("KITTY_WINDOW_ID") != "" ||
		program == "ghostty" || term == "xterm-ghostty":
		return Kitty
	case program == "iterm.app" || getenv("LC_TERMINAL") == "iTerm2" || program == "wezterm":
		return ITerm
	case strings.Contains(term, "sixel") || strings.HasPrefix(term, "foot") ||
		strings.HasPrefix(term, "mlterm") || getenv("MLTERM") != "":
		return Sixel
	default:
		return Blocks
	}
}
