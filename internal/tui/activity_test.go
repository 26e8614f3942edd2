package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
)

// photoNamed finds a photo of the test library by its name.
func photoNamed(t testing.TB, lib *library.Library, name string) catalog.Photo {
	t.Helper()
	ps, err := lib.Catalog.BrowsePhotos(context.Background(), catalog.Filter{Name: name}, nil, 2)
	if err != nil || len(ps) != 1 {
		t.Fatalf("photo %s: %v, %v", name, ps, err)
	}
	return ps[0]
}

// takePart adds what relatives did through the test library's link 1 (to
// "Jeju 2019"): 엄마 and Jin heart IMG_0024.JPG, 엄마 comments on it, and
// Aunt Sue's uploads of each of uploads wait for review, the last one
// newest.
func takePart(t testing.TB, lib *library.Library, uploads ...string) {
	t.Helper()
	ctx := context.Background()
	p := photoNamed(t, lib, "IMG_0024.JPG")
	var up []catalog.Photo
	for _, name := range uploads {
		up = append(up, photoNamed(t, lib, name))
	}
	at := func(hours int) time.Time { return testNow.Add(-time.Duration(hours) * time.Hour) }
	err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		for i, u := range up {
			_, err := tx.InsertUpload(ctx, catalog.Upload{TusID: fmt.Sprintf("tus-%d", i), ShareID: 1, PhotoID: u.ID, UserID: 1,
				NewPhoto: true, Device: "d-sue", Name: "Aunt Sue", FileName: u.OriginalName, Bytes: u.Bytes,
				Status: catalog.UploadPending, CreatedAt: at(5 - i)})
			if err != nil {
				return err
			}
		}
		for i, name := range []string{"엄마", "Jin"} {
			if _, err := tx.ToggleHeart(ctx, catalog.Heart{PhotoID: p.ID, ShareID: 1, Device: "d-" + name, Name: name, CreatedAt: at(4 - i)}); err != nil {
				return err
			}
		}
		_, err := tx.AddComment(ctx, catalog.Comment{PhotoID: p.ID, ShareID: 1, Device: "d-엄마", Name: "엄마",
			Text: "That's uncle Bong-su at the harbour, the summer before he left for Busan", CreatedAt: at(2)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// comment adds a comment on IMG_0024.JPG through link 1 from another
// process, as a tablet would through picup serve.
func comment(t testing.TB, lib *library.Library, name, text string) {
	t.Helper()
	ctx := context.Background()
	other, err := library.Open(ctx, lib.Root)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	p := photoNamed(t, other, "IMG_0024.JPG")
	err = other.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		_, err := tx.AddComment(ctx, catalog.Comment{PhotoID: p.ID, ShareID: 1, Device: "d-" + name, Name: name, Text: text, CreatedAt: testNow})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDetailShowsHeartsAndComments(t *testing.T) {
	lib := testLibrary(t)
	takePart(t, lib)
	h := newHarness(t, lib, 120, 40, Options{})
	if p := current(t, &h.m.photos); p.OriginalName != "IMG_0024.JPG" {
		t.Fatalf("cursor on %s; want IMG_0024.JPG", p.OriginalName)
	}
	s := h.screen()
	for _, want := range []string{"Hearts  ♥ 2 · 엄마, Jin", "1 comment", "엄마 · 2h ago", "That's uncle Bong-su", "Busan"} {
		if !strings.Contains(s, want) {
			t.Errorf("the detail pane lacks %q:\n%s", want, s)
		}
	}
	// Many comments: the newest few, with how many there are.
	for i := range 5 {
		comment(t, lib, "Jin", fmt.Sprintf("comment number %d", i+1))
	}
	h.send(pollMsg{})
	s = h.screen()
	for _, want := range []string{"6 comments, the newest 3", "comment number 5", "comment number 3"} {
		if !strings.Contains(s, want) {
			t.Errorf("the detail pane lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "comment number 2") {
		t.Errorf("the detail pane shows an older comment than the newest 3:\n%s", s)
	}
	// On a narrow screen, the strip under the grid counts them.
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	if s := h.screen(); !strings.Contains(s, "♥ 2 · 6 comments") {
		t.Errorf("the detail strip lacks the hearts and comments:\n%s", s)
	}
}

func TestActivityViewAndUnreadCount(t *testing.T) {
	lib := testLibrary(t)
	takePart(t, lib, "IMG_0010.JPG")
	ctx := context.Background()
	h := newHarness(t, lib, 120, 40, Options{})
	if s := h.screen(); !strings.Contains(s, "7 Activity (3)") {
		t.Fatalf("the tab does not count 3 unread items:\n%s", s)
	}
	h.keys("7")
	s := h.screen()
	for _, want := range []string{
		"[7 Activity]", "Waiting for review: 1 upload", "Aunt Sue", "IMG_0010.JPG", `to "Jeju 2019" (link 1)`,
		"Feed, newest first · 3 new",
		"•    2h ago  엄마 commented on IMG_0024.JPG: That's uncle Bong-su",
		"•    3h ago  Jin hearted IMG_0024.JPG (link 1)",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the activity view lacks %q:\n%s", want, s)
		}
	}
	latest, err := lib.Catalog.LatestActivity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if seen, err := archive.New(lib).SeenActivity(ctx); err != nil || seen != latest || h.m.unread != 0 {
		t.Errorf("after viewing: mark %d (%v), unread %d; want the newest item, %d, and none unread", seen, err, h.m.unread, latest)
	}

	// A comment made on a tablet shows up while the view is open, and
	// is read at once.
	comment(t, lib, "Jin", "Who took this one?")
	h.send(pollMsg{})
	if s := h.screen(); !strings.Contains(s, "Jin commented on IMG_0024.JPG: Who took this one?") || !strings.Contains(s, "[7 Activity]") {
		t.Errorf("the new comment is not listed, or counted unread:\n%s", s)
	}
	// Elsewhere, the next one is counted on the tab, also by a browser
	// started later.
	h.keys("1")
	comment(t, lib, "엄마", "My brother!")
	h.send(pollMsg{})
	if s := h.screen(); !strings.Contains(s, "7 Activity (1)") {
		t.Errorf("the tab does not count the new comment:\n%s", s)
	}
	if s := newHarness(t, lib, 120, 40, Options{}).screen(); !strings.Contains(s, "7 Activity (1)") {
		t.Errorf("a new browser does not count the comment as unread:\n%s", s)
	}
	h.keys("7")
	if s := h.screen(); !strings.Contains(s, "Feed, newest first · 1 new") || h.m.unread != 0 {
		t.Errorf("the second visit: unread %d\n%s", h.m.unread, s)
	}
}

func TestApproveRejectAndDeleteComment(t *testing.T) {
	lib := testLibrary(t)
	takePart(t, lib, "IMG_0010.JPG", "IMG_0011.JPG")
	ctx := context.Background()
	h := newHarness(t, lib, 120, 40, Options{})
	h.keys("7")
	if n := len(h.m.activity.pending); n != 2 {
		t.Fatalf("%d uploads wait for review; want 2", n)
	}
	// The newest upload first: IMG_0011.JPG.
	h.keys("a")
	ups, err := lib.Catalog.Uploads(ctx, catalog.UploadFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if ups[0].FileName != "IMG_0011.JPG" || ups[0].Status != catalog.UploadAdded || ups[1].Status != catalog.UploadPending {
		t.Fatalf("after a: uploads %+v; want IMG_0011.JPG added, IMG_0010.JPG pending", ups)
	}
	album, err := lib.Catalog.AlbumByName(ctx, "Jeju 2019")
	if err != nil || album.Photos != 5 {
		t.Errorf("Jeju 2019 holds %d photos (%v); want 5", album.Photos, err)
	}
	s := h.screen()
	for _, want := range []string{"approved upload 2 (IMG_0011.JPG from Aunt Sue)", "Waiting for review: 1 upload",
		`Aunt Sue added 1 photo to "Jeju 2019" (link 1)`} {
		if !strings.Contains(s, want) {
			t.Errorf("after approving, the screen lacks %q:\n%s", want, s)
		}
	}

	h.keys("r")
	if h.m.dialog == nil || h.m.dialog.kind != dialogConfirm {
		t.Fatal("r did not ask first")
	}
	h.keys("y")
	ups, err = lib.Catalog.Uploads(ctx, catalog.UploadFilter{Status: catalog.UploadRejected, Limit: 10})
	if err != nil || len(ups) != 1 || ups[0].FileName != "IMG_0010.JPG" {
		t.Fatalf("rejected uploads %+v, %v; want IMG_0010.JPG", ups, err)
	}
	if p := photoTrashed(t, lib, ups[0].PhotoID); !p {
		t.Error("the rejected upload's photo, in no album, is not in the trash")
	}
	if s := h.screen(); strings.Contains(s, "Waiting for review") || len(h.m.activity.pending) != 0 {
		t.Errorf("the pending uploads are still listed:\n%s", s)
	}

	// The comment is the second item of the feed, after the approval.
	h.keys("g", "j")
	if it, ok := h.m.activity.selectedItem(); !ok || it.Kind != catalog.ActivityComment {
		t.Fatalf("cursor on %+v; want the comment", it)
	}
	h.keys("d", "n")
	if n := commentCount(t, lib); n != 1 {
		t.Fatalf("n deleted the comment: %d left", n)
	}
	h.keys("d")
	if s := h.screen(); !strings.Contains(s, "Delete 엄마's comment on IMG_0024.JPG?") {
		t.Errorf("the question does not name the comment:\n%s", s)
	}
	h.keys("y")
	if n := commentCount(t, lib); n != 0 {
		t.Errorf("y left %d comments", n)
	}
	if s := h.screen(); strings.Contains(s, "That's uncle") || !strings.Contains(s, "removed 엄마's comment") {
		t.Errorf("the feed still lists the deleted comment:\n%s", s)
	}
	// d on a heart asks nothing.
	h.keys("g", "j")
	h.keys("d")
	if h.m.dialog != nil || !strings.Contains(h.m.status, "d deletes a comment") {
		t.Errorf("d on a heart: dialog %+v, status %q", h.m.dialog, h.m.status)
	}
}

func photoTrashed(t *testing.T, lib *library.Library, id int64) bool {
	t.Helper()
	p, err := lib.Catalog.PhotoByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return !p.TrashedAt.IsZero()
}

func commentCount(t *testing.T, lib *library.Library) int {
	t.Helper()
	cs, err := lib.Catalog.Comments(context.Background(), photoNamed(t, lib, "IMG_0024.JPG").ID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	return len(cs)
}

func TestActivityEnterShowsThePhoto(t *testing.T) {
	lib := testLibrary(t)
	takePart(t, lib, "IMG_0010.JPG")
	h := newHarness(t, lib, 120, 40, Options{})
	h.keys("tab", "j") // the periods pane on 2021
	h.keys("7", "enter")
	if p := current(t, &h.m.photos); h.m.view != viewTimeline || p.OriginalName != "IMG_0010.JPG" {
		t.Fatalf("enter on the upload: view %v, cursor on %s; want IMG_0010.JPG in the timeline", h.m.view, p.OriginalName)
	}
	if h.m.period != "" || h.m.treeFocus || !strings.Contains(h.screen(), "15 of 24") {
		t.Errorf("period %q, tree focus %v; want all photos, the grid with the keys, 15 of 24:\n%s", h.m.period, h.m.treeFocus, h.screen())
	}
	// The photos before it load as the cursor moves back.
	h.keys("g")
	if p := current(t, &h.m.photos); p.OriginalName != "IMG_0024.JPG" {
		t.Errorf("g went to %s; want the newest photo", p.OriginalName)
	}
	h.keys("7", "j", "enter")
	if p := current(t, &h.m.photos); p.OriginalName != "IMG_0024.JPG" {
		t.Errorf("enter on the comment: cursor on %s; want IMG_0024.JPG", p.OriginalName)
	}
}

func TestActivityLoadsPageByPage(t *testing.T) {
	lib := testLibrary(t)
	p := photoNamed(t, lib, "IMG_0024.JPG")
	ctx := context.Background()
	err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		for i := range 250 {
			if _, err := tx.AddComment(ctx, catalog.Comment{PhotoID: p.ID, Name: "Jin", Text: fmt.Sprint(i), CreatedAt: testNow}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, lib, 100, 30, Options{})
	if s := h.screen(); !strings.Contains(s, "7 Activity (99+)") {
		t.Errorf("the tab does not say 99+:\n%s", s)
	}
	h.keys("7")
	if n := len(h.m.activity.items); n != activityPage || !strings.Contains(h.screen(), "more as you scroll") {
		t.Fatalf("the view loaded %d items; want a page of %d\n%s", n, activityPage, h.screen())
	}
	for range 3 {
		h.keys("G")
	}
	items := h.m.activity.items
	if len(items) != 250 || !h.m.activity.atEnd {
		t.Fatalf("after G three times, %d items loaded (at the end: %v); want all 250", len(items), h.m.activity.atEnd)
	}
	for i := 1; i < len(items); i++ {
		if items[i].ID >= items[i-1].ID {
			t.Fatalf("items %d and %d out of order: %d, %d", i-1, i, items[i-1].ID, items[i].ID)
		}
	}
	if it, ok := h.m.activity.selectedItem(); !ok || it.Text != "0" || !strings.Contains(h.screen(), "Jin commented on IMG_0024.JPG: 0") {
		t.Errorf("cursor on %+v; want the oldest comment, on screen:\n%s", it, h.screen())
	}
}
