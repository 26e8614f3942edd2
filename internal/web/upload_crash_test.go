package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/importer"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/sharelink"
	"github.com/picup/picup/internal/testenv"
	"github.com/picup/picup/internal/verify"
)

// A real "picup serve" is SIGKILLed at random instants while two devices
// upload photos and videos and post comments; each time it starts again
// on the same library and the devices finish what they had started. Then
// the library verifies, usage matches what is owned, every photo of the
// album came from a recorded upload, incoming/ holds no upload already
// imported, every comment the server acknowledged is there, and every
// comment has its one feed row (seeded: PICUP_CRASH_SEED=N replays a run).
func TestUploadCrash(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		testenv.Missing(t, "go command not on PATH (%v): cannot build picup", err)
	}
	seed := time.Now().UnixNano()
	if s := os.Getenv("PICUP_CRASH_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseInt(s, 10, 64); err != nil {
			t.Fatalf("PICUP_CRASH_SEED=%q: %v", s, err)
		}
	}
	t.Logf("seed %d (replay with PICUP_CRASH_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 7))

	bin := filepath.Join(t.TempDir(), "picup")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/picup")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	ctx := context.Background()
	root := t.TempDir()
	lib, err := library.Open(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	var files [][]byte
	total := int64(0)
	for i := range 16 {
		f := noisePNG(t, uint64(seed)+uint64(i), 160, 120)
		if i%4 == 0 {
			f = bigVideo(t, 6<<20+i)
		}
		files = append(files, f)
		total += int64(len(f))
	}
	quota := total * 3 / 4 // some refused for the quota, too
	a := archive.New(lib)
	if err := a.AddUser(ctx, "mom", &quota); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AddToAlbum(ctx, "Family", nil); err != nil {
		t.Fatal(err)
	}
	// A photo of the album to comment on from the start.
	first := filepath.Join(t.TempDir(), "first.png")
	if err := os.WriteFile(first, noisePNG(t, uint64(seed)+99, 64, 48), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := importer.Run(ctx, lib, []string{first}, importer.Options{Album: "Family"}); err != nil {
		t.Fatal(err)
	}
	talked, err := lib.Catalog.ListPhotos(ctx, nil, 1)
	if err != nil || len(talked) != 1 {
		t.Fatalf("the photo to comment on: %v, %v", talked, err)
	}
	commentPath := fmt.Sprintf("%s/photos/%d/comments", "/s/", talked[0].ID)
	l, err := a.CreateShare(ctx, sharelink.Spec{Album: "Family", UploadAs: "mom"})
	if err != nil {
		t.Fatal(err)
	}
	_, token, ok := strings.Cut(l.URL, "/s/")
	if !ok {
		t.Fatalf("link %s", l.URL)
	}
	link := "/s/" + token
	lib.Close()

	type upload struct {
		data []byte
		loc  string // "" until created
		res  string // "" until finished
		err  error  // why the last try did not finish it
	}
	ups := make([]*upload, len(files))
	for i, f := range files {
		ups[i] = &upload{data: f}
	}
	devices := []*crashClient{newCrashClient(t), newCrashClient(t)}

	kills := 4
	if testing.Short() {
		kills = 2
	}
	commentPath = link + commentPath[len("/s/"):]
	var ackMu sync.Mutex
	acked := map[string]bool{} // comments answered 201
	sent := 0
	srv := startServe(t, bin, root)
	for round := range kills + 1 {
		for _, d := range devices {
			d.base = srv.url
			if _, err := d.do("POST", link+"/me", []byte(`{"name":"device"}`), "Content-Type", "application/json"); err != nil {
				t.Fatalf("round %d: POST me: %v", round, err)
			}
		}
		// Finish what the last round started, then start the rest; and
		// post comments until the server is gone (or, in the last round,
		// a few).
		var wg sync.WaitGroup
		for di, d := range devices {
			wg.Go(func() {
				for k := 0; round < kills || k < 5; k++ {
					ackMu.Lock()
					sent++
					text := fmt.Sprintf("round %d device %d comment %d (%d)", round, di, k, sent)
					ackMu.Unlock()
					body, _ := json.Marshal(map[string]string{"text": text})
					a, err := d.do("POST", commentPath, body, "Content-Type", "application/json")
					if err != nil {
						return // the server is gone
					}
					switch a.status {
					case http.StatusCreated:
						ackMu.Lock()
						acked[text] = true
						ackMu.Unlock()
					case http.StatusTooManyRequests:
						time.Sleep(100 * time.Millisecond)
					default:
						t.Errorf("POST comment: %v", a)
						return
					}
				}
			})
		}
		for i, u := range ups {
			if u.res != "" {
				continue
			}
			d := devices[i%len(devices)]
			wg.Go(func() {
				if u.loc == "" {
					loc, err := d.create(link, len(u.data), fmt.Sprintf("f%02d.png", i))
					if err != nil {
						u.err = err
						return
					}
					u.loc = loc
				}
				u.res, u.err = d.finish(u.loc, u.data)
			})
		}
		if round == kills {
			wg.Wait()
			break
		}
		after := time.Duration(rng.Int64N(int64(800 * time.Millisecond)))
		time.Sleep(after)
		srv.kill(t)
		wg.Wait()
		unfinished := 0
		for _, u := range ups {
			if u.res == "" {
				unfinished++
			}
		}
		t.Logf("round %d: killed after %v, %d uploads unfinished", round, after.Round(time.Millisecond), unfinished)
		srv = startServe(t, bin, root)
	}
	srv.stop(t)

	for i, u := range ups {
		if u.res == "" {
			t.Errorf("upload %d (%s) never finished: %v", i, u.loc, u.err)
		}
	}
	lib, err = library.Open(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	rep, err := verify.Run(ctx, lib, verify.Options{})
	if err != nil || !rep.OK() {
		t.Errorf("verify: %+v, %v", rep.Problems, err)
	}
	if bad, err := lib.Catalog.CheckUsage(ctx); err != nil || len(bad) > 0 {
		t.Errorf("CheckUsage = %+v, %v", bad, err)
	}
	mom, err := lib.Catalog.UserByName(ctx, "mom")
	if err != nil || mom.UsedBytes > quota {
		t.Errorf("mom uses %d of %d (%v)", mom.UsedBytes, quota, err)
	}
	recorded, err := lib.Catalog.Uploads(ctx, catalog.UploadFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	fromUploads := map[int64]bool{}
	for _, r := range recorded {
		if r.PhotoID != 0 {
			fromUploads[r.PhotoID] = true
		}
	}
	album, err := lib.Catalog.AlbumByName(ctx, "Family")
	if err != nil {
		t.Fatal(err)
	}
	photos, err := lib.Catalog.AlbumPhotos(ctx, album.ID, nil, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range photos {
		if !fromUploads[p.ID] && p.ID != talked[0].ID {
			t.Errorf("photo %d (%s) is in the album without a recorded upload", p.ID, p.Path)
		}
	}
	entries, err := os.ReadDir(filepath.Join(root, library.IncomingDir))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		id := strings.TrimSuffix(e.Name(), ".info")
		if _, err := lib.Catalog.UploadByTusID(ctx, id); err == nil {
			t.Errorf("incoming/ keeps %s, an upload already imported", e.Name())
		}
	}
	comments, err := lib.Catalog.Comments(ctx, talked[0].ID, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for _, c := range comments {
		stored[c.Text] = true
	}
	for text := range acked {
		if !stored[text] {
			t.Errorf("comment %q was acknowledged (201) but is not in the catalog", text)
		}
	}
	feed, err := lib.Catalog.Activities(ctx, catalog.ActivityFilter{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	rows := map[int64]int{}
	for _, r := range feed {
		if r.Kind == catalog.ActivityComment {
			rows[r.CommentID]++
		}
	}
	for _, c := range comments {
		if rows[c.ID] != 1 {
			t.Errorf("comment %d has %d feed rows; want 1", c.ID, rows[c.ID])
		}
	}
	if len(rows) != len(comments) {
		t.Errorf("%d comments have feed rows, %d comments are stored", len(rows), len(comments))
	}
	t.Logf("%d kills; %d uploads recorded, %d photos in the album, %d of %d bytes used; %d files in incoming/ (uploads the devices never heard of); %d comments sent, %d acknowledged, %d stored",
		kills, len(recorded), len(photos), mom.UsedBytes, quota, len(entries), sent, len(acked), len(comments))
}

// serveProc is a running "picup serve".
type serveProc struct {
	cmd  *exec.Cmd
	url  string
	done chan error
}

func startServe(t *testing.T, bin, root string) *serveProc {
	t.Helper()
	cmd := exec.Command(bin, "--library", root, "serve", "--addr", "127.0.0.1:0")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serveProc{cmd: cmd, done: make(chan error, 1)}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			if strings.Contains(line, "msg=serving") {
				for _, f := range strings.Fields(line) {
					if a, ok := strings.CutPrefix(f, "addr="); ok {
						addr <- a
					}
				}
			}
		}
		p.done <- cmd.Wait()
	}()
	select {
	case a := <-addr:
		p.url = "http://" + a
	case err := <-p.done:
		t.Fatalf("picup serve ended before serving: %v", err)
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		t.Fatal("picup serve did not start within a minute")
	}
	return p
}

// kill SIGKILLs the server and waits for it.
func (p *serveProc) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Fatal(err)
	}
	var exit *exec.ExitError
	if err := <-p.done; err != nil && !errors.As(err, &exit) {
		t.Fatalf("wait for picup serve: %v", err)
	}
}

// stop ends the server as Ctrl-C does.
func (p *serveProc) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := <-p.done; err != nil {
		t.Errorf("picup serve after SIGINT: %v", err)
	}
}

// crashClient is a device whose requests may fail: the server dies under
// them.
type crashClient struct {
	base string
	http *http.Client
}

func newCrashClient(t *testing.T) *crashClient {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &crashClient{http: &http.Client{Jar: jar, Timeout: time.Minute}}
}

// do sends a request, and again after the wait a 429 asks for (a device
// sending more files at once than the server takes from one client is
// told to wait, as tus clients do), up to 30 times.
func (c *crashClient) do(method, path string, body []byte, header ...string) (answer, error) {
	for try := 1; ; try++ {
		a, err := c.once(method, path, body, header...)
		if err != nil || a.status != http.StatusTooManyRequests || try == 30 {
			return a, err
		}
		wait, perr := strconv.Atoi(a.h.Get("Retry-After"))
		if perr != nil || wait < 1 {
			wait = 1
		}
		time.Sleep(time.Duration(min(wait, 3)) * time.Second)
	}
}

func (c *crashClient) once(method, path string, body []byte, header ...string) (answer, error) {
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Tus-Resumable", "1.0.0")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, string(b)}, err
}

func (c *crashClient) create(link string, size int, name string) (string, error) {
	a, err := c.do("POST", link+"/uploads/", nil, "Upload-Length", strconv.Itoa(size), "Upload-Metadata", "filename "+b64(name))
	if err != nil {
		return "", err
	}
	if a.status != http.StatusCreated {
		return "", fmt.Errorf("create: %v", a)
	}
	return a.h.Get("Location"), nil
}

// finish sends what the server lacks of an upload and returns what became
// of it.
func (c *crashClient) finish(loc string, data []byte) (string, error) {
	a, err := c.do("HEAD", loc, nil)
	if err != nil {
		return "", err
	}
	if a.status != http.StatusOK {
		return "", fmt.Errorf("HEAD: %v", a)
	}
	if res := a.h.Get("Picup-Upload"); res != "" {
		return res, nil
	}
	off, err := strconv.Atoi(a.h.Get("Upload-Offset"))
	if err != nil {
		return "", err
	}
	if off < len(data) {
		a, err = c.do("PATCH", loc, data[off:], "Upload-Offset", strconv.Itoa(off), "Content-Type", "application/offset+octet-stream")
		if err != nil {
			return "", err
		}
		if res := a.h.Get("Picup-Upload"); res != "" {
			return res, nil
		}
		return "", fmt.Errorf("PATCH: %v", a)
	}
	// Every byte is in, and the answer with the result was lost.
	a, err = c.do("GET", loc+"/result", nil)
	if err != nil {
		return "", err
	}
	var res uploadResult
	if err := json.Unmarshal([]byte(a.body), &res); err != nil || res.Status == "" {
		return "", fmt.Errorf("result: %v", a)
	}
	return res.Status, nil
}
