package termimg

import (
	"strings"
	"testing"
)

func TestParseMode(t *testing.T) {
	tests := []struct {
		in      string
		want    Mode
		wantErr string
	}{
		{"kitty", Kitty, ""},
		{"iterm", ITerm, ""},
		{"sixel", Sixel, ""},
		{"blocks", Blocks, ""},
		{"none", None, ""},
		{" Kitty ", Kitty, ""},
		{"BLOCKS", Blocks, ""},
		{"", "", `unknown image mode "": use auto or one of kitty, iterm, sixel, blocks, none`},
		{"iterm2", "", `unknown image mode "iterm2": use auto or one of kitty, iterm, sixel, blocks, none`},
		{"auto", "", `image mode "auto" is resolved by Detect; ParseMode takes one of kitty, iterm, sixel, blocks, none`},
	}
	for _, tt := range tests {
		got, err := ParseMode(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ParseMode(%q) = %q, %v; want error %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseMode(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name string
		env  string // space-separated KEY=VALUE
		want Mode
	}{
		{"empty environment", "", Blocks},
		{"plain xterm", "TERM=xterm-256color COLORTERM=truecolor", Blocks},
		{"linux console", "TERM=linux", Blocks},
		{"dumb", "TERM=dumb", None},
		{"dumb beats kitty", "TERM=dumb KITTY_WINDOW_ID=1", None},
		{"kitty by TERM", "TERM=xterm-kitty", Kitty},
		{"kitty by window id", "TERM=xterm-256color KITTY_WINDOW_ID=3", Kitty},
		{"ghostty by program", "TERM=xterm-256color TERM_PROGRAM=ghostty", Kitty},
		{"ghostty by TERM", "TERM=xterm-ghostty", Kitty},
		{"iTerm2 by program", "TERM=xterm-256color TERM_PROGRAM=iTerm.app", ITerm},
		{"iTerm2 over ssh", "TERM=xterm-256color LC_TERMINAL=iTerm2", ITerm},
		{"WezTerm", "TERM=xterm-256color TERM_PROGRAM=WezTerm", ITerm},
		{"TERM names sixel", "TERM=xterm-sixel", Sixel},
		{"foot", "TERM=foot", Sixel},
		{"foot-extra", "TERM=foot-extra", Sixel},
		{"mlterm", "TERM=mlterm", Sixel},
		{"mlterm by variable", "TERM=xterm MLTERM=3.9.3", Sixel},
		{"tmux in kitty", "TERM=tmux-256color TMUX=/tmp/tmux-1000/default,1,0 KITTY_WINDOW_ID=1", Blocks},
		{"tmux TERM only", "TERM=tmux-256color TERM_PROGRAM=iTerm.app", Blocks},
		{"tmux program", "TERM=xterm-256color TERM_PROGRAM=tmux LC_TERMINAL=iTerm2", Blocks},
		{"screen", "TERM=screen-256color TERM_PROGRAM=WezTerm", Blocks},
		{"screen session", "TERM=xterm-kitty STY=1234.pts-0.host", Blocks},
		{"NO_COLOR in kitty", "TERM=xterm-kitty NO_COLOR=1", Blocks},
		{"empty NO_COLOR is unset", "TERM=xterm-kitty NO_COLOR=", Kitty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for kv := range strings.FieldsSeq(tt.env) {
				k, v, _ := strings.Cut(kv, "=")
				env[k] = v
			}
			if got := Detect(func(k string) string { return env[k] }); got != tt.want {
				t.Errorf("Detect(%s) = %q, want %q", tt.env, got, tt.want)
			}
		})
	}
}
