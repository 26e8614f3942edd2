package web_test

// The share page in a second browser engine: the parents' iPad runs
// WebKit, so TestWebKit opens share links in WebKitGTK (its MiniBrowser)
// through WebKitWebDriver, spoken to over W3C WebDriver by
// webdriver_test.go, on the library and shares of newSite. It opens the
// grid, taps a tile into the full-screen view, swipes to the next item
// and back, plays each test video, and opens the expired link in Korean.
//
// WebKitGTK takes its language (navigator.language and Accept-Language)
// from the locale of the driver's environment, and a locale glibc does
// not have counts as "C". The test compiles the two it uses with
// localedef into a directory of its own (LOCPATH), so that it needs no
// locale installed on the machine.
//
// The test skips when WebKitWebDriver ($PICUP_WEBKIT_DRIVER, else on
// $PATH) or an X server ($DISPLAY, else Xvfb on $PATH, started on a free
// display) is missing, and fails instead when $CI is set. Screenshots go
// to $PICUP_TEST_OUT/webkit, else to a temporary directory.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/picup/picup/internal/testenv"
)

// webkitStep bounds every wait for the page.
const webkitStep = 10 * time.Second

const webkitHint = "; ./scripts/test installs webkit2gtk-driver and xvfb"

// webkitDriverPath finds WebKitWebDriver, or skips the test (fails it
// under CI).
func webkitDriverPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("PICUP_WEBKIT_DRIVER"); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			t.Fatalf("PICUP_WEBKIT_DRIVER=%s is not an executable: %v", p, err)
		}
		return p
	}
	if p, err := exec.LookPath("WebKitWebDriver"); err == nil {
		return p
	}
	testenv.Missing(t, "WebKitWebDriver is not installed (or set PICUP_WEBKIT_DRIVER)"+webkitHint)
	return ""
}

// webkitLocales compiles the locales the test gives the browser into a
// directory for LOCPATH.
func webkitLocales(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		lang, charset, _ := strings.Cut(n, ".")
		out, err := exec.Command("localedef", "-i", lang, "-f", charset, filepath.Join(dir, n)).CombinedOutput()
		if err != nil {
			testenv.Missing(t, "localedef cannot compile the locale %s for the browser's language (%v: %s); it needs Debian's locales package, which ./scripts/test installs with webkit2gtk-driver and xvfb", n, err, bytes.TrimSpace(out))
		}
	}
	return dir
}

// webkitBrowser is a WebKitGTK session as an iPad in one language.
type webkitBrowser struct {
	*wdSession
	out string // screenshot directory
}

// newWebKit starts WebKitWebDriver and its browser in the locale given
// (one of those compiled into locpath).
func newWebKit(t *testing.T, exe, display, locpath, locale string) *webkitBrowser {
	t.Helper()
	env := []string{"DISPLAY=" + display, "LOCPATH=" + locpath, "LANG=" + locale,
		"LC_ALL=", "LC_CTYPE=", "LC_MESSAGES=", "LANGUAGE="}
	caps := map[string]any{
		"webkitgtk:browserOptions": map[string]any{"args": []string{
			"--automation",
			"--user-agent=" + ipadUA,
			"--media-playback-requires-user-gesture=false",
		}},
	}
	s := startWebDriver(t, exe, env, caps)
	// The window as wide as the iPad, as tall as the X screen allows; a
	// script or a page load that takes longer than a step fails.
	if err := s.do("POST", "/window/rect", map[string]int{"width": ipadWidth, "height": 1000}, nil); err != nil {
		t.Fatalf("size the window: %v", err)
	}
	ms := int(webkitStep / time.Millisecond)
	if err := s.do("POST", "/timeouts", map[string]int{"script": ms, "pageLoad": ms}, nil); err != nil {
		t.Fatalf("set the session's timeouts: %v", err)
	}
	out := os.Getenv("PICUP_TEST_OUT")
	if out == "" {
		out = t.TempDir()
	} else {
		out = filepath.Join(out, "webkit")
		if err := os.MkdirAll(out, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return &webkitBrowser{wdSession: s, out: out}
}

// value evaluates a JavaScript expression.
func (b *webkitBrowser) value(t *testing.T, what, expr string, out any) {
	t.Helper()
	if err := b.eval("return "+expr, out); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// waitFor polls a JavaScript predicate until it holds; on timeout it
// fails with the value of explain: what the page shows instead.
func (b *webkitBrowser) waitFor(t *testing.T, what, predicate, explain string) {
	t.Helper()
	deadline := time.Now().Add(webkitStep)
	var lastErr error
	for time.Now().Before(deadline) {
		var ok bool
		if lastErr = b.eval("return !!("+predicate+")", &ok); lastErr == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	var state string
	if err := b.eval("return String("+explain+")", &state); err != nil {
		state = "(unknown: " + err.Error() + ")"
	}
	if lastErr != nil {
		state += "; the last check failed: " + lastErr.Error()
	}
	t.Fatalf("%s: not within %s; the page shows %s", what, webkitStep, state)
}

// open navigates to a path of the site.
func (b *webkitBrowser) open(t *testing.T, url string) {
	t.Helper()
	if err := b.navigate(url); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
}

// shot saves a screenshot of the viewport and logs its path.
func (b *webkitBrowser) shot(t *testing.T, name string) {
	t.Helper()
	png, err := b.screenshot()
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	(&browser{out: b.out}).save(t, name, png) // named and logged as TestBrowser's
}

// touchPointer is a W3C pointer input source for one finger.
func touchPointer(actions ...map[string]any) map[string]any {
	return map[string]any{"type": "pointer", "id": "finger", "parameters": map[string]string{"pointerType": "touch"}, "actions": actions}
}

// tap touches the centre of the element a CSS selector finds, once
// scrolled into view, with a W3C touch pointer. WebKitGTK without a touch
// screen delivers it as the mouse events and the click a tap makes.
func (b *webkitBrowser) tap(t *testing.T, css string) {
	t.Helper()
	var pt []float64
	err := b.eval(`var e = document.querySelector(arguments[0]); if (!e) return null;
		e.scrollIntoView({block: "center"}); var r = e.getBoundingClientRect();
		return [Math.round(r.left + r.width / 2), Math.round(r.top + r.height / 2)]`, &pt, css)
	if err != nil || len(pt) != 2 {
		t.Fatalf("tap %s: no such element on the page (%v)", css, err)
	}
	err = b.actions(touchPointer(
		map[string]any{"type": "pointerMove", "duration": 0, "x": int(pt[0]), "y": int(pt[1])},
		map[string]any{"type": "pointerDown", "button": 0},
		map[string]any{"type": "pointerUp", "button": 0},
	))
	if err != nil {
		t.Fatalf("tap %s at %v: %v", css, pt, err)
	}
}

// swipeScript sends the viewer the touch events of one finger moved
// horizontally from x0 to x1 at height y (arguments 0 to 2), aimed at the
// element there; it returns "", or the element when that is not the
// viewer's picture or stage. WebKitGTK has no touch screen
// to drive (a W3C touch pointer arrives as mouse events, which the
// viewer's swipe does not listen to), so the events are made with
// WebKit's document.createTouch and createTouchList, as Safari's own
// tests make them: the page's touchstart, touchmove and touchend
// handlers then run as on the iPad.
const swipeScript = `var x0 = arguments[0], x1 = arguments[1], y = arguments[2];
var target = document.elementFromPoint(x0, y);
if (!target) return "nothing";
function fire(type, x, down) {
  var t = document.createTouch(window, target, 1, x + scrollX, y + scrollY, x, y);
  var on = down ? document.createTouchList(t) : document.createTouchList();
  target.dispatchEvent(new TouchEvent(type, {bubbles: true, cancelable: true, composed: true, view: window,
    touches: on, targetTouches: on, changedTouches: document.createTouchList(t)}));
}
fire("touchstart", x0, true);
for (var k = 1; k <= 6; k++) fire("touchmove", x0 + (x1 - x0) * k / 6, true);
fire("touchend", x1, false);
var name = target.tagName + (target.id ? "#" + target.id : "");
return target.closest("#viewer") && !target.closest("button, a, .sheet") ? "" : name;`

// swipe moves a finger across the middle of the screen from fromX to toX,
// fractions of its width.
func (b *webkitBrowser) swipe(t *testing.T, fromX, toX float64) {
	t.Helper()
	var size []float64
	b.value(t, "screen size", `[innerWidth, innerHeight]`, &size)
	var target string
	w, y := size[0], size[1]/2
	if err := b.eval(swipeScript, &target, int(w*fromX), int(w*toX), int(y)); err != nil {
		t.Fatalf("swipe: %v", err)
	}
	if target != "" {
		t.Fatalf("swipe: the finger came down on %s; want the viewer's picture", target)
	}
}

// openGrid opens a share and waits for all its tiles.
func (b *webkitBrowser) openGrid(t *testing.T, s *site, path string) {
	t.Helper()
	b.open(t, s.url+path)
	b.waitFor(t, "every tile of the album", fmt.Sprintf(`document.querySelectorAll("a.tile").length === %d`, len(s.photos)), explainGrid)
}

// tapTile taps tile i and waits for the viewer to show it.
func (b *webkitBrowser) tapTile(t *testing.T, s *site, i int) {
	t.Helper()
	b.tap(t, fmt.Sprintf(`a.tile[data-index="%d"]`, i))
	b.waitFor(t, fmt.Sprintf("viewer on tile %d after a tap", i), viewerShows(i, s.photos[i].Type), explainViewer)
}

// status is the HTTP status of the page shown, fetched again by the
// browser (WebDriver does not tell a navigation's status).
func (b *webkitBrowser) status(t *testing.T) int {
	t.Helper()
	var st int
	err := b.evalAsync(`var done = arguments[arguments.length - 1];
		fetch(location.href, {cache: "no-store"}).then(function (r) { done(r.status) }, function (e) { done(-1) })`, &st)
	if err != nil {
		t.Fatalf("fetch the page again: %v", err)
	}
	return st
}

func TestWebKit(t *testing.T) {
	exe := webkitDriverPath(t)
	display, ok := xDisplay(t)
	if !ok {
		testenv.Missing(t, "no X server for WebKitGTK: $DISPLAY is unset and Xvfb is not installed"+webkitHint)
	}
	locpath := webkitLocales(t, "en_US.UTF-8", "ko_KR.UTF-8")
	s := newSite(t)
	b := newWebKit(t, exe, display, locpath, "en_US.UTF-8")

	t.Run("grid", func(t *testing.T) {
		b.openGrid(t, s, s.open)
		var lang, navLang string
		b.value(t, "html lang", `document.documentElement.lang`, &lang)
		b.value(t, "navigator.language", `navigator.language`, &navLang)
		if lang != "en" || !strings.HasPrefix(navLang, "en") {
			t.Errorf(`<html lang=%q> in a browser whose language is %q; want "en"`, lang, navLang)
		}
		var ids []string
		b.value(t, "tiles", `Array.from(document.querySelectorAll("a.tile")).map(function (a) { return a.dataset.index + "/" + a.dataset.id + "/" + a.dataset.type })`, &ids)
		for k, p := range s.photos {
			if want := fmt.Sprintf("%d/%d/%s", k, p.ID, p.Type); k >= len(ids) || ids[k] != want {
				t.Errorf("tile %d: index/id/type %v; want %s", k, ids, want)
				break
			}
		}
		b.waitFor(t, "tile images on the screen loaded", `Array.from(document.querySelectorAll("a.tile img")).every(function (i) {
			return i.closest("a.tile").getBoundingClientRect().top > innerHeight || (i.complete && i.naturalWidth > 0) })`, explainGrid)
		var srcs []string
		b.value(t, "tile image sources", `Array.from(document.querySelectorAll("a.tile img")).filter(function (i) { return i.currentSrc }).map(function (i) { return i.currentSrc })`, &srcs)
		if len(srcs) == 0 {
			t.Fatal("no tile image loaded")
		}
		for _, src := range srcs {
			if !strings.HasSuffix(src, "/grid") {
				t.Errorf("tile image %s: want the grid size", src)
			}
		}
		b.shot(t, "grid")
	})

	t.Run("tap and swipe", func(t *testing.T) {
		b.openGrid(t, s, s.open)
		i := s.firstIndex(t, "photo")
		if i+1 >= len(s.photos) {
			t.Fatalf("the first photo (tile %d) is the last tile", i)
		}
		b.tapTile(t, s, i)
		var src string
		b.value(t, "viewer image", `document.getElementById("viewer-img").currentSrc`, &src)
		if !strings.HasSuffix(src, "/screen") {
			t.Errorf("viewer image %s: want the screen size", src)
		}
		b.shot(t, "photo")
		b.swipe(t, 0.8, 0.2)
		b.waitFor(t, "next item after a swipe left", viewerShows(i+1, s.photos[i+1].Type), explainViewer)
		b.shot(t, "swiped-left")
		b.swipe(t, 0.2, 0.8)
		b.waitFor(t, "previous item after a swipe right", viewerShows(i, s.photos[i].Type), explainViewer)
	})

	t.Run("video", func(t *testing.T) {
		played := 0
		for i, p := range s.photos {
			if p.Type != "video" {
				continue
			}
			b.openGrid(t, s, s.open)
			b.tapTile(t, s, i)
			var started string
			err := b.evalAsync(`var done = arguments[arguments.length - 1], m = document.getElementById("viewer-video");
				m.muted = true; m.play().then(function () { done("") }, function (e) { done(String(e)) })`, &started)
			if err != nil || started != "" {
				t.Fatalf("video %d: play(): %v %s", i, err, started)
			}
			b.waitFor(t, fmt.Sprintf("video %d playing", i),
				`(function () { var m = document.getElementById("viewer-video"); return m.readyState >= 2 && (m.currentTime > 0 || m.ended) })()`, explainViewer)
			b.shot(t, fmt.Sprintf("video-%d", i))
			played++
		}
		if played == 0 {
			t.Fatal("no video in the album")
		}
	})

	t.Run("expired", func(t *testing.T) {
		for _, c := range []struct {
			locale, want, text string
			b                  *webkitBrowser
		}{
			{"en_US.UTF-8", "en", `(?i)expired|ended`, b},
			{"ko_KR.UTF-8", "ko", `만료|끝`, nil},
		} {
			kb := c.b
			if kb == nil {
				kb = newWebKit(t, exe, display, locpath, c.locale)
			}
			kb.open(t, s.url+s.gone)
			var navLang, lang, text string
			kb.value(t, "navigator.language", `navigator.language`, &navLang)
			kb.value(t, "html lang", `document.documentElement.lang`, &lang)
			kb.value(t, "page text", `document.body.innerText`, &text)
			if !strings.HasPrefix(navLang, c.want) {
				t.Errorf("%s: the browser's language is %q; want %s", c.locale, navLang, c.want)
			}
			if lang != c.want || !regexp.MustCompile(c.text).MatchString(text) {
				t.Errorf("%s: <html lang=%q> and text %q; want lang %q and text matching %s", c.locale, lang, text, c.want, c.text)
			}
			if st := kb.status(t); st != 410 {
				t.Errorf("%s: the expired link answers %d; want 410", c.locale, st)
			}
			kb.shot(t, "expired-"+c.want)
		}
	})
}
