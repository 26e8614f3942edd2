package media

import (
	"bytes"
	"encoding/binary"
	"unicode/utf8"

	"github.com/picup/picup/pkg/capturetime"
)

// photoshopHeader starts the JPEG APP13 segment of Photoshop image
// resources, among them the IPTC-IIM block (resource 0x0404).
var photoshopHeader = []byte("Photoshop 3.0\x00")

// maxIPTCDatasets bounds the datasets read from one IPTC block.
const maxIPTCDatasets = 4096

// iptcInfo is what an IPTC-IIM block says.
type iptcInfo struct {
	date, clock string // 2:55 DateCreated, 2:60 TimeCreated
	desc        Descriptive
}

// photoshopIPTC finds the IPTC-IIM block among Photoshop image resources
// ("8BIM", id, Pascal name padded to even, size, data padded to even).
func photoshopIPTC(b []byte) []byte {
	for n := 0; n < maxSegments && len(b) >= 12; n++ {
		if string(b[:4]) != "8BIM" {
			return nil
		}
		id := binary.BigEndian.Uint16(b[4:])
		nameLen := int(b[6])
		off := 6 + 1 + nameLen
		if off%2 != 0 {
			off++
		}
		if off+4 > len(b) {
			return nil
		}
		size := int(binary.BigEndian.Uint32(b[off:]))
		off += 4
		if size < 0 || size > len(b)-off {
			return nil
		}
		if id == 0x0404 {
			return b[off : off+size]
		}
		off += size
		if off%2 != 0 && off < len(b) {
			off++
		}
		b = b[off:]
	}
	return nil
}

// parseIPTC reads the datasets of an IPTC-IIM block: 0x1C, record,
// dataset, a 16-bit length, the value. Extended lengths (high bit set) end
// the walk. Text is UTF-8 when 1:90 says so or when it is valid UTF-8, and
// Latin-1 otherwise.
func parseIPTC(b []byte) iptcInfo {
	var x iptcInfo
	var keywords []string
	utf8Declared := false
	for n := 0; n < maxIPTCDatasets && len(b) >= 5 && b[0] == 0x1C; n++ {
		rec, ds := b[1], b[2]
		size := int(binary.BigEndian.Uint16(b[3:]))
		if size&0x8000 != 0 || 5+size > len(b) {
			break
		}
		val := b[5 : 5+size]
		b = b[5+size:]
		if rec == 1 && ds == 90 {
			utf8Declared = bytes.Equal(val, []byte("\x1b%G"))
			continue
		}
		if rec != 2 {
			continue
		}
		s := iptcText(val, utf8Declared)
		switch ds {
		case 5:
			x.desc.Title = s
		case 25:
			if s != "" && len(keywords) < maxListItems {
				keywords = append(keywords, s)
			}
		case 55:
			x.date = s
		case 60:
			x.clock = s
		case 120:
			x.desc.Caption = s
		}
	}
	x.desc.Keywords = uniq(keywords)
	return x
}

func iptcText(b []byte, isUTF8 bool) string {
	if !isUTF8 && !utf8.Valid(b) {
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c) // Latin-1
		}
		return cleanText(string(r))
	}
	return cleanText(string(b))
}

// addIPTC merges an IPTC block into what was found so far.
func (x *extract) addIPTC(b []byte) {
	info := parseIPTC(b)
	if c, ok := capturetime.FromIPTC(info.date, info.clock); ok {
		x.cands = append(x.cands, c)
	}
	x.mergeDesc(info.desc)
}
