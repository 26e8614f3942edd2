package tui

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
)

// writePattern writes a grid thumbnail of 8×6 grey blocks drawn from
// seed, lighter by light: thumbnails of one seed look alike, of two seeds
// do not.
func writePattern(t *testing.T, lib *library.Library, sha string, seed uint64, light uint8) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, seed))
	var blocks [6][8]uint8
	for y := range blocks {
		for x := range blocks[y] {
			blocks[y][x] = uint8(r.IntN(200))
		}
	}
	img := image.NewRGBA(image.Rect(0, 0, 96, 72))
	for y := 0; y < 72; y++ {
		for x := 0; x < 96; x++ {
			v := blocks[y/12][x/12] + light
			img.Set(x, y, color.RGBA{v, v, v, 255})
		}
	}
	saveThumb(t, lib, sha, img)
}

// lookalikeLibrary is the test library with thumbnails that tell its
// photos apart, but for two groups that look alike: IMG_0001–IMG_0003
// (IMG_0002 the largest, so the keeper) and IMG_0004–IMG_0005 (the same
// size; IMG_0005 has a position, so it is the keeper). No photo has a
// perceptual hash yet: the view computes them as "picup dupes" does.
func lookalikeLibrary(t *testing.T, groups bool) *library.Library {
	t.Helper()
	lib := testLibrary(t)
	ctx := context.Background()
	photos, err := lib.Catalog.ListPhotos(ctx, nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	seeds := map[string]uint64{"IMG_0001.JPG": 1, "IMG_0002.JPG": 1, "IMG_0003.JPG": 1, "IMG_0004.JPG": 2, "IMG_0005.JPG": 2}
	for _, p := range photos {
		seed, light := seeds[p.OriginalName], uint8(p.ID%3*8)
		if seed == 0 || !groups {
			seed = uint64(100 + p.ID)
		}
		writePattern(t, lib, p.SHA256, seed, light)
	}
	err = lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE photos SET width = 6000, height = 4000 WHERE original_name = 'IMG_0002.JPG'`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

// trashedNames are the names of the photos in the trash, sorted.
func trashedNames(t *testing.T, lib *library.Library) []string {
	t.Helper()
	var names []string
	rows, err := lib.Catalog.TrashedPhotos(context.Background(), time.Time{}, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rows {
		names = append(names, p.OriginalName)
	}
	slices.Sort(names)
	return names
}

// groupNames are the names of the group shown, keeper first.
func groupNames(m *Model) []string {
	r, ok := m.dupes.review()
	if !ok {
		return nil
	}
	var names []string
	for _, p := range r.group.Photos {
		names = append(names, p.OriginalName)
	}
	return names
}

// TestDupesView: D shows the groups of look-alikes one at a time with
// the suggested keeper marked keep and why, the others trash; the marks
// change with space, enter moves exactly those marked trash to the trash
// after asking, s skips a group, and esc goes back.
func TestDupesView(t *testing.T) {
	lib := lookalikeLibrary(t, true)
	h := newHarness(t, lib, 120, 40, Options{})
	h.keys("D")
	if h.m.view != viewDupes || h.m.dupes.loading {
		t.Fatalf("D: view %d, loading %v; want the look-alikes, loaded", h.m.view, h.m.dupes.loading)
	}
	if n := len(h.m.dupes.groups); n != 2 {
		t.Fatalf("%d groups; want 2: %s", n, h.screen())
	}
	if !strings.Contains(h.m.status, "hashed 24 photos imported before") {
		t.Errorf("status %q; want the photos hashed", h.m.status)
	}
	// Show the group of three first, whichever order the groups come in.
	if len(groupNames(h.m)) != 3 {
		h.keys("j")
	}
	if got, want := groupNames(h.m), []string{"IMG_0002.JPG", "IMG_0001.JPG", "IMG_0003.JPG"}; !slices.Equal(got, want) {
		t.Fatalf("group %v; want %v, the largest first", got, want)
	}
	s := h.screen()
	for _, want := range []string{
		"3 photos", "keep 1, trash 2", "Suggested keeper: IMG_0002.JPG, the largest (6000×4000)",
		"›IMG_0002.JPG", "6000×4000 · 2.0 MB", "4000×3000 · 2.0 MB", "2019-01-10 09:30:00",
		"originals/2019/2019-02-25/IMG_0002.JPG", "✓ keep · ★ suggested", "✗ trash",
		"space keep ↔ trash", "enter trash the marked", "s skip group", "←/→ photo",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the group lacks %q:\n%s", want, s)
		}
	}
	// Keep IMG_0003 too (the third photo), then apply: only IMG_0001 goes.
	h.keys("l", "l", "space")
	if !strings.Contains(h.screen(), "keep 2, trash 1") {
		t.Errorf("after space on the third photo:\n%s", h.screen())
	}
	h.keys("enter")
	if h.m.dialog == nil || !strings.Contains(h.screen(), "Move IMG_0001.JPG to the trash.") {
		t.Fatalf("enter did not ask which photos go:\n%s", h.screen())
	}
	if got := trashedNames(t, lib); len(got) != 0 {
		t.Fatalf("the trash holds %v before the answer", got)
	}
	h.keys("y")
	if got, want := trashedNames(t, lib), []string{"IMG_0001.JPG"}; !slices.Equal(got, want) {
		t.Errorf("the trash holds %v; want %v", got, want)
	}
	// The next group is shown: its keeper is the one with a position.
	if got, want := groupNames(h.m), []string{"IMG_0005.JPG", "IMG_0004.JPG"}; !slices.Equal(got, want) {
		t.Fatalf("after applying, group %v; want %v", got, want)
	}
	if s := h.screen(); !strings.Contains(s, "the most metadata") || !strings.Contains(h.m.status, "moved 1 photo to the trash") {
		t.Errorf("the second group or the status (%q):\n%s", h.m.status, s)
	}
	h.keys("s")
	s = h.screen()
	for _, want := range []string{"Look-alikes: 2 groups", "1 group applied (1 photo moved to the trash), 1 skipped, 0 kept whole."} {
		if !strings.Contains(s, want) {
			t.Errorf("the summary lacks %q:\n%s", want, s)
		}
	}
	if got, want := trashedNames(t, lib), []string{"IMG_0001.JPG"}; !slices.Equal(got, want) {
		t.Errorf("after skipping, the trash holds %v; want %v", got, want)
	}
	// A group done is not applied twice.
	h.keys("k", "space", "enter")
	if h.m.dialog != nil || !strings.Contains(h.m.status, "this group is done (skipped)") {
		t.Errorf("keys on a skipped group: dialog %v, status %q", h.m.dialog != nil, h.m.status)
	}
	h.keys("esc")
	if h.m.view != viewTimeline {
		t.Errorf("esc went to view %d; want the timeline", h.m.view)
	}
}

// TestDupesKeepOne: a group marked trash throughout is not applied; one
// marked keep throughout is kept whole without a question.
func TestDupesKeepOne(t *testing.T) {
	lib := lookalikeLibrary(t, true)
	h := newHarness(t, lib, 80, 24, Options{})
	h.keys("D")
	if len(groupNames(h.m)) != 2 {
		h.keys("j")
	}
	h.keys("space", "enter")
	if h.m.dialog != nil || !h.m.statusErr || !strings.Contains(h.m.status, "keep at least one") {
		t.Errorf("every photo marked trash: dialog %v, status %q", h.m.dialog != nil, h.m.status)
	}
	h.keys("space", "l", "space", "enter")
	if h.m.dialog != nil || !strings.Contains(h.m.status, "kept whole") {
		t.Errorf("every photo marked keep: dialog %v, status %q", h.m.dialog != nil, h.m.status)
	}
	if got := trashedNames(t, lib); len(got) != 0 {
		t.Errorf("the trash holds %v; want nothing", got)
	}
}

// TestDupesUnreadableThumbnail: a photo whose grid thumbnail is gone is
// left out of the groups, and the status line says how to make it again.
func TestDupesUnreadableThumbnail(t *testing.T) {
	lib := lookalikeLibrary(t, true)
	ps, err := lib.Catalog.ListPhotos(context.Background(), nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.OriginalName == "IMG_0004.JPG" {
			if err := os.Remove(lib.Abs(library.ThumbPath(p.SHA256, "grid"))); err != nil {
				t.Fatal(err)
			}
		}
	}
	h := newHarness(t, lib, 120, 40, Options{})
	h.keys("D")
	if !h.m.statusErr || !strings.Contains(h.m.status, "could not be read, so not compared: 1;") || !strings.Contains(h.m.status, "picup verify --repair") {
		t.Errorf("status %q", h.m.status)
	}
	if n := len(h.m.dupes.groups); n != 1 || len(groupNames(h.m)) != 3 {
		t.Errorf("%d groups, the first %v; want the group of three alone", n, groupNames(h.m))
	}
}

// TestDupesNone: a library without look-alikes says so.
func TestDupesNone(t *testing.T) {
	lib := lookalikeLibrary(t, false)
	h := newHarness(t, lib, 80, 24, Options{})
	h.keys("6", "D")
	s := h.screen()
	if !strings.Contains(s, "No photos look alike") || !strings.Contains(s, "esc goes back") {
		t.Errorf("no groups:\n%s", s)
	}
	h.keys("space", "enter", "s")
	if got := trashedNames(t, lib); len(got) != 0 {
		t.Errorf("keys without groups trashed %v", got)
	}
	h.keys("esc")
	if h.m.view != viewTrash {
		t.Errorf("esc went to view %d; want the trash it came from", h.m.view)
	}
}

// TestDupesGolden draws the look-alikes view at two sizes.
func TestDupesGolden(t *testing.T) {
	for _, tt := range []struct {
		name string
		w, h int
	}{{"dupes-60x16", 60, 16}, {"dupes-80x24", 80, 24}, {"dupes-160x48", 160, 48}} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, lookalikeLibrary(t, true), tt.w, tt.h, Options{})
			h.keys("D")
			if len(groupNames(h.m)) != 3 {
				h.keys("j")
			}
			h.keys("l")
			golden(t, tt.name, h.screen())
		})
	}
}

// TestDupesWideGroup: a burst wider than the screen shows the photos
// that fit, scrolling with the cursor.
func TestDupesWideGroup(t *testing.T) {
	lib := testLibrary(t)
	h := newHarness(t, lib, 80, 24, Options{})
	h.keys("D")
	var g archive.DupeGroup
	for i := 0; i < 20; i++ {
		g.Photos = append(g.Photos, testPhoto(i, "2019-05-01T10:00:00", fmt.Sprintf("BURST_%02d.JPG", i), "Canon", "Canon EOS 5D"))
	}
	g.Why = "imported first"
	h.send(dupesMsg{gen: h.m.dupes.gen, groups: []archive.DupeGroup{g}})
	tests := []struct {
		moves      int
		shown, cur string
	}{
		{0, "(1–3 shown)", "›BURST_00.JPG"},
		{2, "(1–3 shown)", "›BURST_02.JPG"},
		{3, "(2–4 shown)", "›BURST_03.JPG"},
		{30, "(18–20 shown)", "›BURST_19.JPG"},
	}
	for _, tt := range tests {
		h.keys("g")
		for range tt.moves {
			h.keys("l")
		}
		s := h.screen()
		if !strings.Contains(s, tt.shown) || !strings.Contains(s, tt.cur) {
			t.Errorf("after %d moves right, want %q and %q:\n%s", tt.moves, tt.shown, tt.cur, s)
		}
	}
}

func TestPathLines(t *testing.T) {
	tests := []struct {
		path string
		w    int
		want []string
	}{
		{"originals/2019/2019-01-10/IMG_0001.JPG", 40, []string{" originals/2019/2019-01-10/IMG_0001.JPG", ""}},
		{"originals/2019/2019-01-10/IMG_0001.JPG", 24, []string{" …ginals/2019/2019-01-10/", " IMG_0001.JPG"}},
		{"originals/2019/2019-01-10/a-very-long-file-name.jpeg", 12, []string{" …2019-01-10/", " …e-name.jpeg"}},
		{"no-slash-at-all-and-long", 10, []string{" ", " …-and-long"}},
	}
	for _, tt := range tests {
		if got := pathLines(tt.path, tt.w); !slices.Equal(got, tt.want) {
			t.Errorf("pathLines(%q, %d) = %q; want %q", tt.path, tt.w, got, tt.want)
		}
	}
}

// TestDupesMouse: the wheel moves between the photos of a group, a click
// puts the cursor on a photo and a second click turns it keep or trash.
func TestDupesMouse(t *testing.T) {
	h := newHarness(t, lookalikeLibrary(t, true), 120, 40, Options{})
	h.keys("D")
	if len(groupNames(h.m)) != 3 {
		h.keys("j")
	}
	click := func(x, y int) {
		h.send(tea.MouseMsg{X: x, Y: y, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
	}
	r, _ := h.m.dupes.review()
	tests := []struct {
		name  string
		do    func()
		photo int
		trash []bool
	}{
		{"click on the heading", func() { click(45, 1) }, 0, []bool{false, true, true}},
		{"click on the second photo", func() { click(45, 6) }, 1, []bool{false, true, true}},
		{"click on it again", func() { click(45, 6) }, 1, []bool{false, false, true}},
		{"wheel down", func() {
			h.send(tea.MouseMsg{X: 10, Y: 6, Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
		}, 2, []bool{false, false, true}},
		{"wheel down at the last photo", func() {
			h.send(tea.MouseMsg{X: 10, Y: 6, Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
		}, 2, []bool{false, false, true}},
		{"click on the third photo, under the cursor", func() { click(119, 6) }, 2, []bool{false, false, false}},
	}
	for _, tt := range tests {
		tt.do()
		if h.m.dupes.photo != tt.photo || !slices.Equal(r.trash, tt.trash) {
			t.Errorf("%s: cursor on photo %d, trash %v; want %d, %v", tt.name, h.m.dupes.photo, r.trash, tt.photo, tt.trash)
		}
	}
}
