package media

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"image"
	"image/gif"
	"image/png"
	"io"

	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"

	"github.com/picup/picup/pkg/capturetime"
)

// maxSegments bounds the walk over JPEG segments and PNG/RIFF chunks.
const maxSegments = 1 << 16

// JPEG walk limits: segments before the frame header, junk resyncs and how
// far to look past junk for the next marker.
const (
	maxJPEGSegments = 1024
	maxResyncs      = 8
	maxJunk         = 4096
)

var exifHeader = []byte("Exif\x00\x00")

// readJPEG walks the JPEG segments up to the first frame header: the EXIF
// APP1 segment comes before it, and the frame header holds the pixel size.
// The capture times of maker and legacy blocks (APP0 CIFF, APP1 FLIR and
// QVCI, APP12 picture info) join the candidates at the end.
func readJPEG(r *io.SectionReader, x *extract) {
	var blocks capturetime.JPEGBlocks
	defer func() { x.cands = append(x.cands, blocks.Candidates()...) }()
	pos, resyncs := int64(2), 0
	for range maxJPEGSegments {
		h := readAt(r, pos, 4)
		if len(h) >= 2 && h[0] != 0xFF {
			if resyncs++; resyncs > maxResyncs {
				return
			}
			// Junk between segments: resynchronise on the next marker.
			skip := bytes.IndexByte(readAt(r, pos, maxJunk), 0xFF)
			if skip < 0 {
				return
			}
			pos += int64(skip)
			h = readAt(r, pos, 4)
		}
		if len(h) < 2 {
			return
		}
		marker := h[1]
		switch {
		case marker == 0xFF: // fill byte
			pos++
			continue
		case marker == 0x01 || marker >= 0xD0 && marker <= 0xD7:
			pos += 2
			continue
		case marker == 0xD9 || marker == 0xDA || len(h) < 4:
			return
		}
		length := int64(binary.BigEndian.Uint16(h[2:]))
		if length < 2 {
			return
		}
		switch {
		case marker == 0xE1:
			seg := readAt(r, pos+4, length-2)
			switch {
			case bytes.HasPrefix(seg, exifHeader) && !x.exifFound:
				if e, ok := parseExif(seg[len(exifHeader):]); ok {
					x.addExif(e)
				}
			case bytes.HasPrefix(seg, xmpHeader) && !x.xmpFound:
				x.xmpFound = true
				x.addXMP(seg[len(xmpHeader):])
			default:
				blocks.Add(marker, seg)
			}
		case marker == 0xE0 || marker == 0xEC:
			blocks.Add(marker, readAt(r, pos+4, length-2))
		case marker == 0xED && !x.iptcFound:
			seg := readAt(r, pos+4, length-2)
			if bytes.HasPrefix(seg, photoshopHeader) {
				if b := photoshopIPTC(seg[len(photoshopHeader):]); b != nil {
					x.iptcFound = true
					x.addIPTC(b)
				}
			}
		case isSOF(marker):
			if f := readAt(r, pos+4, 5); len(f) == 5 {
				x.md.Height = int(binary.BigEndian.Uint16(f[1:]))
				x.md.Width = int(binary.BigEndian.Uint16(f[3:]))
			}
			return
		}
		pos += 2 + length
	}
}

func isSOF(m byte) bool {
	return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC
}

func setConfig(x *extract, c image.Config, err error) {
	if err == nil && c.Width > 0 && c.Height > 0 {
		x.md.Width, x.md.Height = c.Width, c.Height
	}
}

// exifPayload parses an EXIF block that may carry the "Exif\0\0" prefix.
func exifPayload(x *extract, b []byte) {
	b = bytes.TrimPrefix(b, exifHeader)
	if e, ok := parseExif(b); ok {
		x.addExif(e)
	}
}

func readPNG(r *io.SectionReader, x *extract) {
	c, err := png.DecodeConfig(io.NewSectionReader(r, 0, r.Size()))
	setConfig(x, c, err)
	pos := int64(8)
	for range maxSegments {
		h := readAt(r, pos, 8)
		if len(h) < 8 {
			return
		}
		n := int64(binary.BigEndian.Uint32(h))
		switch string(h[4:]) {
		case "eXIf":
			if !x.exifFound {
				exifPayload(x, readAt(r, pos+8, min(n, maxExif)))
			}
		case "iTXt":
			if !x.xmpFound {
				pngXMP(x, readAt(r, pos+8, min(n, maxXMP)))
			}
		case "IEND":
			return
		}
		pos += 12 + n
	}
}

func readGIF(r *io.SectionReader, x *extract) {
	c, err := gif.DecodeConfig(io.NewSectionReader(r, 0, r.Size()))
	setConfig(x, c, err)
}

func readWebP(r *io.SectionReader, x *extract) {
	c, err := webp.DecodeConfig(io.NewSectionReader(r, 0, r.Size()))
	setConfig(x, c, err)
	pos := int64(12)
	for range maxSegments {
		h := readAt(r, pos, 8)
		if len(h) < 8 {
			return
		}
		n := int64(binary.LittleEndian.Uint32(h[4:]))
		switch string(h[:4]) {
		case "EXIF":
			if !x.exifFound {
				exifPayload(x, readAt(r, pos+8, min(n, maxExif)))
			}
		case "XMP ":
			if !x.xmpFound {
				x.xmpFound = true
				x.addXMP(readAt(r, pos+8, min(n, maxXMP)))
			}
		}
		pos += 8 + n + n&1
	}
}

// readTIFF reads a TIFF or a TIFF-based camera RAW. The metadata IFDs sit
// near the start; values past maxExif are ignored.
func readTIFF(r *io.SectionReader, format string, x *extract) {
	b := readAt(r, 0, maxExif)
	if e, ok := parseExif(b); ok {
		x.addExif(e)
		if e.xmp != nil {
			x.addXMP(e.xmp)
		}
		if e.iptc != nil {
			x.addIPTC(e.iptc)
		}
	}
	if format == "tiff" {
		c, err := tiff.DecodeConfig(bytes.NewReader(b))
		setConfig(x, c, err)
	}
}

// readRAF reads the EXIF of the JPEG preview that a Fujifilm RAF embeds.
func readRAF(r *io.SectionReader, x *extract) {
	h := readAt(r, 84, 8)
	if len(h) < 8 {
		return
	}
	off, n := int64(binary.BigEndian.Uint32(h)), int64(binary.BigEndian.Uint32(h[4:]))
	if off <= 0 || off >= r.Size() {
		return
	}
	preview := extract{md: Metadata{Orientation: 1}}
	readJPEG(io.NewSectionReader(r, off, min(n, r.Size()-off)), &preview)
	x.md.Orientation = preview.md.Orientation
	x.md.Make, x.md.Model, x.md.Lens = preview.md.Make, preview.md.Model, preview.md.Lens
	x.md.Lat, x.md.Lon, x.md.Altitude = preview.md.Lat, preview.md.Lon, preview.md.Altitude
	x.exifW, x.exifH, x.exifFound = preview.exifW, preview.exifH, preview.exifFound
	x.cands = append(x.cands, preview.cands...)
	x.md.Descriptive = preview.md.Descriptive
}

// pngXMP reads an iTXt chunk holding XMP: keyword, NUL, compression flag
// and method, language tag, NUL, translated keyword, NUL, text (zlib
// compressed when the flag is 1, inflated to at most maxXMP bytes).
func pngXMP(x *extract, b []byte) {
	key, rest, ok := bytes.Cut(b, []byte{0})
	if !ok || string(key) != "XML:com.adobe.xmp" || len(rest) < 2 {
		return
	}
	compressed := rest[0] == 1
	rest = rest[2:]
	if _, rest, ok = bytes.Cut(rest, []byte{0}); !ok {
		return
	}
	if _, rest, ok = bytes.Cut(rest, []byte{0}); !ok {
		return
	}
	if compressed {
		zr, err := zlib.NewReader(bytes.NewReader(rest))
		if err != nil {
			return
		}
		rest, _ = io.ReadAll(io.LimitReader(zr, maxXMP))
	}
	x.xmpFound = true
	x.addXMP(rest)
}
