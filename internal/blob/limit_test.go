package blob

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

func TestLimiterConfig(t *testing.T) {
	tests := []struct {
		bps       int64
		wantBurst int
	}{
		{1 << 10, 32 << 10},
		{512 << 10, 52428},
		{10 << 20, 1 << 20},
		{1 << 30, 4 << 20},
	}
	for _, tt := range tests {
		l := newLimiter(tt.bps)
		if l.Limit() != rate.Limit(tt.bps) || l.Burst() != tt.wantBurst {
			t.Errorf("newLimiter(%d) = rate %v, burst %d; want %d, %d", tt.bps, l.Limit(), l.Burst(), tt.bps, tt.wantBurst)
		}
	}
	if s := NewDir(t.TempDir()); WithLimit(s, 0) != s {
		t.Errorf("WithLimit(s, 0) wraps s; want s itself")
	}
}

// TestLimitTransfer checks only a lower bound, which the limiter guarantees
// however slow the machine: 160 KiB at 256 KiB/s with a 32 KiB burst cannot
// take less than (160-32)/256 s = 0.5 s, for upload and download alike.
func TestLimitTransfer(t *testing.T) {
	s := WithLimit(NewDir(t.TempDir()), 256<<10)
	content := bytes.Repeat([]byte("0123456789abcdef"), 160<<10/16)
	sum := sha256.Sum256(content)
	const minTime = 500 * time.Millisecond

	start := time.Now()
	if err := s.Put(t.Context(), "k", bytes.NewReader(content), int64(len(content)), hex.EncodeToString(sum[:]), ""); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < minTime {
		t.Errorf("Put of 160 KiB at 256 KiB/s took %v; want at least %v", d, minTime)
	}

	start = time.Now()
	rc, _, err := s.Get(t.Context(), "k")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil || !bytes.Equal(got, content) {
		t.Fatalf("Get() read %d bytes, %v; want %d, nil", len(got), err, len(content))
	}
	if d := time.Since(start); d < minTime {
		t.Errorf("Get of 160 KiB at 256 KiB/s took %v; want at least %v", d, minTime)
	}
}
