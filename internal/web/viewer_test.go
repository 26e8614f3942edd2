package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/picup/picup/internal/catalog"
)

var (
	sectionRe = regexp.MustCompile(`<section class="day" data-date="([^"]*)"><h2>([^<]*)</h2>`)
	tileRe    = regexp.MustCompile(`<a class="tile" data-index="(\d+)" data-id="(\d+)" data-type="(\w+)" href="([^"]+)"([^>]*)>`)
	dataAttr  = regexp.MustCompile(`data-(video|original)="([^"]+)"`)
)

// pageTile is a tile as the share page's HTML shows it.
type pageTile struct {
	Index           int
	ID              int64
	Type, Href      string
	Video, Original string
	Date, Heading   string // of its day section
}

// parsePage reads the day sections and tiles of a share page.
func parsePage(t *testing.T, body string) (sections [][2]string, tiles []pageTile) {
	t.Helper()
	for _, part := range strings.Split(body, "<section ")[1:] {
		m := sectionRe.FindStringSubmatch("<section " + part)
		if m == nil {
			t.Fatalf("a day section without data-date and h2: %.200s", part)
		}
		date, heading := html.UnescapeString(m[1]), html.UnescapeString(m[2])
		sections = append(sections, [2]string{date, heading})
		for _, tm := range tileRe.FindAllStringSubmatch(part, -1) {
			idx, _ := strconv.Atoi(tm[1])
			id, _ := strconv.ParseInt(tm[2], 10, 64)
			pt := pageTile{Index: idx, ID: id, Type: tm[3], Href: html.UnescapeString(tm[4]), Date: date, Heading: heading}
			for _, a := range dataAttr.FindAllStringSubmatch(tm[5], -1) {
				if a[1] == "video" {
					pt.Video = html.UnescapeString(a[2])
				} else {
					pt.Original = html.UnescapeString(a[2])
				}
			}
			tiles = append(tiles, pt)
		}
	}
	return sections, tiles
}

// do sends a request straight to the server's handler, from remoteAddr.
func (f *fixture) do(t *testing.T, remoteAddr, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.RemoteAddr = remoteAddr
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec
}

func TestDayHeading(t *testing.T) {
	tests := []struct {
		t          strs
		date, want string
	}{
		{korean, "2024-05-03", "2024년 5월 3일 (금)"},
		{english, "2024-05-03", "Friday, May 3, 2024"},
		{korean, "2011-03-12", "2011년 3월 12일 (토)"},
		{english, "2000-12-31", "Sunday, December 31, 2000"},
		{english, "", "Date unknown"},
		{korean, "2024-13-01", "날짜 모름"},
		{korean, "1962-07", "1962년 7월"}, // a scan dated by the month
		{english, "1962-07", "July 1962"},
		{korean, "1962", "1962년"},
		{english, "1962", "1962"},
	}
	for _, tt := range tests {
		if got := tt.t.dayHeading(tt.date); got != tt.want {
			t.Errorf("%s dayHeading(%q) = %q; want %q", tt.t.Lang, tt.date, got, tt.want)
		}
	}
}

func TestCaptureDate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2024-05-03T23:30:00+09:00", "2024-05-03"}, {"2011-03-12T15:36:11", "2011-03-12"},
		{"", ""}, {"garbage-in-here", ""}, {"2024-13", ""}, {"19", ""},
		{"1962-07-14", "1962-07-14"}, {"1962-07", "1962-07"}, {"1962", "1962"}, // dates alone keep their precision
	}
	for _, tt := range tests {
		if got := captureDate(tt.in); got != tt.want {
			t.Errorf("captureDate(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestShareDays(t *testing.T) {
	f := newFixture(t)
	token, _ := f.share(t, catalog.Share{})
	byID := map[int64]catalog.Photo{}
	for _, p := range f.inside {
		byID[p.ID] = p
	}
	for _, lang := range []struct {
		accept string
		t      strs
	}{{"en-US,en;q=0.9", english}, {"ko-KR,ko;q=0.9,en;q=0.5", korean}} {
		resp, body := f.get(t, "/s/"+token, "Accept-Language", lang.accept)
		if resp.StatusCode != 200 {
			t.Fatalf("share page: %d", resp.StatusCode)
		}
		if !strings.Contains(body, `<html lang="`+lang.t.Lang+`">`) || !strings.Contains(body, `<main id="photos" data-loading=`) {
			t.Errorf("%s: page lacks html lang or main#photos (with no data-next on one page)", lang.t.Lang)
		}
		sections, tiles := parsePage(t, body)
		// Tiles load the grid size only; the screen size is for the viewer.
		if strings.Contains(body, "<img src=") && regexp.MustCompile(`<img src="[^"]+/grid"[^>]* srcset=`).MatchString(body) {
			t.Errorf("%s: tile images offer more than the grid size", lang.t.Lang)
		}
		if len(tiles) != len(f.inside) {
			t.Fatalf("%s: %d tiles; want %d", lang.t.Lang, len(tiles), len(f.inside))
		}
		firstOf := map[string]catalog.Photo{} // each day's first photo
		for _, tl := range tiles {
			if _, ok := firstOf[tl.Date]; !ok {
				firstOf[tl.Date] = byID[tl.ID]
			}
		}
		for i, s := range sections {
			if i > 0 && s[0] == sections[i-1][0] {
				t.Errorf("%s: two sections in a row for %s", lang.t.Lang, s[0])
			}
			// The day, and where its first photo was taken when known.
			if want := lang.t.dayHeading(s[0]) + lang.t.placeSuffix(firstOf[s[0]].Place); s[1] != want {
				t.Errorf("%s: heading of %s = %q; want %q", lang.t.Lang, s[0], s[1], want)
			}
		}
		for i, tl := range tiles {
			p := byID[tl.ID]
			if tl.Index != i || tl.ID != f.inside[i].ID || tl.Type != "photo" || !strings.HasSuffix(tl.Href, "/screen") {
				t.Errorf("%s: tile %d = %+v; want index %d, photo %d, a screen link", lang.t.Lang, i, tl, i, f.inside[i].ID)
			}
			if tl.Date != p.TakenAt[:10] {
				t.Errorf("%s: photo %d taken %s is in the section of %s", lang.t.Lang, p.ID, p.TakenAt, tl.Date)
			}
		}
	}
	// A photo of the sample set, known to be taken on Saturday 2011-03-12
	// near Margecany, Slovakia (its GPS position).
	_, body := f.get(t, "/s/"+token, "Accept-Language", "ko")
	if !strings.Contains(body, "<h2>2011년 3월 12일 (토) · Margecany</h2>") {
		t.Errorf("Korean page lacks the heading 2011년 3월 12일 (토) · Margecany")
	}
	_, body = f.get(t, "/s/"+token)
	if !strings.Contains(body, "<h2>Saturday, March 12, 2011 · Margecany</h2>") {
		t.Errorf("English page lacks the heading Saturday, March 12, 2011 · Margecany")
	}
}

// addFakePhotos puts n catalog rows (no files) into the album, all taken
// on date, newer than the sample photos.
func (f *fixture) addFakePhotos(t *testing.T, n int, date string) {
	t.Helper()
	ctx := context.Background()
	day, err := time.Parse(time.DateOnly, date)
	if err != nil {
		t.Fatal(err)
	}
	err = f.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		for i := range n {
			at := day.Add(time.Duration(i) * time.Minute)
			id, err := tx.InsertPhoto(ctx, catalog.Photo{
				SHA256: fmt.Sprintf("%064x", 1000+i), Path: fmt.Sprintf("originals/%s/fake-%d.jpg", date, i),
				OriginalName: fmt.Sprintf("fake-%d.jpg", i), Type: "photo", Format: "jpeg", MIME: "image/jpeg",
				TakenAt: at.Format("2006-01-02T15:04:05"), TakenKey: at.UnixMilli(), Width: 4000, Height: 3000,
				Thumbs: "ok", ImportedAt: catalog.Now(),
			})
			if err != nil {
				return err
			}
			if _, err := tx.AddToAlbum(ctx, f.album, id, catalog.Actor{}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSharePagesContinueDays(t *testing.T) {
	f := newFixture(t)
	f.addFakePhotos(t, PageSize+5, "2030-01-02")
	token, _ := f.share(t, catalog.Share{})
	_, body := f.get(t, "/s/"+token, "Accept-Language", "ko")
	sections, tiles := parsePage(t, body)
	if len(tiles) != PageSize || len(sections) != 1 || sections[0][0] != "2030-01-02" {
		t.Fatalf("first page: %d tiles in sections %v; want %d in one section of 2030-01-02", len(tiles), sections, PageSize)
	}
	m := regexp.MustCompile(`<main id="photos" data-next="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("first page of %d photos has no main#photos[data-next]", PageSize+5+len(f.inside))
	}
	resp, jbody := f.get(t, html.UnescapeString(m[1]), "Accept-Language", "ko")
	var page struct {
		Photos []map[string]any `json:"photos"`
		Next   string           `json:"next"`
	}
	if err := json.Unmarshal([]byte(jbody), &page); err != nil || resp.StatusCode != 200 {
		t.Fatalf("next page: %d %v", resp.StatusCode, err)
	}
	if len(page.Photos) != 5+len(f.inside) || page.Next != "" {
		t.Fatalf("second page: %d photos, next %q; want %d and no next", len(page.Photos), page.Next, 5+len(f.inside))
	}
	// The page goes on with the open day (same date and heading), then
	// opens new days.
	first := page.Photos[0]
	if first["date"] != "2030-01-02" || first["day"] != sections[0][1] {
		t.Errorf("second page starts with date %v, day %v; want the open section's 2030-01-02, %q", first["date"], first["day"], sections[0][1])
	}
	last := page.Photos[len(page.Photos)-1]
	wantDate := f.inside[len(f.inside)-1].TakenAt[:10]
	if last["date"] != wantDate || last["day"] != korean.dayHeading(wantDate)+korean.placeSuffix(f.inside[len(f.inside)-1].Place) {
		t.Errorf("last photo: date %v, day %v; want %s in Korean", last["date"], last["day"], wantDate)
	}
	for _, k := range []string{"id", "type", "taken_at", "grid", "screen", "grid_width", "grid_height", "screen_width", "screen_height", "date", "day"} {
		if _, ok := first[k]; !ok {
			t.Errorf("JSON photo lacks %q: %v", k, first)
		}
	}
	if _, ok := first["original"]; ok {
		t.Errorf("JSON photo of a share without downloads has an original: %v", first)
	}
}

func TestVideo(t *testing.T) {
	f := newFixtureOf(t, "../../testdata/photos/jpeg", "../../testdata/photos/video")
	token, shareID := f.share(t, catalog.Share{})
	_, body := f.get(t, "/s/"+token)
	_, tiles := parsePage(t, body)
	byID := map[int64]catalog.Photo{}
	for _, p := range f.inside {
		byID[p.ID] = p
	}
	var videos []pageTile
	for _, tl := range tiles {
		if tl.Type == "video" {
			videos = append(videos, tl)
			if tl.Video == "" || !strings.HasSuffix(tl.Video, "/video") {
				t.Errorf("video tile %d has no video URL: %+v", tl.ID, tl)
			}
		} else if tl.Video != "" {
			t.Errorf("photo tile %d has a video URL", tl.ID)
		}
	}
	if len(videos) != 3 {
		t.Fatalf("%d video tiles; want the 3 sample videos", len(videos))
	}
	if n := strings.Count(body, `<span class="badge"`); n != 3 {
		t.Errorf("%d play badges; want 3", n)
	}
	if !strings.Contains(body, `<video id="viewer-video" playsinline controls preload="metadata"`) {
		t.Errorf("the viewer has no inline video element")
	}
	var mov catalog.Photo
	for _, v := range videos {
		p := byID[v.ID]
		orig, err := os.ReadFile(f.lib.Abs(p.Path))
		if err != nil {
			t.Fatal(err)
		}
		if p.Format == "mov" {
			mov = p
		}
		// A player's first request: a range.
		resp, got := f.get(t, v.Video, "Range", "bytes=0-99", "Accept-Encoding", "gzip")
		wantRange := "bytes 0-99/" + strconv.Itoa(len(orig))
		if resp.StatusCode != 206 || resp.Header.Get("Content-Range") != wantRange || got != string(orig[:100]) {
			t.Errorf("video %s Range 0-99: %d, Content-Range %q, %d bytes; want 206, %q and the first 100 bytes",
				p.OriginalName, resp.StatusCode, resp.Header.Get("Content-Range"), len(got), wantRange)
		}
		if ct := resp.Header.Get("Content-Type"); ct != p.MIME || !strings.HasPrefix(ct, "video/") {
			t.Errorf("video %s Content-Type = %q; want %q", p.OriginalName, ct, p.MIME)
		}
		if resp.Header.Get("Accept-Ranges") != "bytes" || resp.Header.Get("Content-Encoding") != "" {
			t.Errorf("video %s: Accept-Ranges %q, Content-Encoding %q; want bytes and none",
				p.OriginalName, resp.Header.Get("Accept-Ranges"), resp.Header.Get("Content-Encoding"))
		}
		checkSecurityHeaders(t, resp)
		resp, got = f.get(t, v.Video)
		if resp.StatusCode != 200 || got != string(orig) {
			t.Errorf("video %s whole: %d, %d bytes; want 200 and the original's %d", p.OriginalName, resp.StatusCode, len(got), len(orig))
		}
		// The poster is the screen thumbnail.
		resp, got = f.get(t, v.Href)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" || !strings.HasPrefix(got, "\xff\xd8") {
			t.Errorf("poster of %s: %d %s", p.OriginalName, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	if mov.ID == 0 || mov.MIME != "video/quicktime" {
		t.Errorf("the sample .mov is missing or not video/quicktime: %+v", mov)
	}

	// JSON pages carry the video URL too.
	_, jbody := f.get(t, "/s/"+token+"/photos")
	var page photosJSON
	if err := json.Unmarshal([]byte(jbody), &page); err != nil {
		t.Fatal(err)
	}
	for _, p := range page.Photos {
		if (p.Type == "video") != (p.Video != "") {
			t.Errorf("JSON photo %d (%s) has video URL %q", p.ID, p.Type, p.Video)
		}
	}

	key, err := f.server().signingKey(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	exp := f.now.Add(time.Hour).Unix()
	// A video URL for a photo is not a way to its original.
	var photo catalog.Photo
	for _, p := range f.inside {
		if p.Type == "photo" {
			photo = p
			break
		}
	}
	if resp, _ := f.get(t, mediaURL(key, shareID, photo.ID, "video", exp, "")); resp.StatusCode != 404 {
		t.Errorf("video URL of a photo: %d; want 404", resp.StatusCode)
	}
	// An offloaded video is not served, and says nothing about why.
	err = f.lib.Catalog.Write(context.Background(), func(tx *catalog.Tx) error {
		return tx.SetOffloaded(context.Background(), mov.ID, "b2")
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp, body := f.get(t, mediaURL(key, shareID, mov.ID, "video", exp, "")); resp.StatusCode != 404 || body != "not found\n" {
		t.Errorf("offloaded video: %d %q; want a bare 404", resp.StatusCode, body)
	}
}

func TestOriginalDownload(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	key, err := f.server().signingKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	exp := f.now.Add(time.Hour).Unix()
	p := f.inside[0]
	orig, err := os.ReadFile(f.lib.Abs(p.Path))
	if err != nil {
		t.Fatal(err)
	}

	closed, closedID := f.share(t, catalog.Share{})
	_, body := f.get(t, "/s/"+closed)
	if strings.Contains(body, "download-all") || strings.Contains(body, "viewer-download") || strings.Contains(body, "data-original") || strings.Contains(body, "/original") {
		t.Errorf("a share without downloads offers them")
	}
	if resp, _ := f.get(t, mediaURL(key, closedID, p.ID, "original", exp, "")); resp.StatusCode != 403 {
		t.Errorf("original of a share without downloads: %d; want 403", resp.StatusCode)
	}
	if resp, _ := f.get(t, "/s/"+closed+"/download"); resp.StatusCode != 403 {
		t.Errorf("zip of a share without downloads: %d; want 403", resp.StatusCode)
	}

	open, _ := f.share(t, catalog.Share{Download: true})
	_, body = f.get(t, "/s/"+open)
	if !strings.Contains(body, `<a id="download-all" class="btn" href="/s/`+open+`/download"`) || !strings.Contains(body, `<a id="viewer-download"`) {
		t.Errorf("a share with downloads lacks #download-all or #viewer-download")
	}
	_, tiles := parsePage(t, body)
	if len(tiles) == 0 || tiles[0].Original == "" || tiles[0].ID != p.ID {
		t.Fatalf("first tile has no original URL: %+v", tiles)
	}
	resp, got := f.get(t, tiles[0].Original, "Accept-Encoding", "gzip")
	if resp.StatusCode != 200 || got != string(orig) || resp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("original: %d, %d bytes, encoding %q; want 200 and the file's %d bytes as they are",
			resp.StatusCode, len(got), resp.Header.Get("Content-Encoding"), len(orig))
	}
	if ct := resp.Header.Get("Content-Type"); ct != "image/jpeg" {
		t.Errorf("original Content-Type = %q", ct)
	}
	disp, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
	if err != nil || disp != "attachment" || params["filename"] != p.OriginalName {
		t.Errorf("Content-Disposition %q; want attachment with filename %q", resp.Header.Get("Content-Disposition"), p.OriginalName)
	}
	checkSecurityHeaders(t, resp)
	if resp, got := f.get(t, tiles[0].Original, "Range", "bytes=10-19"); resp.StatusCode != 206 || got != string(orig[10:20]) {
		t.Errorf("original Range 10-19: %d %d bytes; want 206 and 10", resp.StatusCode, len(got))
	}
	// The signature is for one kind: an original URL is no video URL.
	if resp, _ := f.get(t, strings.TrimSuffix(tiles[0].Original, "/original")+"/video"); resp.StatusCode != 403 {
		t.Errorf("original signature used for video: %d; want 403", resp.StatusCode)
	}
	err = f.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.SetOffloaded(ctx, p.ID, "b2") })
	if err != nil {
		t.Fatal(err)
	}
	if resp, body := f.get(t, tiles[0].Original); resp.StatusCode != 404 || body != "not found\n" {
		t.Errorf("offloaded original: %d %q; want a bare 404", resp.StatusCode, body)
	}
}

func TestDownloadName(t *testing.T) {
	tests := []struct {
		p    catalog.Photo
		want string
	}{
		{catalog.Photo{OriginalName: "IMG_1234.JPG", Path: "originals/2024/2024-05-03/IMG_1234_2.JPG"}, "IMG_1234.JPG"},
		{catalog.Photo{OriginalName: "엄마 생신.jpg"}, "엄마 생신.jpg"},
		{catalog.Photo{Path: "originals/2024/2024-05-03/a.heic"}, "a.heic"},
		{catalog.Photo{ID: 7, OriginalName: "..", Path: "originals/x/y.png"}, "photo-7.png"},
		{catalog.Photo{OriginalName: `a/b\c` + "\n"}, "a_b_c_"},
	}
	for _, tt := range tests {
		if got := downloadName(tt.p); got != tt.want {
			t.Errorf("downloadName(%q, %q) = %q; want %q", tt.p.OriginalName, tt.p.Path, got, tt.want)
		}
	}
}

func gunzip(t *testing.T, s string) string {
	t.Helper()
	zr, err := gzip.NewReader(strings.NewReader(s))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestGzip(t *testing.T) {
	f := newFixture(t)
	token, _ := f.share(t, catalog.Share{})
	_, page := f.get(t, "/s/"+token)
	css := regexp.MustCompile(`href="(/static/viewer\.css\?v=[0-9a-f]+)"`).FindStringSubmatch(page)
	js := regexp.MustCompile(`src="(/static/viewer\.js\?v=[0-9a-f]+)"`).FindStringSubmatch(page)
	if css == nil || js == nil {
		t.Fatalf("the page does not link versioned CSS and JS")
	}
	rawCSS, _ := assets.ReadFile("static/viewer.css")
	rawJS, _ := assets.ReadFile("static/viewer.js")
	grid := imgSrc.FindStringSubmatch(page)[1]

	tests := []struct {
		name, path string
		header     []string
		gzip       bool
		want       string // the body (after gunzip), when not empty
	}{
		{"page", "/s/" + token, []string{"Accept-Encoding", "gzip, deflate, br"}, true, ""},
		{"page identity", "/s/" + token, []string{"Accept-Encoding", "identity"}, false, ""},
		{"page gzip;q=0", "/s/" + token, []string{"Accept-Encoding", "gzip;q=0, identity"}, false, ""},
		{"page range", "/s/" + token, []string{"Accept-Encoding", "gzip", "Range", "bytes=0-9"}, false, ""},
		{"json", "/s/" + token + "/photos", []string{"Accept-Encoding", "gzip"}, true, ""},
		{"css", css[1], []string{"Accept-Encoding", "gzip"}, true, string(rawCSS)},
		{"js", js[1], []string{"Accept-Encoding", "*"}, true, string(rawJS)},
		{"js identity", js[1], []string{"Accept-Encoding", "identity"}, false, string(rawJS)},
		{"image", grid, []string{"Accept-Encoding", "gzip"}, false, ""},
	}
	for _, tt := range tests {
		resp, body := f.get(t, tt.path, tt.header...)
		if resp.StatusCode/100 != 2 {
			t.Errorf("%s: status %d", tt.name, resp.StatusCode)
			continue
		}
		enc := resp.Header.Get("Content-Encoding")
		if (enc == "gzip") != tt.gzip {
			t.Errorf("%s: Content-Encoding %q; want gzip %v", tt.name, enc, tt.gzip)
			continue
		}
		if tt.name != "image" && !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("%s: Vary %q lacks Accept-Encoding", tt.name, resp.Header.Get("Vary"))
		}
		if tt.gzip {
			body = gunzip(t, body)
		}
		if tt.want != "" && body != tt.want {
			t.Errorf("%s: body differs from the embedded file", tt.name)
		}
		if tt.name == "page" && !strings.Contains(body, `<main id="photos"`) {
			t.Errorf("%s: the gunzipped page is not the share page", tt.name)
		}
	}

	// Static files: a range is served uncompressed, the ETag answers 304,
	// and a versioned URL is cached for good.
	resp, body := f.get(t, css[1], "Accept-Encoding", "gzip", "Range", "bytes=0-9")
	if resp.StatusCode != 206 || resp.Header.Get("Content-Encoding") != "" || body != string(rawCSS[:10]) {
		t.Errorf("CSS range: %d, encoding %q, %q", resp.StatusCode, resp.Header.Get("Content-Encoding"), body)
	}
	resp, _ = f.get(t, css[1], "Accept-Encoding", "gzip")
	if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
		t.Errorf("versioned CSS Cache-Control = %q", cc)
	}
	if resp, body := f.get(t, css[1], "Accept-Encoding", "gzip", "If-None-Match", resp.Header.Get("ETag")); resp.StatusCode != 304 || body != "" {
		t.Errorf("CSS If-None-Match: %d; want 304", resp.StatusCode)
	}
	resp, _ = f.get(t, "/static/viewer.css", "Accept-Encoding", "identity")
	if cc := resp.Header.Get("Cache-Control"); resp.StatusCode != 200 || cc != "public, max-age=3600" {
		t.Errorf("unversioned CSS: %d, Cache-Control %q", resp.StatusCode, cc)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("CSS Content-Type = %q", ct)
	}
}

func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"", false}, {"gzip", true}, {"deflate, gzip;q=0.5", true}, {"GZIP", true}, {"*", true},
		{"gzip;q=0", false}, {"identity", false}, {"br", false}, {"x-gzip-not", false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Encoding", tt.in)
		if got := acceptsGzip(r); got != tt.want {
			t.Errorf("acceptsGzip(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

func TestBindIP(t *testing.T) {
	f := newFixture(t)
	token, shareID := f.share(t, catalog.Share{BindIP: true})
	for _, addr := range []struct{ opener, same, other string }{
		{"198.51.100.7:40000", "198.51.100.7:50123", "198.51.100.8:40000"},
		{"[2001:db8::1]:443", "[2001:db8::1]:8443", "[2001:db8::2]:443"},
	} {
		rec := f.do(t, addr.opener, "/s/"+token)
		m := imgSrc.FindStringSubmatch(rec.Body.String())
		if rec.Code != 200 || m == nil {
			t.Fatalf("page from %s: %d", addr.opener, rec.Code)
		}
		u := m[1]
		if !strings.Contains(u, "."+boundMark+".") || strings.Contains(u, "198.51") || strings.Contains(u, "2001") {
			t.Errorf("media URL of a pinned share %q: want the pinned form without the address", u)
		}
		if rec := f.do(t, addr.same, u); rec.Code != 200 || rec.Header().Get("Cache-Control") != "private, max-age=31536000, immutable" {
			t.Errorf("pinned URL from the opening address %s: %d, Cache-Control %q; want 200, private", addr.same, rec.Code, rec.Header().Get("Cache-Control"))
		}
		if rec := f.do(t, addr.other, u); rec.Code != 403 {
			t.Errorf("pinned URL from another address %s: %d; want 403", addr.other, rec.Code)
		}
		// The JSON pages are signed for the address that asks.
		rec = f.do(t, addr.opener, "/s/"+token+"/photos")
		var page photosJSON
		if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil {
			t.Fatal(err)
		}
		if len(page.Photos) == 0 || f.do(t, addr.same, page.Photos[0].Screen).Code != 200 || f.do(t, addr.other, page.Photos[0].Screen).Code != 403 {
			t.Errorf("JSON page media of a pinned share are not pinned to %s", addr.opener)
		}
	}
	if resp, _ := f.get(t, f.firstMedia(t, token)); resp.StatusCode != 200 {
		t.Errorf("pinned URL through the loopback test server that opened it: %d", resp.StatusCode)
	}
	// A URL signed without an address is refused for a pinned share.
	key, err := f.server().signingKey(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	unpinned := mediaURL(key, shareID, f.inside[0].ID, "grid", f.now.Add(time.Hour).Unix(), "")
	if rec := f.do(t, "198.51.100.7:1", unpinned); rec.Code != 403 {
		t.Errorf("unpinned URL for a pinned share: %d; want 403", rec.Code)
	}
	// Unpinned shares work from anywhere.
	free, _ := f.share(t, catalog.Share{})
	u := imgSrc.FindStringSubmatch(f.do(t, "198.51.100.7:1", "/s/"+free).Body.String())[1]
	if rec := f.do(t, "203.0.113.9:1", u); rec.Code != 200 || strings.Contains(u, "."+boundMark+".") {
		t.Errorf("URL of an unpinned share from another address: %d", rec.Code)
	}
}

func TestBindIPBehindProxy(t *testing.T) {
	f := newFixture(t)
	token, _ := f.share(t, catalog.Share{BindIP: true})
	h := NewServer(f.lib, Options{Now: func() time.Time { return f.now }, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	get := func(peer, forwarded, path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		req.RemoteAddr = peer
		req.Header.Set("X-Forwarded-For", forwarded)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	rec := get("10.0.0.2:5000", "198.51.100.7", "/s/"+token)
	m := imgSrc.FindStringSubmatch(rec.Body.String())
	if rec.Code != 200 || m == nil {
		t.Fatalf("page through the proxy: %d", rec.Code)
	}
	tests := []struct {
		peer, forwarded string
		want            int
	}{
		{"10.0.0.2:6000", "198.51.100.7", 200},              // the same client through the proxy
		{"10.0.0.3:6000", "203.0.113.1, 198.51.100.7", 200}, // what the client claims further left does not count
		{"10.0.0.2:6000", "198.51.100.8", 403},              // another client through the proxy
		{"198.51.100.8:6000", "198.51.100.7", 403},          // not a trusted proxy: its X-Forwarded-For means nothing
	}
	for _, tt := range tests {
		if rec := get(tt.peer, tt.forwarded, m[1]); rec.Code != tt.want {
			t.Errorf("pinned URL from %s for %q: %d; want %d", tt.peer, tt.forwarded, rec.Code, tt.want)
		}
	}
}

func TestCheckMediaPinned(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	now := time.Unix(1_700_000_000, 0)
	exp := now.Add(time.Hour).Unix()
	u := mediaURL(key, 3, 9, "grid", exp, "192.0.2.1")
	sig := strings.Split(u, "/")[2]
	tests := []struct {
		sig, photo, kind, ip string
		ok                   bool
	}{
		{sig, "9", "grid", "192.0.2.1", true},
		{sig, "9", "grid", "192.0.2.2", false},
		{sig, "9", "grid", "", false},
		{sig, "9", "screen", "192.0.2.1", false},
		{sig, "8", "grid", "192.0.2.1", false},
		{strings.Replace(sig, "."+boundMark+".", ".", 1), "9", "grid", "192.0.2.1", false},
	}
	for _, tt := range tests {
		id, bound, err := checkMedia(key, tt.sig, tt.photo, tt.kind, tt.ip, now)
		if (err == nil) != tt.ok || (tt.ok && (id != 3 || !bound)) {
			t.Errorf("checkMedia(%s, %s, %s, %q) = %d, %v, %v; want ok %v", tt.sig, tt.photo, tt.kind, tt.ip, id, bound, err, tt.ok)
		}
	}
	if _, _, err := checkMedia(key, sig, "9", "grid", "192.0.2.1", time.Unix(exp, 0)); err == nil {
		t.Errorf("an expired pinned URL passed")
	}
}

func TestPathTraversal(t *testing.T) {
	f := newFixture(t)
	token, _ := f.share(t, catalog.Share{Download: true})
	u := f.firstMedia(t, token)
	parts := strings.Split(u, "/") // "", "m", sig, photo, size
	paths := []string{
		"/static/../catalog.db",
		"/static/%2e%2e/catalog.db",
		"/static/..%2fcatalog.db",
		"/static/%2e%2e%2fcatalog.db",
		"/static/.",
		"/static/viewer.css/..",
		"/static/templates/share.html",
		"/static/../templates/share.html",
		"/m/" + parts[2] + "/" + parts[3] + "/../../catalog.db",
		"/m/" + parts[2] + "/" + parts[3] + "/..%2f..%2fcatalog.db",
		"/m/" + parts[2] + "/..%2f..%2fcatalog.db/grid",
		"/m/" + parts[2] + "/%2e%2e/original",
		"/s/" + token + "/../../catalog.db",
		"/s/" + token + "/download/..%2f..%2fcatalog.db",
		"/catalog.db",
		"/thumbs/",
		"/originals/",
	}
	client := &http.Client{} // follows the mux's redirects to cleaned paths
	for _, p := range paths {
		req, err := http.NewRequest("GET", f.srv.URL+p, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 404 && resp.StatusCode != 400 {
			t.Errorf("GET %s = %d; want 404 or 400", p, resp.StatusCode)
		}
		if bytes.HasPrefix(b, []byte("SQLite format")) || bytes.Contains(b, []byte("{{define")) || len(b) > 100 {
			t.Errorf("GET %s served %d bytes of something: %.60q", p, len(b), b)
		}
	}
}
