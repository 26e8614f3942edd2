// Command bench-upload measures a guest's upload of a large video through
// a share link's tus endpoint, over loopback, against a plain HTTP sink
// measured in the same run: how fast the bytes arrive, and how much memory
// "picup serve" holds meanwhile (the upload must stream, never be
// buffered whole).
//
//	go run ./scripts/bench-upload [-size 500MB] [-runs 3] [-keep]
//
// It builds picup, makes a library with a link that takes uploads, and
// starts "picup serve --no-rate-limit" on a free loopback port. The sink
// is this program run again with -sink: a Go net/http server that reads
// every request body into io.Discard (a stand-in for nginx's client_body
// sink) and writing it to a file. When nginx is installed (Debian:
// apt-get install nginx-light), nginx's WebDAV PUT, which writes the body
// to a file, is measured too, and is what picup is compared with; without
// it, the Go sink that writes a file is. Each sink is sent the same file by
// curl -T in each run, one after the other: to the sink with PUT, to picup
// with the tus PATCH of an upload created just before. Each run's file is
// a new video (an MP4 of the test data followed by a "free" box of
// filler), so that picup imports it rather than finding a duplicate.
//
// Reported per run: the sink's throughput; picup's throughput until the
// last byte is stored in incoming/ (polled every 10 ms), and until the
// PATCH answers (which includes importing the file: hashing and copying it
// into originals/); the import's share of that; and the server's resident
// memory: its highest VmRSS sampled during the upload, and its VmHWM.
//
// Each upload starts after sync(2), so that no dirty pages of the one
// before are written back meanwhile. Run it from the repository root, on
// Linux (it reads /proc).
package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/sharelink"
	"github.com/picup/picup/pkg/bytesize"
)

func main() {
	size := flag.String("size", "500MB", "size of the uploaded video")
	runs := flag.Int("runs", 3, "uploads to measure")
	keep := flag.Bool("keep", false, "keep the temp dir (library, server log) and print its path")
	sink := flag.String("sink", "", "serve the sink on a free loopback port, its files in this directory, print its address and wait (used by the benchmark itself)")
	flag.Parse()
	if *sink != "" {
		if err := serveSink(*sink); err != nil {
			fmt.Fprintf(os.Stderr, "bench-upload sink: %v\n", err)
			os.Exit(1)
		}
		return
	}
	n, err := bytesize.Parse(*size)
	if err != nil || n < 1<<20 || *runs < 1 {
		fmt.Fprintln(os.Stderr, "usage: go run ./scripts/bench-upload [-size 500MB] [-runs 3] [-keep]")
		os.Exit(2)
	}
	ctx, stop := context.WithTimeout(context.Background(), time.Hour)
	err = bench(ctx, n, *runs, *keep)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench-upload: %v\n", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench-upload: "+format+"\n", args...)
}

// serveSink answers every request 204 once its body is read: PUT
// /discard reads it into io.Discard, PUT /file writes it to a file of
// dir, as a WebDAV PUT does, and removes the file.
func serveSink(dir string) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Println(ln.Addr().String())
	return http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dst := io.Discard
		if r.URL.Path == "/file" {
			f, err := os.CreateTemp(dir, "put-")
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			defer os.Remove(f.Name())
			defer f.Close()
			dst = f
		}
		if _, err := io.Copy(dst, r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
}

type result struct {
	discard, file, nginx, received, answered float64 // seconds; nginx 0 without nginx
	rssPeak, hwm                             float64 // MB
	status                                   string
}

func bench(ctx context.Context, size int64, runs int, keep bool) error {
	if _, err := os.Stat("testdata/photos/video/small/Mpeg4.mp4"); err != nil {
		return errors.New("run it from the repository root: go run ./scripts/bench-upload")
	}
	if _, err := exec.LookPath("curl"); err != nil {
		return errors.New("curl not found")
	}
	work, err := os.MkdirTemp("", "bench-upload-")
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
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", picup, "./cmd/picup").CombinedOutput(); err != nil {
		return fmt.Errorf("build picup: %v\n%s", err, out)
	}
	root := filepath.Join(work, "library")
	link, err := makeLibrary(ctx, root)
	if err != nil {
		return err
	}

	self, err := os.Executable()
	if err != nil {
		return err
	}
	sinkDir := filepath.Join(work, "sink")
	if err := os.Mkdir(sinkDir, 0o755); err != nil {
		return err
	}
	sink := exec.CommandContext(ctx, self, "-sink", sinkDir)
	sinkAddr, err := startPrinting(sink, func(line string) (string, bool) { return line, strings.Contains(line, ":") })
	if err != nil {
		return fmt.Errorf("start the sink: %w", err)
	}
	defer func() { _ = sink.Process.Kill(); _ = sink.Wait() }()
	nginxAddr, stopNginx, err := startNginx(ctx, filepath.Join(work, "nginx"))
	if err != nil {
		return fmt.Errorf("start nginx: %w", err)
	}
	defer stopNginx()

	logFile, err := os.Create(filepath.Join(work, "serve.log"))
	if err != nil {
		return err
	}
	defer logFile.Close()
	serve := exec.CommandContext(ctx, picup, "--library", root, "serve", "--addr", "127.0.0.1:0", "--no-rate-limit")
	addr, err := startServe(serve, logFile)
	if err != nil {
		return fmt.Errorf("start picup serve: %w", err)
	}
	defer func() { _ = serve.Process.Signal(os.Interrupt); _ = serve.Wait() }()
	base := "http://" + addr
	cookie, err := sayName(ctx, base, link)
	if err != nil {
		return err
	}
	logf("picup serve on %s (pid %d, %.1f MB resident), sink on %s", addr, serve.Process.Pid, rss(serve.Process.Pid, "VmRSS"), sinkAddr)

	var results []result
	for run := range runs {
		file := filepath.Join(work, "video.mp4")
		if err := writeVideo(file, size, run); err != nil {
			return err
		}
		var r result
		syscall.Sync() // each upload starts with no dirty pages of the one before to write back
		if r.discard, err = curlUpload(ctx, "PUT", "http://"+sinkAddr+"/discard", file, nil, ""); err != nil {
			return fmt.Errorf("upload to the sink: %w", err)
		}
		syscall.Sync()
		if r.file, err = curlUpload(ctx, "PUT", "http://"+sinkAddr+"/file", file, nil, ""); err != nil {
			return fmt.Errorf("upload to the sink: %w", err)
		}
		if nginxAddr != "" {
			syscall.Sync()
			if r.nginx, err = curlUpload(ctx, "PUT", "http://"+nginxAddr+"/dav/video.mp4", file, nil, ""); err != nil {
				return fmt.Errorf("upload to nginx: %w", err)
			}
		}
		syscall.Sync()
		if err := tusUpload(ctx, base, link, cookie, file, size, root, serve.Process.Pid, &r); err != nil {
			return err
		}
		results = append(results, r)
		logf("run %d: sink %.2f s (discarding), %.2f s (to a file), nginx %.2f s; picup %.2f s to the last byte, %.2f s to the answer (%s), peak RSS %.1f MB",
			run+1, r.discard, r.file, r.nginx, r.received, r.answered, r.status, r.rssPeak)
		if err := os.Remove(file); err != nil {
			return err
		}
	}
	report(results, size)
	return nil
}

// makeLibrary makes a library with a user, an album and a link that
// takes uploads charged to the user, and returns the link's path.
func makeLibrary(ctx context.Context, root string) (string, error) {
	lib, err := library.Open(ctx, root)
	if err != nil {
		return "", err
	}
	defer lib.Close()
	a := archive.New(lib)
	if err := a.AddUser(ctx, "aunt", nil); err != nil {
		return "", err
	}
	if _, err := a.AddToAlbum(ctx, "Trip", nil); err != nil {
		return "", err
	}
	l, err := a.CreateShare(ctx, sharelink.Spec{Album: "Trip", UploadAs: "aunt"})
	if err != nil {
		return "", err
	}
	u, err := url.Parse(l.URL)
	if err != nil {
		return "", err
	}
	return u.Path, nil
}

// startPrinting starts cmd and waits for the first line of its stdout
// that pick accepts.
func startPrinting(cmd *exec.Cmd, pick func(string) (string, bool)) (string, error) {
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if v, ok := pick(sc.Text()); ok {
			go func() { _, _ = io.Copy(io.Discard, out) }()
			return v, nil
		}
	}
	return "", errors.New("it ended without saying its address")
}

// startServe starts picup serve, copies its log to w and returns the
// address it listens on.
func startServe(cmd *exec.Cmd, w io.Writer) (string, error) {
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(w, line)
		if !strings.Contains(line, "msg=serving") {
			continue
		}
		for _, f := range strings.Fields(line) {
			if a, ok := strings.CutPrefix(f, "addr="); ok {
				go func() { _, _ = io.Copy(w, stderr) }()
				return a, nil
			}
		}
	}
	return "", errors.New("it ended before serving")
}

// sayName gives the link the guest's name and returns the device's
// cookie.
func sayName(ctx context.Context, base, link string) (string, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", base+link+"/me", strings.NewReader(`{"name":"Aunt Sue"}`))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Jar: jar}).Do(req)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("POST %s/me: %s", link, resp.Status)
	}
	var parts []string
	for _, c := range resp.Cookies() {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; "), nil
}

// writeVideo writes a video of size bytes, distinct for each run.
func writeVideo(path string, size int64, run int) error {
	mp4, err := os.ReadFile("testdata/photos/video/small/Mpeg4.mp4")
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	pad := size - int64(len(mp4))
	head := binary.BigEndian.AppendUint32(append(mp4, 0, 0, 0, 0)[:len(mp4)], uint32(pad))
	head = append(head, "free"...)
	if _, err := f.Write(head); err != nil {
		f.Close()
		return err
	}
	chunk := make([]byte, 1<<20)
	for i := range chunk {
		chunk[i] = byte(i*31 + run)
	}
	for left := pad - 8; left > 0; left -= int64(len(chunk)) {
		if _, err := f.Write(chunk[:min(left, int64(len(chunk)))]); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

// curlUpload sends file with curl -T and returns the seconds it took;
// headers, when not nil, receives the answer's headers.
func curlUpload(ctx context.Context, method, target, file string, extra []string, headers string) (float64, error) {
	args := []string{"-sS", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", "-X", method, "-T", file}
	if headers != "" {
		args = append(args, "-D", headers)
	}
	for _, h := range extra {
		args = append(args, "-H", h)
	}
	out, err := exec.CommandContext(ctx, "curl", append(args, target)...).Output()
	if err != nil {
		return 0, fmt.Errorf("curl: %w", err)
	}
	code, secs, _ := strings.Cut(strings.TrimSpace(string(out)), " ")
	if code != "204" && code != "201" {
		return 0, fmt.Errorf("curl %s %s: status %s", method, target, code)
	}
	return strconv.ParseFloat(secs, 64)
}

// tusUpload creates an upload, sends file with curl in one PATCH, and
// watches the server meanwhile.
func tusUpload(ctx context.Context, base, link, cookie, file string, size int64, root string, pid int, r *result) error {
	req, err := http.NewRequestWithContext(ctx, "POST", base+link+"/uploads/", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Length", strconv.FormatInt(size, 10))
	req.Header.Set("Upload-Metadata", "filename "+base64.StdEncoding.EncodeToString([]byte("trip.mp4")))
	req.Header.Set("Cookie", cookie)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusCreated || loc == "" {
		return fmt.Errorf("create the upload: %s", resp.Status)
	}
	stored := filepath.Join(root, library.IncomingDir, filepath.Base(loc))

	var peak atomic.Uint64
	var receivedAt atomic.Int64
	stop := make(chan struct{})
	watched := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(watched)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			if m := rss(pid, "VmRSS"); m > float64(peak.Load())/1e3 {
				peak.Store(uint64(m * 1e3))
			}
			if receivedAt.Load() == 0 {
				if fi, err := os.Stat(stored); err == nil && fi.Size() == size {
					receivedAt.Store(int64(time.Since(start)))
				}
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	headers := file + ".headers"
	r.answered, err = curlUpload(ctx, "PATCH", base+loc, file, []string{
		"Tus-Resumable: 1.0.0", "Upload-Offset: 0", "Content-Type: application/offset+octet-stream", "Cookie: " + cookie,
	}, headers)
	close(stop)
	<-watched
	if err != nil {
		return err
	}
	h, err := os.ReadFile(headers)
	if err != nil {
		return err
	}
	for _, line := range strings.Split(string(h), "\n") {
		if v, ok := strings.CutPrefix(strings.ToLower(line), "picup-upload:"); ok {
			r.status = strings.TrimSpace(v)
		}
	}
	if r.status != "added" {
		return fmt.Errorf("the upload was %q, not added", r.status)
	}
	if receivedAt.Load() == 0 {
		return errors.New("never saw the whole file in incoming/ (it was imported within 10 ms of its last byte?)")
	}
	r.received = time.Duration(receivedAt.Load()).Seconds()
	r.rssPeak = float64(peak.Load()) / 1e3
	r.hwm = rss(pid, "VmHWM")
	return nil
}

// rss reads a memory figure of /proc/PID/status, in MB.
func rss(pid int, field string) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}

func report(rs []result, size int64) {
	mb := float64(size) / 1e6
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "run\tsink, discarding\tsink, to a file\tnginx WebDAV\tpicup, bytes in\tof the reference\tpicup, answered\timport s\tpeak RSS MB\tVmHWM MB\t")
	var ratios []float64
	reference := "the Go sink that writes a file (nginx is not installed)"
	for i, r := range rs {
		ref, nginx := r.file, "-"
		if r.nginx > 0 {
			ref, nginx = r.nginx, fmt.Sprintf("%.0f MB/s", mb/r.nginx)
			reference = "nginx's WebDAV PUT"
		}
		ratio := ref / r.received
		ratios = append(ratios, ratio)
		fmt.Fprintf(tw, "%d\t%.0f MB/s\t%.0f MB/s\t%s\t%.0f MB/s\t%.0f%%\t%.0f MB/s\t%.2f\t%.1f\t%.1f\t\n",
			i+1, mb/r.discard, mb/r.file, nginx, mb/r.received, 100*ratio, mb/r.answered, r.answered-r.received, r.rssPeak, r.hwm)
	}
	_ = tw.Flush() // to stdout
	slices.Sort(ratios)
	fmt.Printf("median: picup takes the bytes in at %.0f%% of the speed of %s, for %s\n", 100*ratios[len(ratios)/2], reference, bytesize.Format(size))
}

// startNginx runs nginx, when installed, as a WebDAV sink on a free
// loopback port: PUT /dav/NAME writes the body to a file, as
// "curl -T FILE" to nginx's WebDAV does. Without nginx it returns "".
func startNginx(ctx context.Context, dir string) (addr string, stop func(), err error) {
	bin, err := exec.LookPath("nginx")
	if err != nil {
		return "", func() {}, nil
	}
	for _, d := range []string{"logs", "tmp", "dav"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return "", nil, err
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	addr = ln.Addr().String()
	ln.Close()
	conf := fmt.Sprintf(`daemon off;
master_process off;
error_log %[1]s/logs/error.log;
pid %[1]s/nginx.pid;
events {}
http {
	access_log off;
	client_body_temp_path %[1]s/tmp;
	proxy_temp_path %[1]s/tmp;
	fastcgi_temp_path %[1]s/tmp;
	uwsgi_temp_path %[1]s/tmp;
	scgi_temp_path %[1]s/tmp;
	server {
		listen %[2]s;
		location /dav/ {
			root %[1]s;
			dav_methods PUT;
			client_max_body_size 0;
		}
	}
}
`, dir, addr)
	confFile := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o644); err != nil {
		return "", nil, err
	}
	cmd := exec.CommandContext(ctx, bin, "-p", dir, "-c", confFile, "-e", filepath.Join(dir, "logs", "error.log"))
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop = func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
	for range 100 {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr, stop, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	return "", nil, fmt.Errorf("nginx did not listen on %s; see %s", addr, filepath.Join(dir, "logs", "error.log"))
}
