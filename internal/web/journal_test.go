package web

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// TestJournalLogger: every line starts with its syslog priority and has
// no time, also when records are written from many goroutines at once.
func TestJournalLogger(t *testing.T) {
	var buf bytes.Buffer
	out := NewLog(&buf)
	log := out.JournalLogger().With("component", "test")
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			switch i % 3 {
			case 0:
				log.Info("request", "n", i)
			case 1:
				log.Warn("slow", "n", i)
			default:
				log.Error("failed", "n", i)
			}
		})
	}
	wg.Wait()
	log.Debug("hidden") // below the default level
	out.Close()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 50 {
		t.Fatalf("%d lines, want 50:\n%s", len(lines), buf.String())
	}
	want := map[string]string{"request": "<6>", "slow": "<4>", "failed": "<3>"}
	for _, l := range lines {
		msg := l[strings.Index(l, "msg=")+4:]
		msg = msg[:strings.IndexByte(msg, ' ')]
		if p := want[msg]; p == "" || !strings.HasPrefix(l, p+"level=") {
			t.Errorf("line %q: want it to start with %s level=", l, p)
		}
		if strings.Contains(l, "time=") || !strings.Contains(l, "component=test") {
			t.Errorf("line %q: want no time and the logger's attributes", l)
		}
	}
	for l, p := range map[slog.Level]int{slog.LevelError + 4: 3, slog.LevelError: 3, slog.LevelWarn: 4, slog.LevelInfo: 6, slog.LevelDebug: 7} {
		if got := priority(l); got != p {
			t.Errorf("priority(%v) = %d, want %d", l, got, p)
		}
	}
}
