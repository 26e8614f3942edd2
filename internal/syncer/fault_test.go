package syncer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/picup/picup/internal/blob"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/miniotest"
	"github.com/picup/picup/internal/syncer"
	"github.com/picup/picup/internal/verify"
)

// faultRetry retries fast, so that faults cost milliseconds.
var faultRetry = blob.RetryPolicy{Attempts: 4, Base: 5 * time.Millisecond, Max: 20 * time.Millisecond, BreakAfter: 6, Cooldown: 200 * time.Millisecond}

// reqInfo describes a request that reached the fault proxy.
type reqInfo struct {
	Method string
	Kind   string // PUT, GET, HEAD, DELETE, POST (objects), LIST, BUCKET-<method>
	Key    string // the object key (after the bucket), "" for bucket requests
	Seq    int64  // 1-based, over all requests
	N      int64  // 1-based, over the requests of this Kind
	Try    int    // 1-based, over the requests with this method, path and query
}

// fault is what the proxy does to one request. The zero fault forwards it.
type fault struct {
	Delay     time.Duration // wait before anything else
	Status    int           // answer with an S3 error (503: SlowDown, else InternalError) instead of forwarding
	Drop      bool          // close the connection without a response
	DropAfter bool          // forward, then close the connection instead of relaying the response
	Body      string        // GET of an object: damage the body (cut, short, corrupt; see bodyWriter)
}

// faultProxy forwards to a MinIO server, injecting the faults its rule
// picks per request. The client talks to the proxy's address and signs
// for it; the proxy keeps that Host header, so signatures verify.
type faultProxy struct {
	Endpoint string // host:port to give blob.NewS3
	srv      *httptest.Server
	rp       *httputil.ReverseProxy

	mu       sync.Mutex
	rule     func(reqInfo) fault
	hook     func(reqInfo) // called before the request is handled
	seq      int64
	counts   map[string]int64 // requests per kind
	tries    map[string]int   // requests per method, path and query
	injected map[string]int   // faults injected, by name
	stored   map[string]int   // PUTs the server answered with 2xx, by key
	puts     map[string]int   // PUT requests, by key
}

func newFaultProxy(t *testing.T, upstream string) *faultProxy {
	t.Helper()
	target := &url.URL{Scheme: "http", Host: upstream}
	p := &faultProxy{}
	p.reset()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host // the client signed for the proxy's host
		},
		Transport: tr,
		ErrorLog:  log.New(io.Discard, "", 0),
		ModifyResponse: func(resp *http.Response) error {
			if resp.Request.Method == http.MethodPut && resp.StatusCode/100 == 2 {
				_, key := splitPath(resp.Request.URL.Path)
				p.mu.Lock()
				p.stored[key]++
				p.mu.Unlock()
			}
			return nil
		},
		// An unreachable server looks like one to the client too: the
		// connection breaks without an answer.
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			p.note("upstream-error")
			dropConn(w)
		},
	}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	p.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	t.Cleanup(func() {
		p.srv.CloseClientConnections()
		p.srv.Close()
		tr.CloseIdleConnections()
	})
	p.Endpoint = strings.TrimPrefix(p.srv.URL, "http://")
	return p
}

// reset forgets the counts.
func (p *faultProxy) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seq = 0
	p.counts, p.tries, p.injected = map[string]int64{}, map[string]int{}, map[string]int{}
	p.stored, p.puts = map[string]int{}, map[string]int{}
}

func (p *faultProxy) setRule(rule func(reqInfo) fault) {
	p.mu.Lock()
	p.rule = rule
	p.mu.Unlock()
}

func (p *faultProxy) setHook(hook func(reqInfo)) {
	p.mu.Lock()
	p.hook = hook
	p.mu.Unlock()
}

func (p *faultProxy) note(name string) {
	p.mu.Lock()
	p.injected[name]++
	p.mu.Unlock()
}

func (p *faultProxy) total() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seq
}

// snapshot returns copies of the per-kind counts, injected faults, stored
// PUTs and PUT requests by key.
func (p *faultProxy) snapshot() (counts map[string]int64, injected, stored, puts map[string]int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	counts = map[string]int64{}
	for k, v := range p.counts {
		counts[k] = v
	}
	cp := func(m map[string]int) map[string]int {
		out := map[string]int{}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	return counts, cp(p.injected), cp(p.stored), cp(p.puts)
}

// splitPath splits a path-style S3 path into bucket and key.
func splitPath(path string) (bucket, key string) {
	bucket, key, _ = strings.Cut(strings.TrimPrefix(path, "/"), "/")
	return bucket, key
}

func classify(r *http.Request) (kind, key string) {
	_, key = splitPath(r.URL.Path)
	if key != "" {
		return r.Method, key
	}
	q := r.URL.Query()
	if r.Method == http.MethodGet && (q.Has("list-type") || q.Has("prefix") || len(q) == 0) {
		return "LIST", ""
	}
	return "BUCKET-" + r.Method, ""
}

func (p *faultProxy) serve(w http.ResponseWriter, r *http.Request) {
	kind, key := classify(r)
	p.mu.Lock()
	p.seq++
	p.counts[kind]++
	tk := r.Method + " " + r.URL.RequestURI()
	p.tries[tk]++
	if r.Method == http.MethodPut && key != "" {
		p.puts[key]++
	}
	info := reqInfo{Method: r.Method, Kind: kind, Key: key, Seq: p.seq, N: p.counts[kind], Try: p.tries[tk]}
	rule, hook := p.rule, p.hook
	p.mu.Unlock()

	if hook != nil {
		hook(info)
	}
	var f fault
	if rule != nil {
		f = rule(info)
	}
	if f.Delay > 0 {
		p.note("delay")
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case f.Drop:
		p.note("drop")
		dropConn(w)
	case f.Status != 0:
		p.note(strconv.Itoa(f.Status))
		s3Error(w, r, f.Status)
	case f.DropAfter:
		p.note("drop-after")
		// The server does the request; its answer is lost.
		p.rp.ServeHTTP(&lostWriter{header: http.Header{}}, r)
		dropConn(w)
	case f.Body != "" && r.Method == http.MethodGet && key != "":
		p.note(f.Body)
		p.rp.ServeHTTP(&bodyWriter{ResponseWriter: w, mode: f.Body}, r)
	default:
		p.rp.ServeHTTP(w, r)
	}
}

// dropConn closes the client's connection without a response, with a reset.
func dropConn(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	conn.Close()
}

// s3Error answers as an overloaded or failing S3 server does.
func s3Error(w http.ResponseWriter, r *http.Request, status int) {
	code, msg := "InternalError", "We encountered an internal error, please try again."
	if status == http.StatusServiceUnavailable {
		code, msg = "SlowDown", "Please reduce your request rate."
	}
	body := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>`+"\n"+
		`<Error><Code>%s</Code><Message>%s</Message><Resource>%s</Resource><RequestId>fault-proxy</RequestId></Error>`,
		code, msg, r.URL.Path)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = io.WriteString(w, body)
	}
}

// lostWriter swallows a response.
type lostWriter struct{ header http.Header }

func (l *lostWriter) Header() http.Header         { return l.header }
func (l *lostWriter) Write(p []byte) (int, error) { return len(p), nil }
func (l *lostWriter) WriteHeader(int)             {}

// bodyWriter damages a successful response's body. It relays half of it,
// then closes the connection (cut); or it tells the client that half is
// all there is and sends that half as a clean response (short); or it
// flips a byte in the middle (corrupt). short and corrupt also drop the
// x-amz-checksum-* headers, as a proxy that rewrites responses would, so
// that only the client's own hash check can notice. What is not sent is
// swallowed, so that the reverse proxy finishes normally.
type bodyWriter struct {
	http.ResponseWriter
	mode  string // cut, short, corrupt
	limit int64  // -1: relay everything
	n     int64
	done  bool
}

func (c *bodyWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

func (c *bodyWriter) WriteHeader(code int) {
	cl, err := strconv.ParseInt(c.Header().Get("Content-Length"), 10, 64)
	if code/100 != 2 || err != nil || cl < 2 {
		c.limit = -1
	} else {
		c.limit = cl / 2
		if c.mode != "cut" {
			for k := range c.Header() {
				if strings.HasPrefix(strings.ToLower(k), "x-amz-checksum-") {
					c.Header().Del(k)
				}
			}
		}
		if c.mode == "short" {
			c.Header().Set("Content-Length", strconv.FormatInt(c.limit, 10))
		}
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *bodyWriter) Write(p []byte) (int, error) {
	if c.limit < 0 || c.done && c.mode == "corrupt" {
		return c.ResponseWriter.Write(p)
	}
	if c.done {
		return len(p), nil
	}
	if rest := c.limit - c.n; int64(len(p)) <= rest {
		n, err := c.ResponseWriter.Write(p)
		c.n += int64(n)
		return n, err
	}
	head := p[:c.limit-c.n]
	c.n, c.done = c.limit, true
	switch c.mode {
	case "corrupt":
		q := bytes.Clone(p)
		q[len(head)] ^= 0xff
		return c.ResponseWriter.Write(q)
	case "cut": // the client sees the response stop: errors do not matter
		_, _ = c.ResponseWriter.Write(head)
		rc := http.NewResponseController(c.ResponseWriter)
		_ = rc.Flush()
		if conn, _, err := rc.Hijack(); err == nil {
			conn.Close()
		}
	default:
		_, _ = c.ResponseWriter.Write(head)
	}
	return len(p), nil
}

// store returns a retrying S3 store for bucket that goes through the proxy.
func (p *faultProxy) store(t *testing.T, srv miniotest.Server, bucket string) blob.Store {
	t.Helper()
	return p.storeWith(t, srv, bucket, faultRetry)
}

// storeWith is store with a retry policy of the caller's choosing.
func (p *faultProxy) storeWith(t *testing.T, srv miniotest.Server, bucket string, policy blob.RetryPolicy) blob.Store {
	t.Helper()
	s3, err := blob.NewS3(context.Background(), blob.S3Config{Endpoint: p.Endpoint, Bucket: bucket, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	return blob.WithRetry(s3, policy)
}

// listKeys lists every key in store (directly, without faults).
func listKeys(t *testing.T, store blob.Store) []string {
	t.Helper()
	var keys []string
	if err := store.List(context.Background(), "", func(i blob.Info) error { keys = append(keys, i.Key); return nil }); err != nil {
		t.Fatalf("list: %v", err)
	}
	return keys
}

// checkRemoteBytes checks that the remote holds exactly what the catalog
// records (plus snapshots), and that every original, sidecar and thumbnail
// in it is byte-identical to the library's file. meta/ objects are checked
// by VerifyRemote with ReadData.
func checkRemoteBytes(t *testing.T, lib *library.Library, r catalog.Remote, direct blob.Store) {
	t.Helper()
	ctx := context.Background()
	known, err := lib.Catalog.RemoteObjects(ctx, r.Name)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, k := range listKeys(t, direct) {
		if strings.HasPrefix(k, "catalog/") {
			continue
		}
		listed[k] = true
		if _, ok := known[k]; !ok {
			t.Errorf("remote holds %s, which the catalog does not record", k)
		}
		if strings.HasPrefix(k, "meta/") {
			continue
		}
		want, err := os.ReadFile(lib.Abs(k))
		if err != nil {
			t.Errorf("remote holds %s: no such file in the library: %v", k, err)
			continue
		}
		rc, _, err := direct.Get(ctx, k)
		if err != nil {
			t.Errorf("get %s: %v", k, err)
			continue
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("remote %s: %d bytes (%v), differs from the library's %d bytes", k, len(got), err, len(want))
		}
	}
	for k := range known {
		if !listed[k] {
			t.Errorf("catalog records %s as uploaded; the remote lacks it", k)
		}
	}
}

// checkRecordedExist checks that every object the catalog records as
// uploaded is in the remote, with the recorded size.
func checkRecordedExist(t *testing.T, lib *library.Library, r catalog.Remote, direct blob.Store) map[string]catalog.RemoteObject {
	t.Helper()
	ctx := context.Background()
	known, err := lib.Catalog.RemoteObjects(ctx, r.Name)
	if err != nil {
		t.Fatal(err)
	}
	for k, o := range known {
		info, err := direct.Head(ctx, k)
		if err != nil || info.Size != o.Size || (o.SHA256 != "" && info.SHA256 != o.SHA256) {
			t.Errorf("recorded as uploaded: %s %+v; in the remote: %+v %v", k, o, info, err)
		}
	}
	return known
}

// checkRestoredFiles checks that every file in a restored library under
// originals/ and thumbs/ is byte-identical to the source library's, and
// that no temporary download is left behind. It returns how many files
// it compared.
func checkRestoredFiles(t *testing.T, src *library.Library, root string) int {
	t.Helper()
	n := 0
	for _, dir := range []string{library.OriginalsDir, library.ThumbsDir} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			if strings.HasPrefix(d.Name(), ".tmp-") {
				t.Errorf("restore left a temporary file %s", rel)
				return nil
			}
			got, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			want, err := os.ReadFile(filepath.Join(src.Root, rel))
			if err != nil {
				t.Errorf("restored %s, which the source library lacks: %v", rel, err)
				return nil
			}
			if !bytes.Equal(got, want) {
				t.Errorf("restored %s is corrupt: %d bytes (sha %.12s), source has %d bytes (sha %.12s)", rel, len(got), sha(got), len(want), sha(want))
			}
			n++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return n
}

// TestFault runs syncs and restores through a proxy that injects faults
// between picup and a real MinIO. The library to sync is imported once
// and copied for each subtest.
func TestFault(t *testing.T) {
	t0 := time.Now()
	srv := miniotest.Start(t)
	t.Logf("minio up after %v", time.Since(t0))
	ctx := context.Background()
	tmpl := filepath.Join(t.TempDir(), "template")
	{
		lib := openLib(t, tmpl)
		importInto(t, lib, "Holidays", testPhotos)
		lib.Close()
	}
	t.Logf("imported after %v", time.Since(t0))
	newLib := func(t *testing.T) *library.Library {
		t.Helper()
		dir := filepath.Join(t.TempDir(), "lib")
		if err := os.CopyFS(dir, os.DirFS(tmpl)); err != nil {
			t.Fatal(err)
		}
		return openLib(t, dir)
	}

	// Every 3rd PUT gets a SlowDown, every 5th a dropped connection, every
	// 7th is stored but its answer lost, every 4th request is delayed and
	// the first listing fails; each key fails at most twice, so that four
	// attempts always suffice. About half of all first and second PUTs
	// fail, and with concurrent transfers their failures can follow one
	// another in any order, so the circuit's threshold is raised above
	// what this rate can reach: this subtest is about retries, RemoteDown
	// about the circuit.
	t.Run("FlakySync", func(t *testing.T) {
		r, _, direct := remoteFor(t, srv, "flaky", "", srv.SecretKey)
		lib := newLib(t)
		addRemote(t, lib, r)
		px := newFaultProxy(t, srv.Endpoint)
		px.setRule(func(i reqInfo) fault {
			var f fault
			if i.N%4 == 0 {
				f.Delay = 20 * time.Millisecond
			}
			switch {
			case i.Kind == "PUT" && i.Try <= 2 && i.N%3 == 0:
				f.Status = http.StatusServiceUnavailable
			case i.Kind == "PUT" && i.Try <= 2 && i.N%5 == 0:
				f.Drop = true
			case i.Kind == "PUT" && i.Try <= 2 && i.N%7 == 0:
				f.DropAfter = true
			case i.Kind == "LIST" && i.Try == 1:
				f.Status = http.StatusInternalServerError
			}
			return f
		})
		flaky := faultRetry
		flaky.BreakAfter = 1000
		store := px.storeWith(t, srv, r.Bucket, flaky)
		start := time.Now()
		sum, err := syncer.Sync(ctx, lib, r, store, syncer.Options{})
		if err != nil || sum.Failed != 0 {
			t.Fatalf("sync through faults: %v; failed %d: %+v", err, sum.Failed, sum.Failures)
		}
		counts, injected, stored, _ := px.snapshot()
		t.Logf("sync took %v: uploaded %d objects + snapshot %s; requests %v; faults %v", time.Since(start), sum.Uploaded, sum.Snapshot, counts, injected)
		if sum.Uploaded < 28*2 || sum.Snapshot == "" {
			t.Errorf("summary: %+v", sum)
		}
		if counts["PUT"] <= int64(sum.Uploaded+1) {
			t.Errorf("%d PUTs for %d objects and a snapshot: no retries", counts["PUT"], sum.Uploaded)
		}
		for _, name := range []string{"503", "500", "drop", "drop-after", "delay"} {
			if injected[name] == 0 {
				t.Errorf("no %s fault injected: %v", name, injected)
			}
		}
		if len(stored) != sum.Uploaded+1 {
			t.Errorf("the server stored %d distinct keys, the sync uploaded %d objects and a snapshot", len(stored), sum.Uploaded)
		}
		px.setRule(nil)
		verifyClean(t, lib, r, direct, syncer.VerifyOptions{ReadData: true})
		checkRemoteBytes(t, lib, r, direct)
		// Nothing is left to upload.
		if s := mustSync(t, lib, r, store); s.Uploaded != 0 {
			t.Errorf("second sync uploaded %d objects", s.Uploaded)
		}
	})

	// The remote is down. First every request gets a SlowDown: the circuit
	// opens after BreakAfter failures and the sync stops without hammering
	// the remote. After the cooldown every connection is dropped: only the
	// half-open circuit's trial call goes out, and the sync stops again.
	// Once the remote is back and the cooldown passed, the same store
	// completes the sync, uploading each object once.
	t.Run("RemoteDown", func(t *testing.T) {
		r, _, direct := remoteFor(t, srv, "down", "", srv.SecretKey)
		lib := newLib(t)
		addRemote(t, lib, r)
		px := newFaultProxy(t, srv.Endpoint)
		store := px.store(t, srv, r.Bucket)
		const transfers = 4
		down := func(phase string, rule func(reqInfo) fault, maxRequests int) {
			t.Helper()
			px.reset()
			px.setRule(rule)
			start := time.Now()
			sum, err := syncer.Sync(ctx, lib, r, store, syncer.Options{Transfers: transfers})
			elapsed := time.Since(start)
			counts, injected, _, _ := px.snapshot()
			t.Logf("%s: %v after %v; requests %v; faults %v", phase, err, elapsed, counts, injected)
			if !errors.Is(err, blob.ErrCircuitOpen) {
				t.Fatalf("%s: %v, want ErrCircuitOpen", phase, err)
			}
			if elapsed > 10*time.Second {
				t.Errorf("%s: took %v to give up", phase, elapsed)
			}
			if n := px.total(); n > int64(maxRequests) {
				t.Errorf("%s: the remote saw %d requests, want at most %d", phase, n, maxRequests)
			}
			if sum.Uploaded != 0 || sum.Failed == 0 || sum.Snapshot != "" {
				t.Errorf("%s: summary: %+v", phase, sum)
			}
			if known := checkRecordedExist(t, lib, r, direct); len(known) != 0 {
				t.Errorf("%s: recorded %d objects", phase, len(known))
			}
		}
		// BreakAfter failures open the circuit; each other transfer has
		// at most one call in flight then.
		down("every request gets SlowDown", func(reqInfo) fault {
			return fault{Status: http.StatusServiceUnavailable}
		}, faultRetry.BreakAfter+transfers-1)
		time.Sleep(faultRetry.Cooldown + 50*time.Millisecond)
		// One trial call. net/http replays a GET (minio-go's bucket
		// location lookup) whose reused keep-alive connection breaks
		// before any answer, on the next idle connection, and those are at
		// most one per transfer of the first phase: that one call may
		// make transfers+1 requests.
		down("every connection dropped, after the cooldown", func(reqInfo) fault {
			return fault{Drop: true}
		}, transfers+1)

		px.reset()
		px.setRule(nil)
		time.Sleep(faultRetry.Cooldown + 50*time.Millisecond)
		sum, err := syncer.Sync(ctx, lib, r, store, syncer.Options{Transfers: transfers})
		if err != nil || sum.Failed != 0 {
			t.Fatalf("sync once the remote is back, same store: %v; failed %d: %v", err, sum.Failed, sum.Failures[:min(3, len(sum.Failures))])
		}
		_, _, stored, puts := px.snapshot()
		for k, n := range puts {
			if n != 1 || stored[k] != 1 {
				t.Errorf("%s: %d PUTs, stored %d times", k, n, stored[k])
			}
		}
		if len(stored) != sum.Uploaded+1 {
			t.Errorf("the server stored %d keys; the sync uploaded %d objects and a snapshot", len(stored), sum.Uploaded)
		}
		verifyClean(t, lib, r, direct, syncer.VerifyOptions{ReadData: true})
		checkRemoteBytes(t, lib, r, direct)
	})

	// GET bodies cut short (connection closed midway, or a clean response
	// that claims half the length) or with a flipped byte fail the restore
	// without leaving a corrupt file; a second restore without faults
	// completes.
	t.Run("TruncatedRestore", func(t *testing.T) {
		r, _, direct := remoteFor(t, srv, "truncated", "", srv.SecretKey)
		lib := newLib(t)
		addRemote(t, lib, r)
		mustSync(t, lib, r, direct)
		px := newFaultProxy(t, srv.Endpoint)
		px.setRule(func(i reqInfo) fault {
			if i.Kind != "GET" || strings.HasPrefix(i.Key, "catalog/") {
				return fault{}
			}
			return fault{Body: [...]string{"", "cut", "short", "corrupt"}[i.N%4]}
		})
		store := px.store(t, srv, r.Bucket)
		dst := filepath.Join(t.TempDir(), "restored")
		rsum, err := syncer.Restore(ctx, dst, r, store, syncer.RestoreOptions{})
		counts, injected, _, _ := px.snapshot()
		t.Logf("restore through truncating proxy: %v; %d downloaded; requests %v; faults %v", err, rsum.Downloaded, counts, injected)
		if err == nil {
			t.Errorf("restore with truncated downloads succeeded: %+v", rsum)
		}
		if injected["cut"] == 0 || injected["short"] == 0 || injected["corrupt"] == 0 {
			t.Errorf("faults injected: %v", injected)
		}
		if len(rsum.Missing) != 0 {
			t.Errorf("missing after truncated downloads: %v", rsum.Missing)
		}
		n := checkRestoredFiles(t, lib, dst)
		t.Logf("%d files restored intact before the retry", n)

		px.setRule(nil)
		px.reset()
		again, err := syncer.Restore(ctx, dst, r, store, syncer.RestoreOptions{})
		if err != nil || len(again.Missing) != 0 || again.Downloaded == 0 {
			t.Fatalf("restore again without faults: %v %+v", err, again)
		}
		if rsum.Downloaded != n || again.Downloaded > injected["cut"]+injected["short"]+injected["corrupt"] {
			t.Errorf("first restore downloaded %d (%d intact), the second %d; %v faults", rsum.Downloaded, n, again.Downloaded, injected)
		}
		total := checkRestoredFiles(t, lib, dst)
		rlib := openLib(t, dst)
		if got, want := len(listLive(t, rlib)), len(listLive(t, lib)); got != want {
			t.Errorf("restored %d live photos, want %d", got, want)
		}
		for _, p := range allPhotos(t, rlib) {
			if h := hashFile(t, rlib.Abs(p.Path)); h != p.SHA256 {
				t.Errorf("restored %s has sha %s, want %s", p.Path, h, p.SHA256)
			}
		}
		rep, err := verify.Run(ctx, rlib, verify.Options{})
		if err != nil || !rep.OK() {
			t.Errorf("local verify of the restored library: %v %+v", err, rep.Problems)
		}
		t.Logf("%d files restored and compared", total)
	})

	// A GET answered with SlowDown (once per key) is transient: restore
	// and verify --read-data retry it like any other call.
	t.Run("SlowDownOnGet", func(t *testing.T) {
		r, _, direct := remoteFor(t, srv, "slowget", "", srv.SecretKey)
		lib := newLib(t)
		addRemote(t, lib, r)
		mustSync(t, lib, r, direct)
		px := newFaultProxy(t, srv.Endpoint)
		px.setRule(func(i reqInfo) fault {
			if i.Kind == "GET" && i.Try == 1 && !strings.HasPrefix(i.Key, "catalog/") {
				return fault{Status: http.StatusServiceUnavailable}
			}
			return fault{}
		})
		store := px.store(t, srv, r.Bucket)
		rep, err := syncer.VerifyRemote(ctx, lib, r, store, syncer.VerifyOptions{ReadData: true})
		counts, injected, _, _ := px.snapshot()
		t.Logf("verify --read-data: %v; %d checked, %d problems; requests %v; faults %v", err, rep.Checked, len(rep.Problems), counts, injected)
		if err != nil || len(rep.Problems) != 0 {
			t.Errorf("verify --read-data with one SlowDown per GET: %v %+v", err, rep.Problems)
		}
		px.reset()
		dst := filepath.Join(t.TempDir(), "restored")
		rsum, err := syncer.Restore(ctx, dst, r, store, syncer.RestoreOptions{})
		counts, injected, _, _ = px.snapshot()
		t.Logf("restore: %v; %d downloaded; requests %v; faults %v", err, rsum.Downloaded, counts, injected)
		if err != nil || len(rsum.Missing) != 0 {
			t.Errorf("restore with one SlowDown per GET: %v %+v", err, rsum)
		}
	})

	// MinIO dies when the 10th PUT reaches the proxy; after a restart the
	// next sync uploads only what was not recorded, and everything verifies.
	t.Run("KillMinIO", func(t *testing.T) {
		srv := miniotest.Start(t) // its own server: this one is killed
		r, s3, direct := remoteFor(t, srv, "killed", "", srv.SecretKey)
		lib := newLib(t)
		addRemote(t, lib, r)
		dry, err := syncer.Sync(ctx, lib, r, direct, syncer.Options{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		px := newFaultProxy(t, srv.Endpoint)
		const stopAt = 10
		px.setHook(func(i reqInfo) {
			if i.Kind == "PUT" && i.N == stopAt {
				srv.Stop()
			}
		})
		store := px.store(t, srv, r.Bucket)
		start := time.Now()
		sum, err := syncer.Sync(ctx, lib, r, store, syncer.Options{})
		counts, injected, _, _ := px.snapshot()
		t.Logf("sync while MinIO dies: %v after %v; uploaded %d, failed %d; requests %v; faults %v", err, time.Since(start), sum.Uploaded, sum.Failed, counts, injected)
		if !errors.Is(err, blob.ErrCircuitOpen) {
			t.Fatalf("sync while MinIO dies: %v, want ErrCircuitOpen", err)
		}
		if sum.Uploaded >= stopAt || sum.Snapshot != "" {
			t.Errorf("summary: %+v", sum)
		}

		srv.Restart()
		waitReady(t, s3)
		px.setHook(nil)
		before := checkRecordedExist(t, lib, r, direct)
		if len(before) != sum.Uploaded {
			t.Errorf("recorded %d objects, the sync uploaded %d", len(before), sum.Uploaded)
		}
		px.reset()
		// A fresh breaker, as a new picup process would have.
		sum2, err := syncer.Sync(ctx, lib, r, px.store(t, srv, r.Bucket), syncer.Options{})
		if err != nil || sum2.Failed != 0 {
			t.Fatalf("sync after restart: %v; failed %d: %v", err, sum2.Failed, sum2.Failures[:min(3, len(sum2.Failures))])
		}
		if sum2.Uploaded != dry.Uploaded-len(before) || sum2.Snapshot == "" {
			t.Errorf("sync after restart uploaded %d (snapshot %q), want %d", sum2.Uploaded, sum2.Snapshot, dry.Uploaded-len(before))
		}
		_, _, _, puts := px.snapshot()
		var again []string
		for k := range before {
			if puts[k] > 0 {
				again = append(again, k)
			}
		}
		sort.Strings(again)
		if len(again) > 0 {
			t.Errorf("uploaded again after the restart, though recorded: %v", again)
		}
		verifyClean(t, lib, r, direct, syncer.VerifyOptions{ReadData: true})
		checkRemoteBytes(t, lib, r, direct)
	})
}
