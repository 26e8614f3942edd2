// Package bytesize prints byte counts for people.
package bytesize

import "fmt"

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
