package bytesize

import "testing"

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
		ok   bool
	}{
		{"500MB", 500_000_000, true},
		{"50GB", 50_000_000_000, true},
		{"1.5TB", 1_500_000_000_000, true},
		{"1.5 tb", 1_500_000_000_000, true},
		{"20GiB", 20 << 30, true},
		{"512KiB", 512 << 10, true},
		{"123", 123, true},
		{"10B", 10, true},
		{"0", 0, true},
		{"", 0, false},
		{"GB", 0, false},
		{"-5GB", 0, false},
		{"5XB", 0, false},
		{"1.2.3GB", 0, false},
		{"99999999999PB", 0, false},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("Parse(%q) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.want, tt.ok)
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
