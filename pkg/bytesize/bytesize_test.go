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
