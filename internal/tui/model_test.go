package tui

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/syncer"
)

func gridIDs(g *grid) []int64 {
	var out []int64
	for _, p := range g.items {
		out = append(out, p.ID)
	}
	return out
}

func markedIDs(h *harness, grid string) []int64 {
	var out []int64
	for id := range h.m.marks[grid] {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

func current(t *testing.T, g *grid) catalog.Photo {
	t.Helper()
	p, ok := g.current()
	if !ok {
		t.Fatalf("no photo under the cursor (cur %d, window %d+%d)", g.cur, g.start, len(g.items))
	}
	return p
}

func TestFirstScreen(t *testing.T) {
	h := newHarness(t, testLibrary(t), 120, 40, Options{})
	rows := h.m.tl.rows()
	var got []string
	for _, r := range rows {
		got = append(got, fmt.Sprintf("%s=%d", r.period, r.count))
	}
	if want := []string{"=24", "2021=8", "2020=8", "2019=8"}; !reflect.DeepEqual(got, want) {
		t.Errorf("timeline rows = %v; want %v", got, want)
	}
	if n := len(h.m.photos.items); n != 24 || h.m.photos.total != 24 {
		t.Errorf("grid holds %d photos of %d; want 24 of 24", n, h.m.photos.total)
	}
	if p := current(t, &h.m.photos); p.OriginalName != "IMG_0024.JPG" {
		t.Errorf("cursor on %s; want the newest photo, IMG_0024.JPG", p.OriginalName)
	}
	s := h.screen()
	for _, want := range []string{"All photos", "2019", "IMG_0024.JPG", "exif:DateTimeOriginal", "1 of 24", "24 photos and videos"} {
		if !strings.Contains(s, want) {
			t.Errorf("first screen lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "\x1b") {
		t.Errorf("screen with NO_COLOR holds escape sequences:\n%q", s)
	}
}

func TestMarkAndAddToNewAlbum(t *testing.T) {
	lib := testLibrary(t)
	h := newHarness(t, lib, 120, 40, Options{})
	h.keys("l", "space", "space") // the second and third photos
	want := []int64{h.m.photos.items[1].ID, h.m.photos.items[2].ID}
	slices.Sort(want)
	if got := markedIDs(h, "timeline"); !reflect.DeepEqual(got, want) {
		t.Fatalf("marked %v; want %v", got, want)
	}
	h.keys("a")
	if h.m.dialog == nil || h.m.dialog.kind != dialogAlbum {
		t.Fatal("a did not open the album picker")
	}
	if !slices.Contains(h.m.dialog.names, "Jeju 2019") {
		t.Errorf("album picker offers %v; want the existing album", h.m.dialog.names)
	}
	h.typeText("Best of")
	if !strings.Contains(h.screen(), `create album "Best of"`) {
		t.Errorf("picker does not offer to create the album:\n%s", h.screen())
	}
	h.keys("enter")
	if h.m.dialog != nil {
		t.Fatal("dialog still open after enter")
	}
	a, err := lib.Catalog.AlbumByName(context.Background(), "Best of")
	if err != nil {
		t.Fatal(err)
	}
	ps, err := lib.Catalog.AlbumPhotos(context.Background(), a.ID, nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	got := []int64{}
	for _, p := range ps {
		got = append(got, p.ID)
	}
	slices.Sort(got)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("album holds %v; want %v", got, want)
	}
	if len(h.m.marks["timeline"]) != 0 {
		t.Errorf("marks left after the action: %v", h.m.marks["timeline"])
	}
	if !strings.Contains(h.m.status, `created album "Best of" with 2 photos`) {
		t.Errorf("status = %q", h.m.status)
	}
	// The detail pane now lists the album of the photo under the cursor.
	h.keys("h", "h", "l")
	if !strings.Contains(h.screen(), "Best of") {
		t.Errorf("detail does not show the new album:\n%s", h.screen())
	}
}

func TestAddToExistingAlbumPicksFromList(t *testing.T) {
	lib := testLibrary(t)
	h := newHarness(t, lib, 120, 40, Options{})
	h.keys("G") // the oldest photo, already in Jeju 2019
	h.keys("a")
	h.typeText("jeju")
	h.keys("down", "enter")
	if !strings.Contains(h.m.status, `added 0 photos to "Jeju 2019" (1 photo already in it)`) {
		t.Errorf("status = %q", h.m.status)
	}
}

func TestMarkRange(t *testing.T) {
	h := newHarness(t, testLibrary(t), 120, 40, Options{})
	h.keys("l", "v", "j", "l") // from the 2nd photo to the 2nd of the next row
	cols := h.m.layout().cols
	if a := h.m.anchor["timeline"]; a == nil || a.abs != 1 {
		t.Fatalf("anchor = %+v; want the second photo", a)
	}
	if !strings.Contains(h.screen(), "+IMG_") {
		t.Errorf("the pending range is not drawn:\n%s", h.screen())
	}
	h.keys("v")
	var want []int64
	for _, p := range h.m.photos.items[1 : cols+3] {
		want = append(want, p.ID)
	}
	slices.Sort(want)
	if got := markedIDs(h, "timeline"); !reflect.DeepEqual(got, want) {
		t.Errorf("range marked %v; want %v", got, want)
	}
	h.keys("u")
	if len(h.m.marks["timeline"]) != 0 {
		t.Error("u left marks")
	}
}

func TestTrashAsksThenRestores(t *testing.T) {
	lib := testLibrary(t)
	ctx := context.Background()
	h := newHarness(t, lib, 120, 40, Options{})
	p := current(t, &h.m.photos)
	h.keys("d")
	if h.m.dialog == nil || h.m.dialog.kind != dialogConfirm {
		t.Fatal("d did not ask first")
	}
	h.keys("n")
	if got, _ := lib.Catalog.PhotoByID(ctx, p.ID); !got.TrashedAt.IsZero() {
		t.Fatal("n moved the photo to the trash")
	}
	h.keys("d", "y")
	if got, _ := lib.Catalog.PhotoByID(ctx, p.ID); got.TrashedAt.IsZero() {
		t.Fatal("y did not move the photo to the trash")
	}
	if h.m.photos.total != 23 || h.m.tl.rows()[0].count != 23 {
		t.Errorf("after trashing: grid total %d, timeline %d; want 23", h.m.photos.total, h.m.tl.rows()[0].count)
	}
	if current(t, &h.m.photos).ID == p.ID {
		t.Error("the trashed photo is still in the grid")
	}
	h.keys("6")
	if ids := gridIDs(&h.m.trash); !reflect.DeepEqual(ids, []int64{p.ID}) {
		t.Fatalf("trash grid = %v; want [%d]", ids, p.ID)
	}
	if !strings.Contains(h.screen(), "Trashed") {
		t.Errorf("trash detail lacks the trashed time:\n%s", h.screen())
	}
	h.keys("r")
	if got, _ := lib.Catalog.PhotoByID(ctx, p.ID); !got.TrashedAt.IsZero() {
		t.Fatal("r did not restore the photo")
	}
	if len(h.m.trash.items) != 0 || !strings.Contains(h.screen(), "The trash is empty.") {
		t.Errorf("trash still shows %v", gridIDs(&h.m.trash))
	}
	h.keys("1")
	if h.m.photos.total != 24 {
		t.Errorf("timeline total after restore = %d; want 24", h.m.photos.total)
	}
}

func TestSearch(t *testing.T) {
	h := newHarness(t, testLibrary(t), 120, 40, Options{})
	tests := []struct {
		query string
		want  []string
	}{
		{"camera:iphone 2019", []string{"IMG_0008.JPG", "IMG_0005.JPG", "IMG_0002.JPG"}},
		{"img_001*", []string{"IMG_0019.JPG", "IMG_0018.JPG", "IMG_0017.JPG", "IMG_0016.JPG", "IMG_0015.JPG", "IMG_0014.JPG", "IMG_0013.JPG", "IMG_0012.JPG", "IMG_0011.JPG", "IMG_0010.JPG"}},
		{`album:"jeju 2019"`, []string{"IMG_0004.JPG", "IMG_0003.JPG", "IMG_0002.JPG", "IMG_0001.JPG"}},
		{"user:dad 2021", []string{"IMG_0024.JPG", "IMG_0022.JPG", "IMG_0020.JPG", "IMG_0018.JPG"}},
		{"2020-01..2020-06", []string{"IMG_0012.JPG", "IMG_0011.JPG", "IMG_0010.JPG", "IMG_0009.JPG"}},
	}
	for _, tt := range tests {
		h.keys("/")
		if !h.m.searching {
			t.Fatal("/ did not open the search line")
		}
		h.keys("ctrl+u")
		h.send(tea.KeyMsg{Type: tea.KeyCtrlU})
		h.typeText(tt.query)
		h.keys("enter")
		var got []string
		for _, p := range h.m.photos.items {
			got = append(got, p.OriginalName)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("search %q = %v; want %v", tt.query, got, tt.want)
		}
	}
	h.keys("esc")
	if h.m.query != "" || len(h.m.photos.items) != 24 {
		t.Errorf("esc left query %q and %d photos", h.m.query, len(h.m.photos.items))
	}
	h.keys("/")
	h.typeText("album:nope")
	h.keys("enter")
	if !strings.Contains(h.screen(), `No photos match "album:nope"`) {
		t.Errorf("a search that finds nothing does not say so:\n%s", h.screen())
	}
	h.keys("/")
	h.send(tea.KeyMsg{Type: tea.KeyCtrlU})
	h.typeText("user:nobody")
	h.keys("enter")
	if !strings.Contains(h.screen(), `no user is called nobody`) {
		t.Errorf("an unknown user is not reported:\n%s", h.screen())
	}
	h.keys("/")
	h.send(tea.KeyMsg{Type: tea.KeyCtrlU})
	h.typeText(`"open`)
	h.keys("enter")
	if !strings.Contains(h.screen(), `double quote is not closed`) {
		t.Errorf("an unclosed quote is not reported:\n%s", h.screen())
	}
}

func TestTimelineTree(t *testing.T) {
	h := newHarness(t, testLibrary(t), 120, 40, Options{})
	h.keys("tab")
	if !h.m.treeFocus {
		t.Fatal("tab did not focus the periods")
	}
	h.keys("down", "down") // 2020
	if h.m.period != "2020" || h.m.photos.total != 8 {
		t.Fatalf("period %q with %d photos; want 2020 with 8", h.m.period, h.m.photos.total)
	}
	h.keys("right", "down") // the newest month of 2020
	if h.m.period != "2020-11" || h.m.photos.total != 1 {
		t.Fatalf("period %q with %d photos; want 2020-11 with 1", h.m.period, h.m.photos.total)
	}
	if got := current(t, &h.m.photos).OriginalName; got != "IMG_0016.JPG" {
		t.Errorf("grid shows %s; want IMG_0016.JPG", got)
	}
	h.keys("right", "down") // its day
	if h.m.period != "2020-11-30" {
		t.Fatalf("period %q; want 2020-11-30", h.m.period)
	}
	if !strings.Contains(h.screen(), "30 Mon") {
		t.Errorf("the day's row is not labelled \"30 Mon\":\n%s", h.screen())
	}
	h.keys("enter")
	if h.m.treeFocus {
		t.Error("enter on a day did not move to the photos")
	}
	h.keys("tab", "left")
	if h.m.period != "2020-11" {
		t.Errorf("left from a day went to %q; want its month", h.m.period)
	}
	h.keys("left") // closes the month
	if h.m.period != "2020-11" || h.m.tl.open["2020-11"] {
		t.Errorf("left on an open month: period %q, open %v; want it closed", h.m.period, h.m.tl.open["2020-11"])
	}
	h.keys("left", "left") // to the year, which closes
	if h.m.period != "2020" || h.m.tl.open["2020"] {
		t.Errorf("left, left: period %q, 2020 open %v; want 2020, closed", h.m.period, h.m.tl.open["2020"])
	}
}

func TestNoticesOtherProcesses(t *testing.T) {
	lib := testLibrary(t)
	h := newHarness(t, lib, 120, 40, Options{})
	h.send(pollMsg{})
	// Another process imports a photo.
	ctx := context.Background()
	other, err := library.Open(ctx, lib.Root)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	p := testPhoto(99, "2024-06-01T10:00:00", "NEW_0001.JPG", "", "")
	err = other.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		_, err := tx.InsertPhoto(ctx, p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	h.send(pollMsg{})
	if got := h.m.tl.rows()[1]; got.period != "2024" || got.count != 1 || h.m.tl.rows()[0].count != 25 {
		t.Errorf("after another process's import: rows %v", h.m.tl.rows())
	}
	if p := current(t, &h.m.photos); p.OriginalName != "IMG_0024.JPG" {
		t.Errorf("the cursor moved to %s; it stays on its photo", p.OriginalName)
	}
	if h.m.photos.items[0].OriginalName != "NEW_0001.JPG" {
		t.Errorf("grid starts with %s; want the new photo", h.m.photos.items[0].OriginalName)
	}
}

func TestShareLinkAndRevoke(t *testing.T) {
	lib := testLibrary(t)
	h := newHarness(t, lib, 120, 40, Options{})
	h.keys("space", "space", "s")
	if h.m.dialog == nil || h.m.dialog.kind != dialogShare {
		t.Fatal("s did not ask for the link's expiry")
	}
	h.keys("backspace", "backspace", "backspace")
	h.typeText("soon")
	h.keys("enter")
	if h.m.dialog == nil || !strings.Contains(h.screen(), `invalid duration "soon"`) {
		t.Fatalf("a bad expiry is not reported:\n%s", h.screen())
	}
	// "1m" is refused as the CLI refuses it, naming both ways to say it.
	h.send(tea.KeyMsg{Type: tea.KeyCtrlU})
	h.typeText("1m")
	h.keys("enter")
	if s := h.screen(); h.m.dialog == nil || h.m.dialog.kind != dialogShare || !strings.Contains(s, "1min") || !strings.Contains(s, "1mo") {
		t.Fatalf("an ambiguous expiry is not refused with min and mo:\n%s", s)
	}
	h.keys("ctrl+u")
	h.send(tea.KeyMsg{Type: tea.KeyCtrlU})
	h.typeText("7d")
	h.keys("enter")
	d := h.m.dialog
	if d == nil || d.kind != dialogLink || !strings.Contains(d.link.URL, "/s/") {
		t.Fatalf("no link shown: %+v", d)
	}
	if d.link.Scope != "2 photos" || d.qr == "" {
		t.Errorf("link scope %q, QR %d bytes; want 2 photos and a code", d.link.Scope, len(d.qr))
	}
	if len(h.m.marks["timeline"]) != 0 {
		t.Errorf("marks left after sharing them: %v", h.m.marks["timeline"])
	}
	if s := h.screen(); !strings.Contains(s, d.link.URL) || !strings.Contains(s, "█") {
		t.Errorf("the link and its QR code are not on screen:\n%s", s)
	}
	h.keys("esc", "4")
	var newest catalog.Share
	if len(h.m.shares.items) > 0 {
		newest = h.m.shares.items[0]
	}
	if newest.ID != d.link.ID || !strings.Contains(h.screen(), "2 photos") {
		t.Fatalf("shares view does not list the new link first:\n%s", h.screen())
	}
	h.keys("x", "y")
	s, err := lib.Catalog.ShareByID(context.Background(), newest.ID)
	if err != nil || s.RevokedAt.IsZero() {
		t.Errorf("share %d not revoked: %+v, %v", newest.ID, s, err)
	}
	if !strings.Contains(h.screen(), "revoked") {
		t.Errorf("shares view does not show the revocation:\n%s", h.screen())
	}
	// An album's link, from the albums view.
	h.keys("2", "s", "enter")
	if d := h.m.dialog; d == nil || d.link.Scope != `album "Jeju 2019"` {
		t.Errorf("album share dialog = %+v", d)
	}
}

func TestRetryAndSync(t *testing.T) {
	lib := testLibrary(t)
	ran := 0
	h := newHarness(t, lib, 120, 40, Options{Sync: fakeSync, RunJobs: func(context.Context) error { ran++; return nil }})
	h.keys("5")
	if !strings.Contains(h.screen(), "23 originals to upload") || !strings.Contains(h.screen(), "permission denied") {
		t.Fatalf("jobs view:\n%s", h.screen())
	}
	h.keys("j", "r") // the dead job
	jobs, err := lib.Catalog.Jobs(context.Background(), false, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].State != catalog.JobPending || jobs[0].Attempts != 0 || ran != 1 {
		t.Errorf("after retry: jobs %+v, runs %d; want one pending job, run once", jobs, ran)
	}
	h.keys("k", "S")
	if h.m.syncing != nil || !strings.Contains(h.m.status, "synced b2: uploaded 3 objects") {
		t.Errorf("after S: syncing %v, status %q", h.m.syncing, h.m.status)
	}
}

// TestSyncProgressShows draws a running sync's progress: the harness
// runs commands to completion, so the running state is set by hand.
func TestSyncProgressShows(t *testing.T) {
	h := newHarness(t, testLibrary(t), 120, 40, Options{})
	h.keys("5")
	p := &syncer.Progress{}
	p.TotalObjects.Store(4)
	p.TotalBytes.Store(4000)
	p.DoneObjects.Store(1)
	p.DoneBytes.Store(1000)
	h.m.syncing = &syncRun{remote: "b2", prog: p, cancel: func() {}}
	s := h.screen()
	if !strings.Contains(s, "sync b2 ") || !strings.Contains(s, "1/4 objects, 1.0 kB of 4.0 kB") || !strings.Contains(s, "█") {
		t.Errorf("no progress bar:\n%s", s)
	}
	h.keys("q")
	if h.quit || h.m.dialog == nil {
		t.Fatal("q during a sync quit without asking")
	}
	h.keys("y")
	if !h.quit {
		t.Error("y did not quit")
	}
}

func TestMouse(t *testing.T) {
	h := newHarness(t, testLibrary(t), 120, 40, Options{})
	l := h.m.layout()
	click := func(x, y int) {
		h.send(tea.MouseMsg{X: x, Y: y, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
	}
	// The second cell of the second row.
	x, y := l.gridX+l.cellW+2, 1+l.cellH+2
	click(x, y)
	if h.m.photos.cur != l.cols+1 {
		t.Fatalf("click put the cursor on %d; want %d", h.m.photos.cur, l.cols+1)
	}
	click(x, y)
	if len(h.m.marks["timeline"]) != 1 {
		t.Error("a second click did not mark the photo")
	}
	h.send(tea.MouseMsg{X: x, Y: y, Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
	if h.m.photos.cur != 2*l.cols+1 {
		t.Errorf("wheel down moved the cursor to %d; want %d", h.m.photos.cur, 2*l.cols+1)
	}
	// The tree: the 2020 row.
	click(3, 3)
	if h.m.period != "2020" || !h.m.treeFocus {
		t.Errorf("click on the 2020 row: period %q, tree focus %v", h.m.period, h.m.treeFocus)
	}
	// The Users tab.
	tabs := h.m.tabs()
	click(tabs[viewUsers].x0+1, 0)
	if h.m.view != viewUsers || !strings.Contains(h.screen(), "dad") {
		t.Errorf("click on the Users tab: view %v\n%s", h.m.view, h.screen())
	}
}

func TestHelpAndQuit(t *testing.T) {
	h := newHarness(t, testLibrary(t), 80, 24, Options{})
	h.keys("?")
	s := h.screen()
	for _, want := range []string{"mark a range", "add to album", "retry failed jobs", "quit"} {
		if !strings.Contains(s, want) {
			t.Errorf("help lacks %q:\n%s", want, s)
		}
	}
	h.keys("?")
	if h.m.showHelp {
		t.Error("? did not close the help")
	}
	h.keys("q")
	if !h.quit {
		t.Error("q did not quit")
	}
	h.quit = false
	h.keys("a", "q")
	if h.quit || h.m.dialog.input.Value() != "q" {
		t.Errorf("q in the album picker quit (%v) or was not typed (%q)", h.quit, h.m.dialog.input.Value())
	}
	h.keys("ctrl+c")
	if !h.quit {
		t.Error("ctrl+c in the album picker did not quit")
	}
}

func TestEveryViewFitsEverySize(t *testing.T) {
	h := newHarness(t, testLibrary(t), 80, 24, Options{})
	sizes := [][2]int{{80, 24}, {60, 16}, {100, 30}, {120, 40}, {160, 48}, {250, 70}}
	for _, v := range []string{"1", "2", "3", "4", "5", "6"} {
		h.keys(v)
		for _, sz := range sizes {
			h.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			h.screen()
			h.keys("i")
			h.screen()
			h.keys("i")
		}
	}
	h.send(tea.WindowSizeMsg{Width: 50, Height: 10})
	if v := h.m.View(); !strings.Contains(v, "at least 60×16") {
		t.Errorf("a tiny terminal gets %q", v)
	}
}

// TestPagingWalksTheWholeListing moves through 1,000 photos one at a
// time, forwards and back, and jumps to both ends: the window slides by
// pages and never holds them all, and the order is the catalog's.
// addGenerated adds photos first…last-1 taken an hour apart from start
// (no thumbnail files).
func addGenerated(t *testing.T, lib *library.Library, first, last int, start time.Time) {
	t.Helper()
	ctx := context.Background()
	err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		for i := first; i < last; i++ {
			taken := start.Add(time.Duration(i) * time.Hour).Format("2006-01-02T15:04:05")
			if _, err := tx.InsertPhoto(ctx, testPhoto(i, taken, fmt.Sprintf("GEN_%04d.JPG", i), "", "")); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestPagingWalksTheWholeListing(t *testing.T) {
	lib := testLibrary(t)
	ctx := context.Background()
	addGenerated(t, lib, 100, 1076, time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC))
	all, err := lib.Catalog.BrowsePhotos(ctx, catalog.Filter{}, nil, 2000)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, lib, 80, 24, Options{Images: "none"})
	g := &h.m.photos
	biggest := 0
	for i := range all {
		if p := current(t, g); p.ID != all[i].ID || g.cur != i {
			t.Fatalf("step %d: cursor at %d on photo %d; want photo %d", i, g.cur, p.ID, all[i].ID)
		}
		biggest = max(biggest, len(g.items))
		h.keys("l")
	}
	if biggest > maxWindow+page {
		t.Errorf("the window grew to %d photos; want at most %d", biggest, maxWindow+page)
	}
	for i := len(all) - 1; i >= 0; i-- {
		if p := current(t, g); p.ID != all[i].ID || g.cur != i {
			t.Fatalf("back at %d: cursor at %d on photo %d; want photo %d", i, g.cur, p.ID, all[i].ID)
		}
		h.keys("h")
	}
	h.keys("G")
	if p := current(t, g); p.ID != all[len(all)-1].ID || g.cur != len(all)-1 || !strings.Contains(h.screen(), "1,000 of 1,000") {
		t.Errorf("G: cursor %d on %d; want the last photo\n%s", g.cur, p.ID, h.screen())
	}
	for range 30 {
		h.keys("pgup")
	}
	h.keys("g")
	if p := current(t, g); p.ID != all[0].ID || g.cur != 0 {
		t.Errorf("g: cursor %d on %d; want the first photo", g.cur, p.ID)
	}
}

// TestTimelineSource: an empty line lists the period, a search keeps
// its own dates over the period's, and a line that cannot be read says
// what to write (the same parser as "picup find").
func TestTimelineSource(t *testing.T) {
	src, err := timelineSource("  ", "2019-05")
	if ls, ok := src.(liveSource); err != nil || !ok || ls.f.From != "2019-05-01" || ls.f.To != "2019-05-31" {
		t.Errorf("no search in 2019-05: %#v, %v", src, err)
	}
	src, err = timelineSource("beach", "2019-05")
	want, _ := catalog.ParseQuery("beach 2019-05")
	if ss, ok := src.(searchSource); err != nil || !ok || ss.q.Filter.Since != "2019-05-01" || !reflect.DeepEqual(ss.q, want) {
		t.Errorf("beach in 2019-05: %#v, %v", src, err)
	}
	src, err = timelineSource("beach 2020", "2019-05")
	if ss, ok := src.(searchSource); err != nil || !ok || ss.q.Filter.Since != "2020-01-01" || ss.q.Filter.Until != "2020-12-31" {
		t.Errorf("beach 2020 in 2019-05: %#v, %v", src, err)
	}
	if _, err := timelineSource(`"beach`, ""); err == nil || !strings.Contains(err.Error(), "not closed") {
		t.Errorf("an unclosed quote: %v", err)
	}
}

func TestFailedJobsLoadPageByPage(t *testing.T) {
	lib := testLibrary(t)
	ctx := context.Background()
	err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		for i := range 450 {
			if err := tx.AddJob(ctx, catalog.JobDeleteFile, fmt.Sprintf("thumbs/00/%d.jpg", i)); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE jobs SET state = 'dead', attempts = 8, last_error = 'disk full'`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, lib, 100, 30, Options{})
	h.keys("5")
	if n := len(h.m.jobs.failed); n != jobsPage {
		t.Fatalf("jobs view loaded %d failed jobs; want a page of %d", n, jobsPage)
	}
	if !strings.Contains(h.screen(), "200 of the 451 failed listed") {
		t.Errorf("the jobs view does not say how many more:\n%s", h.screen())
	}
	for range 3 {
		h.keys("G")
	}
	if n := len(h.m.jobs.failed); n != 451 {
		t.Errorf("after G three times, %d failed jobs loaded; want all 451", n)
	}
	if j, ok := h.m.jobs.selectedJob(); !ok || j.ID != 451 {
		t.Errorf("cursor on job %+v; want the last, 451", j)
	}
}

func TestShownPeriodGoesAway(t *testing.T) {
	lib := testLibrary(t)
	h := newHarness(t, lib, 120, 40, Options{})
	h.keys("tab", "j", "l", "j", "l", "j") // 2021, its newest month, its day
	day := h.m.period
	if len(day) != 10 {
		t.Fatalf("period %q; want a day", day)
	}
	p := current(t, &h.m.photos)
	ctx := context.Background()
	err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		_, err := tx.Trash(ctx, []int64{p.ID})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	h.send(pollMsg{})
	if h.m.period == day || h.m.period != h.m.tl.selected() {
		t.Errorf("after its only photo went: period %q, tree on %q; want the tree's new selection", h.m.period, h.m.tl.selected())
	}
	if len(h.m.photos.items) == 0 {
		t.Error("the grid is empty")
	}
}

func TestEmptyLibrary(t *testing.T) {
	lib, err := library.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	h := newHarness(t, lib, 80, 24, Options{})
	if s := h.screen(); !strings.Contains(s, `No photos yet. Import some with "picup import PATH".`) || !strings.Contains(s, "All photos") {
		t.Errorf("empty library:\n%s", s)
	}
	// Keys on an empty grid and empty lists do nothing but must not fail.
	h.keys("l", "j", "space", "v", "a", "d", "s", "G", "g", "tab", "j", "enter")
	for _, v := range []string{"2", "3", "4", "5", "6"} {
		h.keys(v, "j", "enter", "s", "x", "r", "space")
		h.screen()
	}
	if h.m.dialog != nil {
		t.Errorf("a dialog opened on an empty library: %+v", h.m.dialog)
	}
}

func TestTrashRangeRestore(t *testing.T) {
	lib := testLibrary(t)
	h := newHarness(t, lib, 120, 40, Options{})
	h.keys("space", "space", "space", "space", "d", "y", "6")
	if len(h.m.trash.items) != 4 {
		t.Fatalf("trash holds %d photos; want 4", len(h.m.trash.items))
	}
	h.keys("l", "v", "l", "l", "v")
	if n := len(h.m.marks["trash"]); n != 3 {
		t.Fatalf("range in the trash marked %d; want 3", n)
	}
	h.keys("r")
	if len(h.m.trash.items) != 1 || h.m.trash.total != 1 {
		t.Errorf("after restoring the range the trash holds %v (total %d); want 1", gridIDs(&h.m.trash), h.m.trash.total)
	}
	if n, _ := lib.Catalog.CountTrashed(context.Background()); n != 1 {
		t.Errorf("catalog trash holds %d; want 1", n)
	}
}

// TestDeepWindowFollowsChanges scrolls far into a long listing, then
// another process adds newer photos: the window rereads itself, the
// cursor stays on its photo and its position counts the new ones.
func TestDeepWindowFollowsChanges(t *testing.T) {
	lib := testLibrary(t)
	addGenerated(t, lib, 100, 1100, time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC))
	h := newHarness(t, lib, 80, 24, Options{Images: "none"})
	g := &h.m.photos
	for range 90 {
		h.keys("pgdown")
	}
	if g.start == 0 {
		t.Fatalf("the window still starts at the top after 90 pages (cursor %d)", g.cur)
	}
	before := current(t, g)
	pos := g.cur
	addGenerated(t, lib, 2000, 2003, time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC))
	h.send(pollMsg{})
	if p := current(t, g); p.ID != before.ID || g.cur != pos+3 || g.total != 1027 {
		t.Errorf("after 3 newer photos: cursor %d on %d, total %d; want %d on %d, total 1027", g.cur, p.ID, g.total, pos+3, before.ID)
	}
	if !strings.Contains(h.screen(), commas(pos+4)+" of 1,027") {
		t.Errorf("position not shown:\n%s", h.screen())
	}
}

// TestKeysReadTogether sends keys as a terminal delivers keys typed
// faster than the browser reads them (over SSH, or tmux send-keys): one
// message of several runes. Each is a key of its own, unless a text field
// has the keys.
func TestKeysReadTogether(t *testing.T) {
	h := newHarness(t, testLibrary(t), 120, 40, Options{})
	runes := func(s string) { h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}) }
	runes("ll")
	if g := &h.m.photos; g.cur != 2 {
		t.Errorf(`"ll" put the cursor on %d; want 2`, g.cur)
	}
	runes("/img")
	if !h.m.searching || h.m.search.input.Value() != "img" {
		t.Fatalf(`"/img": searching %v, the line holds %q; want "img"`, h.m.searching, h.m.search.input.Value())
	}
	runes("_00")
	if v := h.m.search.input.Value(); v != "img_00" {
		t.Errorf("typing into the search line: %q; want img_00", v)
	}
}
