package web

import (
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/picup/picup/internal/catalog"
)

// TestShareTileImages checks how the share page's tiles load their
// images: the first row from the page itself (the first tile, what Largest
// Contentful Paint waits for, at once and at high priority; the other
// three once laid out, so that they do not share the bandwidth with it),
// every other one from data-src when the script sees it on the screen,
// with a <noscript> copy for browsers without JavaScript.
func TestShareTileImages(t *testing.T) {
	f := newFixture(t)
	f.addFakePhotos(t, PageSize+5, "2030-01-02")
	token, _ := f.share(t, catalog.Share{})
	_, body := f.get(t, "/s/"+token)
	_, tiles := parsePage(t, body)
	if len(tiles) != PageSize {
		t.Fatalf("first page has %d tiles; want %d", len(tiles), PageSize)
	}
	tileRest := regexp.MustCompile(`<a class="tile"[^>]*>(<img[^>]* alt="([^"]+)">.*?)</a>`)
	first := regexp.MustCompile(`^<img src="([^"]+)" width="\d+" height="\d+" fetchpriority="high" decoding="async" alt="[^"]*">$`)
	row := regexp.MustCompile(`^<img src="([^"]+)" width="\d+" height="\d+" loading="lazy" decoding="async" alt="[^"]*">$`)
	lazy := regexp.MustCompile(`^<img data-src="([^"]+)" width="\d+" height="\d+" decoding="async" alt="[^"]*"><noscript><img src="([^"]+)" width="\d+" height="\d+" alt="[^"]*"></noscript>$`)
	inner := tileRest.FindAllStringSubmatch(body, -1)
	if len(inner) != len(tiles) {
		t.Fatalf("%d tiles with content and an image with an alt; want %d (a tile whose image has not loaded has no other name)", len(inner), len(tiles))
	}
	for i, m := range inner {
		if label := html.UnescapeString(m[2]); label != "Wednesday, January 2, 2030, Photo" {
			t.Errorf("tile %d: alt %q; want its day and kind", i, label)
		}
		want := "/" + strconv.FormatInt(tiles[i].ID, 10) + "/grid"
		if i < 4 {
			re, how := row, "once laid out"
			if i == 0 {
				re, how = first, "at high priority"
			}
			e := re.FindStringSubmatch(m[1])
			if len(e) < 2 || !strings.HasSuffix(html.UnescapeString(e[1]), want) {
				t.Errorf("tile %d: %s; want an <img src> of its grid thumbnail %s", i, m[1], how)
			}
			continue
		}
		l := lazy.FindStringSubmatch(m[1])
		if len(l) < 3 || l[1] != l[2] || !strings.HasSuffix(html.UnescapeString(l[1]), want) {
			t.Errorf("tile %d: %s; want an <img data-src> of its grid thumbnail and the same in <noscript>", i, m[1])
		}
	}
	if n := strings.Count(body, `loading="lazy"`); n != 3 {
		t.Errorf(`the page has %d loading="lazy" images; want the first row's last three only: lazy loading's distance on slow connections loads screens of tiles nobody sees`, n)
	}
}
