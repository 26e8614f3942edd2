package web_test

// Taking part in a real Chromium: two tablets on one link, each its own
// browser context (its own cookies, so its own device). A names itself,
// hearts and comments; B sees it happen without a reload, and the other
// way round. axe-core checks the grid, the full-screen view with its
// comments and the name sheet, in English and Korean.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/picup/picup/internal/testenv"
)

// axeVersion is the axe-core that scripts/test fetches from npm.
const axeVersion = "4.10.3"

// axeSource reads axe-core ($PICUP_AXE, else scripts/test's cache), or
// skips the test (fails it under CI).
func axeSource(t *testing.T) string {
	t.Helper()
	path := os.Getenv("PICUP_AXE")
	if path == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			testenv.Missing(t, "no home directory to find axe-core in; set PICUP_AXE to axe.min.js")
		}
		path = filepath.Join(home, ".cache", "picup-test", "axe-core-"+axeVersion, "axe.min.js")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		testenv.Missing(t, "axe-core %s not found at %s (%v); ./scripts/test fetches it from npm (or set PICUP_AXE)", axeVersion, path, err)
	}
	return string(b)
}

type axeViolation struct {
	ID, Impact, Help string
	Nodes            []struct {
		Target []any
		HTML   string
	}
}

// checkA11y runs axe-core on the page as it is, for WCAG 2.1 A and AA,
// and fails the test with each violation.
func checkA11y(t *testing.T, ctx context.Context, axe, what string) {
	t.Helper()
	if !run(t, ctx, "axe loaded?", chromedp.Evaluate[bool](`typeof window.axe === "object"`)) {
		step(t, ctx, "inject axe-core", chromedp.Evaluate[chromedp.Void](axe))
	}
	raw := run(t, ctx, "axe "+what, chromedp.Evaluate[string](`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
		.then(function (r) { return JSON.stringify(r.violations) })`, chromedp.EvalAwaitPromise))
	var vs []axeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		t.Fatalf("axe %s: %v", what, err)
	}
	for _, v := range vs {
		var nodes []string
		for i, n := range v.Nodes {
			if i == 3 {
				nodes = append(nodes, fmt.Sprintf("… %d more", len(v.Nodes)-3))
				break
			}
			nodes = append(nodes, fmt.Sprint(n.Target)+" "+n.HTML)
		}
		t.Errorf("%s: axe %s (%s): %s, on %d elements: %s", what, v.ID, v.Impact, v.Help, len(v.Nodes), strings.Join(nodes, "; "))
	}
}

// Page state of taking part, for failure messages.
const explainPart = `JSON.stringify({live: document.body.dataset.live, family: typeof window.picupNeedName, heart: (document.getElementById("heart") || {}).outerHTML,
	count: (document.getElementById("heart-count") || {}).textContent, names: (document.getElementById("heart-names") || {}).textContent,
	comments: Array.from(document.querySelectorAll("#comment-list li")).map(function (li) { return li.innerText }),
	sheet: !document.getElementById("name-sheet").hidden, toast: document.getElementById("toast").textContent})`

// waitLive waits for family.js and its open event stream.
func waitLive(t *testing.T, ctx context.Context) {
	t.Helper()
	waitFor(t, ctx, "family.js loaded and the live stream open", `typeof window.picupNeedName === "function" && document.body.dataset.live === "open"`, explainPart)
}

// nameSheet waits for the name sheet, types name and saves it.
func nameSheet(t *testing.T, ctx context.Context, b *browser, axe, name, lang string) {
	t.Helper()
	waitFor(t, ctx, "the name sheet", `!document.getElementById("name-sheet").hidden && document.activeElement === document.getElementById("name-input")`, explainPart)
	b.screen(t, ctx, "name-sheet-"+lang)
	checkA11y(t, ctx, axe, "the name sheet ("+lang+")")
	step(t, ctx, "type the name", chromedp.SendKeys(chromedp.ID("name-input"), name))
	step(t, ctx, "save the name", chromedp.Tap(chromedp.CSS(`#name-form button[type="submit"]`)))
	waitFor(t, ctx, "the sheet closed", `document.getElementById("name-sheet").hidden`, explainPart)
}

func TestBrowserTakingPart(t *testing.T) {
	b := newBrowser(t)
	axe := axeSource(t)
	s := newSite(t)
	i := s.firstIndex(t, "photo")
	tileSel := fmt.Sprintf(`a.tile[data-index="%d"]`, i)

	a := b.tab(t, "en-US,en;q=0.9")
	k := b.tab(t, "ko-KR,ko;q=0.9")
	for _, c := range []struct {
		ctx  context.Context
		lang string
	}{{a, "en"}, {k, "ko"}} {
		s.openGrid(t, c.ctx, s.open)
		// Before any scrolling: tiles below the first row have no image
		// yet, and must still have a name.
		checkA11y(t, c.ctx, axe, "the grid ("+c.lang+")")
		waitLive(t, c.ctx)
	}

	// Both open the same photo; B opens its comments.
	s.tapTile(t, a, i)
	s.tapTile(t, k, i)
	waitFor(t, k, "the comments button", `!document.getElementById("comments-open").hidden`, explainPart)
	step(t, k, "open the comments", chromedp.Tap(chromedp.ID("comments-open")))
	waitFor(t, k, "the comments sheet", `!document.getElementById("comments").hidden`, explainPart)

	// A hearts: the sheet asks for a name first, then the heart counts.
	waitFor(t, a, "the heart button", `!document.getElementById("heart").hidden`, explainPart)
	step(t, a, "tap the heart", chromedp.Tap(chromedp.ID("heart")))
	nameSheet(t, a, b, axe, "Mom", "en")
	waitFor(t, a, "A's heart", `document.getElementById("heart").getAttribute("aria-pressed") === "true" && document.getElementById("heart-count").textContent === "1"`, explainPart)
	hearted := time.Now()
	waitFor(t, k, "A's heart, live on B", `document.getElementById("heart-count").textContent === "1" && document.getElementById("heart-names").textContent === "♥ 1 · Mom" &&
		document.querySelector('`+tileSel+`').dataset.hearts === "1"`, explainPart)
	t.Logf("A's heart reached B after %v", time.Since(hearted).Round(time.Millisecond))

	// A comments with markup and a line break: B sees it as it was typed.
	step(t, a, "open the comments", chromedp.Tap(chromedp.ID("comments-open")))
	waitFor(t, a, "A's comments sheet", `!document.getElementById("comments").hidden`, explainPart)
	step(t, a, "write a comment", chromedp.Evaluate[chromedp.Void](`document.getElementById("comment-text").value = "<b>Uncle Ho</b> in 1962\nLook at the hat"`))
	step(t, a, "send it", chromedp.Tap(chromedp.CSS(`#comment-form button[type="submit"]`)))
	sent := time.Now()
	const literal = `(function () { var li = document.querySelector("#comment-list li"); return !!li && li.querySelector(".text").textContent === "<b>Uncle Ho</b> in 1962\nLook at the hat" && !li.querySelector("b") && li.querySelector("strong").textContent === "Mom" })()`
	waitFor(t, k, "A's comment, live on B, as plain text", literal, explainPart)
	t.Logf("A's comment reached B after %v", time.Since(sent).Round(time.Millisecond))
	waitFor(t, a, "A's own comment, deletable", literal+` && !!document.querySelector("#comment-list li .delete")`, explainPart)
	if run(t, k, "delete button on B", chromedp.Evaluate[bool](`!!document.querySelector("#comment-list li .delete")`)) {
		t.Error("B may delete A's comment")
	}
	when := run(t, k, "the comment's time", chromedp.Evaluate[string](`document.querySelector("#comment-list li time").textContent`))
	if when != "방금" {
		t.Errorf("B's page says the comment is from %q; want 방금 (just now, in Korean)", when)
	}
	waitFor(t, k, "the tile's comment badge on B", `document.querySelector('`+tileSel+`').dataset.comments === "1"`, explainPart)
	b.screen(t, a, "comments-en")
	b.screen(t, k, "comments-ko")
	checkA11y(t, a, axe, "the full-screen view with comments (en)")
	checkA11y(t, k, axe, "the full-screen view with comments (ko)")

	// B hearts in Korean; A's count follows.
	step(t, k, "close B's comments", chromedp.Tap(chromedp.ID("comments-close")))
	step(t, k, "B taps the heart", chromedp.Tap(chromedp.ID("heart")))
	nameSheet(t, k, b, axe, "아빠", "ko")
	waitFor(t, k, "B's heart", `document.getElementById("heart").getAttribute("aria-pressed") === "true" && document.getElementById("heart-count").textContent === "2"`, explainPart)
	waitFor(t, a, "B's heart, live on A", `document.getElementById("heart-count").textContent === "2" && document.getElementById("heart-names").textContent === "♥ 2 · Mom, 아빠"`, explainPart)
	// The name line offers a change.
	step(t, k, "open the comments again", chromedp.Tap(chromedp.ID("comments-open")))
	waitFor(t, k, "the name line", `!document.querySelector("#comments .me").hidden && document.querySelector("#comments .me-name").textContent.indexOf("아빠") >= 0`, explainPart)
}
