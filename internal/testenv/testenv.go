// Package testenv decides what a test does when something it needs from
// the machine is missing: a tool (tmux, ffmpeg, MinIO, the go command),
// the shared corpus at ../shared/testdata/photos, root for a tmpfs.
// Outside CI the test is skipped and says why; under CI (the CI
// environment variable set to anything) it fails, so that a broken setup
// can never pass as a green run that tested less.
package testenv

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"sync"
	"testing"
)

// Missing skips t, or fails it when CI is set, with the reason given
// (format and args as fmt.Sprintf takes them). The reason should say how
// to get what is missing.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if CI() {
		t.Fatal(msg + " (CI is set: under CI this fails instead of skipping)")
	} else {
		t.Skip(msg)
	}
}

// CI reports whether the tests run under CI.
func CI() bool { return os.Getenv("CI") != "" }

// FreeAddr is a 127.0.0.1 address with a port nobody listened on a
// moment ago, for a server a test starts by its address.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Buffer is output that a server or a process writes while the test
// reads it.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *Buffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *Buffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
