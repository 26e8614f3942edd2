package bytesize

import (
	"strings"
	"testing"
)

func TestFormat(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 B"},
		{999, "999 B"},
		{1000, "1.0 kB"},
		{12_345_678, "12.3 MB"},
		{150_000_000, "150 MB"},
		{1_500_000_000_000, "1.5 TB"},
		{-2_000, "-2.0 kB"},
	}
	for _, tt := range tests {
		if got := Format(tt.n); got != tt.want {
			t.Errorf("Format(%d) = %q; want %q", tt.n, got, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"500MB", 500_000_000},
		{"500mB", 500_000_000},
		{"50GB", 50_000_000_000},
		{"50gB", 50_000_000_000},
		{"1.5TB", 1_500_000_000_000},
		{"1.5 TB", 1_500_000_000_000},
		{" 2kB ", 2_000},
		{"2KB", 2_000},
		{"1PB", 1_000_000_000_000_000},
		{"20GiB", 20 << 30},
		{"20GIB", 20 << 30},
		{"512KiB", 512 << 10},
		{"2MiB", 2 << 20},
		{"1TiB", 1 << 40},
		{"10B", 10},
		{"0.5KB", 500},
		{"1.0005KB", 1001}, // rounded to whole bytes
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	tests := []struct {
		in, msg string // msg: a part of the error
	}{
		{"", "use a number and a unit"},
		{"50 ", "the unit is missing: write 50B for bytes"},
		{"123", "the unit is missing"},
		{"0", "more than 0 bytes"},
		{"0.0", "more than 0 bytes"},
		{"0MB", "more than 0 bytes"},
		{"0.0001B", "more than 0 bytes"},
		{"-1", "cannot be negative"},
		{"-5GB", "cannot be negative"},
		{"50Gb", `"Gb" is in bits (a small b); picup counts bytes: write 50GB`},
		{"50gb", "write 50gB"},
		{"5mb", "in bits"},
		{"20Gib", "write 20GiB"},
		{"1b", "write 1B"},
		{"2M", `"M" alone could mean powers of 1000 or of 1024: write 2MB or 2MiB`},
		{"512k", "write 512KB or 512KiB"},
		{"GB", "use a number and a unit"},
		{".5GB", "use a number and a unit"},
		{"5.GB", "use a number and a unit"},
		{"1.2.3GB", "use a number and a unit"},
		{"5XB", `unknown unit "XB"`},
		{"5 MB/s", "unknown unit"},
		{"5  MB", "unknown unit"},
		{"99999999999PB", "too large"},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q) = %d; want an error saying %q", tt.in, got, tt.msg)
			continue
		}
		if !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("Parse(%q): %v; want it to say %q", tt.in, err, tt.msg)
		}
	}
}

func TestParseFormatRoundTrip(t *testing.T) {
	for _, n := range []int64{1, 999, 12_300_000, 49_800_000_000, 1_500_000_000_000} {
		s := Format(n)
		back, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(Format(%d) = %q): %v", n, s, err)
		}
		if diff := back - n; diff < -n/100 || diff > n/100 {
			t.Errorf("Parse(Format(%d)) = %d; want within 1%%", n, back)
		}
	}
}
