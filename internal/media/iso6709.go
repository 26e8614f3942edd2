package media

import (
	"math"
	"strconv"
)

// parseISO6709 reads a point such as "+37.7749-122.4194+010.000/" (decimal
// degrees) or "+3746.494-12225.164/" (degrees and minutes), as QuickTime
// stores locations. It returns nils when the text is not a valid point.
func parseISO6709(s string) (lat, lon, alt *float64) {
	la, rest, ok := isoNumber(s, 2)
	if !ok {
		return nil, nil, nil
	}
	lo, rest, ok := isoNumber(rest, 3)
	if !ok || math.Abs(la) > 90 || math.Abs(lo) > 180 || (la == 0 && lo == 0) {
		return nil, nil, nil
	}
	lat, lon = &la, &lo
	if rest != "" && (rest[0] == '+' || rest[0] == '-') {
		end := 1
		for end < len(rest) && (rest[end] >= '0' && rest[end] <= '9' || rest[end] == '.') {
			end++
		}
		if a, err := strconv.ParseFloat(rest[:end], 64); err == nil && math.Abs(a) < 1e6 {
			alt = &a
		}
	}
	return lat, lon, alt
}

// isoNumber reads one signed ISO 6709 coordinate whose degrees have
// degDigits digits; more integer digits mean minutes (and seconds) follow.
func isoNumber(s string, degDigits int) (float64, string, bool) {
	if s == "" || (s[0] != '+' && s[0] != '-') {
		return 0, s, false
	}
	end, intDigits, dot := 1, 0, false
	for end < len(s) {
		c := s[end]
		if c == '.' && !dot {
			dot = true
		} else if c >= '0' && c <= '9' {
			if !dot {
				intDigits++
			}
		} else {
			break
		}
		end++
	}
	v, err := strconv.ParseFloat(s[1:end], 64)
	if err != nil || intDigits < degDigits {
		return 0, s, false
	}
	switch intDigits - degDigits {
	case 0:
	case 2: // DDMM.mmm
		deg := math.Floor(v / 100)
		v = deg + (v-deg*100)/60
	case 4: // DDMMSS.sss
		deg := math.Floor(v / 10000)
		mins := math.Floor((v - deg*10000) / 100)
		v = deg + mins/60 + (v-deg*10000-mins*100)/3600
	default:
		return 0, s, false
	}
	if s[0] == '-' {
		v = -v
	}
	return v, s[end:], true
}
