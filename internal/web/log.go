package web

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

// logDelay bounds how long a line of the log waits in memory before it
// is written.
const logDelay = 200 * time.Millisecond

// Log is picup serve's log output, for Options.Logger. Lines gather in
// memory and reach the writer together: logDelay after the first of
// them, when 64 KiB have gathered, at once after a warning or an error,
// and on Close. A busy server would otherwise make a write to stderr for
// every request's access log line, holding the logger's lock meanwhile.
type Log struct {
	mu     sync.Mutex
	w      *bufio.Writer
	timer  *time.Timer // armed while lines wait
	closed bool        // lines go straight to the writer
}

// NewLog returns a Log that writes to w.
func NewLog(w io.Writer) *Log {
	return &Log{w: bufio.NewWriterSize(w, 64<<10)}
}

func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n, err := l.w.Write(p)
	if err == nil && l.closed {
		err = l.w.Flush()
	}
	if l.timer == nil && !l.closed && l.w.Buffered() > 0 {
		l.timer = time.AfterFunc(logDelay, l.flush)
	}
	return n, err
}

// flush writes the lines that wait.
func (l *Log) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.timer != nil {
		l.timer.Stop()
		l.timer = nil
	}
	_ = l.w.Flush() // to stderr: nowhere to report a failure
}

// Close writes the lines that wait; later ones are written at once.
func (l *Log) Close() {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	l.flush()
}

// Logger returns a text logger writing to l that flushes after every
// record at warning level or above.
func (l *Log) Logger() *slog.Logger {
	return slog.New(flushOnWarn{slog.NewTextHandler(l, nil), l, true})
}

// flushOnWarn is a slog handler that flushes its Log after records
// at warning level or above.
type flushOnWarn struct {
	slog.Handler
	out *Log
	// plain means Handler is the text handler of Logger, with no
	// attributes or groups added: a line may then be written to out as
	// that handler would (see accessLog).
	plain bool
}

func (h flushOnWarn) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Level >= slog.LevelWarn {
		h.out.flush()
	}
	return err
}

func (h flushOnWarn) WithAttrs(attrs []slog.Attr) slog.Handler {
	return flushOnWarn{h.Handler.WithAttrs(attrs), h.out, false}
}

func (h flushOnWarn) WithGroup(name string) slog.Handler {
	return flushOnWarn{h.Handler.WithGroup(name), h.out, false}
}
