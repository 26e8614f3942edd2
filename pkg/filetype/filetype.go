// Package filetype recognises photo and video files by their content, not
// their name.
package filetype

import (
	"bytes"
	"encoding/binary"
	"path/filepath"
	"strings"
)

// HeaderSize is how many leading bytes Detect needs to decide.
const HeaderSize = 512

// Kind says what a file is to a photo archive.
type Kind int

const (
	Unknown Kind = iota // not a photo or video
	Photo
	Video
)

func (k Kind) String() string {
	switch k {
	case Photo:
		return "photo"
	case Video:
		return "video"
	}
	return "unknown"
}

// Type is the result of Detect.
type Type struct {
	Kind   Kind
	Format string // short lower-case name: jpeg, png, gif, webp, tiff, heic, avif, dng, cr2, cr3, nef, arw, orf, rw2, raf, mp4, mov, m4v, 3gp, avi, mkv, webm, mts ...
	MIME   string
}

var (
	typeJPEG    = Type{Photo, "jpeg", "image/jpeg"}
	typePNG     = Type{Photo, "png", "image/png"}
	typeGIF     = Type{Photo, "gif", "image/gif"}
	typeWebP    = Type{Photo, "webp", "image/webp"}
	typeTIFF    = Type{Photo, "tiff", "image/tiff"}
	typeHEIC    = Type{Photo, "heic", "image/heic"}
	typeHEIF    = Type{Photo, "heic", "image/heif"}
	typeHEICSeq = Type{Photo, "heic", "image/heic-sequence"}
	typeAVIF    = Type{Photo, "avif", "image/avif"}
	typeDNG     = Type{Photo, "dng", "image/x-adobe-dng"}
	typeCR2     = Type{Photo, "cr2", "image/x-canon-cr2"}
	typeCR3     = Type{Photo, "cr3", "image/x-canon-cr3"}
	typeNEF     = Type{Photo, "nef", "image/x-nikon-nef"}
	typeARW     = Type{Photo, "arw", "image/x-sony-arw"}
	typePEF     = Type{Photo, "pef", "image/x-pentax-pef"}
	typeSRW     = Type{Photo, "srw", "image/x-samsung-srw"}
	typeORF     = Type{Photo, "orf", "image/x-olympus-orf"}
	typeRW2     = Type{Photo, "rw2", "image/x-panasonic-rw2"}
	typeRAF     = Type{Photo, "raf", "image/x-fuji-raf"}
	typeMP4     = Type{Video, "mp4", "video/mp4"}
	typeM4V     = Type{Video, "m4v", "video/x-m4v"}
	typeMOV     = Type{Video, "mov", "video/quicktime"}
	type3GP     = Type{Video, "3gp", "video/3gpp"}
	type3G2     = Type{Video, "3gp", "video/3gpp2"}
	typeAVI     = Type{Video, "avi", "video/x-msvideo"}
	typeMKV     = Type{Video, "mkv", "video/x-matroska"}
	typeWebM    = Type{Video, "webm", "video/webm"}
	typeMTS     = Type{Video, "mts", "video/mp2t"}
	typeMPG     = Type{Video, "mpg", "video/mpeg"}
)

// rawByExt names the camera RAW formats that are plain TIFF containers and
// can only be told apart by the file's extension.
var rawByExt = map[string]Type{
	".dng": typeDNG,
	".cr2": typeCR2,
	".nef": typeNEF,
	".nrw": typeNEF,
	".arw": typeARW,
	".srf": typeARW,
	".sr2": typeARW,
	".pef": typePEF,
	".srw": typeSRW,
	".orf": typeORF,
	".rw2": typeRW2,
}

// Detect looks at the first bytes of a file (up to HeaderSize; fewer for a
// short file). name is used only to tell apart formats whose content is
// ambiguous (a TIFF container that is a camera RAW).
func Detect(header []byte, name string) Type {
	h := header
	if len(h) > HeaderSize {
		h = h[:HeaderSize]
	}
	if len(h) < 4 {
		return Type{}
	}
	switch {
	case h[0] == 0xFF && h[1] == 0xD8 && h[2] == 0xFF:
		return typeJPEG
	case bytes.HasPrefix(h, []byte("\x89PNG\r\n\x1a\n")):
		return typePNG
	case bytes.HasPrefix(h, []byte("GIF87a")), bytes.HasPrefix(h, []byte("GIF89a")):
		return typeGIF
	case bytes.HasPrefix(h, []byte("RIFF")) && len(h) >= 12:
		switch string(h[8:12]) {
		case "WEBP":
			return typeWebP
		case "AVI ":
			return typeAVI
		}
		return Type{}
	case bytes.HasPrefix(h, []byte("II*\x00")), bytes.HasPrefix(h, []byte("MM\x00*")):
		return detectTIFF(h, name)
	case bytes.HasPrefix(h, []byte("IIRO")), bytes.HasPrefix(h, []byte("IIRS")), bytes.HasPrefix(h, []byte("MMOR")):
		return typeORF
	case bytes.HasPrefix(h, []byte("IIU\x00")):
		return typeRW2
	case bytes.HasPrefix(h, []byte("FUJIFILMCCD-RAW")):
		return typeRAF
	case bytes.HasPrefix(h, []byte{0x1A, 0x45, 0xDF, 0xA3}):
		return detectEBML(h)
	case bytes.HasPrefix(h, []byte{0, 0, 1, 0xBA}):
		return typeMPG
	}
	if len(h) >= 8 {
		switch string(h[4:8]) {
		case "ftyp":
			return detectFtyp(h)
		case "moov", "mdat", "wide", "free", "skip", "pnot":
			if binary.BigEndian.Uint32(h) >= 8 || binary.BigEndian.Uint32(h) == 1 {
				return typeMOV
			}
		}
	}
	if isTransportStream(h, 0, 188) || isTransportStream(h, 4, 192) {
		return typeMTS
	}
	return Type{}
}

func detectTIFF(h []byte, name string) Type {
	if len(h) >= 10 && h[0] == 'I' && h[8] == 'C' && h[9] == 'R' {
		return typeCR2
	}
	if t, ok := rawByExt[strings.ToLower(filepath.Ext(name))]; ok {
		return t
	}
	return typeTIFF
}

// detectEBML reads the DocType element of a Matroska/WebM EBML header.
func detectEBML(h []byte) Type {
	i := bytes.Index(h, []byte{0x42, 0x82})
	if i < 0 || i+3 > len(h) {
		return Type{}
	}
	size := int(h[i+2])
	if size&0x80 == 0 {
		return Type{}
	}
	size &^= 0x80
	if i+3+size > len(h) {
		return Type{}
	}
	switch string(bytes.TrimRight(h[i+3:i+3+size], "\x00")) {
	case "webm":
		return typeWebM
	case "matroska":
		return typeMKV
	}
	return Type{}
}

// isTransportStream reports whether h holds MPEG transport stream packets of
// the given size, with the 0x47 sync byte at offset start of each packet.
func isTransportStream(h []byte, start, packet int) bool {
	const packets = 3
	if len(h) < start+(packets-1)*packet+1 {
		return false
	}
	for i := range packets {
		if h[start+i*packet] != 0x47 {
			return false
		}
	}
	return true
}

func detectFtyp(h []byte) Type {
	size := int(binary.BigEndian.Uint32(h))
	if size < 16 || size > len(h) {
		size = len(h) &^ 3
	}
	if len(h) < 12 {
		return Type{}
	}
	if t, ok := brandType(string(h[8:12])); ok {
		return t
	}
	var compat []string
	for off := 16; off+4 <= size; off += 4 {
		compat = append(compat, string(h[off:off+4]))
	}
	// A generic major brand: let the most specific compatible brand decide.
	for _, b := range compat {
		if t, ok := brandType(b); ok && t.Kind == Photo {
			return t
		}
	}
	for _, b := range compat {
		if t, ok := brandType(b); ok {
			return t
		}
	}
	for _, b := range append([]string{string(h[8:12])}, compat...) {
		switch b {
		case "mif1", "miaf":
			return typeHEIF
		case "msf1":
			return typeHEICSeq
		}
	}
	return Type{}
}

// brandType maps the specific ISO-BMFF brands. Generic ones (mif1, msf1,
// miaf) are left to the caller.
func brandType(b string) (Type, bool) {
	switch b {
	case "heic", "heix", "heim", "heis":
		return typeHEIC, true
	case "hevc", "hevx", "hevm", "hevs":
		return typeHEICSeq, true
	case "avif", "avis":
		return typeAVIF, true
	case "crx ":
		return typeCR3, true
	case "M4A ", "M4B ", "M4P ", "F4A ", "F4B ":
		return Type{}, true // audio
	case "qt  ":
		return typeMOV, true
	case "M4V ", "M4VH", "M4VP":
		return typeM4V, true
	case "isom", "iso2", "iso3", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "dash",
		"mmp4", "MSNV", "NDAS", "NDSC", "NDSH", "NDSM", "NDSP", "NDSS", "NDXC", "NDXH",
		"NDXM", "NDXP", "NDXS", "F4V ", "F4P ", "XAVC", "CAEP", "mp71":
		return typeMP4, true
	}
	switch {
	case strings.HasPrefix(b, "3gp"), strings.HasPrefix(b, "3ge"), strings.HasPrefix(b, "3gg"), strings.HasPrefix(b, "3gs"):
		return type3GP, true
	case strings.HasPrefix(b, "3g2"):
		return type3G2, true
	}
	return Type{}, false
}
