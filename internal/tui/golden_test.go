package tui

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/picup/picup/internal/catalog"
)

var update = flag.Bool("update", false, "rewrite the golden screens in testdata/golden and the key table in docs/tui.md")

// golden compares a screen with testdata/golden/name.txt (or writes it
// with -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".txt")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/tui -run Golden -update to write it)", err)
	}
	if got+"\n" != string(want) {
		t.Errorf("screen %s differs from %s (rerun with -update if the change is intended):\n--- got\n%s\n--- want\n%s", name, path, got, want)
	}
}

// TestGoldenScreens draws each view of the test library at fixed sizes,
// with thumbnails as a luminance ramp and no colours, so the screens are
// plain text.
func TestGoldenScreens(t *testing.T) {
	tests := []struct {
		name string
		w, h int
		keys []string
	}{
		{"timeline-80x24", 80, 24, nil},
		{"timeline-160x48", 160, 48, nil},
		{"timeline-marked-80x24", 80, 24, []string{"l", "space", "v", "j", "l"}},
		{"timeline-month-160x48", 160, 48, []string{"tab", "j", "j", "l", "j"}},
		{"album-picker-80x24", 80, 24, []string{"space", "space", "a", "B", "e", "s", "t"}},
		{"search-80x24", 80, 24, []string{"/", "c", "a", "m", "e", "r", "a", ":", "i", "p", "h", "o", "n", "e"}},
		{"confirm-trash-80x24", 80, 24, []string{"d"}},
		{"albums-80x24", 80, 24, []string{"2"}},
		{"users-80x24", 80, 24, []string{"3"}},
		{"shares-80x24", 80, 24, []string{"4"}},
		{"jobs-80x24", 80, 24, []string{"5"}},
		{"jobs-160x48", 160, 48, []string{"5", "j"}},
		{"trash-80x24", 80, 24, []string{"6"}},
		{"help-80x24", 80, 24, []string{"?"}},
		{"help-160x48", 160, 48, []string{"?"}},
		// The activity view last: it reads what the tabs counted as unread.
		{"activity-80x24", 80, 24, []string{"7"}},
		{"activity-delete-comment-80x24", 80, 24, []string{"7", "j", "d"}},
	}
	lib := testLibrary(t)
	takePart(t, lib, "IMG_0010.JPG")
	// Two photos in the trash since a fixed time.
	err := lib.Catalog.Write(context.Background(), func(tx *catalog.Tx) error {
		_, err := tx.ExecContext(context.Background(), `UPDATE photos SET trashed_at = '2025-02-20T10:00:00Z' WHERE original_name IN ('IMG_0007.JPG', 'IMG_0009.JPG')`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, lib, tt.w, tt.h, Options{})
			h.keys(tt.keys...)
			s := h.screen()
			if strings.Contains(s, "\x1b") {
				t.Fatalf("screen holds escape sequences: %q", s)
			}
			golden(t, tt.name, s)
		})
	}
}

// TestDocsKeyTable checks that docs/tui.md lists the key bindings as the
// KeyMap has them.
func TestDocsKeyTable(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "tui.md")
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- keys: generated from KeyMap by go test ./internal/tui -update -->\n", "<!-- /keys -->"
	s := string(doc)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("%s lacks the markers %q and %q around the key table", path, begin, end)
	}
	want := DefaultKeyMap().Markdown()
	if got := s[i+len(begin) : j]; got != want {
		if *update {
			if err := os.WriteFile(path, []byte(s[:i+len(begin)]+want+s[j:]), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("the key table in %s differs from the KeyMap (go test ./internal/tui -run DocsKeyTable -update rewrites it):\n--- doc\n%s--- KeyMap\n%s", path, got, want)
	}
}
