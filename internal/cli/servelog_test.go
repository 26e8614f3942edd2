package cli

import (
	"strings"
	"testing"
	"time"
)

func TestServeLog(t *testing.T) {
	var b lockedBuffer
	out := newServeLog(&b)
	log := out.logger().With("component", "test")
	log.Info("first")
	log.Warn("careful")
	if got := b.String(); !strings.Contains(got, "msg=first") || !strings.Contains(got, "msg=careful") {
		t.Errorf("after a warning: %q; want every line so far", got)
	}
	log.Info("waits")
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(b.String(), "msg=waits") {
		if time.Now().After(deadline) {
			t.Fatalf("an info line was not written within 10 s: %q", b.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	log.Info("last")
	out.close()
	if got := b.String(); !strings.Contains(got, "msg=last") {
		t.Errorf("after close: %q; want the last line", got)
	}
	log.Info("after")
	if got := b.String(); !strings.Contains(got, "msg=after component=test") {
		t.Errorf("a line after close: %q; want it written at once", got)
	}
	if n := strings.Count(b.String(), "\n"); n != 5 {
		t.Errorf("%d lines; want 5:\n%s", n, b.String())
	}
}
