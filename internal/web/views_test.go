package web

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/picup/picup/internal/archive"
)

func TestViewRetryDelay(t *testing.T) {
	tests := []struct {
		failures int
		want     time.Duration
	}{
		{0, 2 * time.Second},
		{1, 4 * time.Second},
		{4, 32 * time.Second},
		{5, time.Minute},
		{100, time.Minute},
	}
	for _, tt := range tests {
		if got := viewRetryDelay(viewFlushEvery, tt.failures); got != tt.want {
			t.Errorf("viewRetryDelay(%v, %d) = %v; want %v", viewFlushEvery, tt.failures, got, tt.want)
		}
	}
}

// While the catalog cannot be written (a full disk), views stay in memory
// and the log says so once, not at every attempt; once a write succeeds,
// every view counted meanwhile is in it.
func TestViewsSurviveAFullDiskAndLogOnce(t *testing.T) {
	var logBuf bytes.Buffer
	var logMu sync.Mutex
	log := slog.New(slog.NewTextHandler(lockedWriter{&logBuf, &logMu}, nil))

	var mu sync.Mutex
	calls := 0
	var written map[int64]archive.ShareViews
	done := make(chan struct{})
	v := &viewCounter{dir: t.TempDir(), log: log, every: time.Millisecond, pending: map[int64]archive.ShareViews{}}
	v.write = func(_ context.Context, batch map[int64]archive.ShareViews) error {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls <= 4 {
			return fmt.Errorf("commit: %w", syscall.ENOSPC)
		}
		written = batch
		close(done)
		return nil
	}
	for i := range 10 {
		v.add(int64(1+i%2), time.Date(2026, 12, 5, 10, 0, i, 0, time.UTC))
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the views were never written")
	}
	if got := written[1].N + written[2].N; got != 10 || !written[2].Last.Equal(time.Date(2026, 12, 5, 10, 0, 9, 0, time.UTC)) {
		t.Fatalf("written after the failures: %+v; want all 10 views, the last at 10:00:09", written)
	}
	// The recovery is logged after the write returns.
	var out string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		logMu.Lock()
		out = logBuf.String()
		logMu.Unlock()
		if strings.Contains(out, "share views recorded again") {
			break
		}
	}
	if n := strings.Count(out, "cannot record share views"); n != 1 {
		t.Errorf("the failure was logged %d times; want once:\n%s", n, out)
	}
	if !strings.Contains(out, "is full") || !strings.Contains(out, "share views recorded again") || !strings.Contains(out, "failed_writes=4") {
		t.Errorf("log lacks the full disk or the recovery:\n%s", out)
	}
	if err := v.close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

type lockedWriter struct {
	b  *bytes.Buffer
	mu *sync.Mutex
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}
