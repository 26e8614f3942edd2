// Package period reads and prints the lengths of time people type: 30d,
// 12h, 90s, 2w, 1y.
package period

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

var units = map[string]time.Duration{
	"s": time.Second, "m": time.Minute, "h": time.Hour,
	"d": 24 * time.Hour, "w": 7 * 24 * time.Hour, "y": 365 * 24 * time.Hour,
}

// Parse reads a whole number followed by one unit: s, m, h, d (days),
// w (weeks) or y (365 days).
func Parse(s string) (time.Duration, error) {
	t := strings.TrimSpace(strings.ToLower(s))
	if len(t) < 2 {
		return 0, fmt.Errorf("invalid duration %q: use a number and a unit, such as 30d, 12h or 90s", s)
	}
	unit, ok := units[t[len(t)-1:]]
	n, err := strconv.ParseInt(t[:len(t)-1], 10, 64)
	if !ok || err != nil || n < 0 {
		return 0, fmt.Errorf("invalid duration %q: use a number and a unit (s, m, h, d, w, y), such as 30d, 12h or 90s", s)
	}
	if n > int64((1<<63-1)/unit) {
		return 0, fmt.Errorf("invalid duration %q: too long", s)
	}
	return time.Duration(n) * unit, nil
}

// Format prints d in the largest unit that divides it: 30d, 12h, 90s.
func Format(d time.Duration) string {
	for _, u := range []string{"y", "w", "d", "h", "m"} {
		if d >= units[u] && d%units[u] == 0 {
			return strconv.FormatInt(int64(d/units[u]), 10) + u
		}
	}
	return strconv.FormatInt(int64(d/time.Second), 10) + "s"
}
