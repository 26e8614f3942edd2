package web_test

// A small W3C WebDriver client over net/http and encoding/json, for the
// WebKitGTK tests (webkit_test.go): it starts WebKitWebDriver on a free
// loopback port (and Xvfb when there is no X display), opens one session,
// and offers the few commands the tests use. Every request is bounded.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// wdRequestTimeout bounds one request to the driver: longer than a step,
// as a navigation waits for the page's load event.
const wdRequestTimeout = 30 * time.Second

// wdSession is a WebDriver session of a driver process of its own.
type wdSession struct {
	base string // http://127.0.0.1:PORT/session/ID
	http *http.Client
}

// wdError is an error answered by the driver.
type wdError struct {
	Code    string `json:"error"`
	Message string `json:"message"`
}

func (e *wdError) Error() string { return e.Code + ": " + e.Message }

// wdDo sends one command and decodes the answer's value into out (when
// not nil).
func wdDo(ctx context.Context, c *http.Client, method, url string, body, out any) error {
	ctx, cancel := context.WithTimeout(ctx, wdRequestTimeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var env struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("%s %s: status %d, body %.200q: %w", method, url, resp.StatusCode, raw, err)
	}
	if resp.StatusCode != http.StatusOK {
		var we wdError
		if err := json.Unmarshal(env.Value, &we); err == nil && we.Code != "" {
			return &we
		}
		return fmt.Errorf("%s %s: status %d, body %.200q", method, url, resp.StatusCode, raw)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(env.Value, out)
}

// do sends a command of the session: path is after /session/ID.
func (s *wdSession) do(method, path string, body, out any) error {
	return wdDo(context.Background(), s.http, method, s.base+path, body, out)
}

// eval runs a script (a function body: return …) and decodes its value.
func (s *wdSession) eval(script string, out any, args ...any) error {
	if args == nil {
		args = []any{}
	}
	return s.do("POST", "/execute/sync", map[string]any{"script": script, "args": args}, out)
}

// evalAsync runs a script whose last argument is the callback to call
// with the result.
func (s *wdSession) evalAsync(script string, out any, args ...any) error {
	if args == nil {
		args = []any{}
	}
	return s.do("POST", "/execute/async", map[string]any{"script": script, "args": args}, out)
}

// navigate opens url and waits for its load event.
func (s *wdSession) navigate(url string) error {
	return s.do("POST", "/url", map[string]string{"url": url}, nil)
}

// actions performs input source actions, then releases them.
func (s *wdSession) actions(sources ...map[string]any) error {
	if err := s.do("POST", "/actions", map[string]any{"actions": sources}, nil); err != nil {
		return err
	}
	return s.do("DELETE", "/actions", nil, nil)
}

// screenshot returns a PNG of the viewport.
func (s *wdSession) screenshot() ([]byte, error) {
	var b64 string
	if err := s.do("GET", "/screenshot", nil, &b64); err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(b64)
}

// xDisplay returns $DISPLAY, or starts Xvfb on a display it picks itself
// (-displayfd) and stops it when the test ends. ok is false when there is
// neither.
func xDisplay(t *testing.T) (display string, ok bool) {
	t.Helper()
	if d := os.Getenv("DISPLAY"); d != "" {
		return d, true
	}
	xvfb, err := exec.LookPath("Xvfb")
	if err != nil {
		return "", false
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command(xvfb, "-displayfd", "3", "-screen", "0", "1280x1024x24", "-nolisten", "tcp", "-noreset")
	cmd.ExtraFiles = []*os.File{w}
	var logb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logb, &logb
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		w.Close()
		t.Fatalf("start %s: %v", xvfb, err)
	}
	w.Close()
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		got <- strings.TrimSpace(line)
	}()
	select {
	case n := <-got:
		if _, err := strconv.Atoi(n); err != nil {
			<-exited
			t.Fatalf("Xvfb gave no display number (%q); its output: %s", n, logb.String())
		}
		return ":" + n, true
	case <-time.After(10 * time.Second):
		t.Fatalf("Xvfb did not say its display within 10s")
	}
	return "", false
}

// startWebDriver starts WebKitWebDriver with env added to the
// environment, on a free loopback port, and opens a session with the
// capabilities caps. Both end with the test.
func startWebDriver(t *testing.T, exe string, env []string, caps map[string]any) *wdSession {
	t.Helper()
	c := &http.Client{}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		// A free port, closed again for the driver to take: another
		// process may take it in between, hence the attempts.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()

		cmd := exec.Command(exe, "--port="+strconv.Itoa(port), "--host=127.0.0.1")
		cmd.Env = append(os.Environ(), env...)
		logf, err := os.Create(filepath.Join(t.TempDir(), "webdriver.log"))
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = logf, logf
		// Its own process group: the browser it starts goes with it.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			logf.Close()
			t.Fatalf("start %s: %v", exe, err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		stop := func() {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(5 * time.Second):
				_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				<-exited
			}
			logf.Close()
		}
		base := "http://127.0.0.1:" + strconv.Itoa(port)
		lastErr = waitDriverReady(c, base, exited)
		if lastErr != nil {
			stop()
			out, _ := os.ReadFile(logf.Name())
			lastErr = fmt.Errorf("%w; its output: %s", lastErr, out)
			continue
		}
		var sess struct {
			SessionID string `json:"sessionId"`
		}
		err = wdDo(context.Background(), c, "POST", base+"/session", map[string]any{"capabilities": map[string]any{"alwaysMatch": caps}}, &sess)
		if err != nil {
			stop()
			out, _ := os.ReadFile(logf.Name())
			t.Fatalf("new WebDriver session: %v; the driver's output: %s", err, out)
		}
		s := &wdSession{base: base + "/session/" + sess.SessionID, http: c}
		t.Cleanup(func() {
			_ = s.do("DELETE", "", nil, nil)
			stop()
		})
		return s
	}
	t.Fatalf("%s did not start: %v", exe, lastErr)
	return nil
}

// waitDriverReady polls /status until the driver is ready, it exits or
// 10 seconds pass.
func waitDriverReady(c *http.Client, base string, exited <-chan struct{}) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		var st struct {
			Ready bool `json:"ready"`
		}
		err := wdDo(context.Background(), c, "GET", base+"/status", nil, &st)
		if err == nil && st.Ready {
			return nil
		}
		if err == nil {
			err = errors.New("not ready")
		}
		select {
		case <-exited:
			return fmt.Errorf("the driver exited: %w", err)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the driver is not ready after 10s: %w", err)
		}
	}
}
