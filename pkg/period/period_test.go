package period

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"30d", 30 * 24 * time.Hour, true},
		{"12h", 12 * time.Hour, true},
		{"90s", 90 * time.Second, true},
		{"2W", 14 * 24 * time.Hour, true},
		{"1y", 365 * 24 * time.Hour, true},
		{"0d", 0, true},
		{"", 0, false},
		{"d", 0, false},
		{"30", 0, false},
		{"-3d", 0, false},
		{"1.5d", 0, false},
		{"30x", 0, false},
		{"999999999999y", 0, false},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("Parse(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{30 * 24 * time.Hour, "30d"},
		{14 * 24 * time.Hour, "2w"},
		{36 * time.Hour, "36h"},
		{90 * time.Second, "90s"},
		{5 * time.Minute, "5m"},
	}
	for _, tt := range tests {
		if got := Format(tt.in); got != tt.want {
			t.Errorf("Format(%v) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
