package web

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
)

// JournalLogger returns a text logger writing to l for systemd's
// journal (picup serve under a unit, where JOURNAL_STREAM is set): each
// line starts with its syslog priority, <3> for errors to <7> for
// debug, which the journal reads as the entry's level (journalctl -p
// warning), and carries no time, which the journal records itself.
// Like Logger, it flushes after every record at warning level or above.
func (l *Log) JournalLogger() *slog.Logger {
	noTime := func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}
	h := slog.NewTextHandler(l, &slog.HandlerOptions{ReplaceAttr: noTime})
	return slog.New(flushOnWarn{Handler: &journalHandler{Handler: h, out: l, mu: new(sync.Mutex)}, out: l})
}

// journalHandler writes a record's priority prefix and then the record
// (the text handler writes a record in one Write), holding mu so that
// no other record comes between them.
type journalHandler struct {
	slog.Handler
	out *Log
	mu  *sync.Mutex
}

func (h *journalHandler) Handle(ctx context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, err := h.out.Write([]byte("<" + strconv.Itoa(priority(r.Level)) + ">")); err != nil {
		return err
	}
	return h.Handler.Handle(ctx, r)
}

func (h *journalHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &journalHandler{Handler: h.Handler.WithAttrs(as), out: h.out, mu: h.mu}
}

func (h *journalHandler) WithGroup(name string) slog.Handler {
	return &journalHandler{Handler: h.Handler.WithGroup(name), out: h.out, mu: h.mu}
}

// priority is the syslog priority of a slog level: err, warning, info,
// debug.
func priority(l slog.Level) int {
	switch {
	case l >= slog.LevelError:
		return 3
	case l >= slog.LevelWarn:
		return 4
	case l >= slog.LevelInfo:
		return 6
	}
	return 7
}
