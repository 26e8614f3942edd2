// Package bytesize reads and prints byte counts for people.
package bytesize

import (
	"fmt"
	"strconv"
	"strings"
)

// Format renders n in decimal units, as disks and cloud storage count them:
// 999 B, 12.3 MB, 1.5 GB.
func Format(n int64) string {
	const unit = 1000
	if n < unit && n > -unit {
		return fmt.Sprintf("%d B", n)
	}
	f := float64(n)
	for _, u := range []string{"kB", "MB", "GB", "TB", "PB"} {
		f /= unit
		if f < unit && f > -unit {
			if f >= 100 || f <= -100 {
				return fmt.Sprintf("%.0f %s", f, u)
			}
			return fmt.Sprintf("%.1f %s", f, u)
		}
	}
	return fmt.Sprintf("%.0f EB", f/unit)
}

// Parse reads a size such as 500MB, 50GB, 1.5TB, 20GiB or 123 (bytes).
// Decimal units (kB, MB, GB, TB, PB) count in powers of 1000, binary ones
// (KiB, MiB, GiB, TiB, PiB) in powers of 1024; case and a space before the
// unit do not matter.
func Parse(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || num == "" {
		return 0, fmt.Errorf("invalid size %q: use a number with a unit, such as 500MB, 50GB or 1.5TB", s)
	}
	mult, ok := units[unit]
	if !ok {
		return 0, fmt.Errorf("invalid size %q: unknown unit %q (use B, kB, MB, GB, TB, or KiB, MiB, GiB, TiB)", s, t[i:])
	}
	v := f * float64(mult)
	if v >= 1<<63 {
		return 0, fmt.Errorf("invalid size %q: too large", s)
	}
	return int64(v + 0.5), nil
}

var units = map[string]int64{
	"": 1, "b": 1,
	"k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9, "t": 1e12, "tb": 1e12, "p": 1e15, "pb": 1e15,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40, "pib": 1 << 50,
}
