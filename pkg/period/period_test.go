package period

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"30d", 30 * day, true},
		{"12h", 12 * time.Hour, true},
		{"90s", 90 * time.Second, true},
		{"90min", 90 * time.Minute, true},
		{"1MIN", time.Minute, true},
		{"2W", 14 * day, true},
		{"1mo", 30 * day, true},
		{"6mo", 180 * day, true},
		{"1y", 365 * day, true},
		{" 7d ", 7 * day, true},
		{"0d", 0, true},
		{"", 0, false},
		{"d", 0, false},
		{"min", 0, false},
		{"30", 0, false},
		{"-3d", 0, false},
		{"+3d", 0, false},
		{"1.5d", 0, false},
		{"30x", 0, false},
		{"30 d", 0, false},
		{"1h30min", 0, false},
		{"1m", 0, false},
		{"90m", 0, false},
		{"1M", 0, false},
		{"1ms", 0, false},
		{"1mon", 0, false},
		{"1month", 0, false},
		{"999999999999y", 0, false},
		{"99999999999999999999s", 0, false},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("Parse(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestParseRefusesM: "1m" is a minute to some and a month to others, so it
// is refused with a message that names both ways to say it.
func TestParseRefusesM(t *testing.T) {
	for _, in := range []string{"1m", "90M", "12m"} {
		_, err := Parse(in)
		if err == nil {
			t.Errorf("Parse(%q) = nil error; want it refused as ambiguous", in)
			continue
		}
		num := strings.TrimRight(in, "mM")
		for _, want := range []string{num + "min", num + "mo", "minutes or months"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("Parse(%q) error %q; want it to name %q", in, err, want)
			}
		}
	}
}

// TestParseStored: values that older versions stored with Format, which
// wrote minutes as "m", are read as they were meant.
func TestParseStored(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"90m", 90 * time.Minute, true},
		{"5m", 5 * time.Minute, true},
		{"30d", 30 * day, true},
		{"2w", 14 * day, true},
		{"36h", 36 * time.Hour, true},
		{"0s", 0, true},
		{"90min", 90 * time.Minute, true},
		{"1mo", 30 * day, true},
		{"m", 0, false},
		{"xm", 0, false},
		{"-5m", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseStored(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseStored(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{30 * day, "30d"},
		{60 * day, "60d"},
		{14 * day, "2w"},
		{365 * day, "1y"},
		{36 * time.Hour, "36h"},
		{90 * time.Second, "90s"},
		{5 * time.Minute, "5min"},
		{90 * time.Minute, "90min"},
		{0, "0s"},
	}
	for _, tt := range tests {
		got := Format(tt.in)
		if got != tt.want {
			t.Errorf("Format(%v) = %q; want %q", tt.in, got, tt.want)
		}
		if back, err := Parse(got); err != nil || back != tt.in {
			t.Errorf("Parse(Format(%v)) = %v, %v; want %v", tt.in, back, err, tt.in)
		}
	}
}

func TestWords(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{30 * day, "30 days"},
		{day, "1 day"},
		{14 * day, "2 weeks"},
		{time.Hour, "1 hour"},
		{90 * time.Minute, "90 minutes"},
		{time.Second, "1 second"},
		{0, "0 seconds"},
	}
	for _, tt := range tests {
		if got := Words(tt.in); got != tt.want {
			t.Errorf("Words(%v) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestAbout(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{30*day - time.Second, "30 days"},
		{-3 * day, "3 days"},
		{47 * time.Hour, "47 hours"},
		{2*time.Hour + 29*time.Minute, "2 hours"},
		{119 * time.Minute, "119 minutes"},
		{time.Minute, "60 seconds"},
		{time.Second, "1 second"},
	}
	for _, tt := range tests {
		if got := About(tt.in); got != tt.want {
			t.Errorf("About(%v) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
