package catalog

import (
	"fmt"
	"time"
)

// The catalog stores its timestamps (the *_at columns but a photo's
// taken_at, which is a capture time) as RFC 3339 text in UTC, to the
// second: "2026-12-05T20:04:01Z". In Go they are time.Time, the zero time
// where the column is NULL.

// Now is the current time as the catalog records it: UTC, to the second.
func Now() time.Time { return time.Now().UTC().Truncate(time.Second) }

// nowText is Now as the catalog stores it.
func nowText() string { return FormatTime(Now()) }

// FormatTime is t as the catalog stores it and as picup prints it:
// RFC 3339 in UTC, "" for the zero time.
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// ParseTime reads a time as FormatTime writes it; "" is the zero time.
func ParseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339, s)
}

// timeArg is t as a query argument: its stored text, NULL for the zero time.
func timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return FormatTime(t)
}

// parseStored parses the stored text of a timestamp column of one row
// ("" for NULL gives the zero time); the error names the row, the column
// and the value, so that a damaged catalog says where.
func parseStored(row, column, s string) (time.Time, error) {
	t, err := ParseTime(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %s %q is not an RFC 3339 time", row, column, s)
	}
	return t, nil
}

// timeCol collects the parse of several timestamp columns of one row: the
// first error wins.
type timeCol struct {
	row string
	err error
}

func (c *timeCol) parse(dst *time.Time, column, s string) {
	if c.err != nil {
		return
	}
	*dst, c.err = parseStored(c.row, column, s)
}
