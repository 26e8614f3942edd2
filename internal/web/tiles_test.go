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
// images: the first row from the page itself at high priority, every
// other one from data-src when the script sees it on the screen, with a
// <noscript> copy for browsers without JavaScript.
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
	eager := regexp.MustCompile(`^<img src="([^"]+)" width="\d+" height="\d+" fetchpriority="high" decoding="async" alt="[^"]*">$`)
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
			e := eager.FindStringSubmatch(m[1])
			if len(e) < 2 || !strings.HasSuffix(html.UnescapeString(e[1]), want) {
				t.Errorf("tile %d: %s; want an <img src> of its grid thumbnail at high priority", i, m[1])
			}
			continue
		}
		l := lazy.FindStringSubmatch(m[1])
		if len(l) < 3 || l[1] != l[2] || !strings.HasSuffix(html.UnescapeString(l[1]), want) {
			t.Errorf("tile %d: %s; want an <img data-src> of its grid thumbnail and the same in <noscript>", i, m[1])
		}
	}
	if strings.Contains(body, `loading="lazy"`) {
		t.Error(`the page uses loading="lazy", whose distance on slow connections loads screens of tiles nobody sees`)
	}
}
