package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/importer"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/sharelink"
	"github.com/picup/picup/internal/web"
)

// A guest adds a HEIC and a MOV through the page's file input (as the
// tablet's picker would fill it), types a name when asked, and both join
// the album; through a link whose user has no room left, the page says so
// in words.
func TestBrowserUpload(t *testing.T) {
	b := newBrowser(t)
	axe := axeSource(t)
	ctx := context.Background()
	lib, err := library.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	if _, err := importer.Run(ctx, lib, []string{"../../testdata/photos/jpeg/goexif"}, importer.Options{Album: "Family"}); err != nil {
		t.Fatal(err)
	}
	a := archive.New(lib)
	tiny := int64(1000)
	if err := a.AddUser(ctx, "mom", nil); err != nil {
		t.Fatal(err)
	}
	if err := a.AddUser(ctx, "dad", &tiny); err != nil {
		t.Fatal(err)
	}
	keeper, err := lib.Catalog.FirstUser(ctx)
	if err != nil {
		t.Fatal(err)
	}
	link := func(user string) string {
		l, err := a.CreateShare(ctx, sharelink.Spec{Album: "Family", UploadAs: user})
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(l.URL)
		if err != nil {
			t.Fatal(err)
		}
		return u.Path
	}
	album, err := lib.Catalog.AlbumByName(ctx, "Family")
	if err != nil {
		t.Fatal(err)
	}
	count := func() int {
		ps, err := lib.Catalog.AlbumPhotos(ctx, album.ID, nil, 1000)
		if err != nil {
			t.Fatal(err)
		}
		return len(ps)
	}
	before := count()
	h := web.NewServer(lib, web.Options{})
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		h.EndStreams()
		srv.Close()
		_ = h.Close(context.Background())
	})
	heic, err := filepath.Abs("../../testdata/photos/heic/drewnoakes/IMG_2927.HEIC")
	if err != nil {
		t.Fatal(err)
	}
	mov, err := filepath.Abs("../../testdata/photos/video/drewnoakes/with-gps.mov")
	if err != nil {
		t.Fatal(err)
	}
	const explainUploads = `JSON.stringify({sheet: !!document.getElementById("upload-sheet"), names: !document.getElementById("name-sheet").hidden,
		rows: Array.from(document.querySelectorAll("#upload-list .upload-item")).map(function (li) { return li.dataset.state + ": " + li.textContent }),
		tiles: document.querySelectorAll("a.tile").length})`

	t.Run("add", func(t *testing.T) {
		momLink := link("mom")
		// B, another device, has the link open while A uploads.
		other := b.tab(t, "ko-KR,ko;q=0.9")
		step(t, other, "B opens the link", chromedp.Navigate(srv.URL+momLink))
		waitFor(t, other, "B's page", fmt.Sprintf(`document.querySelectorAll("a.tile").length === %d`, before), explainUploads)
		tab := b.tab(t, "en-US,en;q=0.9")
		step(t, tab, "open the link", chromedp.Navigate(srv.URL+momLink))
		waitFor(t, tab, "the page, its button and the name sheet's hook", `!!document.getElementById("add-photos") && !!window.picupNeedName && !!document.getElementById("upload-input")`, explainUploads)
		step(t, tab, "pick a HEIC and a MOV", chromedp.SetUploadFiles(chromedp.CSS("#upload-input"), []string{heic, mov}))
		waitFor(t, tab, "the name sheet", `!document.getElementById("name-sheet").hidden`, explainUploads)
		b.screen(t, tab, "name")
		step(t, tab, "type a name", chromedp.SendKeys(chromedp.CSS("#name-input"), "Aunt Sue"), chromedp.Click(chromedp.CSS(`#name-form button[type="submit"]`)))
		waitFor(t, tab, "both files sent and added", `document.querySelectorAll('#upload-list .upload-item[data-state="done"]').length === 2`, explainUploads)
		b.screen(t, tab, "sent")
		checkA11y(t, tab, axe, "the upload sheet (en)")
		if n := count(); n != before+2 {
			t.Fatalf("the album holds %d photos; want %d", n, before+2)
		}
		step(t, tab, "close the sheet", chromedp.Click(chromedp.CSS("#upload-close")))
		waitFor(t, tab, "both in the grid", fmt.Sprintf(`document.querySelectorAll("a.tile").length === %d && !!document.querySelector('a.tile[data-type="video"]')`, before+2), explainUploads)
		b.shot(t, tab, "grid")
		waitFor(t, other, "both in B's grid, without a reload", fmt.Sprintf(`document.querySelectorAll("a.tile").length === %d && !!document.querySelector('a.tile[data-type="video"]')`, before+2), explainUploads)
		// The same files again are already there.
		step(t, tab, "pick them again", chromedp.SetUploadFiles(chromedp.CSS("#upload-input"), []string{heic}))
		waitFor(t, tab, "already in the album", `Array.from(document.querySelectorAll("#upload-list .upload-state")).some(function (s) { return s.textContent === "Already in the album." })`, explainUploads)
	})

	t.Run("over-quota", func(t *testing.T) {
		tab := b.tab(t, "ko-KR,ko;q=0.9")
		step(t, tab, "open the link", chromedp.Navigate(srv.URL+link("dad")))
		waitFor(t, tab, "the page and the name sheet's hook", `!!window.picupNeedName && !!document.getElementById("upload-input")`, explainUploads)
		step(t, tab, "pick a HEIC", chromedp.SetUploadFiles(chromedp.CSS("#upload-input"), []string{heic}))
		waitFor(t, tab, "the name sheet", `!document.getElementById("name-sheet").hidden`, explainUploads)
		step(t, tab, "type a name", chromedp.SendKeys(chromedp.CSS("#name-input"), "엄마"), chromedp.Click(chromedp.CSS(`#name-form button[type="submit"]`)))
		want := "dad의 저장 공간이 가득 찼습니다(1 kB 중 0 kB 사용). " + keeper.Name + "에게 공간을 비워 달라고 부탁하세요."
		waitFor(t, tab, "the refusal", fmt.Sprintf(`Array.from(document.querySelectorAll('#upload-list .upload-item[data-state="refused"] .upload-state')).some(function (s) { return s.textContent === %q })`, want), explainUploads)
		b.screen(t, tab, "full")
		checkA11y(t, tab, axe, "the upload sheet with a refusal (ko)")
		u, err := lib.Catalog.UserByName(ctx, "dad")
		if err != nil || u.UsedBytes != 0 || u.ReservedBytes != 0 {
			t.Errorf("dad after the refusal: %+v, %v; want nothing used", u, err)
		}
		if n := count(); n != before+2 {
			t.Errorf("the album holds %d photos; want %d", n, before+2)
		}
	})
	ups, err := lib.Catalog.Uploads(ctx, catalog.UploadFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("uploads recorded: %d", len(ups))
}
