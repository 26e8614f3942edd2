package capturetime

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"time"
)

// Dates that cameras write in blocks of their own, beside or instead of
// EXIF: the parsers below read them from bytes, each bounded and never
// panicking on a broken block.

// Sources of the capture times of maker and legacy blocks (see
// Precedence).
const (
	SourceCIFFDateTimeOriginal        = "canon:ciff:DateTimeOriginal"
	SourceFLIRDateTimeOriginal        = "flir:DateTimeOriginal"
	SourceQVCIDateTimeOriginal        = "casio:qvci:DateTimeOriginal"
	SourcePictureInfoDateTimeOriginal = "app12:PictureInfo:DateTimeOriginal"
)

// Bounds on what the maker blocks may make the parsers do.
const (
	maxCIFFDepth   = 8       // nested CIFF heaps
	maxCIFFEntries = 4096    // CIFF directory entries read in all
	maxFLIRRecords = 1024    // FLIR FFF record directory entries
	maxFLIRChunks  = 256     // APP1 FLIR chunks (the count is one byte)
	maxFLIRBytes   = 8 << 20 // FLIR data collected from the chunks
	maxOffset      = 14 * 3600
)

// FromCIFF reads the capture time of a Canon CIFF block (a CRW file, or
// the APP0 "HEAPJPGM" record of a JPEG some Canon cameras and ExifTool's
// samples write): the TimeStamp record (0x180e) of the heap or of one
// nested in it, seconds since 1970 of the camera's wall clock, in a zone
// known when its TimeZoneInfo says the TimeZoneCode is valid.
func FromCIFF(b []byte) (Candidate, bool) {
	if len(b) < 14 || !bytes.Equal(b[6:10], []byte("HEAP")) {
		return Candidate{}, false
	}
	var bo binary.ByteOrder
	switch string(b[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return Candidate{}, false
	}
	start := uint64(bo.Uint32(b[2:]))
	if start < 14 || start > uint64(len(b)) {
		return Candidate{}, false
	}
	w := ciffWalker{b: b, bo: bo, budget: maxCIFFEntries, seen: map[uint64]bool{}}
	v, ok := w.timeStamp(start, uint64(len(b)), 0)
	if !ok {
		return Candidate{}, false
	}
	return ciffTime(v, bo)
}

type ciffWalker struct {
	b      []byte
	bo     binary.ByteOrder
	budget int
	seen   map[uint64]bool // directories read, against loops
}

// timeStamp looks for the TimeStamp record in the heap b[start:end] and
// the heaps nested in it; it returns the record's bytes.
func (w *ciffWalker) timeStamp(start, end uint64, depth int) ([]byte, bool) {
	if depth > maxCIFFDepth || end < start+6 {
		return nil, false
	}
	dir := start + uint64(w.bo.Uint32(w.b[end-4:]))
	if dir+2 > end || w.seen[dir] {
		return nil, false
	}
	w.seen[dir] = true
	n := uint64(w.bo.Uint16(w.b[dir:]))
	for i := range n {
		e := dir + 2 + 10*i
		if w.budget--; w.budget < 0 || e+10 > end {
			return nil, false
		}
		tag := w.bo.Uint16(w.b[e:])
		size, ptr := uint64(w.bo.Uint32(w.b[e+2:])), uint64(w.bo.Uint32(w.b[e+6:]))
		if tag&0x8000 != 0 {
			return nil, false
		}
		inDir, kind := tag&0x4000 != 0, (tag>>8)&0x38
		if inDir {
			if tag&0x3fff == 0x180e {
				return w.b[e+2 : e+10], true
			}
			continue
		}
		if start+ptr+size > end {
			continue
		}
		switch {
		case kind == 0x28 || kind == 0x30:
			if v, ok := w.timeStamp(start+ptr, start+ptr+size, depth+1); ok {
				return v, true
			}
		case tag&0x3fff == 0x180e:
			return w.b[start+ptr : start+ptr+size], true
		}
	}
	return nil, false
}

// ciffTime reads a TimeStamp record: the capture time (uint32), the
// TimeZoneCode (int32 seconds east of UTC) and TimeZoneInfo (0x80000000
// when the code is valid).
func ciffTime(v []byte, bo binary.ByteOrder) (Candidate, bool) {
	if len(v) < 4 || bo.Uint32(v) == 0 {
		return Candidate{}, false
	}
	c := Candidate{Source: SourceCIFFDateTimeOriginal, Time: time.Unix(int64(bo.Uint32(v)), 0).UTC()}
	if len(v) >= 12 && bo.Uint32(v[8:]) == 0x80000000 {
		if off := int32(bo.Uint32(v[4:])); off >= -maxOffset && off <= maxOffset {
			c.Time, c.OffsetKnown = WithOffset(c.Time, int(off)), true
		}
	}
	return c, true
}

// FromFLIR reads the capture time of FLIR thermal cameras from FLIR FFF
// data (the APP1 "FLIR" chunks of a JPEG put together): the CameraInfo
// record's DateTimeOriginal, an instant with milliseconds and the
// camera's time zone.
func FromFLIR(fff []byte) (Candidate, bool) {
	if len(fff) < 0x40 || (fff[0] != 'F' && fff[0] != 'A') || !bytes.Equal(fff[1:4], []byte("FF\x00")) {
		return Candidate{}, false
	}
	var bo binary.ByteOrder = binary.BigEndian
	if v := bo.Uint32(fff[0x14:]); v < 100 || v >= 200 {
		bo = binary.LittleEndian
		if v := bo.Uint32(fff[0x14:]); v < 100 || v >= 200 {
			return Candidate{}, false
		}
	}
	dir, n := uint64(bo.Uint32(fff[0x18:])), uint64(bo.Uint32(fff[0x1c:]))
	for i := range min(n, maxFLIRRecords) {
		e := dir + 0x20*i
		if e+0x20 > uint64(len(fff)) {
			return Candidate{}, false
		}
		if bo.Uint16(fff[e:]) != 0x20 { // CameraInfo
			continue
		}
		off, size := uint64(bo.Uint32(fff[e+0x0c:])), uint64(bo.Uint32(fff[e+0x10:]))
		if off+size > uint64(len(fff)) || size < 0x38e {
			return Candidate{}, false
		}
		return flirTime(fff[off : off+size])
	}
	return Candidate{}, false
}

// flirTime reads DateTimeOriginal at 0x384 of a CameraInfo record: Unix
// seconds, milliseconds (low 16 bits) and minutes west of UTC, in the
// byte order its first field (2) says.
func flirTime(rec []byte) (Candidate, bool) {
	var bo binary.ByteOrder = binary.BigEndian
	if bo.Uint16(rec) >= 0x100 {
		bo = binary.LittleEndian
	}
	v := rec[0x384:0x38e]
	secs, ms, west := bo.Uint32(v), bo.Uint32(v[4:])&0xffff, int16(bo.Uint16(v[8:]))
	off := -int(west) * 60
	if secs == 0 || ms > 999 || off < -maxOffset || off > maxOffset {
		return Candidate{}, false
	}
	t := time.Unix(int64(secs), int64(ms)*int64(time.Millisecond)).In(zone(off))
	return Candidate{Source: SourceFLIRDateTimeOriginal, Time: t, OffsetKnown: true}, true
}

// FromQVCI reads the capture time of the APP1 "QVCI" segment of Casio
// QV cameras: 19 characters at 0x4d, "2000.11.05 23:05:13" or
// "2000.11.05.23.05.13", a wall clock without a zone.
func FromQVCI(seg []byte) (Candidate, bool) {
	if len(seg) < 0x4d+19 || !bytes.HasPrefix(seg, []byte("QVCI\x00")) {
		return Candidate{}, false
	}
	s := []byte(string(seg[0x4d : 0x4d+19]))
	for _, i := range []int{4, 7, 13, 16} {
		if s[i] == '.' {
			s[i] = ':'
		}
	}
	if s[10] == '.' || s[10] == ':' {
		s[10] = ' '
	}
	t, _, ok := ParseExif(string(s))
	return Candidate{Source: SourceQVCIDateTimeOriginal, Time: t}, ok
}

// FromPictureInfo reads the capture time of the APP12 "[picture info]"
// text of Agfa, Polaroid and other older cameras: TimeDate=, Unix seconds
// of the camera's wall clock (or an EXIF-style date).
func FromPictureInfo(seg []byte) (Candidate, bool) {
	for line := range bytes.Lines(seg) {
		v, ok := bytes.CutPrefix(bytes.TrimSpace(line), []byte("TimeDate="))
		if !ok {
			continue
		}
		if secs, err := strconv.ParseUint(string(v), 10, 32); err == nil && secs > 0 {
			return Candidate{Source: SourcePictureInfoDateTimeOriginal, Time: time.Unix(int64(secs), 0).UTC()}, true
		}
		t, known, ok := ParseExif(string(v))
		return Candidate{Source: SourcePictureInfoDateTimeOriginal, Time: t, OffsetKnown: known}, ok
	}
	return Candidate{}, false
}

// JPEGBlocks collects the maker and legacy blocks of a JPEG's
// application segments, in the order the segments come, and gives their
// capture times.
type JPEGBlocks struct {
	found     []Candidate
	flir      [][]byte // FLIR chunks by number
	flirBytes int
}

// Add takes one application segment: marker (0xE0 to 0xEF) and its
// bytes after the length. Segments of no maker block are passed over.
func (j *JPEGBlocks) Add(marker byte, seg []byte) {
	var c Candidate
	ok := false
	switch {
	case marker == 0xE0:
		c, ok = FromCIFF(seg)
	case marker == 0xE1 && bytes.HasPrefix(seg, []byte("QVCI\x00")):
		c, ok = FromQVCI(seg)
	case marker == 0xE1 && bytes.HasPrefix(seg, []byte("FLIR\x00")) && len(seg) >= 8:
		j.addFLIR(seg)
	case marker == 0xEC:
		c, ok = FromPictureInfo(seg)
	}
	if ok {
		j.found = append(j.found, c)
	}
}

// addFLIR keeps a FLIR chunk: "FLIR\0", a byte, the chunk's number and
// the count of chunks less one, then the data.
func (j *JPEGBlocks) addFLIR(seg []byte) {
	num, total := int(seg[6]), int(seg[7])+1
	if j.flir == nil {
		j.flir = make([][]byte, min(total, maxFLIRChunks))
	}
	data := seg[8:]
	if num >= len(j.flir) || j.flir[num] != nil || j.flirBytes+len(data) > maxFLIRBytes {
		return
	}
	j.flir[num] = bytes.Clone(data)
	j.flirBytes += len(data)
}

// Candidates are the capture times the blocks added hold.
func (j *JPEGBlocks) Candidates() []Candidate {
	out := j.found
	if j.flir != nil {
		if c, ok := FromFLIR(bytes.Join(j.flir, nil)); ok {
			out = append(out, c)
		}
	}
	return out
}
