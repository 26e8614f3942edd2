// Package bytesize reads and prints byte counts for people.
package bytesize

import (
	"fmt"
	"math"
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

// Parse reads a size as people type it on picup's command line, the one
// grammar of every size flag and argument (docs/cli.md, "Sizes"): a number,
// whole or with a decimal point, and a unit. SI units count in powers of
// 1000 (kB or KB, MB, GB, TB, PB), binary ones in powers of 1024 (KiB, MiB,
// GiB, TiB, PiB); B is bytes. The letters before the B may be of either
// case, but the B is always a capital: a small b means bits (50Gb, 50mb), and
// is refused. The unit is never left out, since a bare number is read as
// bytes by some programs, KiB by others (rclone) and megabytes by people;
// neither is a single letter (2M: MB or MiB?). One space may stand between
// the number and the unit (1.5 TB). Zero and negative sizes are refused: no
// size flag has a use for them (a quota of none is the word "none", read by
// the flag, not here). The result is rounded to whole bytes.
func Parse(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("invalid size %q: %s", s, example)
	}
	if t[0] == '-' {
		return 0, fmt.Errorf("invalid size %q: a size cannot be negative", s)
	}
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	num, unit := t[:i], strings.TrimPrefix(t[i:], " ")
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || num == "" || num[0] == '.' || num[len(num)-1] == '.' {
		return 0, fmt.Errorf("invalid size %q: %s", s, example)
	}
	if f == 0 {
		return 0, fmt.Errorf("invalid size %q: a size must be more than 0 bytes", s)
	}
	if unit == "" {
		return 0, fmt.Errorf("invalid size %q: the unit is missing: write %sB for bytes, or %sMB, %sGB, %sMiB ... (%s)", s, num, num, num, num, unitList)
	}
	mult, ok := unitSize(unit)
	if !ok {
		return 0, fmt.Errorf("invalid size %q: %s", s, unitHint(num, unit))
	}
	v := math.Round(f * float64(mult))
	switch {
	case v >= 1<<63:
		return 0, fmt.Errorf("invalid size %q: too large", s)
	case v <= 0:
		return 0, fmt.Errorf("invalid size %q: a size must be more than 0 bytes", s)
	}
	return int64(v), nil
}

const (
	example  = "use a number and a unit, such as 500MB, 50GB, 1.5TB or 20GiB"
	unitList = "B, kB, MB, GB, TB, PB in powers of 1000; KiB, MiB, GiB, TiB, PiB in powers of 1024"
)

// unitSize is the number of bytes in unit, which must end in a capital B;
// the letters before it may be of either case.
func unitSize(unit string) (int64, bool) {
	if !strings.HasSuffix(unit, "B") {
		return 0, false
	}
	n, ok := units[strings.ToLower(unit)]
	return n, ok
}

// unitHint says what is wrong with a unit unitSize refused.
func unitHint(num, unit string) string {
	lower := strings.ToLower(unit)
	if _, ok := units[lower]; ok && strings.HasSuffix(unit, "b") {
		fixed := unit[:len(unit)-1] + "B"
		return fmt.Sprintf("%q is in bits (a small b); picup counts bytes: write %s%s", unit, num, fixed)
	}
	if _, ok := units[lower+"b"]; ok && len(unit) == 1 {
		up := strings.ToUpper(unit)
		return fmt.Sprintf("%q alone could mean powers of 1000 or of 1024: write %s%sB or %s%siB", unit, num, up, num, up)
	}
	return fmt.Sprintf("unknown unit %q (%s)", unit, unitList)
}

var units = map[string]int64{
	"b":  1,
	"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12, "pb": 1e15,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40, "pib": 1 << 50,
}
