package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
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
		done <- runServe(sctx, e, &serveOptions{addr: "127.0.0.1:0", publicURL: "http://example.test/", ready: func(a string) { ready <- a }})
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

	var errb bytes.Buffer
	err = Execute(ctx, []string{"--library", dir, "share", "Family", "--password"}, strings.NewReader("\n"), io.Discard, &errb)
	if err == nil {
		t.Error("share --password with an empty password succeeded")
	}
	if out := run("hunter2\n", "share", "Family", "--password", "--expires", "never"); !strings.HasPrefix(out, "http://example.test/s/") {
		t.Errorf("share --password printed %q", out)
	}
}
