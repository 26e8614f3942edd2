package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/picup/picup/pkg/capturetime"
)

// ISO-BMFF (HEIF, AVIF, CR3) and QuickTime/MP4 boxes.

const (
	maxBoxes   = 1 << 14 // boxes visited in one container
	maxMeta    = 16 << 20
	maxSmall   = 1 << 20 // mvhd, tkhd, hdlr, keys, ilst, udta entries
	maxExtents = 64
)

var errPastEnd = errors.New("box runs past the end of its container")

type box struct {
	typ       string
	off, size int64 // whole box
	hdr       int64 // header length
}

func (b box) body() (off, n int64) { return b.off + b.hdr, b.size - b.hdr }

// nextBox reads the box header at off within a container ending at end. A
// box that runs past end is returned with errPastEnd.
func nextBox(r io.ReaderAt, off, end int64) (box, error) {
	if end-off < 8 {
		return box{}, errPastEnd
	}
	var h [16]byte
	n, _ := r.ReadAt(h[:min(16, end-off)], off)
	if n < 8 {
		return box{}, errPastEnd
	}
	b := box{typ: string(h[4:8]), off: off, size: int64(binary.BigEndian.Uint32(h[:])), hdr: 8}
	switch b.size {
	case 0:
		b.size = end - off
	case 1:
		if n < 16 {
			return box{}, errPastEnd
		}
		s := binary.BigEndian.Uint64(h[8:])
		if s > math.MaxInt64 {
			return box{}, errPastEnd
		}
		b.size, b.hdr = int64(s), 16
	}
	if b.size < b.hdr {
		return box{}, fmt.Errorf("box %q: size %d too small", b.typ, b.size)
	}
	if b.size > end-off {
		return b, errPastEnd
	}
	return b, nil
}

// walk calls fn for each child box between off and end. It stops at a box
// that runs past end and returns that error; fn returning false stops the
// walk.
func walk(r io.ReaderAt, off, end int64, fn func(b box) bool) error {
	for range maxBoxes {
		if off >= end {
			return nil
		}
		b, err := nextBox(r, off, end)
		if err != nil {
			return fmt.Errorf("at offset %d: %w", off, err)
		}
		if !fn(b) {
			return nil
		}
		off += b.size
	}
	return nil
}

// topLevel walks the file's top-level boxes and returns the first box of
// type want, read whole (at most limit bytes). A box running past the end of
// the file before want was found makes the file corrupt.
func topLevel(r *io.SectionReader, want string, limit int64) (box, error) {
	var found box
	var ok bool
	err := walk(r, 0, r.Size(), func(b box) bool {
		if b.typ == want {
			found, ok = b, true
			return false
		}
		return true
	})
	if !ok {
		if err != nil {
			return box{}, fmt.Errorf("no %s box: %w: %w", want, err, ErrCorrupt)
		}
		return box{}, fmt.Errorf("no %s box: %w", want, ErrCorrupt)
	}
	if found.size > limit {
		return box{}, fmt.Errorf("%s box of %d bytes: %w", want, found.size, ErrCorrupt)
	}
	return found, nil
}

// readBody reads a box's payload, at most limit bytes.
func readBody(r io.ReaderAt, b box, limit int64) []byte {
	off, n := b.body()
	n = min(n, limit)
	if n <= 0 {
		return nil
	}
	buf := make([]byte, n)
	k, _ := r.ReadAt(buf, off)
	return buf[:k]
}

// cursor reads big-endian fields from a byte slice; reads past the end
// yield zeros and set bad.
type cursor struct {
	b   []byte
	bad bool
}

func (c *cursor) next(n int) []byte {
	if n < 0 || len(c.b) < n {
		c.bad = true
		c.b = nil
		return make([]byte, max(n, 0))
	}
	v := c.b[:n]
	c.b = c.b[n:]
	return v
}

func (c *cursor) u8() uint8   { return c.next(1)[0] }
func (c *cursor) u16() uint16 { return binary.BigEndian.Uint16(c.next(2)) }
func (c *cursor) u32() uint32 { return binary.BigEndian.Uint32(c.next(4)) }
func (c *cursor) u64() uint64 { return binary.BigEndian.Uint64(c.next(8)) }

// uint reads an n-byte field (n is 0, 4 or 8 in iloc).
func (c *cursor) uint(n int) uint64 {
	switch n {
	case 0:
		return 0
	case 4:
		return uint64(c.u32())
	case 8:
		return c.u64()
	}
	c.bad = true
	return 0
}

// --- HEIF / AVIF ---

type ilocItem struct {
	method  int
	extents [][2]uint64 // absolute offset (file or idat), length
}

// property is an ipco child: its type and the start of its payload.
type property struct {
	typ  string
	body []byte
}

type heif struct {
	primary  uint32
	exifIDs  []uint32
	loc      map[uint32]ilocItem
	props    []property // ipco children, 1-based in ipma
	assoc    map[uint32][]int
	idat     box
	hasIdat  bool
	metaData []byte
	metaOff  int64
}

// readHEIF reads a HEIC/AVIF: the primary item's ispe size and the Exif item.
func readHEIF(r *io.SectionReader, x *extract) error {
	mb, err := topLevel(r, "meta", maxMeta)
	if err != nil {
		return err
	}
	data := readBody(r, mb, maxMeta)
	if len(data) < 4 || int64(len(data)) != mb.size-mb.hdr {
		return fmt.Errorf("meta box unreadable: %w", ErrCorrupt)
	}
	h := heif{loc: map[uint32]ilocItem{}, assoc: map[uint32][]int{}, metaData: data, metaOff: mb.off + mb.hdr}
	mr := bytes.NewReader(data)
	err = walk(mr, 4, int64(len(data)), func(b box) bool {
		body := readBody(mr, b, maxMeta)
		switch b.typ {
		case "pitm":
			c := cursor{b: body}
			if c.u8() == 0 {
				c.next(3)
				h.primary = uint32(c.u16())
			} else {
				c.next(3)
				h.primary = c.u32()
			}
		case "iinf":
			h.parseIinf(body)
		case "iloc":
			h.parseIloc(body)
		case "iprp":
			h.parseIprp(body)
		case "idat":
			h.idat, h.hasIdat = b, true
		}
		return true
	})
	if err != nil {
		return fmt.Errorf("meta: %w: %w", err, ErrCorrupt)
	}
	for _, idx := range h.assoc[h.primary] {
		if idx < 1 || idx > len(h.props) || h.props[idx-1].typ != "ispe" {
			continue
		}
		c := cursor{b: h.props[idx-1].body}
		c.next(4)
		w, hh := c.u32(), c.u32()
		if !c.bad && w > 0 && hh > 0 && w <= math.MaxInt32 && hh <= math.MaxInt32 {
			x.md.Width, x.md.Height = int(w), int(hh)
		}
		break
	}
	for _, id := range h.exifIDs {
		if b := h.itemData(r, id, maxExif); len(b) > 4 {
			skip := uint64(binary.BigEndian.Uint32(b))
			if skip < uint64(len(b)-4) {
				exifPayload(x, b[4+skip:])
				break
			}
		}
	}
	if end := h.dataEnd(); end > uint64(r.Size()) {
		return fmt.Errorf("image data runs to byte %d but the file has %d (truncated): %w", end, r.Size(), ErrCorrupt)
	}
	return nil
}

// dataEnd is the end of the furthest item extent stored in the file itself
// (construction method 0): a file shorter than that is truncated.
func (h *heif) dataEnd() uint64 {
	var end uint64
	for _, it := range h.loc {
		if it.method != 0 {
			continue
		}
		for _, e := range it.extents {
			if e[0]+e[1] > end && e[0]+e[1] >= e[0] {
				end = e[0] + e[1]
			}
		}
	}
	return end
}

func (h *heif) parseIinf(body []byte) {
	c := cursor{b: body}
	v := c.u8()
	c.next(3)
	if v == 0 {
		c.u16()
	} else {
		c.u32()
	}
	if c.bad {
		return
	}
	r := bytes.NewReader(c.b)
	_ = walk(r, 0, int64(len(c.b)), func(b box) bool {
		if b.typ != "infe" {
			return true
		}
		e := cursor{b: readBody(r, b, 64)}
		ev := e.u8()
		e.next(3)
		var id uint32
		switch ev {
		case 2:
			id = uint32(e.u16())
		case 3:
			id = e.u32()
		default:
			return true
		}
		e.u16() // protection index
		if typ := e.next(4); !e.bad && string(typ) == "Exif" {
			h.exifIDs = append(h.exifIDs, id)
		}
		return true
	})
}

func (h *heif) parseIloc(body []byte) {
	c := cursor{b: body}
	v := c.u8()
	c.next(3)
	sizes := c.u16()
	offSize, lenSize := int(sizes>>12), int(sizes>>8&0xF)
	baseSize, idxSize := int(sizes>>4&0xF), 0
	if v == 1 || v == 2 {
		idxSize = int(sizes & 0xF)
	}
	var count uint32
	if v < 2 {
		count = uint32(c.u16())
	} else {
		count = c.u32()
	}
	for i := uint32(0); i < count && !c.bad; i++ {
		var id uint32
		if v < 2 {
			id = uint32(c.u16())
		} else {
			id = c.u32()
		}
		var it ilocItem
		if v == 1 || v == 2 {
			it.method = int(c.u16() & 0xF)
		}
		c.u16() // data reference index
		base := c.uint(baseSize)
		n := int(c.u16())
		if idxSize+offSize+lenSize == 0 {
			n = min(n, 1) // zero-sized extents all read the same
		}
		for j := 0; j < n && !c.bad; j++ {
			c.uint(idxSize)
			off, length := c.uint(offSize), c.uint(lenSize)
			if len(it.extents) < maxExtents {
				it.extents = append(it.extents, [2]uint64{base + off, length})
			}
		}
		if !c.bad {
			h.loc[id] = it
		}
	}
}

func (h *heif) parseIprp(body []byte) {
	r := bytes.NewReader(body)
	_ = walk(r, 0, int64(len(body)), func(b box) bool {
		switch b.typ {
		case "ipco":
			off, n := b.body()
			_ = walk(r, off, off+n, func(p box) bool {
				h.props = append(h.props, property{p.typ, readBody(r, p, 64)})
				return true
			})
		case "ipma":
			c := cursor{b: readBody(r, b, maxMeta)}
			v := c.u8()
			flags := c.next(3)
			n := c.u32()
			for i := uint32(0); i < n && !c.bad; i++ {
				var id uint32
				if v < 1 {
					id = uint32(c.u16())
				} else {
					id = c.u32()
				}
				k := int(c.u8())
				for j := 0; j < k && !c.bad; j++ {
					var idx int
					if flags[2]&1 != 0 {
						idx = int(c.u16() & 0x7FFF)
					} else {
						idx = int(c.u8() & 0x7F)
					}
					if !c.bad && len(h.assoc[id]) < 64 {
						h.assoc[id] = append(h.assoc[id], idx)
					}
				}
			}
		}
		return true
	})
}

// itemData reads an item's bytes, joining its extents, at most limit bytes.
func (h *heif) itemData(r *io.SectionReader, id uint32, limit int64) []byte {
	it, ok := h.loc[id]
	if !ok {
		return nil
	}
	var out []byte
	for _, e := range it.extents {
		off, n := e[0], e[1]
		var src io.ReaderAt = r
		end := uint64(r.Size())
		switch it.method {
		case 0:
		case 1:
			if !h.hasIdat {
				return nil
			}
			ioff, in := h.idat.body()
			src = io.NewSectionReader(bytes.NewReader(h.metaData), ioff, in)
			end = uint64(in)
		default:
			return nil
		}
		if n == 0 {
			n = end - min(off, end) // extent to the end
		}
		if off >= end || n > end-off || int64(len(out))+int64(n) > limit {
			return nil
		}
		buf := make([]byte, n)
		if k, _ := src.ReadAt(buf, int64(off)); uint64(k) != n {
			return nil
		}
		out = append(out, buf...)
	}
	return out
}

// --- QuickTime / MP4 ---

type movie struct {
	created      uint64
	timescale    uint64
	duration     uint64
	haveMvhd     bool
	keys         []string
	creationDate string
}

// readQuickTime reads moov: mvhd (creation time, duration), the video
// track's tkhd (size, rotation), and the Apple metadata (Keys, udta).
func readQuickTime(r *io.SectionReader, x *extract) error {
	moov, err := topLevel(r, "moov", math.MaxInt64)
	if err != nil {
		return err
	}
	var m movie
	off, n := moov.body()
	walkErr := walk(r, off, off+n, func(b box) bool {
		switch b.typ {
		case "mvhd":
			m.parseMvhd(readBody(r, b, maxSmall))
		case "trak":
			if x.md.Width == 0 {
				readTrak(r, b, x)
			}
		case "udta":
			readUdta(r, b, x)
		case "meta":
			m.readMeta(r, b, x)
		}
		return true
	})
	if !m.haveMvhd {
		if walkErr != nil {
			return fmt.Errorf("moov: %w: %w", walkErr, ErrCorrupt)
		}
		return fmt.Errorf("no mvhd box: %w", ErrCorrupt)
	}
	if c, ok := capturetime.FromQuickTime(m.creationDate); ok {
		x.cands = append(x.cands, c)
	}
	if c, ok := capturetime.FromMvhd(m.created); ok {
		x.cands = append(x.cands, c)
	}
	if m.timescale > 0 {
		if secs := float64(m.duration) / float64(m.timescale); secs < float64(math.MaxInt64/int64(time.Second)) {
			x.md.Duration = time.Duration(secs * float64(time.Second)).Round(time.Millisecond)
		}
	}
	return nil
}

func (m *movie) parseMvhd(b []byte) {
	c := cursor{b: b}
	v := c.u8()
	c.next(3)
	if v == 1 {
		m.created = c.u64()
		c.u64()
		m.timescale = uint64(c.u32())
		m.duration = c.u64()
	} else {
		m.created = uint64(c.u32())
		c.u32()
		m.timescale = uint64(c.u32())
		m.duration = uint64(c.u32())
	}
	m.haveMvhd = !c.bad
}

// readTrak takes the size and rotation of a video track.
func readTrak(r *io.SectionReader, trak box, x *extract) {
	var tkhd []byte
	video := false
	off, n := trak.body()
	_ = walk(r, off, off+n, func(b box) bool {
		switch b.typ {
		case "tkhd":
			tkhd = readBody(r, b, maxSmall)
		case "mdia":
			moff, mn := b.body()
			_ = walk(r, moff, moff+mn, func(h box) bool {
				if h.typ == "hdlr" {
					body := readBody(r, h, 12)
					video = len(body) >= 12 && string(body[8:12]) == "vide"
					return false
				}
				return true
			})
		}
		return true
	})
	if !video || tkhd == nil {
		return
	}
	c := cursor{b: tkhd}
	v := c.u8()
	c.next(3)
	if v == 1 {
		c.next(8 + 8 + 4 + 4 + 8)
	} else {
		c.next(4 + 4 + 4 + 4 + 4)
	}
	c.next(8 + 2 + 2 + 2 + 2)
	var mat [9]int32
	for i := range mat {
		mat[i] = int32(c.u32())
	}
	w, h := c.u32()>>16, c.u32()>>16
	if c.bad || w == 0 || h == 0 {
		return
	}
	x.md.Width, x.md.Height = int(w), int(h)
	x.md.Orientation = matrixOrientation(mat[0], mat[1], mat[3], mat[4])
}

// matrixOrientation maps a tkhd rotation matrix [a b; c d] to the EXIF
// orientation a player applies.
func matrixOrientation(a, b, c, d int32) int {
	switch {
	case a == 0 && d == 0 && b > 0 && c < 0:
		return 6 // 90° clockwise
	case a == 0 && d == 0 && b < 0 && c > 0:
		return 8 // 270°
	case b == 0 && c == 0 && a < 0 && d < 0:
		return 3 // 180°
	}
	return 1
}

// readUdta reads the QuickTime user data text atoms ©xyz, ©mak, ©mod.
func readUdta(r *io.SectionReader, udta box, x *extract) {
	off, n := udta.body()
	_ = walk(r, off, off+n, func(b box) bool {
		switch b.typ {
		case "\xa9xyz", "\xa9mak", "\xa9mod":
		default:
			return true
		}
		c := cursor{b: readBody(r, b, maxSmall)}
		size := int(c.u16())
		c.u16() // language
		s := c.next(size)
		if c.bad {
			return true
		}
		text := cleanString(string(s))
		switch b.typ {
		case "\xa9xyz":
			if x.md.Lat == nil {
				x.md.Lat, x.md.Lon, x.md.Altitude = parseISO6709(text)
			}
		case "\xa9mak":
			if x.md.Make == "" {
				x.md.Make = text
			}
		case "\xa9mod":
			if x.md.Model == "" {
				x.md.Model = text
			}
		}
		return true
	})
}

// readMeta reads an Apple "mdta" metadata box: keys and their ilst values.
func (m *movie) readMeta(r *io.SectionReader, meta box, x *extract) {
	off, n := meta.body()
	// In QuickTime files meta is a plain box, in MP4 a full box.
	if h := readAt(r, off, 8); len(h) == 8 && string(h[4:8]) != "hdlr" {
		off, n = off+4, n-4
	}
	values := map[string]string{}
	_ = walk(r, off, off+n, func(b box) bool {
		switch b.typ {
		case "keys":
			c := cursor{b: readBody(r, b, maxSmall)}
			c.next(4)
			count := c.u32()
			for i := uint32(0); i < count && !c.bad && len(m.keys) < 4096; i++ {
				size := int(c.u32())
				c.next(4) // namespace
				k := c.next(size - 8)
				if !c.bad {
					m.keys = append(m.keys, string(k))
				}
			}
		case "ilst":
			ioff, in := b.body()
			_ = walk(r, ioff, ioff+in, func(item box) bool {
				idx := binary.BigEndian.Uint32([]byte(item.typ))
				if idx == 0 || int(idx) > len(m.keys) {
					return true
				}
				doff, dn := item.body()
				_ = walk(r, doff, doff+dn, func(d box) bool {
					if d.typ != "data" {
						return true
					}
					c := cursor{b: readBody(r, d, maxSmall)}
					kind := c.u32()
					c.u32()                  // locale
					if !c.bad && kind == 1 { // UTF-8
						values[m.keys[idx-1]] = cleanString(string(c.b))
					}
					return false
				})
				return true
			})
		}
		return true
	})
	if v := values["com.apple.quicktime.make"]; v != "" {
		x.md.Make = v
	}
	if v := values["com.apple.quicktime.model"]; v != "" {
		x.md.Model = v
	}
	if lat, lon, alt := parseISO6709(values["com.apple.quicktime.location.ISO6709"]); lat != nil {
		x.md.Lat, x.md.Lon, x.md.Altitude = lat, lon, alt
	}
	m.creationDate = values["com.apple.quicktime.creationdate"]
}

func cleanString(s string) string {
	return strings.TrimSpace(strings.Trim(s, "\x00"))
}

// --- Canon CR3 ---

// cr3Uuid is the moov/uuid box holding Canon's CMT metadata boxes.
var cr3Uuid = []byte{0x85, 0xc0, 0xb6, 0x87, 0x82, 0x0f, 0x11, 0xe0, 0x81, 0x11, 0xf4, 0xce, 0x46, 0x2b, 0x6a, 0x48}

// readCR3 reads the TIFF blocks CMT1 (IFD0) and CMT2 (EXIF IFD) of a CR3.
func readCR3(r *io.SectionReader, x *extract) error {
	moov, err := topLevel(r, "moov", math.MaxInt64)
	if err != nil {
		return err
	}
	off, n := moov.body()
	_ = walk(r, off, off+n, func(b box) bool {
		if b.typ != "uuid" {
			return true
		}
		boff, bn := b.body()
		if id := readAt(r, boff, 16); !bytes.Equal(id, cr3Uuid) {
			return true
		}
		_ = walk(r, boff+16, boff+bn, func(c box) bool {
			if c.typ == "CMT1" || c.typ == "CMT2" {
				if e, ok := parseExif(readBody(r, c, maxExif)); ok {
					x.addExif(e)
				}
			}
			return true
		})
		return false
	})
	return nil
}
