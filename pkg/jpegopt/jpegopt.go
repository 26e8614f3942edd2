// Package jpegopt makes baseline JPEGs smaller without touching their
// pixels: it rewrites them with Huffman tables made for their own symbols,
// what libjpeg's "optimize coding" does.
package jpegopt

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// OptimizeHuffman rewrites a baseline JPEG, as image/jpeg writes it, with
// Huffman tables made for its own symbols instead of the example tables of
// the JPEG standard (Annex K.3) that image/jpeg always uses. The quantized
// coefficients stay as they are, so the picture decodes to exactly the same
// pixels, in 3–8 % fewer bytes.
//
// It reads one interleaved (or single-component) sequential scan with
// 8-bit precision and no restart intervals; anything else is an error.
func OptimizeHuffman(src []byte) ([]byte, error) {
	h, sos, rest, err := readHeader(src)
	if err != nil {
		return nil, err
	}
	return rewriteScan(h, sos, rest)
}

// header is what the segments before the scan say.
type header struct {
	keep          [][]byte // segments to copy before the scan, markers included
	tables        [2][4]*huffTable
	frame         []frameComp
	width, height int
}

// readHeader reads the segments up to the start of scan and returns them,
// the SOS segment (marker included) and what follows it.
func readHeader(src []byte) (h *header, sos, rest []byte, err error) {
	if len(src) < 4 || src[0] != 0xff || src[1] != 0xd8 {
		return nil, nil, nil, errors.New("not a JPEG")
	}
	h = &header{}
	pos := 2
	for {
		if pos+4 > len(src) || src[pos] != 0xff {
			return nil, nil, nil, errors.New("bad marker")
		}
		m := src[pos+1]
		n := int(binary.BigEndian.Uint16(src[pos+2:]))
		if n < 2 || pos+2+n > len(src) {
			return nil, nil, nil, errors.New("truncated segment")
		}
		seg := src[pos+4 : pos+2+n]
		switch {
		case m == 0xc0: // SOF0, baseline
			if err := h.readFrame(seg); err != nil {
				return nil, nil, nil, err
			}
			h.keep = append(h.keep, src[pos:pos+2+n])
		case m == 0xc4: // DHT: read, and replaced by rewriteScan
			for len(seg) > 0 {
				t, rest, err := parseHuffTable(seg)
				if err != nil {
					return nil, nil, nil, err
				}
				h.tables[seg[0]>>4][seg[0]&15] = t
				seg = rest
			}
		case m == 0xdb, m >= 0xe0 && m <= 0xef, m == 0xfe: // DQT, APPn, COM
			h.keep = append(h.keep, src[pos:pos+2+n])
		case m == 0xda: // SOS
			if h.frame == nil {
				return nil, nil, nil, errors.New("scan before frame")
			}
			return h, src[pos : pos+2+n], src[pos+2+n:], nil
		default:
			return nil, nil, nil, fmt.Errorf("unsupported marker %#x", m)
		}
		pos += 2 + n
	}
}

// readFrame reads a baseline frame header (SOF0 without its marker and
// length): the size and each component's sampling factors.
func (h *header) readFrame(seg []byte) error {
	if len(seg) < 6 || seg[0] != 8 || len(seg) != 6+3*int(seg[5]) || seg[5] == 0 || seg[5] > 4 {
		return errors.New("unsupported frame")
	}
	h.height, h.width = int(binary.BigEndian.Uint16(seg[1:])), int(binary.BigEndian.Uint16(seg[3:]))
	for i := range int(seg[5]) {
		c := seg[6+3*i:]
		hs, vs := int(c[1]>>4), int(c[1]&15)
		if hs < 1 || hs > 4 || vs < 1 || vs > 4 {
			return errors.New("bad sampling factors")
		}
		h.frame = append(h.frame, frameComp{id: c[0], h: hs, v: vs})
	}
	return nil
}

type frameComp struct {
	id   byte
	h, v int
}

// huffTable is one Huffman table: counts of codes by length, the symbols
// in code order, and what decoding and encoding need.
type huffTable struct {
	counts [16]byte
	vals   []byte
	// Decoding: a lookup of codes up to lutBits long (length<<8 | symbol,
	// 0 for longer codes), and the canonical limits of longer codes.
	lut     [1 << lutBits]uint16
	maxcode [17]int32 // the largest code of each length, -1 when none
	valptr  [17]int32 // index in vals of the first code of each length
	mincode [17]int32
	// Encoding: the code and its length of each symbol.
	code [256]uint16
	size [256]uint8
}

const lutBits = 11

func parseHuffTable(seg []byte) (*huffTable, []byte, error) {
	if len(seg) < 17 || seg[0]>>4 > 1 || seg[0]&15 > 3 {
		return nil, nil, errors.New("bad Huffman table")
	}
	t := &huffTable{}
	total := 0
	for i := range 16 {
		t.counts[i] = seg[1+i]
		total += int(seg[1+i])
	}
	if total == 0 || total > 256 || len(seg) < 17+total {
		return nil, nil, errors.New("bad Huffman table")
	}
	t.vals = seg[17 : 17+total]
	if err := t.build(); err != nil {
		return nil, nil, err
	}
	return t, seg[17+total:], nil
}

// build assigns the canonical codes (Annex C) and fills the lookups.
func (t *huffTable) build() error {
	code, k := int32(0), 0
	for l := 1; l <= 16; l++ {
		n := int(t.counts[l-1])
		t.valptr[l], t.mincode[l], t.maxcode[l] = int32(k), code, -1
		for range n {
			if code >= 1<<l {
				return errors.New("the Huffman table overflows its code space")
			}
			v := t.vals[k]
			t.code[v], t.size[v] = uint16(code), uint8(l)
			if l <= lutBits {
				shift := lutBits - l
				for j := range 1 << shift {
					t.lut[int(code)<<shift|j] = uint16(l)<<8 | uint16(v)
				}
			}
			code++
			k++
		}
		if n > 0 {
			t.maxcode[l] = code - 1
		}
		code <<= 1
	}
	return nil
}

// bitReader reads the entropy-coded data of a scan, byte stuffing already
// removed. Past the end it reads 1 bits, the padding, and counts them.
type bitReader struct {
	data []byte
	pos  int
	acc  uint64 // the next bits, from the top
	n    uint   // bits in acc
	over uint   // padding bits put in acc
}

func (b *bitReader) fill() {
	for b.n <= 56 {
		c := byte(0xff)
		if b.pos < len(b.data) {
			c = b.data[b.pos]
			b.pos++
		} else {
			b.over += 8
		}
		b.acc |= uint64(c) << (56 - b.n)
		b.n += 8
	}
}

func (b *bitReader) bits(n uint) uint32 {
	if n == 0 {
		return 0
	}
	if b.n < n {
		b.fill()
	}
	v := uint32(b.acc >> (64 - n))
	b.acc <<= n
	b.n -= n
	return v
}

// overrun says whether more bits were read than the data holds.
func (b *bitReader) overrun() bool { return b.n < b.over }

func (b *bitReader) decode(t *huffTable) (byte, error) {
	if b.n < 16 {
		b.fill()
	}
	if e := t.lut[b.acc>>(64-lutBits)]; e != 0 {
		l := uint(e >> 8)
		b.acc <<= l
		b.n -= l
		return byte(e), nil
	}
	for l := lutBits + 1; l <= 16; l++ {
		code := int32(b.acc >> (64 - uint(l)))
		if code <= t.maxcode[l] {
			b.acc <<= uint(l)
			b.n -= uint(l)
			return t.vals[t.valptr[l]+code-t.mincode[l]], nil
		}
	}
	return 0, errors.New("bad Huffman code")
}

// slotOf numbers the tables: DC 0–3, then AC 4–7.
func slotOf(class, id int) int { return class<<2 | id }

type scanComp struct {
	h, v   int
	td, ta int
	blocks int // blocks across and down, for a single-component scan
	rows   int
}

// rewriteScan decodes the scan's symbols with the tables it was written
// with, makes optimal tables for them (Annex K.2) and writes the file again.
func rewriteScan(h *header, sos, rest []byte) ([]byte, error) {
	sc, err := h.readScan(sos)
	if err != nil {
		return nil, err
	}
	if sc.data, err = unstuff(rest); err != nil {
		return nil, err
	}

	// First pass: count the symbols of each table.
	var freq [8][257]int
	if err := sc.walk(func(slot int, sym byte, _ uint32, _ uint) { freq[slot][sym]++ }); err != nil {
		return nil, err
	}
	opt, dht, err := optimalTables(&freq)
	if err != nil {
		return nil, err
	}

	out := make([]byte, 0, len(rest)+1024)
	out = append(out, 0xff, 0xd8)
	for _, seg := range h.keep {
		out = append(out, seg...)
	}
	out = append(out, dht...)
	out = append(out, sos...)

	// Second pass: the same symbols with the new codes.
	bw := bitWriter{out: out}
	err = sc.walk(func(slot int, sym byte, extra uint32, n uint) {
		t := opt[slot]
		size := uint(t.size[sym])
		bw.write(uint32(t.code[sym])<<n|extra, size+n)
	})
	if err != nil {
		return nil, err
	}
	bw.flush()
	return append(bw.out, 0xff, 0xd9), nil
}

// readScan reads a scan header (SOS, marker included): which components the
// scan holds, with which tables, and how many MCUs it has.
func (h *header) readScan(sos []byte) (*scan, error) {
	seg := sos[4:]
	if len(seg) < 1 || len(seg) != 4+2*int(seg[0]) || seg[0] == 0 {
		return nil, errors.New("bad scan header")
	}
	ns := int(seg[0])
	if ss, se, a := seg[1+2*ns], seg[2+2*ns], seg[3+2*ns]; ss != 0 || se != 63 || a != 0 {
		return nil, errors.New("not a sequential scan")
	}
	hmax, vmax := 1, 1
	for _, f := range h.frame {
		hmax, vmax = max(hmax, f.h), max(vmax, f.v)
	}
	comps := make([]scanComp, ns)
	for i := range ns {
		id, sel := seg[1+2*i], seg[2+2*i]
		j := -1
		for k, f := range h.frame {
			if f.id == id {
				j = k
			}
		}
		if j < 0 || sel>>4 > 3 || sel&15 > 3 || h.tables[0][sel>>4] == nil || h.tables[1][sel&15] == nil {
			return nil, errors.New("scan names an unknown component or table")
		}
		f := h.frame[j]
		cw := (h.width*f.h + hmax - 1) / hmax
		ch := (h.height*f.v + vmax - 1) / vmax
		comps[i] = scanComp{h: f.h, v: f.v, td: int(sel >> 4), ta: int(sel & 15), blocks: (cw + 7) / 8, rows: (ch + 7) / 8}
	}
	var mcux, mcuy int
	if ns == 1 {
		// A single-component scan is not in MCUs: one block at a time.
		comps[0].h, comps[0].v = 1, 1
		mcux, mcuy = comps[0].blocks, comps[0].rows
	} else {
		mcux, mcuy = (h.width+8*hmax-1)/(8*hmax), (h.height+8*vmax-1)/(8*vmax)
	}
	return &scan{comps: comps, mcus: mcux * mcuy, tables: h.tables}, nil
}

// unstuff returns the entropy-coded data that starts rest, up to the EOI
// marker that must end it, with each stuffed 0xFF 0x00 made 0xFF again.
func unstuff(rest []byte) ([]byte, error) {
	data := make([]byte, 0, len(rest))
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if c != 0xff {
			data = append(data, c)
			continue
		}
		if i+1 >= len(rest) {
			break
		}
		if rest[i+1] == 0x00 {
			data = append(data, 0xff)
			i++
			continue
		}
		if rest[i+1] == 0xd9 {
			return data, nil
		}
		break
	}
	return nil, errors.New("no end of image after the scan, or a marker within it")
}

// optimalTables makes an optimal table for each slot (see slotOf) that has
// symbols, and the DHT segment (marker included) that declares them.
func optimalTables(freq *[8][257]int) (opt [8]*huffTable, dht []byte, err error) {
	dht = []byte{0xff, 0xc4, 0, 0} // the length is set below
	for slot := range opt {
		used := false
		for _, f := range freq[slot][:256] {
			used = used || f > 0
		}
		if !used {
			continue
		}
		t, err := optimalTable(&freq[slot])
		if err != nil {
			return opt, nil, err
		}
		opt[slot] = t
		dht = append(dht, byte(slot>>2<<4|slot&3))
		dht = append(dht, t.counts[:]...)
		dht = append(dht, t.vals...)
	}
	binary.BigEndian.PutUint16(dht[2:], uint16(len(dht)-2))
	return opt, dht, nil
}

// scan is the entropy-coded data of a scan and how to read it.
type scan struct {
	data   []byte // byte stuffing removed
	comps  []scanComp
	mcus   int
	tables [2][4]*huffTable
}

// walk decodes every symbol of the scan, in order, and gives it to fn with
// its table's slot (see slotOf), its extra bits and their number.
func (sc *scan) walk(fn func(slot int, sym byte, extra uint32, n uint)) error {
	br := &bitReader{data: sc.data}
	for range sc.mcus {
		for _, c := range sc.comps {
			dc, ac := sc.tables[0][c.td], sc.tables[1][c.ta]
			dcSlot, acSlot := slotOf(0, c.td), slotOf(1, c.ta)
			for range c.h * c.v {
				s, err := br.decode(dc)
				if err != nil {
					return err
				}
				if s > 11 {
					return errors.New("bad DC size")
				}
				fn(dcSlot, s, br.bits(uint(s)), uint(s))
				for k := 1; k < 64; k++ {
					rs, err := br.decode(ac)
					if err != nil {
						return err
					}
					r, size := int(rs>>4), uint(rs&15)
					if size == 0 && r != 15 {
						fn(acSlot, rs, 0, 0) // end of block
						break
					}
					k += r
					if k > 63 || size > 10 {
						return errors.New("bad AC coefficient")
					}
					fn(acSlot, rs, br.bits(size), size)
				}
			}
		}
	}
	if br.overrun() {
		return errors.New("scan data ends early")
	}
	return nil
}

// bitWriter appends bits, stuffing a 0x00 after every 0xFF byte.
type bitWriter struct {
	out []byte
	acc uint64 // pending bits, in the low n bits
	n   uint
}

// write appends the low n bits of v; n is at most 32.
func (w *bitWriter) write(v uint32, n uint) {
	w.acc = w.acc<<n | uint64(v)&(1<<n-1)
	w.n += n
	if w.n < 32 {
		return
	}
	w.n -= 32
	c := uint32(w.acc >> w.n)
	if c&0xff000000 != 0xff000000 && c&0xff0000 != 0xff0000 && c&0xff00 != 0xff00 && c&0xff != 0xff {
		w.out = append(w.out, byte(c>>24), byte(c>>16), byte(c>>8), byte(c))
		return
	}
	for _, b := range [4]byte{byte(c >> 24), byte(c >> 16), byte(c >> 8), byte(c)} {
		w.out = append(w.out, b)
		if b == 0xff {
			w.out = append(w.out, 0)
		}
	}
}

// flush writes the last bits, the last byte padded with 1 bits.
func (w *bitWriter) flush() {
	for w.n >= 8 {
		w.n -= 8
		b := byte(w.acc >> w.n)
		w.out = append(w.out, b)
		if b == 0xff {
			w.out = append(w.out, 0)
		}
	}
	if w.n > 0 {
		b := byte(w.acc<<(8-w.n)) | byte(1<<(8-w.n)-1)
		w.out = append(w.out, b)
		if b == 0xff {
			w.out = append(w.out, 0)
		}
		w.n = 0
	}
}

// optimalTable makes the Huffman table of Annex K.2 for symbol
// frequencies: codes of at most 16 bits, and none made only of 1 bits
// (the reserved symbol 256 takes that place and is then dropped).
func optimalTable(freq *[257]int) (*huffTable, error) {
	var f [257]int
	copy(f[:], freq[:])
	f[256] = 1
	var codesize [257]int
	var others [257]int
	for i := range others {
		others[i] = -1
	}
	for {
		c1, c2 := -1, -1
		v1, v2 := int(^uint(0)>>1), int(^uint(0)>>1)
		for i := range f {
			if f[i] == 0 {
				continue
			}
			if f[i] <= v1 {
				c2, v2 = c1, v1
				c1, v1 = i, f[i]
			} else if f[i] <= v2 {
				c2, v2 = i, f[i]
			}
		}
		if c2 < 0 {
			break
		}
		f[c1] += f[c2]
		f[c2] = 0
		codesize[c1]++
		for others[c1] >= 0 {
			c1 = others[c1]
			codesize[c1]++
		}
		others[c1] = c2
		codesize[c2]++
		for others[c2] >= 0 {
			c2 = others[c2]
			codesize[c2]++
		}
	}
	var bits [33]int
	for i, s := range codesize {
		if s > 32 {
			return nil, fmt.Errorf("the Huffman code of symbol %d is too long", i)
		}
		if s > 0 {
			bits[s]++
		}
	}
	// Limit code lengths to 16 bits (Annex K.3's adjust_bits).
	for i := 32; i > 16; i-- {
		for bits[i] > 0 {
			j := i - 2
			for bits[j] == 0 {
				j--
			}
			bits[i] -= 2
			bits[i-1]++
			bits[j+1] += 2
			bits[j]--
		}
	}
	i := 16
	for bits[i] == 0 {
		i--
	}
	bits[i]-- // drop the reserved code
	t := &huffTable{}
	for l := 1; l <= 16; l++ {
		t.counts[l-1] = byte(bits[l])
	}
	for l := 1; l <= 32; l++ {
		for s := range 256 {
			if codesize[s] == l {
				t.vals = append(t.vals, byte(s))
			}
		}
	}
	if err := t.build(); err != nil {
		return nil, err
	}
	return t, nil
}
