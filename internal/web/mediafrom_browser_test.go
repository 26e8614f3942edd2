package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/importer"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/miniotest"
	"github.com/picup/picup/internal/sharelink"
	"github.com/picup/picup/internal/web"
)

// TestBrowserOffloaded: in Chromium, an album whose originals were all
// offloaded to a real MinIO still opens: the page's CSP lets the browser
// follow the media route's redirects to the bucket, the videos play with
// range requests the bucket answers 206, an original loads, and no
// Content-Security-Policy violation is reported.
func TestBrowserOffloaded(t *testing.T) {
	b := newBrowser(t)
	minio := miniotest.Start(t)
	t.Setenv("AWS_ACCESS_KEY_ID", minio.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", minio.SecretKey)
	t.Setenv("PICUP_CREDENTIALS", filepath.Join(t.TempDir(), "none"))
	ctx := context.Background()
	lib, err := library.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	if _, err := importer.Run(ctx, lib, []string{"../../testdata/photos/jpeg", "../../testdata/photos/video/drewnoakes"}, importer.Options{Album: "Family"}); err != nil {
		t.Fatal(err)
	}
	a := archive.New(lib)
	if err := a.AddRemote(ctx, catalog.Remote{Name: "m", Bucket: "family", Endpoint: minio.Endpoint, Insecure: true, KeepSnapshots: 1}); err != nil {
		t.Fatal(err)
	}
	if sum, r, err := a.Sync(ctx, "m", archive.SyncOptions{}); err != nil || sum.Failed != 0 {
		t.Fatalf("sync: %+v, %v", sum, err)
	} else if res, err := a.Offload(ctx, archive.OffloadOptions{Remote: r, Album: "Family"}); err != nil || len(res) == 0 {
		t.Fatalf("offload: %d, %v", len(res), err)
	}
	al, err := lib.Catalog.AlbumByName(ctx, "Family")
	if err != nil {
		t.Fatal(err)
	}
	s := &site{}
	if s.photos, err = lib.Catalog.AlbumPhotos(ctx, al.ID, nil, 1000); err != nil {
		t.Fatal(err)
	}
	for _, p := range s.photos {
		if p.Offloaded != "m" {
			t.Fatalf("%s is not offloaded", p.OriginalName)
		}
	}
	token := sharelink.NewToken()
	err = lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		_, err := tx.CreateShare(ctx, catalog.Share{TokenHash: catalog.HashToken(token), AlbumID: al.ID, Download: true}, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	s.open = "/s/" + token
	srv := httptest.NewServer(web.NewServer(lib, web.Options{}))
	t.Cleanup(srv.Close)
	s.url = srv.URL

	tab := b.tab(t, "en-US,en;q=0.9")
	var mu sync.Mutex
	var fromBucket []int64 // statuses of media responses that came from the bucket
	if err := chromedp.Listen(tab, func(ev any) {
		if r, ok := ev.(*network.EventResponseReceived); ok && r.Type == network.ResourceTypeMedia {
			if u, err := url.Parse(r.Response.URL); err == nil && u.Host == minio.Endpoint {
				mu.Lock()
				fromBucket = append(fromBucket, r.Response.Status)
				mu.Unlock()
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	s.openGrid(t, tab, s.open)
	step(t, tab, "count CSP violations", chromedp.Evaluate[chromedp.Void](`window.cspViolations = [];
		document.addEventListener("securitypolicyviolation", function (e) { window.cspViolations.push(e.violatedDirective + " " + e.blockedURI) })`))

	// An original: the tile's download URL, redirected to the bucket.
	photo := s.firstIndex(t, "photo")
	step(t, tab, "load an original", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(function () {
		var img = document.createElement("img"); img.id = "offloaded-original";
		img.src = document.querySelector('a.tile[data-index="%d"]').dataset.original; document.body.appendChild(img) })()`, photo)))
	waitFor(t, tab, "the offloaded original loaded", `(function () { var i = document.getElementById("offloaded-original"); return i.complete && i.naturalWidth > 0 })()`,
		`JSON.stringify({csp: window.cspViolations, src: document.getElementById("offloaded-original").src})`)

	h264 := run(t, tab, "codec support", chromedp.Evaluate[string](`document.createElement("video").canPlayType('video/mp4; codecs="avc1.42E01E"')`))
	played := 0
	for i, p := range s.photos {
		if p.Type != "video" {
			continue
		}
		step(t, tab, "back to the grid", chromedp.KeyEvent(kb.Escape))
		s.tapTile(t, tab, i)
		if h264 == "" {
			t.Logf("this chromium cannot play H.264; tile %d: checking the poster only", i)
			continue
		}
		step(t, tab, "play", chromedp.Evaluate[chromedp.Void](`document.getElementById("viewer-video").play()`, chromedp.EvalAwaitPromise))
		waitFor(t, tab, fmt.Sprintf("offloaded video %d playing", i),
			`(function () { var m = document.getElementById("viewer-video"); return m.readyState >= 2 && (m.currentTime > 0 || m.ended) })()`, explainViewer)
		b.screen(t, tab, fmt.Sprintf("offloaded-video-%d", i))
		played++
	}
	if v := run(t, tab, "CSP violations", chromedp.Evaluate[[]string](`window.cspViolations`)); len(v) > 0 {
		t.Errorf("Content-Security-Policy violations: %v", v)
	}
	if played > 0 {
		deadline := time.Now().Add(5 * time.Second)
		for {
			mu.Lock()
			ok := slices.Contains(fromBucket, 206)
			got := slices.Clone(fromBucket)
			mu.Unlock()
			if ok {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("media responses from the bucket %v; want range requests answered 206 there", got)
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}
