package media

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/picup/picup/pkg/bmff"
	"github.com/picup/picup/pkg/capturetime"
)

// ISO-BMFF (HEIF, AVIF, CR3) and QuickTime/MP4 boxes, walked with pkg/bmff.

const (
	maxMeta    = 16 << 20
	maxSmall   = 1 << 20 // mvhd, tkhd, hdlr, keys, ilst, udta entries
	maxExtents = 64
)

// topLevel finds the file's first top-level box of type want, at most limit
// bytes long. A box running past the end of the file before want was found
// makes the file corrupt.
func topLevel(r *io.SectionReader, want string, limit int64) (bmff.Box, error) {
	b, err := bmff.Find(r, 0, r.Size(), want)
	if err != nil {
		return bmff.Box{}, fmt.Errorf("%w: %w", err, ErrCorrupt)
	}
	if b.Size > limit {
		return bmff.Box{}, fmt.Errorf("%s box of %d bytes: %w", want, b.Size, ErrCorrupt)
	}
	return b, nil
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
	xmpIDs   []uint32
	loc      map[uint32]ilocItem
	props    []property // ipco children, 1-based in ipma
	assoc    map[uint32][]int
	idat     bmff.Box
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
	data := bmff.ReadBody(r, mb, maxMeta)
	if len(data) < 4 || int64(len(data)) != mb.Size-mb.Hdr {
		return fmt.Errorf("meta box unreadable: %w", ErrCorrupt)
	}
	h := heif{loc: map[uint32]ilocItem{}, assoc: map[uint32][]int{}, metaData: data, metaOff: mb.Off + mb.Hdr}
	mr := bytes.NewReader(data)
	err = bmff.Walk(mr, 4, int64(len(data)), func(b bmff.Box) bool {
		body := bmff.ReadBody(mr, b, maxMeta)
		switch b.Type {
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
	for _, id := range h.xmpIDs {
		if b := h.itemData(r, id, maxXMP); len(b) > 0 {
			x.addXMP(b)
			break
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
	_ = bmff.Walk(r, 0, int64(len(c.b)), func(b bmff.Box) bool {
		if b.Type != "infe" {
			return true
		}
		e := cursor{b: bmff.ReadBody(r, b, 512)}
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
		typ := e.next(4)
		switch {
		case e.bad:
		case string(typ) == "Exif":
			h.exifIDs = append(h.exifIDs, id)
		case string(typ) == "mime":
			// item_name and content_type, both NUL-terminated.
			if _, rest, ok := bytes.Cut(e.b, []byte{0}); ok {
				if ct, _, _ := bytes.Cut(rest, []byte{0}); string(ct) == "application/rdf+xml" && len(h.xmpIDs) < 4 {
					h.xmpIDs = append(h.xmpIDs, id)
				}
			}
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
	_ = bmff.Walk(r, 0, int64(len(body)), func(b bmff.Box) bool {
		switch b.Type {
		case "ipco":
			off, n := b.Body()
			_ = bmff.Walk(r, off, off+n, func(p bmff.Box) bool {
				h.props = append(h.props, property{p.Type, bmff.ReadBody(r, p, 64)})
				return true
			})
		case "ipma":
			c := cursor{b: bmff.ReadBody(r, b, maxMeta)}
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
			ioff, in := h.idat.Body()
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
	off, n := moov.Body()
	walkErr := bmff.Walk(r, off, off+n, func(b bmff.Box) bool {
		switch b.Type {
		case "mvhd":
			m.parseMvhd(bmff.ReadBody(r, b, maxSmall))
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
	_ = bmff.Walk(r, 0, r.Size(), func(b bmff.Box) bool {
		if b.Type != "uuid" {
			return true
		}
		off, n := b.Body()
		if id := readAt(r, off, 16); bytes.Equal(id, xmpUUID) && n > 16 {
			x.addXMP(readAt(r, off+16, min(n-16, maxXMP)))
			return false
		}
		return true
	})
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
func readTrak(r *io.SectionReader, trak bmff.Box, x *extract) {
	var tkhd []byte
	video := false
	off, n := trak.Body()
	_ = bmff.Walk(r, off, off+n, func(b bmff.Box) bool {
		switch b.Type {
		case "tkhd":
			tkhd = bmff.ReadBody(r, b, maxSmall)
		case "mdia":
			moff, mn := b.Body()
			_ = bmff.Walk(r, moff, moff+mn, func(h bmff.Box) bool {
				if h.Type == "hdlr" {
					body := bmff.ReadBody(r, h, 12)
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
func readUdta(r *io.SectionReader, udta bmff.Box, x *extract) {
	off, n := udta.Body()
	_ = bmff.Walk(r, off, off+n, func(b bmff.Box) bool {
		switch b.Type {
		case "\xa9xyz", "\xa9mak", "\xa9mod":
		case "XMP_":
			x.addXMP(bmff.ReadBody(r, b, maxXMP))
			return true
		default:
			return true
		}
		c := cursor{b: bmff.ReadBody(r, b, maxSmall)}
		size := int(c.u16())
		c.u16() // language
		s := c.next(size)
		if c.bad {
			return true
		}
		text := cleanString(string(s))
		switch b.Type {
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
func (m *movie) readMeta(r *io.SectionReader, meta bmff.Box, x *extract) {
	off, n := meta.Body()
	// In QuickTime files meta is a plain box, in MP4 a full box.
	if h := readAt(r, off, 8); len(h) == 8 && string(h[4:8]) != "hdlr" {
		off, n = off+4, n-4
	}
	values := map[string]string{}
	_ = bmff.Walk(r, off, off+n, func(b bmff.Box) bool {
		switch b.Type {
		case "keys":
			c := cursor{b: bmff.ReadBody(r, b, maxSmall)}
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
			ioff, in := b.Body()
			_ = bmff.Walk(r, ioff, ioff+in, func(item bmff.Box) bool {
				idx := binary.BigEndian.Uint32([]byte(item.Type))
				if idx == 0 || int(idx) > len(m.keys) {
					return true
				}
				doff, dn := item.Body()
				_ = bmff.Walk(r, doff, doff+dn, func(d bmff.Box) bool {
					if d.Type != "data" {
						return true
					}
					c := cursor{b: bmff.ReadBody(r, d, maxSmall)}
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

// xmpUUID is the top-level uuid box of an MP4 that holds XMP.
var xmpUUID = []byte{0xbe, 0x7a, 0xcf, 0xcb, 0x97, 0xa9, 0x42, 0xe8, 0x9c, 0x71, 0x99, 0x94, 0x91, 0xe3, 0xaf, 0xac}

// --- Canon CR3 ---

// cr3Uuid is the moov/uuid box holding Canon's CMT metadata boxes.
var cr3Uuid = []byte{0x85, 0xc0, 0xb6, 0x87, 0x82, 0x0f, 0x11, 0xe0, 0x81, 0x11, 0xf4, 0xce, 0x46, 0x2b, 0x6a, 0x48}

// readCR3 reads the TIFF blocks CMT1 (IFD0) and CMT2 (EXIF IFD) of a CR3.
func readCR3(r *io.SectionReader, x *extract) error {
	moov, err := topLevel(r, "moov", math.MaxInt64)
	if err != nil {
		return err
	}
	off, n := moov.Body()
	_ = bmff.Walk(r, off, off+n, func(b bmff.Box) bool {
		if b.Type != "uuid" {
			return true
		}
		boff, bn := b.Body()
		if id := readAt(r, boff, 16); !bytes.Equal(id, cr3Uuid) {
			return true
		}
		_ = bmff.Walk(r, boff+16, boff+bn, func(c bmff.Box) bool {
			if c.Type == "CMT1" || c.Type == "CMT2" {
				if e, ok := parseExif(bmff.ReadBody(r, c, maxExif)); ok {
					x.addExif(e)
				}
			}
			return true
		})
		return false
	})
	return nil
}
