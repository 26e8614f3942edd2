// Package capturetime holds the rules for deciding when a photo or video was
// taken: parsing EXIF and QuickTime date strings, dates embedded in file
// names, and the order in which the candidate sources are trusted. It does no
// I/O.
//
// Time zones: a capture time either has a known UTC offset or it does not.
// When the offset is known (EXIF OffsetTime*, TimeZoneOffset, a QuickTime
// CreationDate, or a source that is an absolute instant such as the mvhd
// header or the file's mtime), Candidate.OffsetKnown is true and Time is an
// absolute instant. Instants that record no zone of their own (mvhd, mtime)
// are shown in time.Local, the best guess for where the photo was taken, so
// that its date is the local date. When the offset is not known, the
// wall-clock reading is kept exactly as written, stored in time.UTC purely as
// a container, and OffsetKnown is false: such a Time must be read as "this
// date and clock reading, somewhere" and never as a UTC instant.
package capturetime

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Sources of a capture time, in order of trust (see Precedence).
const (
	SourceDateTimeOriginal    = "exif:DateTimeOriginal"
	SourceXMPDateTimeOriginal = "xmp:exif:DateTimeOriginal"
	SourceXMPDateCreated      = "xmp:photoshop:DateCreated"
	SourceIPTCDateCreated     = "iptc:DateCreated"
	SourceCreateDate          = "exif:CreateDate"
	SourceXMPCreateDate       = "xmp:xmp:CreateDate"
	SourceVideoCreationDate   = "video:CreationDate"
	SourceVideoMvhd           = "video:mvhd"
	SourceFilename            = "filename"
	SourceMtime               = "mtime"
	// SourceManual is a date set by hand (picup redate --at); Resolve never
	// sees it.
	SourceManual = "manual"
)

// Precedence is the order in which Resolve trusts the sources: the EXIF
// DateTimeOriginal first; then the dates that tagging and scanning software
// write in XMP and IPTC (the moment the picture shows, which for a scan is
// not the moment it was digitised); then the capture time a camera wrote
// in a block of its maker's or in a legacy block (Canon CIFF, FLIR, Casio
// QVCI, APP12 picture info), for files whose EXIF lacks it; then the EXIF
// and XMP creation (digitising) dates; then the container dates of videos;
// then a date in the file name; and last the file's modification time.
var Precedence = []string{
	SourceDateTimeOriginal,
	SourceXMPDateTimeOriginal,
	SourceXMPDateCreated,
	SourceIPTCDateCreated,
	SourceCIFFDateTimeOriginal,
	SourceFLIRDateTimeOriginal,
	SourceQVCIDateTimeOriginal,
	SourcePictureInfoDateTimeOriginal,
	SourceCreateDate,
	SourceXMPCreateDate,
	SourceVideoCreationDate,
	SourceVideoMvhd,
	SourceFilename,
	SourceMtime,
}

var rank = func() map[string]int {
	m := map[string]int{}
	for i, s := range Precedence {
		m[s] = i
	}
	return m
}()

// Precision of a capture time: a full time (""), or a date alone.
const (
	PrecisionTime  = ""
	PrecisionDay   = "day"
	PrecisionMonth = "month"
	PrecisionYear  = "year"
)

// MinYear is the earliest year accepted as a capture time (the oldest
// surviving photograph is from 1826/27).
const MinYear = 1826

// FutureSlack is how far after "now" a capture time may lie; it absorbs
// time-zone differences between a naive wall clock and the importing machine.
const FutureSlack = 24 * time.Hour

// Candidate is one possible capture time and where it came from.
type Candidate struct {
	Source      string // one of the Source constants
	Time        time.Time
	OffsetKnown bool // see the package doc
	// Precision is PrecisionTime for a full time, or day, month or year for
	// a date alone ("1962-07-14", "1962-07", "1962"). A date alone is a
	// naive wall clock at midnight of its first day (the first of its
	// month, of January), never an instant.
	Precision string
}

// Resolve picks the most trusted plausible candidate: the one whose Source
// ranks first in Precedence (unknown sources last, ties keep slice order). Zero times,
// times before MinYear and times after now+FutureSlack are skipped. It
// reports false when no candidate is plausible. A winner without an
// offset takes the offset of a maker's block that holds the same wall
// clock to the second (see lendsOffset).
func Resolve(cands []Candidate, now time.Time) (Candidate, bool) {
	best, found := mostTrusted(cands, now)
	if found && !best.OffsetKnown && best.Precision == PrecisionTime {
		for _, c := range cands {
			if lendsOffset[c.Source] && c.OffsetKnown && sameWallClock(c.Time, best.Time) {
				_, off := c.Time.Zone()
				best.Time, best.OffsetKnown = WithOffset(best.Time, off), true
				break
			}
		}
	}
	return best, found
}

// lendsOffset are the sources whose zone, written by the camera beside
// the capture time, also holds for the EXIF date of the same moment:
// FLIR cameras write DateTimeOriginal without OffsetTimeOriginal and the
// zone only in their own record.
var lendsOffset = map[string]bool{
	SourceCIFFDateTimeOriginal: true,
	SourceFLIRDateTimeOriginal: true,
}

// sameWallClock reports whether a and b read the same date and time to
// the second, whatever their zones.
func sameWallClock(a, b time.Time) bool {
	ay, amo, ad := a.Date()
	by, bmo, bd := b.Date()
	return ay == by && amo == bmo && ad == bd && a.Hour() == b.Hour() && a.Minute() == b.Minute() && a.Second() == b.Second()
}

// mostTrusted is the plausible candidate that ranks first in Precedence.
func mostTrusted(cands []Candidate, now time.Time) (Candidate, bool) {
	var best Candidate
	bestRank, found := 0, false
	for _, c := range cands {
		if !Plausible(c.Time, now) {
			continue
		}
		r, ok := rank[c.Source]
		if !ok {
			r = len(rank)
		}
		if !found || r < bestRank {
			best, bestRank, found = c, r, true
		}
	}
	return best, found
}

// Plausible reports whether t can be a capture time when the import runs at now.
func Plausible(t, now time.Time) bool {
	if t.IsZero() || t.Year() < MinYear {
		return false
	}
	return !t.After(now.Add(FutureSlack))
}

// ParseExif parses an EXIF date-time such as "2006:01:02 15:04:05", with
// optional fractional seconds ("…05.123") and an optional offset ("+09:00",
// "-0400" or "Z"). Dashes are accepted as date separators and "T" between
// date and time. The result is a naive wall clock (see the package doc)
// unless an offset was present. Blank, all-zero, impossible dates and years
// before MinYear are rejected.
func ParseExif(s string) (t time.Time, offsetKnown, ok bool) {
	s = strings.TrimSpace(strings.TrimRight(s, "\x00"))
	if len(s) < 19 {
		return time.Time{}, false, false
	}
	d, rest := s[:19], s[19:]
	if (d[4] != ':' && d[4] != '-') || d[7] != d[4] || (d[10] != ' ' && d[10] != 'T') || d[13] != ':' || d[16] != ':' {
		return time.Time{}, false, false
	}
	var f [6]int
	for i, span := range [6][2]int{{0, 4}, {5, 7}, {8, 10}, {11, 13}, {14, 16}, {17, 19}} {
		n, ok := digits(d[span[0]:span[1]])
		if !ok {
			return time.Time{}, false, false
		}
		f[i] = n
	}
	nsec := 0
	if strings.HasPrefix(rest, ".") {
		end := 1
		for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
			end++
		}
		nsec = fraction(rest[1:end])
		rest = rest[end:]
	}
	t, ok = civil(f[0], f[1], f[2], f[3], f[4], f[5], nsec)
	if !ok {
		return time.Time{}, false, false
	}
	rest = strings.TrimSpace(rest)
	if rest == "" {
		return t, false, true
	}
	off, ok := ParseOffset(rest)
	if !ok {
		return time.Time{}, false, false
	}
	return WithOffset(t, off), true, true
}

// ParseOffset parses an EXIF OffsetTime value ("+09:00", "-04:00", "+0530",
// "+09" or "Z") into seconds east of UTC.
func ParseOffset(s string) (int, bool) {
	s = strings.TrimSpace(strings.TrimRight(s, "\x00"))
	if s == "Z" {
		return 0, true
	}
	if len(s) < 3 || (s[0] != '+' && s[0] != '-') {
		return 0, false
	}
	h, ok := digits(s[1:3])
	if !ok {
		return 0, false
	}
	m := 0
	switch r := strings.TrimPrefix(s[3:], ":"); {
	case r == "" && len(s) == 3:
	case len(r) == 2 && (len(s) == 5 || s[3] == ':'):
		if m, ok = digits(r); !ok {
			return 0, false
		}
	default:
		return 0, false
	}
	if h > 14 || m > 59 {
		return 0, false
	}
	off := h*3600 + m*60
	if s[0] == '-' {
		off = -off
	}
	return off, true
}

// TimeZoneOffset converts the EXIF TimeZoneOffset tag (hours, -12..14) to
// seconds east of UTC.
func TimeZoneOffset(hours int) (int, bool) {
	if hours < -12 || hours > 14 {
		return 0, false
	}
	return hours * 3600, true
}

// WithOffset reinterprets the naive wall clock t as a reading in a zone
// offset seconds east of UTC.
func WithOffset(t time.Time, offset int) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), zone(offset))
}

func zone(offset int) *time.Location {
	if offset == 0 {
		return time.UTC
	}
	return time.FixedZone("", offset)
}

// AddSubsec adds an EXIF SubSecTime value ("123" means .123 s) to t, unless
// t already carries fractional seconds.
func AddSubsec(t time.Time, subsec string) time.Time {
	subsec = strings.TrimSpace(strings.TrimRight(subsec, "\x00"))
	if t.Nanosecond() != 0 || subsec == "" {
		return t
	}
	for _, c := range subsec {
		if c < '0' || c > '9' {
			return t
		}
	}
	return t.Add(time.Duration(fraction(subsec)))
}

// FromExif builds a candidate from an EXIF date string, its SubSecTime and
// its OffsetTime* string; tzHours is the EXIF TimeZoneOffset (nil when
// absent), used when the offset string is missing.
func FromExif(source, date, subsec, offset string, tzHours *int) (Candidate, bool) {
	t, known, ok := ParseExif(date)
	if !ok {
		return Candidate{}, false
	}
	t = AddSubsec(t, subsec)
	if !known {
		if off, ok := ParseOffset(offset); ok {
			t, known = WithOffset(t, off), true
		} else if tzHours != nil {
			if off, ok := TimeZoneOffset(*tzHours); ok {
				t, known = WithOffset(t, off), true
			}
		}
	}
	return Candidate{Source: source, Time: t, OffsetKnown: known}, true
}

// mac1904 is the QuickTime/ISO-BMFF epoch.
var mac1904 = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)

// FromMvhd converts an mvhd/tkhd creation time (UTC seconds since
// 1904-01-01) to a candidate; 0 means unset.
func FromMvhd(secs uint64) (Candidate, bool) {
	const maxSecs = 1 << 40 // far beyond any real date; keeps Duration from overflowing
	if secs == 0 || secs > maxSecs {
		return Candidate{}, false
	}
	t := mac1904.Add(time.Duration(secs/86400) * 24 * time.Hour).Add(time.Duration(secs%86400) * time.Second)
	return Candidate{Source: SourceVideoMvhd, Time: t.In(time.Local), OffsetKnown: true}, true
}

var quickTimeLayouts = []string{
	"2006-01-02T15:04:05-0700",
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04:05.999999999-0700",
	"2006-01-02T15:04:05.999999999Z07:00",
}

// FromQuickTime parses a QuickTime Keys com.apple.quicktime.creationdate
// value ("2019-07-24T11:25:40+0300"). Without an offset the wall clock is
// kept naive.
func FromQuickTime(s string) (Candidate, bool) {
	s = strings.TrimSpace(strings.TrimRight(s, "\x00"))
	for _, layout := range quickTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			_, off := t.Zone()
			t = t.In(zone(off))
			if t.Year() < MinYear {
				return Candidate{}, false
			}
			return Candidate{Source: SourceVideoCreationDate, Time: t, OffsetKnown: true}, true
		}
	}
	t, known, ok := ParseExif(s)
	if !ok {
		return Candidate{}, false
	}
	return Candidate{Source: SourceVideoCreationDate, Time: t, OffsetKnown: known}, true
}

// FromMtime makes a candidate of a file's modification time, an absolute
// instant, kept in UTC.
func FromMtime(mtime time.Time) Candidate {
	if mtime.IsZero() {
		return Candidate{Source: SourceMtime}
	}
	return Candidate{Source: SourceMtime, Time: mtime.In(time.Local), OffsetKnown: true}
}

var (
	// 20240503_101500, IMG_20240503_101500, PXL_20240503_101500123, 20240503-101500
	nameCompact = regexp.MustCompile(`(?:^|[^0-9])(\d{4})(\d{2})(\d{2})[_-](\d{2})(\d{2})(\d{2})`)
	// 2024-05-03 10.15.00, 2024-05-03_10-15-00, Screenshot_2024-05-03-10-15-00, 2024-05-03 at 10.15.00
	nameDashed = regexp.MustCompile(`(?:^|[^0-9])(\d{4})-(\d{2})-(\d{2})(?:[ _T-]|\sat\s)(\d{2})[.:_-](\d{2})[.:_-](\d{2})(?:[^0-9]|$)`)
	// IMG-20240503-WA0001, 20240503
	nameCompactDate = regexp.MustCompile(`(?:^|[^0-9])(\d{4})(\d{2})(\d{2})(?:[^0-9]|$)`)
	// 2024-05-03
	nameDashedDate = regexp.MustCompile(`(?:^|[^0-9])(\d{4})-(\d{2})-(\d{2})(?:[^0-9]|$)`)
)

// minNameYear keeps runs of digits in names from passing for dates.
const minNameYear = 1900

// FromFilename finds a date in a file's base name, as phones and apps write
// it (IMG_20240503_101500.jpg, PXL_20240503_101500123.jpg,
// Screenshot_2024-05-03-10-15-00.png, IMG-20240503-WA0001.jpg, ...). A name
// with only a date gives midnight. The result is always a naive wall clock.
func FromFilename(name string) (Candidate, bool) {
	for _, re := range []*regexp.Regexp{nameCompact, nameDashed} {
		for _, m := range re.FindAllStringSubmatch(name, -1) {
			if t, ok := civilStrings(m[1:]); ok && t.Year() >= minNameYear {
				return Candidate{Source: SourceFilename, Time: t}, true
			}
		}
	}
	for _, re := range []*regexp.Regexp{nameCompactDate, nameDashedDate} {
		for _, m := range re.FindAllStringSubmatch(name, -1) {
			if t, ok := civilStrings(append(m[1:4:4], "00", "00", "00")); ok && t.Year() >= minNameYear {
				return Candidate{Source: SourceFilename, Time: t}, true
			}
		}
	}
	return Candidate{}, false
}

func civilStrings(f []string) (time.Time, bool) {
	var n [6]int
	for i := range n {
		v, err := strconv.Atoi(f[i])
		if err != nil {
			return time.Time{}, false
		}
		n[i] = v
	}
	return civil(n[0], n[1], n[2], n[3], n[4], n[5], 0)
}

// civil builds a naive wall-clock time, rejecting impossible dates.
func civil(y, mo, d, h, mi, s, nsec int) (time.Time, bool) {
	if y < MinYear || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, s, nsec, time.UTC)
	if t.Day() != d || t.Month() != time.Month(mo) {
		return time.Time{}, false
	}
	return t, true
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, s != ""
}

// fraction converts the digits after a decimal point to nanoseconds.
func fraction(s string) int {
	if len(s) > 9 {
		s = s[:9]
	}
	n, _ := digits(s)
	for i := len(s); i < 9; i++ {
		n *= 10
	}
	return n
}

// ParseXMPDate parses an XMP date (ISO 8601 as XMP writes it):
// "1962", "1962-07", "1962-07-14", "1962-07-14T10:15", "1962-07-14T10:15:00",
// with optional fractional seconds and an optional offset ("Z", "+09:00").
// A date alone is returned with its precision and no offset; a time
// without an offset is a naive wall clock.
func ParseXMPDate(s string) (c Candidate, ok bool) {
	s = strings.TrimSpace(strings.TrimRight(s, "\x00"))
	date, clock, hasClock := strings.Cut(s, "T")
	if !hasClock && len(s) >= 19 && s[10] == ' ' {
		date, clock, hasClock = s[:10], s[11:], true
	}
	parts := strings.Split(date, "-")
	if len(parts) > 3 || len(parts[0]) != 4 {
		return Candidate{}, false
	}
	f := [3]int{0, 1, 1}
	for i, p := range parts {
		n, ok := digits(p)
		if !ok || (i > 0 && len(p) != 2) {
			return Candidate{}, false
		}
		f[i] = n
	}
	prec := [...]string{PrecisionYear, PrecisionMonth, PrecisionDay}[len(parts)-1]
	if !hasClock {
		t, ok := civil(f[0], f[1], f[2], 0, 0, 0, 0)
		return Candidate{Time: t, Precision: prec}, ok
	}
	if len(parts) != 3 {
		return Candidate{}, false
	}
	// Split the offset off the clock.
	off, offKnown := 0, false
	if i := strings.IndexAny(clock, "Z+-"); i >= 0 {
		o, ok := ParseOffset(clock[i:])
		if !ok {
			return Candidate{}, false
		}
		off, offKnown, clock = o, true, clock[:i]
	}
	nsec := 0
	if i := strings.IndexByte(clock, '.'); i >= 0 {
		frac := clock[i+1:]
		if _, ok := digits(frac); !ok {
			return Candidate{}, false
		}
		nsec, clock = fraction(frac), clock[:i]
	}
	hms := strings.Split(clock, ":")
	if len(hms) < 2 || len(hms) > 3 {
		return Candidate{}, false
	}
	var c3 [3]int
	for i, p := range hms {
		n, ok := digits(p)
		if !ok || len(p) != 2 {
			return Candidate{}, false
		}
		c3[i] = n
	}
	t, ok := civil(f[0], f[1], f[2], c3[0], c3[1], c3[2], nsec)
	if !ok {
		return Candidate{}, false
	}
	if offKnown {
		t = WithOffset(t, off)
	}
	return Candidate{Time: t, OffsetKnown: offKnown}, true
}

// FromIPTC builds a candidate from IPTC-IIM DateCreated (2:55, "CCYYMMDD",
// with 00 for an unknown month or day) and TimeCreated (2:60,
// "HHMMSS±HHMM", may be empty). Without a time the date is kept as a date.
func FromIPTC(date, clock string) (Candidate, bool) {
	date, clock = strings.TrimSpace(date), strings.TrimSpace(clock)
	if len(date) != 8 {
		return Candidate{}, false
	}
	y, ok1 := digits(date[:4])
	mo, ok2 := digits(date[4:6])
	d, ok3 := digits(date[6:])
	if !ok1 || !ok2 || !ok3 {
		return Candidate{}, false
	}
	c := Candidate{Source: SourceIPTCDateCreated}
	switch {
	case mo == 0:
		c.Time, ok1 = civil(y, 1, 1, 0, 0, 0, 0)
		c.Precision = PrecisionYear
		return c, ok1 && d == 0
	case d == 0:
		c.Time, ok1 = civil(y, mo, 1, 0, 0, 0, 0)
		c.Precision = PrecisionMonth
		return c, ok1
	}
	if len(clock) < 6 {
		c.Time, ok1 = civil(y, mo, d, 0, 0, 0, 0)
		c.Precision = PrecisionDay
		return c, ok1
	}
	h, ok1 := digits(clock[:2])
	mi, ok2 := digits(clock[2:4])
	s, ok3 := digits(clock[4:6])
	if !ok1 || !ok2 || !ok3 {
		return Candidate{}, false
	}
	t, ok := civil(y, mo, d, h, mi, s, 0)
	if !ok {
		return Candidate{}, false
	}
	c.Time = t
	if rest := clock[6:]; len(rest) == 5 {
		if off, ok := ParseOffset(rest); ok {
			c.Time, c.OffsetKnown = WithOffset(t, off), true
		}
	}
	return c, true
}

// Format renders a capture time as the catalog keeps it: RFC 3339 with the
// offset when it is known, the bare wall clock ("2006-01-02T15:04:05")
// when it is not, and for a date alone the date at its precision
// ("1962-07-14", "1962-07", "1962"). The sort key is the instant in
// milliseconds; naive wall clocks and dates sort as if they were UTC, so a
// date alone sorts at the start of its day.
func Format(t time.Time, offsetKnown bool, precision string) (string, int64) {
	wall := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	switch precision {
	case PrecisionDay:
		wall = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		return wall.Format("2006-01-02"), wall.UnixMilli()
	case PrecisionMonth:
		wall = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		return wall.Format("2006-01"), wall.UnixMilli()
	case PrecisionYear:
		wall = time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		return wall.Format("2006"), wall.UnixMilli()
	}
	if offsetKnown {
		return t.Format(time.RFC3339), t.UnixMilli()
	}
	return wall.Format("2006-01-02T15:04:05"), wall.UnixMilli()
}

// ParseManual parses a date given by hand (picup redate --at): a date
// alone at day, month or year precision ("1962-07-14", "1962-07",
// "1962"), a full RFC 3339 time, or a wall clock without an offset
// ("1962-07-14T10:15:00").
func ParseManual(s string) (Candidate, bool) {
	c, ok := ParseXMPDate(s)
	if !ok {
		return Candidate{}, false
	}
	c.Source = SourceManual
	return c, true
}
