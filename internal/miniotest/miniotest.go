// Package miniotest runs a real MinIO server on 127.0.0.1 for tests.
package miniotest

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/picup/picup/internal/testenv"
)

// Server is a running MinIO server.
type Server struct {
	Endpoint             string // 127.0.0.1:port
	AccessKey, SecretKey string

	p *proc
}

// proc is the server process, replaced by Restart.
type proc struct {
	t       testing.TB
	bin     string
	dataDir string
	console string // the console's address

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan error // receives cmd.Wait's result
}

// Binary returns the MinIO server binary to test with: $PICUP_MINIO, else
// ~/.cache/picup-test/bin/minio, else minio on PATH; "" when there is none.
func Binary() string {
	if p := os.Getenv("PICUP_MINIO"); p != "" {
		return p
	}
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, ".cache", "picup-test", "bin", "minio")
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	if p, err := exec.LookPath("minio"); err == nil {
		return p
	}
	return ""
}

// Start starts MinIO on a free port of 127.0.0.1 with an empty data
// directory and stops it when the test or benchmark ends. Without a MinIO
// binary it skips the test, or fails it when $CI is set.
func Start(t testing.TB) Server {
	t.Helper()
	bin := Binary()
	if bin == "" {
		testenv.Missing(t, "minio not installed; ./scripts/test installs it (or set PICUP_MINIO)")
	}
	s := Server{
		Endpoint:  freeAddr(t),
		AccessKey: "picuptest",
		SecretKey: "picuptest-secret",
		p:         &proc{t: t, bin: bin, dataDir: t.TempDir(), console: freeAddr(t)},
	}
	t.Cleanup(s.Stop)
	s.start()
	return s
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer l.Close()
	return "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// start runs the server and waits until it is live.
func (s Server) start() {
	p := s.p
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil {
		p.t.Fatal("miniotest: server already running")
	}
	out := &bytes.Buffer{}
	cmd := exec.Command(p.bin, "server", p.dataDir, "--address", s.Endpoint, "--console-address", p.console, "--quiet")
	cmd.Env = append(os.Environ(),
		"MINIO_ROOT_USER="+s.AccessKey,
		"MINIO_ROOT_PASSWORD="+s.SecretKey,
		"MINIO_BROWSER=off",
		"MINIO_UPDATE=off",
	)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		p.t.Fatalf("start minio %s: %v", p.bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	p.cmd, p.exited = cmd, exited

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+s.Endpoint+"/minio/health/cluster", nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case err := <-exited:
			p.cmd = nil
			p.t.Fatalf("minio exited before it was live: %v\n%s", err, out)
		case <-ctx.Done():
			_ = cmd.Process.Kill()
			err := <-exited
			p.cmd = nil
			p.t.Fatalf("minio not live at %s after 60s (then killed: %v)\n%s", s.Endpoint, err, out)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Stop kills the server, as an outage would; it is safe to call twice.
func (s Server) Stop() {
	p := s.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Kill() // already gone is as good
	if err := <-p.exited; err != nil {
		p.t.Logf("minio stopped: %v", err)
	}
	p.cmd = nil
}

// Restart starts the server again on the same port and data directory,
// stopping it first if it runs.
func (s Server) Restart() {
	s.p.t.Helper()
	s.Stop()
	s.start()
}
