package web

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLog(t *testing.T) {
	// A file, which the log's timer may write while the test reads it.
	f, err := os.Create(filepath.Join(t.TempDir(), "serve.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	written := func() string {
		b, err := os.ReadFile(f.Name())
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	out := NewLog(f)
	log := out.Logger().With("component", "test")
	log.Info("first")
	log.Warn("careful")
	if got := written(); !strings.Contains(got, "msg=first") || !strings.Contains(got, "msg=careful") {
		t.Errorf("after a warning: %q; want every line so far", got)
	}
	log.Info("waits")
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(written(), "msg=waits") {
		if time.Now().After(deadline) {
			t.Fatalf("an info line was not written within 10 s: %q", written())
		}
		time.Sleep(10 * time.Millisecond)
	}
	log.Info("last")
	out.Close()
	if got := written(); !strings.Contains(got, "msg=last") {
		t.Errorf("after close: %q; want the last line", got)
	}
	log.Info("after")
	if got := written(); !strings.Contains(got, "msg=after component=test") {
		t.Errorf("a line after close: %q; want it written at once", got)
	}
	if n := strings.Count(written(), "\n"); n != 5 {
		t.Errorf("%d lines; want 5:\n%s", n, written())
	}
}
