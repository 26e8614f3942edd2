// Package rawpreview finds the JPEG previews that cameras embed in their RAW
// files (TIFF-based DNG, CR2, NEF, ARW, PEF, SRW, ORF, RW2, Fujifilm RAF and
// Canon CR3), so a RAW can be shown without demosaicing it.
package rawpreview

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image/jpeg"
	"io"
)

// ErrNoPreview means the file holds no embedded JPEG preview this package
// can find.
var ErrNoPreview = errors.New("no embedded jpeg preview")

// Preview is one embedded JPEG: its place in the file and, when its header
// could be read, its pixel size.
type Preview struct {
	Offset, Length int64
	Width, Height  int
}

// maxIFDs bounds how many IFDs are walked, so a loop of IFD offsets or a
// hostile file cannot keep the walk going.
const maxIFDs = 64

// Largest returns the embedded preview with the most pixels (ties go to the
// longer one). size is the size of the file behind r.
func Largest(r io.ReaderAt, size int64) (Preview, error) {
	all, err := Find(r, size)
	if err != nil {
		return Preview{}, err
	}
	best := all[0]
	for _, p := range all[1:] {
		if p.Width*p.Height > best.Width*best.Height ||
			(p.Width*p.Height == best.Width*best.Height && p.Length > best.Length) {
			best = p
		}
	}
	return best, nil
}

// Find returns every embedded JPEG preview whose data starts with a JPEG
// SOI marker and whose header decodes, in file order of discovery.
func Find(r io.ReaderAt, size int64) ([]Preview, error) {
	head := make([]byte, 16)
	n, err := r.ReadAt(head, 0)
	if n < 8 {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("read header: %w", err)
	}
	head = head[:n]
	var cands []Preview
	switch {
	case bytes.HasPrefix(head, []byte("FUJIFILMCCD-RAW")):
		cands, err = raf(r, size)
	case len(head) >= 12 && string(head[4:12]) == "ftypcrx ":
		cands, err = cr3(r, size)
	default:
		cands, err = tiffPreviews(r, size, 0)
	}
	if err != nil {
		return nil, err
	}
	var out []Preview
	for _, c := range cands {
		if c.Offset < 0 || c.Length < 4 || c.Offset > size || c.Length > size-c.Offset {
			continue
		}
		cfg, err := jpeg.DecodeConfig(io.NewSectionReader(r, c.Offset, c.Length))
		if err != nil {
			continue
		}
		c.Width, c.Height = cfg.Width, cfg.Height
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, ErrNoPreview
	}
	return out, nil
}

// TIFF tags used to locate previews.
const (
	tagCompression     = 0x0103
	tagStripOffsets    = 0x0111
	tagStripByteCounts = 0x0117
	tagSubIFDs         = 0x014a
	tagJPEGOffset      = 0x0201
	tagJPEGLength      = 0x0202
	tagExifIFD         = 0x8769
	tagRW2JpgFromRaw   = 0x002e
)

// tiffPreviews walks the TIFF structure that starts at base (IFD0 chain,
// SubIFDs and the EXIF IFD) and collects JPEG candidates.
func tiffPreviews(r io.ReaderAt, size, base int64) ([]Preview, error) {
	hdr := make([]byte, 8)
	if _, err := r.ReadAt(hdr, base); err != nil {
		return nil, fmt.Errorf("read tiff header: %w", err)
	}
	var bo binary.ByteOrder
	switch string(hdr[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return nil, fmt.Errorf("not a tiff-based raw file: %w", ErrNoPreview)
	}
	// 42 is TIFF; ORF uses 0x4f52/0x5352 and RW2 0x55, with the same layout.
	switch bo.Uint16(hdr[2:]) {
	case 42, 0x4f52, 0x5352, 0x55:
	default:
		return nil, fmt.Errorf("not a tiff-based raw file: %w", ErrNoPreview)
	}
	w := walker{r: r, size: size, base: base, bo: bo, seen: map[int64]bool{}}
	w.queue = append(w.queue, int64(bo.Uint32(hdr[4:])))
	for len(w.queue) > 0 && len(w.seen) < maxIFDs {
		off := w.queue[0]
		w.queue = w.queue[1:]
		w.ifd(off)
	}
	return w.out, nil
}

type walker struct {
	r     io.ReaderAt
	size  int64
	base  int64
	bo    binary.ByteOrder
	seen  map[int64]bool
	queue []int64
	out   []Preview
}

// ifd reads one IFD at off (relative to the TIFF header), records its JPEG
// candidates and queues the IFDs it points to. Unreadable IFDs are skipped:
// other IFDs may still hold a preview.
func (w *walker) ifd(off int64) {
	if off <= 0 || w.seen[off] || w.base+off+2 > w.size {
		return
	}
	w.seen[off] = true
	cnt := make([]byte, 2)
	if _, err := w.r.ReadAt(cnt, w.base+off); err != nil {
		return
	}
	n := int64(w.bo.Uint16(cnt))
	if w.base+off+2+n*12+4 > w.size {
		return
	}
	buf := make([]byte, n*12+4)
	if _, err := w.r.ReadAt(buf, w.base+off+2); err != nil {
		return
	}
	var compression, jpegOff, jpegLen uint32
	var strips, counts []uint32
	for i := range n {
		e := buf[i*12 : i*12+12]
		tag := w.bo.Uint16(e)
		switch tag {
		case tagCompression:
			compression = w.values(e)[0]
		case tagJPEGOffset:
			jpegOff = w.values(e)[0]
		case tagJPEGLength:
			jpegLen = w.values(e)[0]
		case tagStripOffsets:
			strips = w.values(e)
		case tagStripByteCounts:
			counts = w.values(e)
		case tagSubIFDs, tagExifIFD:
			for _, v := range w.values(e) {
				w.queue = append(w.queue, int64(v))
			}
		case tagRW2JpgFromRaw:
			// An undefined-type blob holding a whole JPEG.
			if c, o := w.bo.Uint32(e[4:]), w.bo.Uint32(e[8:]); c > 4 {
				w.add(int64(o), int64(c))
			}
		}
	}
	if jpegOff > 0 && jpegLen > 0 {
		w.add(int64(jpegOff), int64(jpegLen))
	}
	if (compression == 6 || compression == 7) && len(strips) == 1 && len(counts) == 1 {
		w.add(int64(strips[0]), int64(counts[0]))
	}
	w.queue = append(w.queue, int64(w.bo.Uint32(buf[n*12:])))
}

// add records a candidate if its data starts with a JPEG SOI marker.
func (w *walker) add(off, length int64) {
	soi := make([]byte, 2)
	if _, err := w.r.ReadAt(soi, w.base+off); err != nil || soi[0] != 0xff || soi[1] != 0xd8 {
		return
	}
	w.out = append(w.out, Preview{Offset: w.base + off, Length: length})
}

// values returns the SHORT or LONG values of an IFD entry (at most 1024;
// nothing for other types), reading them from the file when they do not fit
// in the entry.
func (w *walker) values(e []byte) []uint32 {
	typ := w.bo.Uint16(e[2:])
	count := int64(w.bo.Uint32(e[4:]))
	var width int64
	switch typ {
	case 3:
		width = 2
	case 4, 13:
		width = 4
	default:
		return []uint32{0}
	}
	if count < 1 || count > 1024 {
		return []uint32{0}
	}
	data := e[8:12]
	if count*width > 4 {
		off := w.base + int64(w.bo.Uint32(e[8:]))
		if off+count*width > w.size {
			return []uint32{0}
		}
		data = make([]byte, count*width)
		if _, err := w.r.ReadAt(data, off); err != nil {
			return []uint32{0}
		}
	}
	out := make([]uint32, count)
	for i := range out {
		if width == 2 {
			out[i] = uint32(w.bo.Uint16(data[int64(i)*2:]))
		} else {
			out[i] = w.bo.Uint32(data[int64(i)*4:])
		}
	}
	return out
}

// raf reads the Fujifilm RAF header: big-endian JPEG offset and length at
// bytes 84 and 88. The CFA part of some RAFs is a TIFF with more previews,
// but the header JPEG is the large one.
func raf(r io.ReaderAt, size int64) ([]Preview, error) {
	b := make([]byte, 8)
	if _, err := r.ReadAt(b, 84); err != nil {
		return nil, fmt.Errorf("read raf header: %w", err)
	}
	return []Preview{{
		Offset: int64(binary.BigEndian.Uint32(b)),
		Length: int64(binary.BigEndian.Uint32(b[4:])),
	}}, nil
}

// cr3PreviewUUID names the top-level box of a Canon CR3 that holds the PRVW
// (about 1620x1080) JPEG preview.
var cr3PreviewUUID = []byte{0xea, 0xf4, 0x2b, 0x5e, 0x1c, 0x98, 0x4b, 0x88, 0xb9, 0xfb, 0xb7, 0xdc, 0x40, 0x6e, 0x4d, 0x16}

// cr3 walks the top-level ISO BMFF boxes of a CR3 and returns the JPEG
// inside the PRVW box.
func cr3(r io.ReaderAt, size int64) ([]Preview, error) {
	hdr := make([]byte, 32)
	for off := int64(0); off+8 <= size; {
		if _, err := r.ReadAt(hdr, off); err != nil && err != io.EOF {
			return nil, fmt.Errorf("read cr3 box: %w", err)
		}
		boxLen := int64(binary.BigEndian.Uint32(hdr))
		hlen := int64(8)
		if boxLen == 1 {
			boxLen = int64(binary.BigEndian.Uint64(hdr[8:]))
			hlen = 16
		} else if boxLen == 0 {
			boxLen = size - off
		}
		if boxLen < hlen {
			break
		}
		if string(hdr[4:8]) == "uuid" && bytes.Equal(hdr[hlen:hlen+16], cr3PreviewUUID) {
			return prvw(r, off+hlen+16, off+boxLen)
		}
		off += boxLen
	}
	return nil, ErrNoPreview
}

// prvw scans the preview uuid box between start and end for the PRVW box
// and returns the JPEG at the first SOI marker inside it.
func prvw(r io.ReaderAt, start, end int64) ([]Preview, error) {
	const scan = 256
	buf := make([]byte, scan)
	n, _ := r.ReadAt(buf, start)
	buf = buf[:n]
	i := bytes.Index(buf, []byte("PRVW"))
	if i < 0 {
		return nil, ErrNoPreview
	}
	j := bytes.Index(buf[i:], []byte{0xff, 0xd8, 0xff})
	if j < 0 {
		return nil, ErrNoPreview
	}
	off := start + int64(i+j)
	return []Preview{{Offset: off, Length: end - off}}, nil
}
