package cli

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

// serveLogDelay bounds how long a line of picup serve's log waits in
// memory before it is written.
const serveLogDelay = 200 * time.Millisecond

// serveLog is picup serve's log output. Lines gather in memory and reach
// the writer together: serveLogDelay after the first of them, when 64 KiB
// have gathered, at once after a warning or an error, and on close. A
// busy server would otherwise make a write to stderr for every request's
// access log line, holding the logger's lock meanwhile.
type serveLog struct {
	mu     sync.Mutex
	w      *bufio.Writer
	timer  *time.Timer // armed while lines wait
	closed bool        // lines go straight to the writer
}

func newServeLog(w io.Writer) *serveLog {
	return &serveLog{w: bufio.NewWriterSize(w, 64<<10)}
}

func (l *serveLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n, err := l.w.Write(p)
	if err == nil && l.closed {
		err = l.w.Flush()
	}
	if l.timer == nil && !l.closed && l.w.Buffered() > 0 {
		l.timer = time.AfterFunc(serveLogDelay, l.flush)
	}
	return n, err
}

// flush writes the lines that wait.
func (l *serveLog) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.timer != nil {
		l.timer.Stop()
		l.timer = nil
	}
	_ = l.w.Flush() // to stderr: nowhere to report a failure
}

// close writes the lines that wait; later ones are written at once.
func (l *serveLog) close() {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	l.flush()
}

// logger returns a text logger writing to l that flushes after every
// record at warning level or above.
func (l *serveLog) logger() *slog.Logger {
	return slog.New(flushOnWarn{slog.NewTextHandler(l, nil), l})
}

// flushOnWarn is a slog handler that flushes its serveLog after records
// at warning level or above.
type flushOnWarn struct {
	slog.Handler
	out *serveLog
}

func (h flushOnWarn) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Level >= slog.LevelWarn {
		h.out.flush()
	}
	return err
}

func (h flushOnWarn) WithAttrs(attrs []slog.Attr) slog.Handler {
	return flushOnWarn{h.Handler.WithAttrs(attrs), h.out}
}

func (h flushOnWarn) WithGroup(name string) slog.Handler {
	return flushOnWarn{h.Handler.WithGroup(name), h.out}
}
