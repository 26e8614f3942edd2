package tui

import (
	"context"
	"strings"
	"testing"
)

// TestCaptionDialog: c on the photo under the cursor edits its caption;
// enter saves it, an emptied caption removes it, esc changes nothing.
func TestCaptionDialog(t *testing.T) {
	lib := testLibrary(t)
	h := newHarness(t, lib, 120, 40, Options{})
	h.keys("l") // the second photo
	id := h.m.photos.items[1].ID
	caption := func() string {
		t.Helper()
		p, err := lib.Catalog.PhotoByID(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return p.Caption
	}
	h.keys("c")
	if h.m.dialog == nil || h.m.dialog.kind != dialogCaption {
		t.Fatal("c did not open the caption dialog")
	}
	if !strings.Contains(h.screen(), "Caption of "+h.m.photos.items[1].OriginalName) {
		t.Errorf("the dialog does not name the photo:\n%s", h.screen())
	}
	h.typeText("Grandpa at Haeundae")
	h.keys("enter")
	if got := caption(); got != "Grandpa at Haeundae" {
		t.Errorf("caption after enter: %q", got)
	}
	h.keys("c")
	h.typeText(", 1962")
	h.keys("esc")
	if got := caption(); got != "Grandpa at Haeundae" {
		t.Errorf("esc changed the caption to %q", got)
	}
	h.keys("c")
	for range len("Grandpa at Haeundae") {
		h.keys("backspace")
	}
	h.keys("enter")
	if got := caption(); got != "" {
		t.Errorf("an emptied caption left %q", got)
	}
}
