package web_test

// Browser end-to-end tests: a real headless Chromium, driven by chromedp,
// emulating an iPad (820×1180 CSS px at 2×, touch, Safari's user agent)
// opens share links served by web.NewServer over a real library built from
// testdata/photos. Each step is bounded by a context timeout. Screenshots
// of every step (the full page, or the screen while the full-screen viewer
// is open) go to $PICUP_TEST_OUT/browser, else to a temp dir, and their
// paths are logged.
//
// The tests skip when Chromium is absent ($PICUP_CHROMIUM, else chromium
// on $PATH; scripts/test installs Debian's) and fail when $CI is set.

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/importer"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/sharelink"
	"github.com/picup/picup/internal/testenv"
	"github.com/picup/picup/internal/web"
)

// The emulated tablet: an iPad Air in portrait.
const (
	ipadWidth  = 820
	ipadHeight = 1180
	ipadScale  = 2
	ipadUA     = "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)

// stepTimeout bounds every browser step.
const stepTimeout = 15 * time.Second

// chromiumPath finds the browser, or skips the test (fails it under CI).
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("PICUP_CHROMIUM"); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			t.Fatalf("PICUP_CHROMIUM=%s is not an executable: %v", p, err)
		}
		return p
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	testenv.Missing(t, "chromium not installed; ./scripts/test installs it (or set PICUP_CHROMIUM)")
	return ""
}

// bounded runs f and fails the test when it does not return within d. It
// is for the first action on a chromedp context, which must not carry a
// deadline because it binds the browser's (or the tab's) lifetime.
func bounded(t *testing.T, d time.Duration, what string, cancel context.CancelFunc, f func() error) {
	t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- f() }()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	case <-time.After(d):
		cancel()
		t.Fatalf("%s: not done within %s", what, d)
	}
}

type browser struct {
	ctx context.Context // the browser's first tab; every tab is opened from it
	out string          // screenshot directory
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	exe := chromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	bounded(t, 60*time.Second, "start "+exe, cancel, func() error { return chromedp.Do(ctx) })

	out := os.Getenv("PICUP_TEST_OUT")
	if out == "" {
		out = t.TempDir()
	} else {
		out = filepath.Join(out, "browser")
		if err := os.MkdirAll(out, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return &browser{ctx: ctx, out: out}
}

// tab opens a tab in a browser context of its own (no cookies, no cache)
// emulating the iPad, with lang as the browser's language.
func (b *browser) tab(t *testing.T, lang string) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	bounded(t, stepTimeout, "open a tab", cancel, func() error { return chromedp.Do(ctx) })
	step(t, ctx, "emulate an iPad",
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{
				UserAgent: ipadUA, AcceptLanguage: lang, Platform: "iPad",
			})
			return err
		}),
		chromedp.EmulateViewport(ipadWidth, ipadHeight, chromedp.EmulateScale(ipadScale),
			chromedp.EmulateTouch, chromedp.EmulateMobile, chromedp.EmulatePortrait),
	)
	return ctx
}

// step runs actions with a deadline.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// run runs one action with a deadline and returns its value.
func run[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(sctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// waitFor polls a JavaScript predicate until it holds; on timeout it fails
// with the value of the JavaScript expression explain, which says what the
// page shows instead.
func waitFor(t *testing.T, ctx context.Context, what, predicate, explain string) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	_, err := chromedp.Run(sctx, chromedp.Poll[chromedp.Void](predicate, chromedp.WithPollingInterval(50*time.Millisecond)))
	if err != nil {
		state := "(unknown)"
		ectx, ecancel := context.WithTimeout(ctx, 5*time.Second)
		defer ecancel()
		if s, serr := chromedp.Run(ectx, chromedp.Evaluate[string](explain)); serr == nil {
			state = s
		}
		t.Fatalf("%s: %v; the page shows %s", what, err, state)
	}
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// shot saves a full-page PNG screenshot and logs its path.
func (b *browser) shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	b.save(t, name, run(t, ctx, "screenshot "+name, chromedp.FullScreenshot(100)))
}

// screen saves a PNG of what the screen shows: for the full-screen
// viewer, which a full-page capture would draw over the top of a long page
// only.
func (b *browser) screen(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	b.save(t, name, run(t, ctx, "screenshot "+name, chromedp.CaptureScreenshot()))
}

func (b *browser) save(t *testing.T, name string, png []byte) {
	t.Helper()
	path := filepath.Join(b.out, unsafeName.ReplaceAllString(t.Name()+"-"+name, "_")+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", path)
}

// site is a served library with one album and shares of it.
// siteCaption is the caption of the site's first photo.
const siteCaption = "<b>Grandpa</b> at Haeundae, summer 1962 · 할아버지"

type site struct {
	url    string
	photos []catalog.Photo // the album, newest first
	open   string          // share paths /s/TOKEN: active, downloads allowed
	gone   string          // expired
	locked string          // password "sesame"
}

func newSite(t *testing.T) *site {
	t.Helper()
	ctx := context.Background()
	lib, err := library.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	roots := []string{"../../testdata/photos/jpeg", "../../testdata/photos/video/drewnoakes"}
	if _, err := importer.Run(ctx, lib, roots, importer.Options{Album: "Family"}); err != nil {
		t.Fatal(err)
	}
	a, err := lib.Catalog.AlbumByName(ctx, "Family")
	if err != nil {
		t.Fatal(err)
	}
	s := &site{}
	if s.photos, err = lib.Catalog.AlbumPhotos(ctx, a.ID, nil, 1000); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, p := range s.photos {
		kinds[p.Type]++
	}
	if kinds["photo"] < 3 || kinds["video"] < 1 {
		t.Fatalf("album has %v; want at least 3 photos and a video", kinds)
	}
	// The first photo has a caption, markup and all, which must show as text.
	first := s.photos[slices.IndexFunc(s.photos, func(p catalog.Photo) bool { return p.Type == "photo" })]
	err = lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		return tx.SetDescribed(ctx, first.ID, catalog.Described{Caption: siteCaption})
	})
	if err != nil {
		t.Fatal(err)
	}
	hash, err := sharelink.HashPassword("sesame")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	mk := func(sh catalog.Share) string {
		token := sharelink.NewToken()
		sh.TokenHash, sh.AlbumID = catalog.HashToken(token), a.ID
		err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
			_, err := tx.CreateShare(ctx, sh, nil)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return "/s/" + token
	}
	s.open = mk(catalog.Share{Name: "open", Download: true, ExpiresAt: now.Add(24 * time.Hour)})
	s.gone = mk(catalog.Share{Name: "gone", ExpiresAt: now.Add(-time.Hour)})
	s.locked = mk(catalog.Share{Name: "locked", PasswordHash: hash})

	srv := httptest.NewServer(web.NewServer(lib, web.Options{}))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

// firstIndex is the data-index of the album's first item of a type.
func (s *site) firstIndex(t *testing.T, typ string) int {
	t.Helper()
	i := slices.IndexFunc(s.photos, func(p catalog.Photo) bool { return p.Type == typ })
	if i < 0 {
		t.Fatalf("no %s in the album", typ)
	}
	return i
}

// Page state in words, for failure messages.
const (
	explainGrid   = `JSON.stringify({url: location.pathname.slice(0, 30), title: document.title, tiles: document.querySelectorAll("a.tile").length, text: document.body.innerText.slice(0, 200)})`
	explainViewer = `(function () { var v = document.getElementById("viewer"); if (!v) return "no #viewer"; var i = document.getElementById("viewer-img"), m = document.getElementById("viewer-video"); return JSON.stringify({hidden: v.hidden, index: v.dataset.index, img: i && {src: i.getAttribute("src"), complete: i.complete, w: i.naturalWidth, shown: i.offsetWidth > 0}, video: m && {shown: m.offsetWidth > 0, state: m.readyState, t: m.currentTime, paused: m.paused, err: m.error && m.error.code}}) })()`
)

// openGrid navigates to a share and waits for all its tiles.
func (s *site) openGrid(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	resp := run(t, ctx, "open "+path, chromedp.NavigateResponse(s.url+path))
	if resp.Status != 200 {
		t.Fatalf("GET share page: status %d, want 200", resp.Status)
	}
	waitFor(t, ctx, "every tile of the album",
		fmt.Sprintf(`document.querySelectorAll("a.tile").length === %d`, len(s.photos)), explainGrid)
}

// viewerShows is the predicate "the viewer is open on tile i and shows its
// image (or video)".
func viewerShows(i int, typ string) string {
	if typ == "video" {
		return fmt.Sprintf(`(function () { var v = document.getElementById("viewer"), m = document.getElementById("viewer-video");
			return !v.hidden && v.dataset.index === "%d" && m && m.offsetWidth > 0 && !!m.getAttribute("poster") })()`, i)
	}
	return fmt.Sprintf(`(function () { var v = document.getElementById("viewer"), m = document.getElementById("viewer-img");
		return !v.hidden && v.dataset.index === "%d" && m && m.offsetWidth > 0 && m.complete && m.naturalWidth > 0 })()`, i)
}

// tapTile taps tile i with a touch and waits for the viewer to show it.
func (s *site) tapTile(t *testing.T, ctx context.Context, i int) {
	t.Helper()
	step(t, ctx, fmt.Sprintf("tap tile %d", i), chromedp.Tap(chromedp.CSS(fmt.Sprintf(`a.tile[data-index="%d"]`, i))))
	waitFor(t, ctx, fmt.Sprintf("viewer on tile %d", i), viewerShows(i, s.photos[i].Type), explainViewer)
}

// touch sends one touch event with the given points (none for touchEnd).
func touch(typ input.DispatchTouchEventType, pts ...[2]float64) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		p := input.DispatchTouchEventParams{Type: typ, TouchPoints: []*input.TouchPoint{}}
		for i, pt := range pts {
			id := float64(i)
			p.TouchPoints = append(p.TouchPoints, &input.TouchPoint{X: pt[0], Y: pt[1], ID: &id})
		}
		_, err := cdp.Call(ctx, tg, input.DispatchTouchEvent, p)
		return err
	})
}

// swipe drags one finger horizontally across the middle of the screen.
func swipe(fromX, toX float64) chromedp.Action[chromedp.Void] {
	y := float64(ipadHeight) / 2
	steps := []chromedp.Action[chromedp.Void]{touch(input.DispatchTouchEventTypeTouchStart, [2]float64{fromX, y})}
	for k := 1; k <= 6; k++ {
		x := fromX + (toX-fromX)*float64(k)/6
		steps = append(steps, touch(input.DispatchTouchEventTypeTouchMove, [2]float64{x, y + float64(k)}))
	}
	return chromedp.Steps(append(steps, touch(input.DispatchTouchEventTypeTouchEnd))...)
}

// submitPassword types a password into the form, submits it and returns
// the response of the page it leads to.
func submitPassword(t *testing.T, ctx context.Context, pw string) *network.Response {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	field := chromedp.CSS(`input[type="password"]`)
	resp, err := chromedp.RunResponse(sctx, chromedp.SendKeys(field, pw), chromedp.Submit(field))
	if err != nil {
		t.Fatalf("submit the password: %v", err)
	}
	return resp
}

func TestBrowser(t *testing.T) {
	b := newBrowser(t)
	s := newSite(t)

	t.Run("grid", func(t *testing.T) {
		ctx := b.tab(t, "en-US,en;q=0.9")
		s.openGrid(t, ctx, s.open)
		if lang := run(t, ctx, "html lang", chromedp.Evaluate[string](`document.documentElement.lang`)); lang != "en" {
			t.Errorf(`<html lang=%q>, want "en"`, lang)
		}
		type day struct {
			Date, Heading string
			Tiles         int
		}
		days := run(t, ctx, "day sections", chromedp.Evaluate[[]day](`Array.from(document.querySelectorAll("section.day")).map(function (s) {
			var h = s.querySelector("h2"); return {Date: s.dataset.date || "", Heading: h ? h.textContent.trim() : "", Tiles: s.querySelectorAll("a.tile").length} })`))
		var want []string
		for _, p := range s.photos {
			if d := p.TakenAt[:10]; !slices.Contains(want, d) {
				want = append(want, d)
			}
		}
		var got []string
		tiles := 0
		for _, d := range days {
			got = append(got, d.Date)
			tiles += d.Tiles
			if d.Heading == "" || d.Tiles == 0 {
				t.Errorf("day %s: heading %q and %d tiles; want a heading and tiles", d.Date, d.Heading, d.Tiles)
			}
		}
		if !slices.Equal(got, want) || tiles != len(s.photos) {
			t.Errorf("day sections %v holding %d tiles; want %v (newest first) holding %d", got, tiles, want, len(s.photos))
		}
		type tileInfo struct{ Index, ID, Type string }
		infos := run(t, ctx, "tiles", chromedp.Evaluate[[]tileInfo](`Array.from(document.querySelectorAll("a.tile")).map(function (a) {
			return {Index: a.dataset.index, ID: a.dataset.id, Type: a.dataset.type} })`))
		for k, ti := range infos {
			p := s.photos[k]
			if ti.Index != fmt.Sprint(k) || ti.ID != fmt.Sprint(p.ID) || ti.Type != p.Type {
				t.Errorf("tile %d: data-index %s, data-id %s, data-type %s; want %d, %d, %s", k, ti.Index, ti.ID, ti.Type, k, p.ID, p.Type)
			}
		}
		// The images in view load, at the grid size even on a 2× tablet.
		waitFor(t, ctx, "tile images in view loaded", `Array.from(document.querySelectorAll("a.tile img")).every(function (i) {
			return i.closest("a.tile").getBoundingClientRect().top > innerHeight || (i.complete && i.naturalWidth > 0) })`, explainGrid)
		type imgInfo struct {
			Src, Srcset, Sizes string
			Width              float64
		}
		imgs := run(t, ctx, "tile image sources", chromedp.Evaluate[[]imgInfo](`Array.from(document.querySelectorAll("a.tile img")).filter(function (i) { return i.currentSrc }).map(function (i) {
			return {Src: i.currentSrc, Srcset: i.srcset, Sizes: i.sizes, Width: i.getBoundingClientRect().width} })`))
		if len(imgs) == 0 {
			t.Fatal("no tile image loaded")
		}
		for _, img := range imgs {
			if !strings.HasSuffix(img.Src, "/grid") {
				t.Errorf("tile image %s (%.0f CSS px wide, srcset %q, sizes %q): want the grid size on an iPad", img.Src, img.Width, img.Srcset, img.Sizes)
			}
		}
		// Before any scrolling, tiles below the screen load nothing; they
		// do once scrolled to.
		type below struct{ Tiles, Started int }
		bl := run(t, ctx, "tiles below the screen", chromedp.Evaluate[below](`(function () {
			var ts = Array.from(document.querySelectorAll("a.tile")).filter(function (a) { return a.getBoundingClientRect().top >= innerHeight });
			return {Tiles: ts.length, Started: ts.filter(function (a) { return a.querySelector("img").hasAttribute("src") }).length} })()`))
		if bl.Tiles == 0 {
			t.Fatal("no tile below the screen: the album is too small to test lazy loading")
		}
		if bl.Started > 0 {
			t.Errorf("%d of the %d tiles below the screen started loading before any scrolling; want none", bl.Started, bl.Tiles)
		}
		step(t, ctx, "scroll to the end", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, document.documentElement.scrollHeight)`))
		waitFor(t, ctx, "every tile image loaded after scrolling", `Array.from(document.querySelectorAll("a.tile img")).every(function (i) {
			return i.complete && i.naturalWidth > 0 })`, explainGrid)
		step(t, ctx, "scroll back up", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
		href := run(t, ctx, "album download link", chromedp.Evaluate[string](`(function () { var a = document.getElementById("download-all"); return a ? a.getAttribute("href") : "" })()`))
		if href != s.open+"/download" {
			t.Errorf("#download-all href %q; want %q on a share that allows downloads", href, s.open+"/download")
		}
		b.shot(t, ctx, "grid")
	})

	t.Run("viewer", func(t *testing.T) {
		ctx := b.tab(t, "en")
		s.openGrid(t, ctx, s.open)
		i := s.firstIndex(t, "photo")
		s.tapTile(t, ctx, i)
		src := run(t, ctx, "viewer image", chromedp.Evaluate[string](`document.getElementById("viewer-img").currentSrc`))
		if !strings.HasSuffix(src, "/screen") {
			t.Errorf("viewer image %s: want the screen size", src)
		}
		dl := run(t, ctx, "download link", chromedp.Evaluate[string](`(function () { var a = document.getElementById("viewer-download"); return a && !a.hidden && a.offsetWidth > 0 ? a.getAttribute("href") || "" : "" })()`))
		if dl == "" || dl == "#" {
			t.Errorf("#viewer-download href %q; want a visible link to the original on a share that allows downloads", dl)
		}
		// Its caption shows under it, as text, in large type.
		type shown struct {
			Text     string
			Visible  bool
			FontSize float64
		}
		captionOf := `(function () { var p = document.getElementById("viewer-text"); return {Text: p.textContent, Visible: !p.hidden && p.offsetWidth > 0, FontSize: parseFloat(getComputedStyle(p).fontSize)} })()`
		if c := run(t, ctx, "caption", chromedp.Evaluate[shown](captionOf)); c.Text != siteCaption || !c.Visible || c.FontSize < 24 {
			t.Errorf("caption under the photo: %+v; want %q shown in type of 24 px or more", c, siteCaption)
		}
		b.screen(t, ctx, "photo")
		if i+1 < len(s.photos) && s.photos[i+1].Type == "photo" {
			step(t, ctx, "next photo", chromedp.KeyEvent(kb.ArrowRight))
			waitFor(t, ctx, "next photo shown", viewerShows(i+1, "photo"), explainViewer)
			if c := run(t, ctx, "no caption", chromedp.Evaluate[shown](captionOf)); c.Visible {
				t.Errorf("a photo without a caption shows %+v", c)
			}
		}
		step(t, ctx, "close", chromedp.KeyEvent(kb.Escape))
		waitFor(t, ctx, "viewer closed by Escape", `document.getElementById("viewer").hidden`, explainViewer)
	})

	t.Run("swipe", func(t *testing.T) {
		ctx := b.tab(t, "en")
		s.openGrid(t, ctx, s.open)
		i := s.firstIndex(t, "photo")
		if i+1 >= len(s.photos) {
			t.Fatalf("the first photo (tile %d) is the last tile", i)
		}
		s.tapTile(t, ctx, i)
		step(t, ctx, "swipe left", swipe(ipadWidth*0.8, ipadWidth*0.2))
		waitFor(t, ctx, "next item after a swipe left", viewerShows(i+1, s.photos[i+1].Type), explainViewer)
		b.screen(t, ctx, "swiped-left")
		step(t, ctx, "swipe right", swipe(ipadWidth*0.2, ipadWidth*0.8))
		waitFor(t, ctx, "previous item after a swipe right", viewerShows(i, s.photos[i].Type), explainViewer)
		step(t, ctx, "ArrowRight", chromedp.KeyEvent(kb.ArrowRight))
		waitFor(t, ctx, "next item after ArrowRight", viewerShows(i+1, s.photos[i+1].Type), explainViewer)
		step(t, ctx, "ArrowLeft", chromedp.KeyEvent(kb.ArrowLeft))
		waitFor(t, ctx, "previous item after ArrowLeft", viewerShows(i, s.photos[i].Type), explainViewer)
	})

	t.Run("slideshow", func(t *testing.T) {
		ctx := b.tab(t, "en")
		s.openGrid(t, ctx, s.open)
		i := s.firstIndex(t, "photo")
		if i+1 >= len(s.photos) {
			t.Fatalf("the first photo (tile %d) is the last tile", i)
		}
		s.tapTile(t, ctx, i)
		step(t, ctx, "tap play", chromedp.Tap(chromedp.ID("viewer-play")))
		waitFor(t, ctx, "slideshow playing", `document.getElementById("viewer-play").getAttribute("aria-pressed") === "true"`, explainViewer)
		if !run(t, ctx, "caption in the slideshow", chromedp.Evaluate[bool](`(function () { var p = document.getElementById("viewer-text"); return !p.hidden && p.offsetWidth > 0 && p.textContent !== "" })()`)) {
			t.Error("the slideshow hides the photo's caption")
		}
		// The slideshow moves on by itself (after a few seconds).
		waitFor(t, ctx, "slideshow moved on", viewerShows(i+1, s.photos[i+1].Type), explainViewer)
		b.screen(t, ctx, "slideshow")
		step(t, ctx, "tap stop", chromedp.Tap(chromedp.ID("viewer-play")))
		waitFor(t, ctx, "slideshow stopped", `document.getElementById("viewer-play").getAttribute("aria-pressed") === "false"`, explainViewer)
	})

	t.Run("pinch", func(t *testing.T) {
		ctx := b.tab(t, "en")
		s.openGrid(t, ctx, s.open)
		i := s.firstIndex(t, "photo")
		s.tapTile(t, ctx, i)
		w0 := run(t, ctx, "image width", chromedp.Evaluate[float64](`document.getElementById("viewer-img").getBoundingClientRect().width`))
		cx, cy := float64(ipadWidth)/2, float64(ipadHeight)/2
		steps := []chromedp.Action[chromedp.Void]{touch(input.DispatchTouchEventTypeTouchStart, [2]float64{cx - 60, cy}, [2]float64{cx + 60, cy})}
		for k := 1; k <= 6; k++ {
			d := 60 + float64(k)*30
			steps = append(steps, touch(input.DispatchTouchEventTypeTouchMove, [2]float64{cx - d, cy}, [2]float64{cx + d, cy}))
		}
		step(t, ctx, "pinch out", append(steps, touch(input.DispatchTouchEventTypeTouchEnd))...)
		waitFor(t, ctx, "image zoomed by a pinch",
			fmt.Sprintf(`document.getElementById("viewer-img").getBoundingClientRect().width > %f`, w0*1.3),
			`"width " + document.getElementById("viewer-img").getBoundingClientRect().width + ", before `+fmt.Sprint(w0)+`"`)
		if idx := run(t, ctx, "viewer index", chromedp.Evaluate[string](`document.getElementById("viewer").dataset.index`)); idx != fmt.Sprint(i) {
			t.Errorf("after a pinch the viewer shows tile %s; want still %d", idx, i)
		}
		b.screen(t, ctx, "pinched")
	})

	t.Run("video", func(t *testing.T) {
		ctx := b.tab(t, "en")
		h264 := run(t, ctx, "codec support", chromedp.Evaluate[string](`document.createElement("video").canPlayType('video/mp4; codecs="avc1.42E01E"')`))
		var mu sync.Mutex
		var mediaStatus []int64
		err := chromedp.Listen(ctx, func(ev any) {
			if r, ok := ev.(*network.EventResponseReceived); ok && r.Type == network.ResourceTypeMedia {
				mu.Lock()
				mediaStatus = append(mediaStatus, r.Response.Status)
				mu.Unlock()
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		s.openGrid(t, ctx, s.open)
		for i, p := range s.photos {
			if p.Type != "video" {
				continue
			}
			step(t, ctx, "back to the grid", chromedp.KeyEvent(kb.Escape))
			s.tapTile(t, ctx, i)
			if h264 == "" {
				// The test videos are H.264; a Chromium built without
				// it can show the poster but not play them.
				t.Logf("this chromium cannot play H.264; tile %d: checking the poster only", i)
				continue
			}
			step(t, ctx, "play", chromedp.Evaluate[chromedp.Void](`document.getElementById("viewer-video").play()`, chromedp.EvalAwaitPromise))
			waitFor(t, ctx, fmt.Sprintf("video %d playing", i),
				`(function () { var m = document.getElementById("viewer-video"); return m.readyState >= 2 && (m.currentTime > 0 || m.ended) })()`, explainViewer)
			b.screen(t, ctx, fmt.Sprintf("video-%d", i))
		}
		// The media element fetched the videos with range requests.
		mu.Lock()
		defer mu.Unlock()
		if !slices.Contains(mediaStatus, 206) {
			t.Errorf("media responses %v; want range requests answered 206", mediaStatus)
		}
	})

	t.Run("expired", func(t *testing.T) {
		for _, c := range []struct{ lang, want, text string }{
			{"en-US,en;q=0.9", "en", `(?i)expired|ended`},
			{"ko-KR,ko;q=0.9", "ko", `만료|끝`},
		} {
			ctx := b.tab(t, c.lang)
			resp := run(t, ctx, "open the expired link", chromedp.NavigateResponse(s.url+s.gone))
			if resp.Status != 410 {
				t.Errorf("%s: status %d, want 410", c.lang, resp.Status)
			}
			lang := run(t, ctx, "html lang", chromedp.Evaluate[string](`document.documentElement.lang`))
			text := run(t, ctx, "page text", chromedp.Evaluate[string](`document.body.innerText`))
			if lang != c.want || !regexp.MustCompile(c.text).MatchString(text) {
				t.Errorf("%s: <html lang=%q> and text %q; want lang %q and text matching %s", c.lang, lang, text, c.want, c.text)
			}
			b.shot(t, ctx, "expired-"+c.want)
		}
	})

	t.Run("password", func(t *testing.T) {
		ctx := b.tab(t, "ko-KR,ko;q=0.9,en;q=0.5")
		resp := run(t, ctx, "open the locked link", chromedp.NavigateResponse(s.url+s.locked))
		if resp.Status != 200 {
			t.Errorf("locked link: status %d, want 200 and the form", resp.Status)
		}
		waitFor(t, ctx, "password form", `!!document.querySelector('form input[type="password"]') && document.querySelectorAll("a.tile").length === 0`, explainGrid)
		b.shot(t, ctx, "password-form")

		resp = submitPassword(t, ctx, "open sesame")
		if resp.Status != 401 {
			t.Errorf("wrong password: status %d, want 401", resp.Status)
		}
		waitFor(t, ctx, "the form again with an error",
			`!!document.querySelector('[role="alert"]') && !!document.querySelector('form input[type="password"]') && document.querySelectorAll("a.tile").length === 0`, explainGrid)
		b.shot(t, ctx, "password-wrong")

		if resp = submitPassword(t, ctx, "sesame"); resp.Status != 200 {
			t.Errorf("right password: status %d after the redirect, want 200", resp.Status)
		}
		waitFor(t, ctx, "the grid after the right password",
			fmt.Sprintf(`document.querySelectorAll("a.tile").length === %d && Array.from(document.querySelectorAll("a.tile img")).some(function (i) { return i.complete && i.naturalWidth > 0 })`, len(s.photos)), explainGrid)
		if lang := run(t, ctx, "html lang", chromedp.Evaluate[string](`document.documentElement.lang`)); lang != "ko" {
			t.Errorf(`<html lang=%q>, want "ko"`, lang)
		}
		if run(t, ctx, "download links", chromedp.Evaluate[bool](`!!document.getElementById("download-all") || !!document.getElementById("viewer-download")`)) {
			t.Error("download links on a share that does not allow downloads")
		}
		b.shot(t, ctx, "password-right")
	})
}
