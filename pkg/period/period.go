// Package period reads and prints the lengths of time people type: 30d,
// 12h, 90min, 2w, 6mo, 1y. Parse is the one reader of such durations in
// picup; the grammar is documented once, in docs/cli.md ("Durations").
package period

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

const day = 24 * time.Hour

// unit is one unit of the grammar. Units that are not printed (mo) are
// read but never written by Format: 60 days print as 60d.
type unit struct {
	name  string
	size  time.Duration
	word  string // singular, in words
	print bool
}

// units, largest first: Format and Words use the first printed one that
// divides a duration.
var units = []unit{
	{"y", 365 * day, "year", true},
	{"mo", 30 * day, "month", false},
	{"w", 7 * day, "week", true},
	{"d", day, "day", true},
	{"h", time.Hour, "hour", true},
	{"min", time.Minute, "minute", true},
	{"s", time.Second, "second", true},
}

// Units lists the units Parse reads, for messages: "s, min, h, d, w, mo, y".
const Units = "s, min, h, d, w, mo, y"

// Parse reads a whole number followed by one unit, without a space: s
// (seconds), min (minutes), h (hours), d (days), w (weeks), mo (months of
// 30 days) or y (years of 365 days). Case does not matter. "m" alone is
// refused: people mean minutes by it as often as months.
func Parse(s string) (time.Duration, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	i := strings.IndexFunc(t, func(r rune) bool { return r < '0' || r > '9' })
	switch {
	case t == "":
		return 0, fmt.Errorf("invalid duration %q: use a whole number and a unit (%s), such as 30d, 12h or 90min", s, Units)
	case i == -1:
		return 0, fmt.Errorf("invalid duration %q: the unit is missing (%s), such as %sd or %sh", s, Units, t, t)
	}
	num, name := t[:i], t[i:]
	if name == "m" && num != "" {
		return 0, fmt.Errorf("invalid duration %q: \"m\" could mean minutes or months; write %smin for minutes or %smo for months", s, num, num)
	}
	u, ok := unitNamed(name)
	if num == "" || !ok {
		return 0, fmt.Errorf("invalid duration %q: use a whole number and a unit (%s), such as 30d, 12h or 90min", s, Units)
	}
	n, err := strconv.ParseInt(num, 10, 64) // only digits: fails only when too large
	if err != nil || n > int64((1<<63-1)/u.size) {
		return 0, fmt.Errorf("invalid duration %q: too long", s)
	}
	return time.Duration(n) * u.size, nil
}

func unitNamed(name string) (unit, bool) {
	for _, u := range units {
		if u.name == name {
			return u, true
		}
	}
	return unit{}, false
}

// ParseStored reads a duration that picup stored in the catalog (the
// trash retention). Older versions stored Format's output of the time,
// which wrote minutes as "m": "90m" was 90 minutes, and is read so here.
// Everything else reads as Parse reads it. Never use it for what people
// type: there, "m" is ambiguous and Parse refuses it.
func ParseStored(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	if num, ok := strings.CutSuffix(t, "m"); ok && num != "" && strings.Trim(num, "0123456789") == "" {
		t = num + "min"
	}
	d, err := Parse(t)
	if err != nil {
		return 0, fmt.Errorf("stored duration %q: %w", s, err)
	}
	return d, nil
}

// largest is the largest printed unit that divides d, and how many of it
// d is; seconds (truncated) when none does.
func largest(d time.Duration) (int64, unit) {
	for _, u := range units {
		if u.print && d >= u.size && d%u.size == 0 {
			return int64(d / u.size), u
		}
	}
	s := units[len(units)-1]
	return int64(d / s.size), s
}

// Format prints d as Parse reads it, in the largest unit that divides it:
// 30d, 2w, 12h, 90min, 45s. It never prints "m", nor months (60 days
// print as 60d).
func Format(d time.Duration) string {
	n, u := largest(d)
	return strconv.FormatInt(n, 10) + u.name
}

// Words prints d in words, in the same unit as Format: "30 days", "1 hour",
// "90 minutes".
func Words(d time.Duration) string {
	n, u := largest(d)
	return plural(n, u.word)
}

// About prints roughly how long d is, for a person: whole days from two
// days on, else whole hours from two hours on, else whole minutes from two
// minutes on, else seconds ("30 days", "5 hours", "1 second"). d is
// rounded, not truncated, so that 29 days 23 hours 59 minutes reads as
// 30 days.
func About(d time.Duration) string {
	d = d.Abs()
	for _, name := range []string{"d", "h", "min"} {
		u, _ := unitNamed(name)
		if d >= 2*u.size {
			return plural(int64(d.Round(u.size)/u.size), u.word)
		}
	}
	return plural(int64(d.Round(time.Second)/time.Second), "second")
}

func plural(n int64, word string) string {
	if n != 1 {
		word += "s"
	}
	return strconv.FormatInt(n, 10) + " " + word
}
