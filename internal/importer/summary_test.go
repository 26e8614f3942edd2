package importer

import (
	"strings"
	"testing"
)

// The notes about placeholder thumbnails read right for one and for many.
func TestPlaceholderNote(t *testing.T) {
	tests := []struct {
		kind   string
		n      int
		prefix string
	}{
		{"video", 1, "1 video got a placeholder thumbnail"},
		{"video", 2, "2 videos got a placeholder thumbnail"},
		{"raw", 1, "1 raw file was archived with a placeholder thumbnail (no decoder or embedded preview for it here)"},
		{"raw", 3, "3 raw files were archived with a placeholder thumbnail (no decoder or embedded preview for them here)"},
	}
	for _, tt := range tests {
		got := placeholderNote(tt.kind, tt.n)
		if !strings.HasPrefix(got, tt.prefix) || strings.Contains(got, "(s)") {
			t.Errorf("placeholderNote(%q, %d) = %q; want it to start %q", tt.kind, tt.n, got, tt.prefix)
		}
	}
}
