package media

import (
	"bytes"
	"encoding/binary"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rwcarlsen/goexif/exif"
	"github.com/rwcarlsen/goexif/tiff"

	"github.com/picup/picup/pkg/capturetime"
)

// maxExif caps how much EXIF payload is read and parsed.
const maxExif = 16 << 20

// maxTagCount caps the count of a numeric TIFF tag; goexif allocates eight
// bytes per value, and no tag read here needs more.
const maxTagCount = 4096

// TIFF tags that goexif does not know and that are read directly.
const (
	tagExifIFD            = 0x8769
	tagGPSIFD             = 0x8825
	tagInteropIFD         = 0xA005
	tagTimeZoneOffset     = 0x882A
	tagOffsetTime         = 0x9010
	tagOffsetTimeOriginal = 0x9011
	tagOffsetTimeDigit    = 0x9012
	tagNeutralised        = 0xFFFF
	tagXMP                = 0x02BC // XMLPacket
	tagIPTC               = 0x83BB // IPTC-NAA
)

var tiffTypeSize = [...]uint64{1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8}

// exifInfo is what one EXIF block says.
type exifInfo struct {
	make, model, lens string
	orientation       int
	width, height     int // PixelX/YDimension, or IFD0 ImageWidth/ImageLength
	dto, create       capturetime.Candidate
	lat, lon, alt     *float64
	xmp, iptc         []byte // IFD0 XMLPacket and IPTC-NAA (TIFF files)
}

// extraTags are the tags goexif drops, collected while sanitising.
type extraTags struct {
	offset, offsetOriginal, offsetDigitized string
	tzHours                                 *int
	xmp, iptc                               []byte
}

// sanitizeTIFF rewrites a private copy of a TIFF/EXIF block so that goexif
// can decode it without huge allocations, failures on one bad tag or IFD
// loops: entries whose value lies outside the block, has an unknown type or
// an implausible count are replaced by a harmless dummy tag, IFD entry
// counts are clamped to the block and only IFD0 (plus its EXIF, GPS and
// Interop sub-IFDs) is kept. It also collects the tags goexif does not know.
func sanitizeTIFF(b []byte) (extraTags, bool) {
	var x extraTags
	if len(b) < 8 {
		return x, false
	}
	var bo binary.ByteOrder
	switch string(b[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return x, false
	}
	// ORF ("IIRO") and RW2 ("IIU\0") use their own magic numbers.
	bo.PutUint16(b[2:], 42)
	ok := sanitizeIFD(b, bo, bo.Uint32(b[4:]), 0, &x)
	return x, ok
}

func sanitizeIFD(b []byte, bo binary.ByteOrder, off uint32, depth int, x *extraTags) bool {
	size := uint64(len(b))
	if off < 8 || uint64(off)+2+4 > size {
		return false
	}
	// An IFD that does not fit is garbage as a whole (as ExifTool judges).
	n := uint64(bo.Uint16(b[off:]))
	if n > (size-uint64(off)-2-4)/12 || n > math.MaxInt16 {
		return false
	}
	for i := range n {
		e := b[uint64(off)+2+12*i:][:12]
		id, typ, count := bo.Uint16(e), bo.Uint16(e[2:]), bo.Uint32(e[4:])
		var vsize uint64
		if int(typ) < len(tiffTypeSize) {
			vsize = tiffTypeSize[typ] * uint64(count)
		}
		val := e[8:12]
		if vsize > 4 {
			if vo := uint64(bo.Uint32(e[8:])); vo+vsize <= size {
				val = b[vo : vo+vsize]
			} else {
				vsize = 0
			}
		}
		if vsize > 0 && depth == 0 && (typ == 1 || typ == 7 || typ == 4) {
			// Large byte blocks goexif need not see: taken here.
			switch id {
			case tagXMP:
				x.xmp = bytes.Clone(val)
			case tagIPTC:
				x.iptc = bytes.Clone(val)
			}
		}
		numeric := typ != 2 && typ != 7
		ok := vsize > 0 && !(numeric && count > maxTagCount)
		if ok {
			switch {
			case id == tagExifIFD && depth == 0, id == tagGPSIFD && depth == 0, id == tagInteropIFD && depth == 1:
				ok = (typ == 4 || typ == 13) && count == 1 && sanitizeIFD(b, bo, bo.Uint32(val), depth+1, x)
				if typ == 13 {
					bo.PutUint16(e[2:], 4) // goexif does not know the IFD type
				}
			case id == tagOffsetTime && typ == 2:
				x.offset = string(val)
			case id == tagOffsetTimeOriginal && typ == 2:
				x.offsetOriginal = string(val)
			case id == tagOffsetTimeDigit && typ == 2:
				x.offsetDigitized = string(val)
			case id == tagTimeZoneOffset && typ == 8:
				h := int(int16(bo.Uint16(val)))
				x.tzHours = &h
			}
		}
		if !ok {
			bo.PutUint16(e, tagNeutralised)
			bo.PutUint16(e[2:], 1)
			bo.PutUint32(e[4:], 1)
			bo.PutUint32(e[8:], 0)
		}
	}
	if depth == 0 {
		// Drop the IFD chain after IFD0: the thumbnail is not needed and a
		// chain may loop.
		bo.PutUint32(b[uint64(off)+2+12*n:], 0)
	}
	return true
}

// parseExif decodes a TIFF-structured EXIF block (starting at the byte-order
// mark). Broken EXIF gives what could be read; ok is false when nothing
// could.
func parseExif(block []byte) (info exifInfo, ok bool) {
	if len(block) > maxExif {
		block = block[:maxExif]
	}
	b := bytes.Clone(block)
	extra, ok := sanitizeTIFF(b)
	if !ok {
		return info, false
	}
	defer func() {
		if recover() != nil {
			info, ok = exifInfo{}, false
		}
	}()
	x, err := exif.Decode(bytes.NewReader(b))
	if x == nil || (err != nil && exif.IsCriticalError(err)) {
		return info, false
	}
	info.make = tagString(x, exif.Make)
	info.model = tagString(x, exif.Model)
	info.lens = tagString(x, exif.LensModel)
	info.orientation = 1
	if o, ok := tagInt(x, exif.Orientation); ok && o >= 1 && o <= 8 {
		info.orientation = o
	}
	info.width, _ = tagInt(x, exif.PixelXDimension)
	info.height, _ = tagInt(x, exif.PixelYDimension)
	if info.width <= 0 || info.height <= 0 {
		info.width, _ = tagInt(x, exif.ImageWidth)
		info.height, _ = tagInt(x, exif.ImageLength)
	}
	if info.width <= 0 || info.height <= 0 {
		info.width, info.height = 0, 0
	}
	offOriginal := extra.offsetOriginal
	if !validOffset(offOriginal) {
		offOriginal = extra.offset
	}
	info.dto, _ = capturetime.FromExif(capturetime.SourceDateTimeOriginal,
		tagString(x, exif.DateTimeOriginal), tagString(x, exif.SubSecTimeOriginal), offOriginal, extra.tzHours)
	offDigitized := extra.offsetDigitized
	if !validOffset(offDigitized) {
		offDigitized = extra.offset
	}
	info.create, _ = capturetime.FromExif(capturetime.SourceCreateDate,
		tagString(x, exif.DateTimeDigitized), tagString(x, exif.SubSecTimeDigitized), offDigitized, extra.tzHours)
	info.lat, info.lon, info.alt = gps(x)
	info.xmp, info.iptc = extra.xmp, extra.iptc
	return info, true
}

func validOffset(s string) bool {
	_, ok := capturetime.ParseOffset(s)
	return ok
}

func tagString(x *exif.Exif, name exif.FieldName) string {
	t, err := x.Get(name)
	if err != nil {
		return ""
	}
	var s string
	switch t.Type {
	case tiff.DTAscii:
		s, _ = t.StringVal()
	case tiff.DTByte, tiff.DTUndefined:
		s = string(t.Val)
		if i := strings.IndexByte(s, 0); i >= 0 {
			s = s[:i]
		}
	}
	s = strings.TrimSpace(strings.Trim(s, "\x00"))
	if !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl) {
		return "" // binary garbage, not text
	}
	return s
}

func tagInt(x *exif.Exif, name exif.FieldName) (int, bool) {
	t, err := x.Get(name)
	if err != nil || t.Format() != tiff.IntVal || t.Count < 1 {
		return 0, false
	}
	v, err := t.Int(0)
	return v, err == nil
}

// gps reads the GPS position as signed decimal degrees. A position that is
// out of range, or exactly 0,0 (what many cameras write when they have no
// fix), is dropped.
func gps(x *exif.Exif) (lat, lon, alt *float64) {
	la, okLat := degrees(x, exif.GPSLatitude, exif.GPSLatitudeRef, "N", "S")
	lo, okLon := degrees(x, exif.GPSLongitude, exif.GPSLongitudeRef, "E", "W")
	if okLat && okLon && math.Abs(la) <= 90 && math.Abs(lo) <= 180 && (la != 0 || lo != 0) {
		lat, lon = &la, &lo
	}
	if t, err := x.Get(exif.GPSAltitude); err == nil && t.Format() == tiff.RatVal {
		if num, den, err := t.Rat2(0); err == nil && den != 0 {
			a := float64(num) / float64(den)
			if ref, ok := tagInt(x, exif.GPSAltitudeRef); ok && ref == 1 {
				a = -a
			}
			if !math.IsInf(a, 0) && !math.IsNaN(a) && math.Abs(a) < 1e6 {
				alt = &a
			}
		}
	}
	return lat, lon, alt
}

func degrees(x *exif.Exif, name, refName exif.FieldName, pos, neg string) (float64, bool) {
	t, err := x.Get(name)
	if err != nil {
		return 0, false
	}
	var v float64
	switch t.Format() {
	case tiff.RatVal:
		scale := 1.0
		for i := range min(int(t.Count), 3) {
			num, den, err := t.Rat2(i)
			if err != nil {
				return 0, false
			}
			if den == 0 {
				if num != 0 {
					return 0, false
				}
				den = 1
			}
			v += float64(num) / float64(den) / scale
			scale *= 60
		}
	case tiff.StringVal:
		s, _ := t.StringVal()
		var ok bool
		if v, ok = degreesString(s); !ok {
			return 0, false
		}
	default:
		return 0, false
	}
	ref := strings.ToUpper(tagString(x, refName))
	switch {
	case strings.HasPrefix(ref, neg):
		v = -v
	case strings.HasPrefix(ref, pos):
	case v == 0:
		return 0, false
	}
	return v, !math.IsNaN(v) && !math.IsInf(v, 0)
}

// degreesString parses GPS coordinates stored as text: "52.5", "52,50,34.01"
// or, with commas as decimal marks too, "52,00000,50,00000,34,01180".
func degreesString(s string) (float64, bool) {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' })
	if len(parts) == 6 {
		parts = []string{parts[0] + "." + parts[1], parts[2] + "." + parts[3], parts[4] + "." + parts[5]}
	}
	if len(parts) != 1 && len(parts) != 3 {
		return 0, false
	}
	var v float64
	scale := 1.0
	for _, p := range parts {
		f, err := strconv.ParseFloat(p, 64)
		if err != nil || f < 0 {
			return 0, false
		}
		v += f / scale
		scale *= 60
	}
	return v, true
}
