// Command bench-viewer measures the first view of a share page the way a
// parent's tablet sees it: Largest Contentful Paint and the bytes
// transferred before any scrolling, for an album of 2,000 photos opened in
// headless Chromium emulating an iPad on a slow 4G network.
//
//	go run ./scripts/bench-viewer [-n 2000] [-runs 3] [-keep] [-library DIR] [-timeline]
//
// It builds picup, generates N small distinct JPEGs (scripts/gen-photos)
// dated over many days, imports them into a fresh library as one album
// (real thumbnails), makes a share link, runs "picup serve" on a free
// loopback port and opens the link -runs times, each in a fresh browser
// context (cold cache) with the network throttled by DevTools: 150 ms
// latency, 1.6 Mbit/s down, 750 kbit/s up. Targets: LCP under 1 s and
// under 300 KB before scrolling. -library reuses the library of an earlier
// run kept with -keep (its thumbnails as they were made then) instead of
// generating and importing photos again; -timeline prints every request
// of each load and the LCP candidates.
//
// Run it from the repository root. Chromium is $PICUP_CHROMIUM, else
// chromium on $PATH (Debian: apt-get install chromium).
package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// emulateByRule is Network.emulateNetworkConditionsByRule as Chromium 148
// takes it: with "offline" among the command's own parameters, which
// Chromium refuses the command without ("Invalid parameters") and
// cdproto's version of it lacks.
var emulateByRule = cdp.Command[emulateByRuleParams, network.EmulateNetworkConditionsByRuleResult]{Method: network.CommandEmulateNetworkConditionsByRule}

type emulateByRuleParams struct {
	Offline                  bool                  `json:"offline"`
	MatchedNetworkConditions []*network.Conditions `json:"matchedNetworkConditions"`
}

// The profile: an iPad Air in portrait on slow 4G.
const (
	ipadWidth  = 820
	ipadHeight = 1180
	ipadScale  = 2
	ipadUA     = "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"

	latencyMS    = 150
	downBytesSec = 1_600_000 / 8 // 1.6 Mbit/s
	upBytesSec   = 750_000 / 8   // 750 kbit/s

	targetLCP   = time.Second
	targetBytes = 300_000
)

func main() {
	n := flag.Int("n", 2000, "photos in the album")
	runs := flag.Int("runs", 3, "page loads to measure, each with a cold cache")
	perDay := flag.Int("per-day", 12, "photos per day (the page groups them by day)")
	keep := flag.Bool("keep", false, "keep the temp dir (library, photos, server log) and print its path")
	timeline := flag.Bool("timeline", false, "print every request of each load (start, first byte, end, bytes) and the LCP candidates")
	library := flag.String("library", "", "reuse this library of an earlier -keep run (DIR/library) instead of importing photos")
	flag.Parse()
	if *n < 1 || *runs < 1 || *perDay < 1 {
		fmt.Fprintln(os.Stderr, "usage: go run ./scripts/bench-viewer [-n N] [-runs R] [-per-day D] [-keep] [-library DIR] [-timeline]")
		os.Exit(2)
	}
	ctx, stop := context.WithTimeout(context.Background(), 30*time.Minute)
	err := bench(ctx, *n, *runs, *perDay, *keep, *library, *timeline)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench-viewer: %v\n", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench-viewer: "+format+"\n", args...)
}

func bench(ctx context.Context, n, runs, perDay int, keep bool, library string, timeline bool) error {
	if _, err := os.Stat("scripts/gen-photos/main.go"); err != nil {
		return errors.New("run it from the repository root: go run ./scripts/bench-viewer")
	}
	chromium := os.Getenv("PICUP_CHROMIUM")
	if chromium == "" {
		var err error
		if chromium, err = exec.LookPath("chromium"); err != nil {
			return errors.New("chromium not found: apt-get install chromium, or set PICUP_CHROMIUM")
		}
	}
	work, err := os.MkdirTemp("", "bench-viewer-")
	if err != nil {
		return err
	}
	if keep {
		defer logf("kept %s", work)
	} else {
		defer os.RemoveAll(work)
	}

	picup := filepath.Join(work, "picup")
	logf("building picup")
	if err := command(ctx, nil, "go", "build", "-o", picup, "./cmd/picup").Run(); err != nil {
		return fmt.Errorf("build picup: %w", err)
	}
	env := []string{"PICUP_LIBRARY=" + library}
	if library == "" {
		env = []string{"PICUP_LIBRARY=" + filepath.Join(work, "library")}
		if err := importPhotos(ctx, env, picup, filepath.Join(work, "photos"), n, perDay); err != nil {
			return err
		}
	}
	var share struct{ URL string }
	out, err := command(ctx, env, picup, "share", "Bench", "--expires", "1d", "--json").Output()
	if err != nil {
		return fmt.Errorf("picup share: %w", err)
	}
	if err := json.Unmarshal(out, &share); err != nil {
		return fmt.Errorf("picup share --json: %w: %s", err, out)
	}
	link, err := url.Parse(share.URL)
	if err != nil {
		return err
	}

	addr, stopServer, err := serve(ctx, env, picup, filepath.Join(work, "serve.log"))
	if err != nil {
		return err
	}
	defer stopServer()
	pageURL := "http://" + addr + link.Path
	logf("serving at http://%s", addr)

	actx, cancel := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("mute-audio", true))...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(bctx); err != nil {
		return fmt.Errorf("start %s: %w", chromium, err)
	}
	var results []result
	for i := range runs {
		r, err := load(bctx, pageURL)
		if err != nil {
			return fmt.Errorf("run %d: %w", i+1, err)
		}
		results = append(results, r)
	}
	album := fmt.Sprintf("%d photos", n)
	if library != "" {
		album = "the album Bench of " + library
	}
	if timeline {
		for i, r := range results {
			printTimeline(os.Stdout, i+1, r.timings)
		}
	}
	report(os.Stdout, album, results)
	return nil
}

// importPhotos generates n photos in dir, perDay a day, and imports them
// as the album "Bench".
func importPhotos(ctx context.Context, env []string, picup, dir string, n, perDay int) error {
	logf("generating %d photos", n)
	if err := command(ctx, nil, "go", "run", "./scripts/gen-photos", "-n", fmt.Sprint(n), "-o", dir, "-w", "480", "-h", "360").Run(); err != nil {
		return fmt.Errorf("generate photos: %w", err)
	}
	if err := spreadDates(dir, perDay); err != nil {
		return err
	}
	logf("importing them (real thumbnails)")
	start := time.Now()
	if err := command(ctx, env, picup, "import", dir, "--album", "Bench").Run(); err != nil {
		return fmt.Errorf("picup import: %w", err)
	}
	logf("imported in %.1f s", time.Since(start).Seconds())
	return nil
}

func command(ctx context.Context, env []string, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	return cmd
}

// spreadDates sets the photos' modification times (their taken time, as
// they have no EXIF) to perDay photos a day, going back from today, so
// that the page shows many day headings.
func spreadDates(dir string, perDay int) error {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return err
	}
	slices.Sort(files)
	day := time.Now().Truncate(24 * time.Hour).Add(18 * time.Hour)
	for i, f := range files {
		t := day.AddDate(0, 0, -i/perDay).Add(-time.Duration(i%perDay) * 20 * time.Minute)
		if err := os.Chtimes(f, t, t); err != nil {
			return err
		}
	}
	return nil
}

// serve starts "picup serve" on a free loopback port and returns its
// address once it listens, and a func that stops it (SIGTERM, then a kill
// after 15 s) and waits for it.
func serve(ctx context.Context, env []string, picup, logPath string) (string, func(), error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return "", nil, err
	}
	cmd := exec.CommandContext(ctx, picup, "serve", "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("picup serve: %w", err)
	}
	addrc := make(chan string, 1)
	logged := make(chan struct{})
	go func() {
		defer close(logged)
		defer logFile.Close()
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			if strings.Contains(line, "msg=serving ") {
				for f := range strings.FieldsSeq(line) {
					if a, ok := strings.CutPrefix(f, "addr="); ok {
						addrc <- a
					}
				}
			}
			fmt.Fprintln(logFile, line)
		}
		_, _ = io.Copy(logFile, stderr) // the log of a server being stopped
	}()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM) // gone already is as good
		select {
		case <-logged:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-logged
		}
		_ = cmd.Wait() // stopped by a signal: its status says nothing
	}
	select {
	case a := <-addrc:
		return a, stop, nil
	case <-time.After(30 * time.Second):
		stop()
		return "", nil, fmt.Errorf("picup serve did not say where it listens within 30 s; see %s", logPath)
	}
}

type request struct {
	url      string
	typ      network.ResourceType
	status   int64
	bytes    float64 // encoded bytes on the wire, headers included
	finished bool
}

type result struct {
	lcp, fcp, load time.Duration
	lcpElement     string
	bytes          float64 // before scrolling, every request
	viewBytes      float64 // the same without the images outside the screen
	pageBytes      float64 // everything but images: HTML, CSS, JavaScript, JSON
	perfBytes      float64 // the same from the Resource Timing API
	requests       []*request
	timings        timings
}

// load opens the page once in a fresh browser context with the network
// throttled, waits until the network has been idle for 2 s, and measures.
func load(parent context.Context, pageURL string) (result, error) {
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	defer cancel()
	if err := chromedp.Do(ctx); err != nil {
		return result{}, err
	}
	var mu sync.Mutex
	reqs := map[network.RequestID]*request{}
	var order []*request
	lastChange := time.Now()
	err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			if _, ok := reqs[ev.RequestID]; !ok {
				r := &request{url: ev.Request.URL, typ: ev.Type}
				reqs[ev.RequestID] = r
				order = append(order, r)
			}
		case *network.EventResponseReceived:
			if r := reqs[ev.RequestID]; r != nil {
				r.status, r.typ = ev.Response.Status, ev.Type
			}
		case *network.EventLoadingFinished:
			if r := reqs[ev.RequestID]; r != nil {
				r.bytes, r.finished = ev.EncodedDataLength, true
			}
		case *network.EventLoadingFailed:
			if r := reqs[ev.RequestID]; r != nil {
				r.finished = true
			}
		default:
			return
		}
		lastChange = time.Now()
	})
	if err != nil {
		return result{}, err
	}
	tctx, tcancel := context.WithTimeout(ctx, 2*time.Minute)
	defer tcancel()
	err = chromedp.Do(tctx,
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			if _, err := cdp.Call(ctx, t, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: ipadUA, AcceptLanguage: "ko-KR,ko;q=0.9,en;q=0.8", Platform: "iPad"}); err != nil {
				return err
			}
			_, err := cdp.Call(ctx, t, emulateByRule, emulateByRuleParams{
				MatchedNetworkConditions: []*network.Conditions{{
					Latency: latencyMS, DownloadThroughput: downBytesSec, UploadThroughput: upBytesSec,
					ConnectionType: network.ConnectionTypeCellular4g,
				}},
			})
			return err
		}),
		chromedp.EmulateViewport(ipadWidth, ipadHeight, chromedp.EmulateScale(ipadScale),
			chromedp.EmulateTouch, chromedp.EmulateMobile, chromedp.EmulatePortrait),
		chromedp.Navigate(pageURL),
	)
	if err != nil {
		return result{}, err
	}
	// Wait for a quiet network: nothing in flight and no event for 2 s
	// (the page's live-update stream stays open: it does not count).
	for {
		mu.Lock()
		busy := slices.ContainsFunc(order, func(r *request) bool { return !r.finished && r.typ != network.ResourceTypeEventSource })
		quiet := time.Since(lastChange)
		mu.Unlock()
		if !busy && quiet > 2*time.Second {
			break
		}
		select {
		case <-tctx.Done():
			return result{}, fmt.Errorf("the network never went quiet: %w", tctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
	visible, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](`Array.from(document.images).filter(function (i) {
		var r = i.getBoundingClientRect(); return i.currentSrc && r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth;
	}).map(function (i) { return i.currentSrc })`))
	if err != nil {
		return result{}, fmt.Errorf("list the images in view: %w", err)
	}
	m, err := chromedp.Run(tctx, chromedp.Evaluate[timings](`new Promise(function (resolve) {
		new PerformanceObserver(function (list) {
			var es = list.getEntries(), e = es[es.length - 1];
			var nav = performance.getEntriesByType("navigation")[0];
			var fcp = performance.getEntriesByName("first-contentful-paint")[0];
			var bytes = nav.transferSize;
			performance.getEntriesByType("resource").forEach(function (r) { bytes += r.transferSize; });
			var tiles = Array.from(document.querySelectorAll("a.tile"));
			function name(el, url) {
				var a = el ? el.closest("a.tile") : tiles.find(function (a) { var i = a.querySelector("img"); return i && i.currentSrc === url; });
				if (a) return "tile " + a.dataset.index;
				if (el) return el.tagName.toLowerCase();
				return url.replace(/^[^:]*:\/\/[^/]*\/(static\/)?/, "").replace(/^s\/[^/?]*/, "page").slice(0, 40);
			}
			var el = e.element ? e.element.tagName.toLowerCase() + (e.url ? " " + e.url.replace(/^.*\/m\/[^/]*\//, "…/") : "") : "?";
			resolve({LCP: e.startTime, FCP: fcp ? fcp.startTime : 0, Load: nav.loadEventEnd, PerfBytes: bytes, Element: el,
				Candidates: es.map(function (c) { return {Name: name(c.element, c.url), At: c.startTime, Size: c.size}; }),
				Timeline: [{Name: "page", Start: nav.startTime, First: nav.responseStart, End: nav.responseEnd, Bytes: nav.transferSize}].concat(
					performance.getEntriesByType("resource").map(function (r) {
						return {Name: name(null, r.name), Start: r.startTime, First: r.responseStart, End: r.responseEnd, Bytes: r.transferSize}; }))});
		}).observe({type: "largest-contentful-paint", buffered: true});
	})`, chromedp.EvalAwaitPromise))
	if err != nil {
		return result{}, fmt.Errorf("read the paint timings: %w", err)
	}
	mu.Lock()
	defer mu.Unlock()
	r := result{
		lcp: ms(m.LCP), fcp: ms(m.FCP), load: ms(m.Load), lcpElement: m.Element, perfBytes: m.PerfBytes,
		requests: order, timings: m,
	}
	for _, q := range order {
		r.bytes += q.bytes
		if q.typ != network.ResourceTypeImage {
			r.pageBytes += q.bytes
			r.viewBytes += q.bytes
		} else if slices.Contains(visible, q.url) {
			r.viewBytes += q.bytes
		}
		if q.status >= 400 && !strings.HasSuffix(q.url, "/favicon.ico") {
			return r, fmt.Errorf("%s: status %d", q.url, q.status)
		}
	}
	return r, nil
}

// timings are what the page reports about itself, in ms and bytes.
type timings struct {
	LCP, FCP, Load, PerfBytes float64
	Element                   string
	Candidates                []struct { // every LCP candidate, in order
		Name     string
		At, Size float64 // Size in CSS px²
	}
	Timeline []span // the document, then every resource (Resource Timing)
}

// span is one request: when it started, its first byte came and its last.
type span struct {
	Name                     string
	Start, First, End, Bytes float64
}

func ms(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }

// printTimeline prints one load's requests in the order they started and
// its LCP candidates.
func printTimeline(w io.Writer, run int, t timings) {
	fmt.Fprintf(w, "\nrun %d: requests (ms from navigation)\n", run)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "request\tstart\tfirst byte\tend\tKB\t")
	for _, s := range slices.SortedStableFunc(slices.Values(t.Timeline), func(a, b span) int { return cmp.Compare(a.Start, b.Start) }) {
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%.0f\t%.1f\t\n", s.Name, s.Start, s.First, s.End, s.Bytes/1000)
	}
	_ = tw.Flush() // to stdout
	for _, c := range t.Candidates {
		fmt.Fprintf(w, "LCP candidate at %.0f ms: %s (%.0f px²)\n", c.At, c.Name, c.Size)
	}
}

// report prints one row per run and the medians against the targets.
func report(w io.Writer, album string, rs []result) {
	fmt.Fprintf(w, "\nShare page of %s, first view: iPad %d×%d @%dx, %d ms latency, %.1f Mbit/s down, %.0f kbit/s up, cold cache\n\n",
		album, ipadWidth, ipadHeight, ipadScale, latencyMS, downBytesSec*8/1e6, upBytesSec*8/1e3)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "run\tLCP\tFCP\tload\tKB before scrolling\t(Resource Timing)\tKB for the screen\tKB not images\trequests\tdoc/css/js/img/json/other\tLCP element\t")
	for i, r := range rs {
		kinds := map[network.ResourceType]int{}
		for _, q := range r.requests {
			kinds[q.typ]++
		}
		other := len(r.requests) - kinds[network.ResourceTypeDocument] - kinds[network.ResourceTypeStylesheet] -
			kinds[network.ResourceTypeScript] - kinds[network.ResourceTypeImage] - kinds[network.ResourceTypeFetch]
		fmt.Fprintf(tw, "%d\t%d ms\t%d ms\t%d ms\t%.1f\t%.1f\t%.1f\t%.1f\t%d\t%d/%d/%d/%d/%d/%d\t%s\t\n", i+1,
			r.lcp.Milliseconds(), r.fcp.Milliseconds(), r.load.Milliseconds(), r.bytes/1000, r.perfBytes/1000, r.viewBytes/1000, r.pageBytes/1000, len(r.requests),
			kinds[network.ResourceTypeDocument], kinds[network.ResourceTypeStylesheet], kinds[network.ResourceTypeScript],
			kinds[network.ResourceTypeImage], kinds[network.ResourceTypeFetch], other, r.lcpElement)
	}
	_ = tw.Flush() // to stdout
	lcp := median(rs, func(r result) float64 { return float64(r.lcp.Milliseconds()) })
	kb := median(rs, func(r result) float64 { return r.bytes / 1000 })
	fmt.Fprintf(w, "\nmedian LCP %.0f ms (target < %d ms: %s); median first view %.1f KB (target < %d KB: %s)\n",
		lcp, targetLCP.Milliseconds(), verdict(lcp < float64(targetLCP.Milliseconds())),
		kb, targetBytes/1000, verdict(kb < targetBytes/1000))
}

func median(rs []result, f func(result) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.SortFunc(v, cmp.Compare)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}
