package capturetime

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/picup/picup/internal/testenv"
)

// order writes and appends in one byte order.
type order interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// ciffEntry is a CIFF directory entry of a generated heap: a record
// whose value is data, or a nested heap.
type ciffEntry struct {
	tag  uint16
	data []byte
	heap []ciffEntry
}

// ciffHeap lays out a heap: the values, then the directory (count,
// entries), then the directory's offset in the last 4 bytes.
func ciffHeap(bo order, entries []ciffEntry) []byte {
	var values []byte
	type placed struct {
		tag       uint16
		size, off uint32
	}
	var dir []placed
	for _, e := range entries {
		v := e.data
		if e.heap != nil {
			v = ciffHeap(bo, e.heap)
		}
		dir = append(dir, placed{e.tag, uint32(len(v)), uint32(len(values))})
		values = append(values, v...)
	}
	out := append([]byte(nil), values...)
	out = bo.AppendUint16(out, uint16(len(dir)))
	for _, d := range dir {
		out = bo.AppendUint16(out, d.tag)
		out = bo.AppendUint32(out, d.size)
		out = bo.AppendUint32(out, d.off)
	}
	return bo.AppendUint32(out, uint32(len(values)))
}

// ciffFile is a CIFF block: byte order, header length, HEAPJPGM, the heap.
func ciffFile(bo order, entries []ciffEntry) []byte {
	out := []byte("II")
	if bo == binary.BigEndian {
		out = []byte("MM")
	}
	out = bo.AppendUint32(out, 26)
	out = append(out, "HEAPJPGM"...)
	out = append(out, make([]byte, 26-len(out))...)
	return append(out, ciffHeap(bo, entries)...)
}

func timeStamp(bo order, secs uint32, zone int32, info uint32) []byte {
	b := bo.AppendUint32(nil, secs)
	b = bo.AppendUint32(b, uint32(zone))
	return bo.AppendUint32(b, info)
}

func TestFromCIFF(t *testing.T) {
	le, be := binary.LittleEndian, binary.BigEndian
	// 1998-05-01 21:33:18 on the camera's clock, as ExifTool's sample has it.
	const secs = 894058398
	wall := naive(1998, 5, 1, 21, 33, 18, 0)
	other := ciffEntry{tag: 0x0805, data: []byte("a comment")}
	tests := []struct {
		name  string
		b     []byte
		want  time.Time
		known bool
		ok    bool
	}{
		{"top level, no zone", ciffFile(le, []ciffEntry{other, {tag: 0x180e, data: timeStamp(le, secs, 0, 0)}}), wall, false, true},
		{"nested heaps, big-endian", ciffFile(be, []ciffEntry{other, {tag: 0x300a, heap: []ciffEntry{{tag: 0x300b, heap: []ciffEntry{
			{tag: 0x180e, data: timeStamp(be, secs, 0, 0)}}}}}}), wall, false, true},
		{"valid zone", ciffFile(le, []ciffEntry{{tag: 0x180e, data: timeStamp(le, secs, 9*3600, 0x80000000)}}),
			zoned(1998, 5, 1, 21, 33, 18, 9*3600), true, true},
		{"zone out of range", ciffFile(le, []ciffEntry{{tag: 0x180e, data: timeStamp(le, secs, 20*3600, 0x80000000)}}), wall, false, true},
		{"value in the directory", func() []byte {
			// 0x4000 puts the 8 value bytes in the entry's size and offset.
			b := ciffFile(le, []ciffEntry{{tag: 0x580e, data: nil}})
			dir := len(b) - 4 - 10
			le.PutUint32(b[dir+2:], secs)
			le.PutUint32(b[dir+6:], 0)
			return b
		}(), wall, false, true},
		{"no time stamp", ciffFile(le, []ciffEntry{other}), time.Time{}, false, false},
		{"zero time", ciffFile(le, []ciffEntry{{tag: 0x180e, data: timeStamp(le, 0, 0, 0)}}), time.Time{}, false, false},
		{"not CIFF", append([]byte("JFIF\x00"), make([]byte, 40)...), time.Time{}, false, false},
		{"empty", nil, time.Time{}, false, false},
		{"truncated", ciffFile(le, []ciffEntry{{tag: 0x180e, data: timeStamp(le, secs, 0, 0)}})[:30], time.Time{}, false, false},
		{"heap that holds itself", func() []byte {
			b := ciffFile(le, []ciffEntry{{tag: 0x300a, data: nil}})
			heap := b[26:]
			// The nested heap is the whole heap again: read once.
			le.PutUint32(heap[len(heap)-4-10+2:], uint32(len(heap)))
			return b
		}(), time.Time{}, false, false},
	}
	for _, tt := range tests {
		c, ok := FromCIFF(tt.b)
		if ok != tt.ok || (ok && (!same(c.Time, tt.want) || c.OffsetKnown != tt.known || c.Source != SourceCIFFDateTimeOriginal)) {
			t.Errorf("%s: FromCIFF = %+v, %v; want %v (offset known %v), %v", tt.name, c, ok, tt.want, tt.known, tt.ok)
		}
	}
}

// fffData is FLIR FFF data with one CameraInfo record holding the
// capture time secs.ms, minutes west of UTC west, in byte order bo.
func fffData(bo order, secs, ms uint32, west int16) []byte {
	rec := make([]byte, 0x400)
	bo.PutUint16(rec, 2)
	bo.PutUint32(rec[0x384:], secs)
	bo.PutUint32(rec[0x388:], ms)
	bo.PutUint16(rec[0x38c:], uint16(west))
	h := make([]byte, 0x40)
	copy(h, "FFF\x00")
	bo.PutUint32(h[0x14:], 100)
	bo.PutUint32(h[0x18:], 0x40)
	bo.PutUint32(h[0x1c:], 2)
	dir := make([]byte, 0x40)
	bo.PutUint16(dir, 0x01) // raw data, passed over
	bo.PutUint16(dir[0x20:], 0x20)
	bo.PutUint32(dir[0x20+0x0c:], 0x80)
	bo.PutUint32(dir[0x20+0x10:], uint32(len(rec)))
	return append(append(h, dir...), rec...)
}

func TestFromFLIR(t *testing.T) {
	// 2012-02-11 14:17:08.253 +01:00, as FLIR's sample has it.
	const secs = 1328966228
	want := time.Date(2012, 2, 11, 14, 17, 8, 253e6, time.FixedZone("", 3600))
	tests := []struct {
		name string
		b    []byte
		ok   bool
	}{
		{"big-endian", fffData(binary.BigEndian, secs, 253, -60), true},
		{"little-endian", fffData(binary.LittleEndian, secs, 253, -60), true},
		{"no time", fffData(binary.BigEndian, 0, 0, 0), false},
		{"zone out of range", fffData(binary.BigEndian, secs, 253, 30000), false},
		{"truncated record", fffData(binary.BigEndian, secs, 253, -60)[:0x80+0x300], false},
		{"unknown version", func() []byte {
			b := fffData(binary.BigEndian, secs, 253, -60)
			binary.BigEndian.PutUint32(b[0x14:], 7)
			return b
		}(), false},
		{"record count beyond the data", func() []byte {
			b := fffData(binary.BigEndian, secs, 253, -60)
			binary.BigEndian.PutUint32(b[0x1c:], 0xffffffff)
			binary.BigEndian.PutUint16(b[0x60:], 0x05)
			return b
		}(), false},
		{"not FFF", []byte("FLIR"), false},
	}
	for _, tt := range tests {
		c, ok := FromFLIR(tt.b)
		if ok != tt.ok || (ok && (!same(c.Time, want) || !c.OffsetKnown || c.Source != SourceFLIRDateTimeOriginal)) {
			t.Errorf("%s: FromFLIR = %+v, %v; want %v, %v", tt.name, c, ok, want, tt.ok)
		}
	}
}

func qvci(date string) []byte {
	b := append([]byte("QVCI\x00"), make([]byte, 0x4d-5)...)
	return append(append(b, date...), 0)
}

func TestFromQVCI(t *testing.T) {
	want := naive(2000, 11, 5, 23, 5, 13, 0)
	tests := []struct {
		seg []byte
		ok  bool
	}{
		{qvci("2000.11.05 23:05:13"), true},
		{qvci("2000.11.05.23.05.13"), true},
		{qvci("2000:11:05 23:05:13"), true},
		{qvci("2000.13.05 23:05:13"), false},
		{qvci("    .  .     :  :  "), false},
		{qvci("2000.11.05")[:0x4d+10], false},
		{[]byte("QVCI\x00\x08\x03\x00\x00\x83\x00\x00"), false}, // the QV-7000SX sample's: no date
	}
	for _, tt := range tests {
		c, ok := FromQVCI(tt.seg)
		if ok != tt.ok || (ok && (c.Time != want || c.OffsetKnown || c.Source != SourceQVCIDateTimeOriginal)) {
			t.Errorf("FromQVCI(%q) = %+v, %v; want %v, %v", tt.seg, c, ok, want, tt.ok)
		}
	}
}

func TestFromPictureInfo(t *testing.T) {
	tests := []struct {
		text string
		want time.Time
		ok   bool
	}{
		{"[picture info]\r\nTimeDate=915117440\r\nShutter=6451\r\n", naive(1998, 12, 31, 15, 17, 20, 0), true},
		{"[picture info]\nTimeDate=1998:12:31 15:17:20\n", naive(1998, 12, 31, 15, 17, 20, 0), true},
		{"[picture info]\nTimeDate=0\n", time.Time{}, false},
		{"[picture info]\nTimeDate=99999999999\n", time.Time{}, false},
		{"[picture info]\nShutter=6451\n", time.Time{}, false},
		{"Ducky\x00\x01", time.Time{}, false},
	}
	for _, tt := range tests {
		c, ok := FromPictureInfo([]byte(tt.text))
		if ok != tt.ok || (ok && (c.Time != tt.want || c.Source != SourcePictureInfoDateTimeOriginal)) {
			t.Errorf("FromPictureInfo(%q) = %+v, %v; want %v, %v", tt.text, c, ok, tt.want, tt.ok)
		}
	}
}

// flirChunks splits FFF data into APP1 FLIR chunks of at most n bytes.
func flirChunks(fff []byte, n int) [][]byte {
	var chunks [][]byte
	total := (len(fff) + n - 1) / n
	for i := 0; i < total; i++ {
		part := fff[i*n : min(len(fff), (i+1)*n)]
		chunks = append(chunks, append([]byte{'F', 'L', 'I', 'R', 0, 1, byte(i), byte(total - 1)}, part...))
	}
	return chunks
}

func TestJPEGBlocks(t *testing.T) {
	fff := fffData(binary.BigEndian, 1328966228, 253, -60)
	chunks := flirChunks(fff, 250)
	var j JPEGBlocks
	// Out of order and with a chunk twice: put together by number.
	for _, i := range []int{1, 0, 3, 2, 3, 4} {
		j.Add(0xE1, chunks[i])
	}
	j.Add(0xE0, ciffFile(binary.LittleEndian, []ciffEntry{{tag: 0x180e, data: timeStamp(binary.LittleEndian, 894058398, 0, 0)}}))
	j.Add(0xE0, []byte("JFIF\x00\x01\x02"))
	j.Add(0xE1, qvci("2000.11.05 23:05:13"))
	j.Add(0xEC, []byte("[picture info]\nTimeDate=915117440\n"))
	j.Add(0xE2, []byte("ICC_PROFILE\x00"))
	var got []string
	for _, c := range j.Candidates() {
		got = append(got, c.Source)
	}
	want := []string{SourceCIFFDateTimeOriginal, SourceQVCIDateTimeOriginal, SourcePictureInfoDateTimeOriginal, SourceFLIRDateTimeOriginal}
	if len(chunks) != 5 || !slices.Equal(got, want) {
		t.Errorf("%d chunks; candidates from %v; want %v", len(chunks), got, want)
	}
	var missing JPEGBlocks
	for _, c := range chunks[:4] {
		missing.Add(0xE1, c)
	}
	if c := missing.Candidates(); len(c) != 0 {
		t.Errorf("FLIR data without its last chunk gave %+v", c)
	}
}

// TestResolveLendsOffset: an EXIF date without a zone takes the zone of
// a maker's block that reads the same wall clock, not of one that
// differs nor of the file's mtime.
func TestResolveLendsOffset(t *testing.T) {
	now := naive(2026, 1, 1, 0, 0, 0, 0)
	dto := Candidate{Source: SourceDateTimeOriginal, Time: naive(2012, 2, 11, 14, 17, 8, 0)}
	flir := Candidate{Source: SourceFLIRDateTimeOriginal, Time: time.Date(2012, 2, 11, 14, 17, 8, 253e6, time.FixedZone("", 3600)), OffsetKnown: true}
	later := flir
	later.Time = later.Time.Add(time.Second)
	mtime := Candidate{Source: SourceMtime, Time: time.Date(2012, 2, 11, 14, 17, 8, 0, time.FixedZone("", -5*3600)), OffsetKnown: true}
	tests := []struct {
		name  string
		cands []Candidate
		want  time.Time
		known bool
	}{
		{"same wall clock", []Candidate{dto, flir}, zoned(2012, 2, 11, 14, 17, 8, 3600), true},
		{"another second", []Candidate{dto, later}, dto.Time, false},
		{"mtime lends nothing", []Candidate{dto, mtime}, dto.Time, false},
		{"the block alone", []Candidate{flir, mtime}, flir.Time, true},
	}
	for _, tt := range tests {
		c, ok := Resolve(tt.cands, now)
		if !ok || !same(c.Time, tt.want) || c.OffsetKnown != tt.known {
			t.Errorf("%s: Resolve = %v (offset known %v); want %v (%v)", tt.name, c.Time, c.OffsetKnown, tt.want, tt.known)
		}
	}
}

// jpegAppSegments are the application segments of a JPEG file before its
// first scan: marker and bytes after the length.
func jpegAppSegments(t *testing.T, b []byte) [][2][]byte {
	t.Helper()
	var out [][2][]byte
	for pos := 2; pos+4 <= len(b) && b[pos] == 0xFF && b[pos+1] != 0xDA; {
		n := int(binary.BigEndian.Uint16(b[pos+2:]))
		if pos+2+n > len(b) {
			break
		}
		if b[pos+1] >= 0xE0 && b[pos+1] <= 0xEF {
			out = append(out, [2][]byte{{b[pos+1]}, b[pos+4 : pos+2+n]})
		}
		pos += 2 + n
	}
	return out
}

// TestJPEGBlocksCorpus reads the maker blocks of the shared corpus's
// samples: FLIR's thermal camera, ExifTool's sample with a Canon CIFF
// record and an APP12 picture info, and a Casio QV-7000SX whose QVCI
// segment is too short to hold a date.
func TestJPEGBlocksCorpus(t *testing.T) {
	root := filepath.Join("..", "..", "..", "shared", "testdata", "photos")
	if _, err := os.Stat(root); err != nil {
		testenv.Missing(t, "the shared corpus is not at %s (%v); TestJPEGBlocksCorpus needs it", root, err)
	}
	tests := []struct {
		path string
		want []Candidate
	}{
		{"jpeg/exiftool/FLIR.jpg", []Candidate{{Source: SourceFLIRDateTimeOriginal,
			Time: time.Date(2012, 2, 11, 14, 17, 8, 253e6, time.FixedZone("", 3600)), OffsetKnown: true}}},
		{"jpeg/exiftool/ExifTool.jpg", []Candidate{
			{Source: SourceCIFFDateTimeOriginal, Time: naive(1998, 5, 1, 21, 33, 18, 0)},
			{Source: SourcePictureInfoDateTimeOriginal, Time: naive(1998, 12, 31, 15, 17, 20, 0)},
		}},
		{"jpeg/drewnoakes/Casio QV-7000SX.jpg", nil},
		{"jpeg/drewnoakes/Nikon D5000.jpg", nil},
	}
	for _, tt := range tests {
		b, err := os.ReadFile(filepath.Join(root, tt.path))
		if err != nil {
			t.Fatal(err)
		}
		var j JPEGBlocks
		for _, s := range jpegAppSegments(t, b) {
			j.Add(s[0][0], s[1])
		}
		got := j.Candidates()
		if len(got) != len(tt.want) {
			t.Errorf("%s: %+v; want %+v", tt.path, got, tt.want)
			continue
		}
		for i := range got {
			if got[i].Source != tt.want[i].Source || !same(got[i].Time, tt.want[i].Time) || got[i].OffsetKnown != tt.want[i].OffsetKnown {
				t.Errorf("%s: candidate %d = %+v; want %+v", tt.path, i, got[i], tt.want[i])
			}
		}
	}
}

// FuzzJPEGBlocks: no segment, however broken, makes the parsers panic
// or read out of bounds.
func FuzzJPEGBlocks(f *testing.F) {
	f.Add(byte(0xE0), ciffFile(binary.LittleEndian, []ciffEntry{{tag: 0x300a, heap: []ciffEntry{{tag: 0x180e, data: timeStamp(binary.LittleEndian, 894058398, 3600, 0x80000000)}}}}))
	f.Add(byte(0xE0), ciffFile(binary.BigEndian, []ciffEntry{{tag: 0x580e}}))
	for _, c := range flirChunks(fffData(binary.LittleEndian, 1328966228, 253, -60), 1<<20) {
		f.Add(byte(0xE1), c)
	}
	f.Add(byte(0xE1), qvci("2000.11.05 23:05:13"))
	f.Add(byte(0xEC), []byte("[picture info]\nTimeDate=915117440\n"))
	f.Fuzz(func(t *testing.T, marker byte, seg []byte) {
		var j JPEGBlocks
		j.Add(marker, seg)
		if len(seg) >= 8 {
			// The segment again as FLIR data of one chunk.
			j.Add(0xE1, append([]byte("FLIR\x00\x01\x00\x00"), seg...))
		}
		for _, c := range j.Candidates() {
			if c.Source == "" || c.Time.IsZero() {
				t.Errorf("candidate %+v from %q", c, seg)
			}
		}
	})
}
