package cli

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/picup/picup/internal/testenv"
	"github.com/picup/picup/internal/web/certtest"
)

// TestShareAndServe creates a share with the CLI, serves it, opens the
// printed link and stops the server by cancelling its context.
func TestShareAndServe(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	run := func(stdin string, args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		if err := Execute(ctx, append([]string{"--library", dir}, args...), strings.NewReader(stdin), &out, &errb); err != nil {
			t.Fatalf("picup %v: %v\n%s", args, err, errb.String())
		}
		return out.String()
	}
	run("", "import", "--album", "Family", "../../testdata/photos/jpeg")

	sctx, cancel := context.WithCancel(ctx)
	ready := make(chan string, 1)
	done := make(chan error, 1)
	var logs bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: &logs, libraryFlag: dir}
	go func() {
		done <- runServe(sctx, e, &serveOptions{addr: "127.0.0.1:0", publicURL: "http://example.test/", ready: func(a, _ string) { ready <- a }})
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not start")
	}

	var created struct {
		ID        int64   `json:"id"`
		URL       string  `json:"url"`
		ExpiresAt *string `json:"expires_at"`
	}
	if err := json.Unmarshal([]byte(run("", "share", "Family", "--json", "--expires", "12h", "--name", "For Mom and Dad")), &created); err != nil {
		t.Fatal(err)
	}
	if created.ID == 0 || created.ExpiresAt == nil || !strings.HasPrefix(created.URL, "http://example.test/s/") {
		t.Fatalf("share --json = %+v; want an id, an expiry and the saved public URL", created)
	}
	resp, err := http.Get("http://" + addr + strings.TrimPrefix(created.URL, "http://example.test"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET share link = %d", resp.StatusCode)
	}
	if ls := run("", "share", "ls"); !strings.Contains(ls, "For Mom and Dad") || !strings.Contains(ls, "active") {
		t.Errorf("share ls:\n%s", ls)
	}
	run("", "share", "revoke", "1")
	resp, err = http.Get("http://" + addr + strings.TrimPrefix(created.URL, "http://example.test"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 410 {
		t.Errorf("GET revoked link = %d; want 410", resp.StatusCode)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve after cancel: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop on cancel")
	}
	if !strings.Contains(logs.String(), "status=410") || !strings.Contains(logs.String(), "stopped") {
		t.Errorf("serve log:\n%s", logs.String())
	}
	// It said where it can be reached; example.test is a name, which
	// may reach it from anywhere: no warning.
	if !strings.Contains(logs.String(), `msg="reach it at http://`+addr+`"`) || strings.Contains(logs.String(), "open only on") {
		t.Errorf("serve log lacks where to reach it, or warns about a public name:\n%s", logs.String())
	}

	var errb bytes.Buffer
	err = Execute(ctx, []string{"--library", dir, "share", "Family", "--password"}, strings.NewReader("\n"), io.Discard, &errb)
	if err == nil {
		t.Error("share --password with an empty password succeeded")
	}
	if out := run("hunter2\n", "share", "Family", "--password", "--expires", "never"); !strings.HasPrefix(out, "http://example.test/s/") {
		t.Errorf("share --password printed %q", out)
	}
}

// serving is a running "picup serve" for a test.
type serving struct {
	addr, metricsAddr string
	logs              *testenv.Buffer
	stop              func() error // cancels and waits for runServe
}

func startServe(t *testing.T, dir string, o *serveOptions) *serving {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &serving{logs: &testenv.Buffer{}}
	ready := make(chan struct{})
	done := make(chan error, 1)
	o.addr = "127.0.0.1:0"
	o.ready = func(a, m string) { s.addr, s.metricsAddr = a, m; close(ready) }
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: s.logs, libraryFlag: dir}
	go func() { done <- runServe(ctx, e, o) }()
	select {
	case <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("serve: %v\n%s", err, s.logs.String())
	case <-time.After(20 * time.Second):
		cancel()
		t.Fatal("serve did not start")
	}
	stopped := false
	s.stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(20 * time.Second):
			return errors.New("serve did not stop on cancel")
		}
	}
	t.Cleanup(func() { _ = s.stop() }) // tests that stop it themselves check the error
	return s
}

func run(t *testing.T, dir, stdin string, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if err := Execute(context.Background(), append([]string{"--library", dir}, args...), strings.NewReader(stdin), &out, &errb); err != nil {
		t.Fatalf("picup %v: %v\n%s", args, err, errb.String())
	}
	return out.String()
}

func get(t *testing.T, client *http.Client, url string) (*http.Response, string) {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// metricValue reads one sample from a /metrics body; -1 when absent.
func metricValue(body, sample string) float64 {
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, sample+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err == nil {
				return f
			}
		}
	}
	return -1
}

// TestServeRunsJobs: while serving, the trash is purged in the background
// and the deletion jobs that follow are done, counted in /metrics (here on
// its own listener) and logged; stopping the server stops the loop.
func TestServeRunsJobs(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, "", "import", "--album", "Family", "../../testdata/photos/jpeg")
	var photos []struct {
		ID   int64  `json:"id"`
		Path string `json:"path"`
	}
	if err := json.Unmarshal([]byte(run(t, dir, "", "ls", "--json")), &photos); err != nil || len(photos) == 0 {
		t.Fatalf("ls --json: %v", err)
	}
	victim := photos[0]
	run(t, dir, "", "trash", "retention", "0s", "--force")

	s := startServe(t, dir, &serveOptions{metricsAddr: "127.0.0.1:0", jobEvery: 50 * time.Millisecond, purgeEvery: 50 * time.Millisecond})
	if resp, _ := get(t, http.DefaultClient, "http://"+s.addr+"/metrics"); resp.StatusCode != 404 {
		t.Errorf("/metrics on the main listener with --metrics-addr: %d; want 404", resp.StatusCode)
	}
	resp, body := get(t, http.DefaultClient, "http://"+s.metricsAddr+"/metrics")
	if resp.StatusCode != 200 || metricValue(body, `picup_library_items{state="live",type="photo"}`) != float64(len(photos)) {
		t.Fatalf("metrics listener: %d\n%s", resp.StatusCode, body)
	}

	run(t, dir, "", "rm", strconv.FormatInt(victim.ID, 10))
	const done = `picup_jobs_run_total{kind="delete-file",result="done"}`
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, body = get(t, http.DefaultClient, "http://"+s.metricsAddr+"/metrics")
		if metricValue(body, done) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no deletion job done while serving\n%s\n%s", body, s.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(victim.Path))); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the purged photo's original is still there: %v", err)
	}
	logs := s.logs.String()
	for _, want := range []string{"purged 1 photo (", "that was in the trash longer than 0 seconds", "ran queued jobs", "done=", "serving metrics", "stopped"} {
		if !strings.Contains(logs, want) {
			t.Errorf("serve log lacks %q:\n%s", want, logs)
		}
	}
}

func tlsClient(t *testing.T, certFile string, maxVersion uint16) *http.Client {
	t.Helper()
	pemBytes, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemBytes)
	return &http.Client{
		Transport: &http.Transport{
			TLSClientConfig:   &tls.Config{RootCAs: pool, MaxVersion: maxVersion},
			ForceAttemptHTTP2: true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       20 * time.Second,
	}
}

// TestServeTLS serves HTTPS directly: HTTP/2, TLS 1.2 at least, and the
// password cookie marked Secure.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, "", "import", "--album", "Family", "../../testdata/photos/jpeg")
	link := strings.TrimSpace(run(t, dir, "hunter2\n", "share", "Family", "--password"))
	certFile, keyFile := certtest.Write(t, t.TempDir(), "server", 1)
	s := startServe(t, dir, &serveOptions{tlsCert: certFile, tlsKey: keyFile})
	base := "https://" + s.addr
	client := tlsClient(t, certFile, 0)

	resp, body := get(t, client, base+"/healthz")
	if resp.StatusCode != 200 || body != "ok\n" || resp.ProtoMajor != 2 || resp.TLS == nil || resp.TLS.Version < tls.VersionTLS12 {
		t.Fatalf("GET /healthz over TLS: %d %q, HTTP/%d, TLS %+v; want 200 over HTTP/2 and TLS 1.2+", resp.StatusCode, body, resp.ProtoMajor, resp.TLS)
	}
	if _, err := tlsClient(t, certFile, tls.VersionTLS11).Get(base + "/healthz"); err == nil {
		t.Error("a TLS 1.1 client was served")
	}
	if resp, _ := get(t, http.DefaultClient, "http://"+s.addr+"/healthz"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("plain HTTP on the TLS port: %d; want 400", resp.StatusCode)
	}

	i := strings.Index(link, "/s/")
	if i < 0 {
		t.Fatalf("link %q has no /s/", link)
	}
	path := link[i:]
	resp, err := client.PostForm(base+path, url.Values{"password": {"hunter2"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || len(resp.Cookies()) != 1 || !resp.Cookies()[0].Secure {
		t.Errorf("password over TLS: %d, cookies %v; want 303 and one Secure cookie", resp.StatusCode, resp.Header.Values("Set-Cookie"))
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.logs.String(), "scheme=https") || !strings.Contains(s.logs.String(), "set the https:// address with --public-url") {
		t.Errorf("serve log:\n%s", s.logs.String())
	}
}

func TestServeFlagErrors(t *testing.T) {
	dir := t.TempDir()
	certDir := t.TempDir()
	certFile, keyFile := certtest.Write(t, certDir, "a", 1)
	_, otherKey := certtest.Write(t, certDir, "b", 2)
	missing := filepath.Join(certDir, "missing.pem")
	for _, c := range []struct {
		name  string
		args  []string
		usage bool
		want  string
	}{
		{"cert without key", []string{"--tls-cert", certFile}, true, "--tls-cert and --tls-key go together"},
		{"key without cert", []string{"--tls-key", keyFile}, true, "--tls-cert and --tls-key go together"},
		{"unreadable cert", []string{"--tls-cert", missing, "--tls-key", keyFile}, false, "read --tls-cert " + missing},
		{"unreadable key", []string{"--tls-cert", certFile, "--tls-key", missing}, false, "read --tls-key " + missing},
		{"mismatched pair", []string{"--tls-cert", certFile, "--tls-key", otherKey}, false, "are not a certificate and its private key"},
		{"key as cert", []string{"--tls-cert", keyFile, "--tls-key", keyFile}, false, "are not a certificate and its private key"},
		{"bad proxy", []string{"--trusted-proxy", "proxy.lan"}, true, "--trusted-proxy: \"proxy.lan\" is not an address or CIDR"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var errb bytes.Buffer
			err := Execute(context.Background(), append([]string{"--library", dir, "serve", "--addr", "127.0.0.1:0"}, c.args...), strings.NewReader(""), io.Discard, &errb)
			var ue *UsageError
			if err == nil || errors.As(err, &ue) != c.usage || !strings.Contains(err.Error(), c.want) {
				t.Errorf("serve %v = %v (usage error: %v); want %q, usage error %v", c.args, err, errors.As(err, &ue), c.want, c.usage)
			}
		})
	}
}
