package ctxio

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReader(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r := Reader(ctx, strings.NewReader("abcdef"))
	p := make([]byte, 3)
	if n, err := r.Read(p); n != 3 || err != nil || string(p) != "abc" {
		t.Fatalf("Read = %d, %v (%q); want 3, nil (\"abc\")", n, err, p)
	}
	cancel()
	if n, err := r.Read(p); n != 0 || !errors.Is(err, context.Canceled) {
		t.Errorf("Read after cancel = %d, %v; want 0, context.Canceled", n, err)
	}
}

func TestReaderCopiesAll(t *testing.T) {
	var b strings.Builder
	n, err := io.Copy(&b, Reader(context.Background(), strings.NewReader(strings.Repeat("x", 100_000))))
	if n != 100_000 || err != nil || b.Len() != 100_000 {
		t.Errorf("io.Copy = %d, %v; want 100000, nil", n, err)
	}
}

func TestReaderDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	<-ctx.Done()
	if _, err := io.ReadAll(Reader(ctx, strings.NewReader("abc"))); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("ReadAll after the deadline = %v; want context.DeadlineExceeded", err)
	}
}
