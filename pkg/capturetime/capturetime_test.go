package capturetime

import (
	"testing"
	"time"
)

func naive(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
	return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
}

func zoned(y int, mo time.Month, d, h, mi, s int, off int) time.Time {
	return time.Date(y, mo, d, h, mi, s, 0, time.FixedZone("", off))
}

// same compares instants, wall clocks and offsets.
func same(a, b time.Time) bool {
	_, oa := a.Zone()
	_, ob := b.Zone()
	return a.Equal(b) && oa == ob
}

func TestParseExif(t *testing.T) {
	tests := []struct {
		in    string
		want  time.Time
		known bool
		ok    bool
	}{
		{"2024:05:03 10:15:00", naive(2024, 5, 3, 10, 15, 0, 0), false, true},
		{"2024:05:03 10:15:00\x00", naive(2024, 5, 3, 10, 15, 0, 0), false, true},
		{"2024:05:03 10:15:00.123", naive(2024, 5, 3, 10, 15, 0, 123e6), false, true},
		{"2024:05:03 10:15:00+09:00", zoned(2024, 5, 3, 10, 15, 0, 9*3600), true, true},
		{"2024:05:03 10:15:00-04:00", zoned(2024, 5, 3, 10, 15, 0, -4*3600), true, true},
		{"2011:03:12 15:36:11.00+01:00", zoned(2011, 3, 12, 15, 36, 11, 3600), true, true},
		{"2024:05:03 10:15:00Z", naive(2024, 5, 3, 10, 15, 0, 0), true, true},
		{"2024-05-03T10:15:00", naive(2024, 5, 3, 10, 15, 0, 0), false, true},
		{"0000:00:00 00:00:00", time.Time{}, false, false},
		{"    :  :     :  :  ", time.Time{}, false, false},
		{"", time.Time{}, false, false},
		{"2024:02:30 10:15:00", time.Time{}, false, false},
		{"2023:02:29 10:15:00", time.Time{}, false, false},
		{"2024:02:29 10:15:00", naive(2024, 2, 29, 10, 15, 0, 0), false, true},
		{"2024:13:01 10:15:00", time.Time{}, false, false},
		{"2024:05:03 24:00:00", time.Time{}, false, false},
		{"1825:12:31 23:59:59", time.Time{}, false, false},
		{"1826:01:01 00:00:00", naive(1826, 1, 1, 0, 0, 0, 0), false, true},
		{"2024:05:03 10:15:00 junk", time.Time{}, false, false},
		{"2024:05:03", time.Time{}, false, false},
		{"2024/05/03 10:15:00", time.Time{}, false, false},
	}
	for _, tt := range tests {
		got, known, ok := ParseExif(tt.in)
		if ok != tt.ok || known != tt.known || (ok && !same(got, tt.want)) {
			t.Errorf("ParseExif(%q) = %v, %v, %v; want %v, %v, %v", tt.in, got, known, ok, tt.want, tt.known, tt.ok)
		}
	}
}

func TestParseOffset(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"+09:00", 9 * 3600, true},
		{"-04:00", -4 * 3600, true},
		{"+05:30", 5*3600 + 30*60, true},
		{"+0530", 5*3600 + 30*60, true},
		{"-03", -3 * 3600, true},
		{"Z", 0, true},
		{"+00:00\x00", 0, true},
		{"", 0, false},
		{"   :  ", 0, false},
		{"09:00", 0, false},
		{"+9:00", 0, false},
		{"+15:00", 0, false},
		{"+09:60", 0, false},
		{"+09:0", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseOffset(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseOffset(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestFromExif(t *testing.T) {
	minus5, bad := -5, 20
	tests := []struct {
		date, subsec, offset string
		tz                   *int
		want                 time.Time
		known, ok            bool
	}{
		{"2020:05:04 18:39:11", "644", "-04:00", nil, time.Date(2020, 5, 4, 18, 39, 11, 644e6, time.FixedZone("", -4*3600)), true, true},
		{"2020:05:04 18:39:11", "", "", nil, naive(2020, 5, 4, 18, 39, 11, 0), false, true},
		{"2020:05:04 18:39:11", "63", "", nil, naive(2020, 5, 4, 18, 39, 11, 630e6), false, true},
		{"2020:05:04 18:39:11", "", "", &minus5, zoned(2020, 5, 4, 18, 39, 11, -5*3600), true, true},
		{"2020:05:04 18:39:11", "", "+01:00", &minus5, zoned(2020, 5, 4, 18, 39, 11, 3600), true, true},
		{"2020:05:04 18:39:11", "", "", &bad, naive(2020, 5, 4, 18, 39, 11, 0), false, true},
		{"2020:05:04 18:39:11+02:00", "", "-04:00", nil, zoned(2020, 5, 4, 18, 39, 11, 2*3600), true, true},
		{"2020:05:04 18:39:11", "", "   :  ", nil, naive(2020, 5, 4, 18, 39, 11, 0), false, true},
		{"2020:05:04 18:39:11", "abc", "", nil, naive(2020, 5, 4, 18, 39, 11, 0), false, true},
		{"0000:00:00 00:00:00", "", "+01:00", nil, time.Time{}, false, false},
	}
	for _, tt := range tests {
		got, ok := FromExif(SourceDateTimeOriginal, tt.date, tt.subsec, tt.offset, tt.tz)
		if ok != tt.ok || got.OffsetKnown != tt.known || (ok && !same(got.Time, tt.want)) {
			t.Errorf("FromExif(%q, %q, %q) = %v, %v; want %v (known %v), %v", tt.date, tt.subsec, tt.offset, got, ok, tt.want, tt.known, tt.ok)
		}
	}
}

func TestFromFilename(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"IMG_20240503_101500.jpg", naive(2024, 5, 3, 10, 15, 0, 0), true},
		{"VID_20240503_101500.mp4", naive(2024, 5, 3, 10, 15, 0, 0), true},
		{"20240503_101500.jpg", naive(2024, 5, 3, 10, 15, 0, 0), true},
		{"20240503_101500_HDR.jpg", naive(2024, 5, 3, 10, 15, 0, 0), true},
		{"PXL_20240503_101500123.jpg", naive(2024, 5, 3, 10, 15, 0, 0), true},
		{"PXL_20240503_101500123.MP.jpg", naive(2024, 5, 3, 10, 15, 0, 0), true},
		{"Screenshot_20240503-101500.png", naive(2024, 5, 3, 10, 15, 0, 0), true},
		{"Screenshot_2024-05-03-10-15-00.png", naive(2024, 5, 3, 10, 15, 0, 0), true},
		{"Screenshot 2024-05-03 at 10.15.00.png", naive(2024, 5, 3, 10, 15, 0, 0), true},
		{"2024-05-03 10.15.00.jpg", naive(2024, 5, 3, 10, 15, 0, 0), true},
		{"2024-05-03_10-15-00.jpg", naive(2024, 5, 3, 10, 15, 0, 0), true},
		{"IMG-20240503-WA0001.jpg", naive(2024, 5, 3, 0, 0, 0, 0), true},
		{"VID-20240503-WA0001.mp4", naive(2024, 5, 3, 0, 0, 0, 0), true},
		{"holiday 2024-05-03.jpg", naive(2024, 5, 3, 0, 0, 0, 0), true},
		{"IMG_20240230_101500.jpg", time.Time{}, false},
		{"IMG_20240503_251500.jpg", naive(2024, 5, 3, 0, 0, 0, 0), true},
		{"DSC01234.JPG", time.Time{}, false},
		{"IMG_1234.HEIC", time.Time{}, false},
		{"123456789012.jpg", time.Time{}, false},
		{"00000000_000000.jpg", time.Time{}, false},
		{"18000101_000000.jpg", time.Time{}, false},
		{"", time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := FromFilename(tt.in)
		if ok != tt.ok || (ok && (!same(got.Time, tt.want) || got.OffsetKnown || got.Source != SourceFilename)) {
			t.Errorf("FromFilename(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestFromQuickTime(t *testing.T) {
	tests := []struct {
		in    string
		want  time.Time
		known bool
		ok    bool
	}{
		{"2019-07-24T11:25:40+0300", zoned(2019, 7, 24, 11, 25, 40, 3*3600), true, true},
		{"2019-07-24T11:25:40+03:00", zoned(2019, 7, 24, 11, 25, 40, 3*3600), true, true},
		{"2019-07-24T08:25:40Z", naive(2019, 7, 24, 8, 25, 40, 0), true, true},
		{"2019-07-24 11:25:40", naive(2019, 7, 24, 11, 25, 40, 0), false, true},
		{"0000-00-00T00:00:00+0000", time.Time{}, false, false},
		{"garbage", time.Time{}, false, false},
	}
	for _, tt := range tests {
		got, ok := FromQuickTime(tt.in)
		if ok != tt.ok || got.OffsetKnown != tt.known || (ok && !same(got.Time, tt.want)) {
			t.Errorf("FromQuickTime(%q) = %v, %v; want %v (known %v), %v", tt.in, got, ok, tt.want, tt.known, tt.ok)
		}
	}
}

func TestFromMvhd(t *testing.T) {
	tests := []struct {
		in   uint64
		want time.Time
		ok   bool
	}{
		{0, time.Time{}, false},
		{3646801557, time.Date(2019, 7, 24, 8, 25, 57, 0, time.UTC), true},
		{1, time.Date(1904, 1, 1, 0, 0, 1, 0, time.UTC), true},
		{1 << 62, time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := FromMvhd(tt.in)
		if ok != tt.ok || (ok && (!got.Time.Equal(tt.want) || got.Time.Location() != time.Local || !got.OffsetKnown)) {
			t.Errorf("FromMvhd(%v) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestResolve(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	dto := Candidate{SourceDateTimeOriginal, naive(2020, 1, 1, 10, 0, 0, 0), false, ""}
	create := Candidate{SourceCreateDate, naive(2020, 1, 1, 10, 0, 5, 0), false, ""}
	qt := Candidate{SourceVideoCreationDate, zoned(2020, 1, 2, 10, 0, 0, 3600), true, ""}
	mvhd := Candidate{SourceVideoMvhd, time.Date(2020, 1, 3, 9, 0, 0, 0, time.UTC), true, ""}
	name := Candidate{SourceFilename, naive(2020, 1, 4, 0, 0, 0, 0), false, ""}
	mtime := Candidate{SourceMtime, time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), true, ""}
	future := Candidate{SourceDateTimeOriginal, naive(2099, 1, 1, 0, 0, 0, 0), false, ""}
	tomorrow := Candidate{SourceDateTimeOriginal, now.Add(20 * time.Hour), false, ""}
	zero := Candidate{SourceDateTimeOriginal, time.Time{}, false, ""}
	ancient := Candidate{SourceCreateDate, naive(1800, 1, 1, 0, 0, 0, 0), false, ""}
	tests := []struct {
		name  string
		cands []Candidate
		want  Candidate
		ok    bool
	}{
		{"empty", nil, Candidate{}, false},
		{"all", []Candidate{mtime, name, mvhd, qt, create, dto}, dto, true},
		{"create over video", []Candidate{mtime, qt, create}, create, true},
		{"keys over mvhd", []Candidate{mvhd, qt}, qt, true},
		{"mvhd over name", []Candidate{name, mvhd}, mvhd, true},
		{"name over mtime", []Candidate{mtime, name}, name, true},
		{"future skipped", []Candidate{future, name, mtime}, name, true},
		{"within slack", []Candidate{tomorrow, mtime}, tomorrow, true},
		{"zero skipped", []Candidate{zero, create}, create, true},
		{"ancient skipped", []Candidate{ancient, mtime}, mtime, true},
		{"nothing plausible", []Candidate{future, zero}, Candidate{}, false},
		{"unknown source last", []Candidate{{"other", naive(2020, 1, 1, 0, 0, 0, 0), false, ""}, mtime}, mtime, true},
	}
	for _, tt := range tests {
		got, ok := Resolve(tt.cands, now)
		if ok != tt.ok || got != tt.want {
			t.Errorf("%s: Resolve(%v) = %v, %v; want %v, %v", tt.name, tt.cands, got, ok, tt.want, tt.ok)
		}
	}
}

func TestFromMtime(t *testing.T) {
	in := time.Date(2024, 6, 1, 12, 0, 0, 0, time.FixedZone("", 7200))
	got := FromMtime(in)
	if !got.Time.Equal(in) || got.Time.Location() != time.Local || !got.OffsetKnown || got.Source != SourceMtime {
		t.Errorf("FromMtime(%v) = %v; want %v in the local zone, offset known", in, got, in.Local())
	}
	if got := FromMtime(time.Time{}); !got.Time.IsZero() {
		t.Errorf("FromMtime(zero) = %v; want zero time", got)
	}
}

func TestParseXMPDate(t *testing.T) {
	tests := []struct {
		in    string
		want  time.Time
		known bool
		prec  string
		ok    bool
	}{
		{"1962-07-14", naive(1962, 7, 14, 0, 0, 0, 0), false, PrecisionDay, true},
		{"1962-07", naive(1962, 7, 1, 0, 0, 0, 0), false, PrecisionMonth, true},
		{"1962", naive(1962, 1, 1, 0, 0, 0, 0), false, PrecisionYear, true},
		{"2011-06-14T15:47+02:00", zoned(2011, 6, 14, 15, 47, 0, 2*3600), true, "", true},
		{"2013-07-05T03:18:27Z", naive(2013, 7, 5, 3, 18, 27, 0), true, "", true},
		{"2005-09-07T15:07:40-07:00", zoned(2005, 9, 7, 15, 7, 40, -7*3600), true, "", true},
		{"2015-06-29T18:15:36.25", naive(2015, 6, 29, 18, 15, 36, 250e6), false, "", true},
		{"2015:06:29 18:15:36", time.Time{}, false, "", false},
		{"1962-13-01", time.Time{}, false, "", false},
		{"1962-02-30", time.Time{}, false, "", false},
		{"1962-7-14", time.Time{}, false, "", false},
		{"62", time.Time{}, false, "", false},
		{"1962-07-14T25:00", time.Time{}, false, "", false},
		{"1962-07-14T10:00+99:00", time.Time{}, false, "", false},
		{"", time.Time{}, false, "", false},
	}
	for _, tt := range tests {
		c, ok := ParseXMPDate(tt.in)
		if ok != tt.ok || (ok && (!same(c.Time, tt.want) || c.OffsetKnown != tt.known || c.Precision != tt.prec)) {
			t.Errorf("ParseXMPDate(%q) = %+v, %v; want %v known %v precision %q ok %v", tt.in, c, ok, tt.want, tt.known, tt.prec, tt.ok)
		}
	}
}

func TestFromIPTC(t *testing.T) {
	tests := []struct {
		date, clock string
		want        time.Time
		known       bool
		prec        string
		ok          bool
	}{
		{"19620714", "", naive(1962, 7, 14, 0, 0, 0, 0), false, PrecisionDay, true},
		{"19620714", "153000+0900", zoned(1962, 7, 14, 15, 30, 0, 9*3600), true, "", true},
		{"19620714", "153000", naive(1962, 7, 14, 15, 30, 0, 0), false, "", true},
		{"19620700", "", naive(1962, 7, 1, 0, 0, 0, 0), false, PrecisionMonth, true},
		{"19620000", "", naive(1962, 1, 1, 0, 0, 0, 0), false, PrecisionYear, true},
		{"19621314", "", time.Time{}, false, "", false},
		{"1962071", "", time.Time{}, false, "", false},
		{"19620714", "996000", time.Time{}, false, "", false},
	}
	for _, tt := range tests {
		c, ok := FromIPTC(tt.date, tt.clock)
		if ok != tt.ok || (ok && (!same(c.Time, tt.want) || c.OffsetKnown != tt.known || c.Precision != tt.prec || c.Source != SourceIPTCDateCreated)) {
			t.Errorf("FromIPTC(%q, %q) = %+v, %v; want %v known %v precision %q", tt.date, tt.clock, c, ok, tt.want, tt.known, tt.prec)
		}
	}
}

func TestFormat(t *testing.T) {
	day := naive(1962, 7, 14, 0, 0, 0, 0)
	tests := []struct {
		t     time.Time
		known bool
		prec  string
		want  string
		key   int64
	}{
		{day, false, PrecisionDay, "1962-07-14", day.UnixMilli()},
		{day, false, PrecisionMonth, "1962-07", naive(1962, 7, 1, 0, 0, 0, 0).UnixMilli()},
		{day, false, PrecisionYear, "1962", naive(1962, 1, 1, 0, 0, 0, 0).UnixMilli()},
		{naive(2024, 5, 3, 10, 15, 0, 0), false, "", "2024-05-03T10:15:00", naive(2024, 5, 3, 10, 15, 0, 0).UnixMilli()},
		{zoned(2024, 5, 3, 10, 15, 0, 9*3600), true, "", "2024-05-03T10:15:00+09:00", zoned(2024, 5, 3, 10, 15, 0, 9*3600).UnixMilli()},
	}
	for _, tt := range tests {
		got, key := Format(tt.t, tt.known, tt.prec)
		if got != tt.want || key != tt.key {
			t.Errorf("Format(%v, %v, %q) = %q, %d; want %q, %d", tt.t, tt.known, tt.prec, got, key, tt.want, tt.key)
		}
	}
	// A date alone sorts before every time of its day and after the day before.
	_, k := Format(day, false, PrecisionDay)
	_, morning := Format(naive(1962, 7, 14, 0, 0, 1, 0), false, "")
	_, eve := Format(naive(1962, 7, 13, 23, 59, 59, 0), false, "")
	if k >= morning || k <= eve {
		t.Errorf("a date alone sorts at %d; want between %d and %d", k, eve, morning)
	}
}

func TestPrecedence(t *testing.T) {
	now := naive(2026, 1, 1, 0, 0, 0, 0)
	all := []Candidate{
		{Source: SourceMtime, Time: naive(2025, 1, 1, 0, 0, 0, 0)},
		{Source: SourceFilename, Time: naive(2024, 1, 1, 0, 0, 0, 0)},
		{Source: SourceVideoMvhd, Time: naive(2023, 1, 1, 0, 0, 0, 0)},
		{Source: SourceVideoCreationDate, Time: naive(2022, 1, 1, 0, 0, 0, 0)},
		{Source: SourceXMPCreateDate, Time: naive(2021, 1, 1, 0, 0, 0, 0)},
		{Source: SourceCreateDate, Time: naive(2020, 1, 1, 0, 0, 0, 0)},
		{Source: SourcePictureInfoDateTimeOriginal, Time: naive(1968, 1, 1, 0, 0, 0, 0)},
		{Source: SourceQVCIDateTimeOriginal, Time: naive(1967, 1, 1, 0, 0, 0, 0)},
		{Source: SourceFLIRDateTimeOriginal, Time: naive(1966, 1, 1, 0, 0, 0, 0)},
		{Source: SourceCIFFDateTimeOriginal, Time: naive(1965, 1, 1, 0, 0, 0, 0)},
		{Source: SourceIPTCDateCreated, Time: naive(1964, 1, 1, 0, 0, 0, 0)},
		{Source: SourceXMPDateCreated, Time: naive(1963, 1, 1, 0, 0, 0, 0)},
		{Source: SourceXMPDateTimeOriginal, Time: naive(1962, 1, 1, 0, 0, 0, 0)},
		{Source: SourceDateTimeOriginal, Time: naive(1961, 1, 1, 0, 0, 0, 0)},
	}
	// Taking the winner away each time walks Precedence in order.
	for i := range Precedence {
		c, ok := Resolve(all[:len(all)-i], now)
		if !ok || c.Source != Precedence[i] {
			t.Errorf("with %d candidates Resolve = %s; want %s", len(all)-i, c.Source, Precedence[i])
		}
	}
}
