package web

import (
	"log/slog"
	"net/netip"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"
)

// The access log line of a request is written for every thumbnail, so
// its cost counts: through slog, a record, its attributes, the text
// handler's state and buffer pool and two locks came to about 8 % of
// the server's CPU under scripts/bench-load. When the logger is a Log's
// own (Log.Logger, nothing added to it), accessLog writes the line
// itself, byte for byte as the text handler would (TestAccessLineAsSlog
// compares them), straight into the Log's buffer.

// accessLogOf returns the Log that log writes to when the access log
// line may be written to it directly; nil otherwise (any other handler:
// the line then goes through log).
func accessLogOf(log *slog.Logger) *Log {
	if h, ok := log.Handler().(flushOnWarn); ok && h.plain {
		return h.out
	}
	return nil
}

// accessLine is what the access log says of a request.
type accessLine struct {
	at       time.Time
	method   string
	route    string
	status   int
	bytes    int64
	duration time.Duration
	client   netip.Addr
}

// logAccess writes the access log line of a request, as
// log.LogAttrs(ctx, slog.LevelInfo, "http", ...) with the text handler of
// Log.Logger would.
func (l *Log) logAccess(a *accessLine) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.w.AvailableBuffer()
	if cap(b) < 256 {
		_ = l.w.Flush() // a failure shows in the Write below, as in Write
		b = l.w.AvailableBuffer()
	}
	b = a.append(b)
	_, err := l.w.Write(b)
	if err == nil && l.closed {
		_ = l.w.Flush()
	}
	if l.timer == nil && !l.closed && l.w.Buffered() > 0 {
		l.timer = time.AfterFunc(logDelay, l.flush)
	}
}

// append appends the line, newline included, as slog's text handler
// writes the record of its time, level Info, message "http" and the
// attributes method, route, status, bytes, duration and client.
func (a *accessLine) append(b []byte) []byte {
	b = append(b, "time="...)
	b = appendRFC3339Millis(b, a.at.Round(0))
	b = append(b, " level=INFO msg=http method="...)
	b = appendTextValue(b, a.method)
	b = append(b, " route="...)
	b = appendTextValue(b, a.route)
	b = append(b, " status="...)
	b = strconv.AppendInt(b, int64(a.status), 10)
	b = append(b, " bytes="...)
	b = strconv.AppendInt(b, a.bytes, 10)
	b = append(b, " duration="...)
	b = append(b, a.duration.String()...)
	b = append(b, " client="...)
	if a.client.IsValid() && a.client.Zone() == "" {
		b = a.client.AppendTo(b) // digits, dots, colons: never quoted
	} else {
		b = appendTextValue(b, a.client.String())
	}
	return append(b, '\n')
}

// appendRFC3339Millis is slog's text handler's time: RFC 3339 with
// exactly three digits of fraction.
func appendRFC3339Millis(b []byte, t time.Time) []byte {
	const prefixLen = len("2006-01-02T15:04:05.000")
	n := len(b)
	// RFC3339Nano trims trailing zeros: a tenth of a millisecond more
	// keeps four digits, and the fourth is dropped.
	t = t.Truncate(time.Millisecond).Add(time.Millisecond / 10)
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b[:n+prefixLen], b[n+prefixLen+1:]...)
}

// appendTextValue appends s as slog's text handler writes a string
// value: as it is, or quoted when it needs to be. Route patterns hold a
// space: their quoting is a copy between quotes, as strconv.Quote would
// make it of printable ASCII without '"' or '\\'.
func appendTextValue(b []byte, s string) []byte {
	if !needsQuoting(s) {
		return append(b, s...)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c > '~' || c == '"' || c == '\\' {
			return strconv.AppendQuote(b, s)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// needsQuoting is slog's text handler's rule: empty strings, and those
// with a space, '=', '"', a control character, or a rune that is not
// valid, printable or is a space.
func needsQuoting(s string) bool {
	if len(s) == 0 {
		return true
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c == ' ' || c == '=' || c == '"' || c < 0x20 {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return true
		}
		i += size
	}
	return false
}
