package filetype

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

func ftyp(major string, compat ...string) []byte {
	b := make([]byte, 16, 16+4*len(compat))
	copy(b[4:], "ftyp")
	copy(b[8:], major)
	for _, c := range compat {
		b = append(b, c...)
	}
	binary.BigEndian.PutUint32(b, uint32(len(b)))
	return append(b, 0, 0, 0, 8, 'f', 'r', 'e', 'e')
}

func atom(typ string) []byte {
	b := []byte{0, 0, 0, 8}
	return append(b, typ...)
}

func ts(start, packet int) []byte {
	b := make([]byte, HeaderSize)
	for i := start; i < len(b); i += packet {
		b[i] = 0x47
	}
	return b
}

func ebml(doc string) []byte {
	b := []byte{0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x80 | byte(len(doc))}
	return append(b, doc...)
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func TestDetect(t *testing.T) {
	tiffLE := []byte("II*\x00\x08\x00\x00\x00\x00\x00\x00\x00")
	tiffBE := []byte("MM\x00*\x00\x00\x00\x08\x00\x00\x00\x00")
	cr2 := []byte("II*\x00\x10\x00\x00\x00CR\x02\x00\x00\x00\x00\x00")
	tests := []struct {
		name   string
		header []byte
		file   string
		format string
		kind   Kind
		mime   string
	}{
		{"empty", nil, "a.jpg", "", Unknown, ""},
		{"short", []byte{0xFF, 0xD8}, "a.jpg", "", Unknown, ""},
		{"jpeg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F'}, "x.bin", "jpeg", Photo, "image/jpeg"},
		{"jpeg exif", []byte{0xFF, 0xD8, 0xFF, 0xE1, 0, 0x10, 'E', 'x', 'i', 'f'}, "", "jpeg", Photo, "image/jpeg"},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"), "", "png", Photo, "image/png"},
		{"gif87", []byte("GIF87a\x01\x00"), "", "gif", Photo, "image/gif"},
		{"gif89", []byte("GIF89a\x01\x00"), "", "gif", Photo, "image/gif"},
		{"webp", []byte("RIFF\x20\x00\x00\x00WEBPVP8 "), "", "webp", Photo, "image/webp"},
		{"avi", []byte("RIFF\x20\x00\x00\x00AVI LIST"), "", "avi", Video, "video/x-msvideo"},
		{"riff wav", []byte("RIFF\x20\x00\x00\x00WAVEfmt "), "", "", Unknown, ""},
		{"tiff le", tiffLE, "a.tif", "tiff", Photo, "image/tiff"},
		{"tiff be", tiffBE, "a.tiff", "tiff", Photo, "image/tiff"},
		{"tiff unknown ext", tiffLE, "a.jpg", "tiff", Photo, "image/tiff"},
		{"dng", tiffLE, "a.DNG", "dng", Photo, "image/x-adobe-dng"},
		{"nef", tiffBE, "a.nef", "nef", Photo, "image/x-nikon-nef"},
		{"arw", tiffLE, "DSC0001.ARW", "arw", Photo, "image/x-sony-arw"},
		{"pef", tiffLE, "a.pef", "pef", Photo, "image/x-pentax-pef"},
		{"srw", tiffLE, "a.srw", "srw", Photo, "image/x-samsung-srw"},
		{"cr2 by content", cr2, "a.tif", "cr2", Photo, "image/x-canon-cr2"},
		{"orf IIRO", []byte("IIRO\x08\x00\x00\x00"), "", "orf", Photo, "image/x-olympus-orf"},
		{"orf IIRS", []byte("IIRS\x08\x00\x00\x00"), "", "orf", Photo, "image/x-olympus-orf"},
		{"orf MMOR", []byte("MMOR\x00\x00\x00\x08"), "", "orf", Photo, "image/x-olympus-orf"},
		{"rw2", []byte("IIU\x00\x18\x00\x00\x00"), "", "rw2", Photo, "image/x-panasonic-rw2"},
		{"raf", []byte("FUJIFILMCCD-RAW 0201FF383501"), "", "raf", Photo, "image/x-fuji-raf"},
		{"heic", ftyp("heic", "mif1", "heic"), "", "heic", Photo, "image/heic"},
		{"heix", ftyp("heix", "mif1"), "", "heic", Photo, "image/heic"},
		{"mif1 heic", ftyp("mif1", "mif1", "heic"), "", "heic", Photo, "image/heic"},
		{"mif1 only", ftyp("mif1", "mif1", "miaf"), "", "heic", Photo, "image/heif"},
		{"msf1 hevc", ftyp("msf1", "msf1", "hevc"), "", "heic", Photo, "image/heic-sequence"},
		{"avif", ftyp("avif", "mif1", "miaf"), "", "avif", Photo, "image/avif"},
		{"avis", ftyp("avis", "msf1"), "", "avif", Photo, "image/avif"},
		{"mif1 avif", ftyp("mif1", "avif", "mif1"), "", "avif", Photo, "image/avif"},
		{"cr3", ftyp("crx ", "crx ", "isom"), "", "cr3", Photo, "image/x-canon-cr3"},
		{"mp4 isom", ftyp("isom", "isom", "iso2", "mp41"), "", "mp4", Video, "video/mp4"},
		{"mp4 mp42", ftyp("mp42", "mp42", "isom"), "", "mp4", Video, "video/mp4"},
		{"m4v", ftyp("M4V ", "M4V ", "mp42"), "", "m4v", Video, "video/x-m4v"},
		{"mov", ftyp("qt  ", "qt  "), "", "mov", Video, "video/quicktime"},
		{"3gp", ftyp("3gp4", "isom", "3gp4"), "", "3gp", Video, "video/3gpp"},
		{"3g2", ftyp("3g2a", "3g2a"), "", "3gp", Video, "video/3gpp2"},
		{"m4a audio", ftyp("M4A ", "M4A ", "mp42", "isom"), "", "", Unknown, ""},
		{"unknown brand", ftyp("zzzz", "yyyy"), "", "", Unknown, ""},
		{"unknown major, mp4 compat", ftyp("zzzz", "mp41"), "", "mp4", Video, "video/mp4"},
		{"qt moov", atom("moov"), "", "mov", Video, "video/quicktime"},
		{"qt mdat", atom("mdat"), "", "mov", Video, "video/quicktime"},
		{"qt wide", cat(atom("wide"), atom("mdat")), "", "mov", Video, "video/quicktime"},
		{"qt free", atom("free"), "", "mov", Video, "video/quicktime"},
		{"qt skip", atom("skip"), "", "mov", Video, "video/quicktime"},
		{"qt pnot", atom("pnot"), "", "mov", Video, "video/quicktime"},
		{"qt bad size", []byte{0, 0, 0, 3, 'm', 'o', 'o', 'v'}, "", "", Unknown, ""},
		{"mkv", ebml("matroska"), "", "mkv", Video, "video/x-matroska"},
		{"webm", ebml("webm"), "", "webm", Video, "video/webm"},
		{"ebml other", ebml("xyz"), "", "", Unknown, ""},
		{"ebml no doctype", []byte{0x1A, 0x45, 0xDF, 0xA3, 0x80}, "", "", Unknown, ""},
		{"mpeg-ts", ts(0, 188), "", "mts", Video, "video/mp2t"},
		{"m2ts", ts(4, 192), "", "mts", Video, "video/mp2t"},
		{"ts too short", ts(0, 188)[:300], "", "", Unknown, ""},
		{"mpeg-ps", []byte{0, 0, 1, 0xBA, 0x44, 0, 4, 0}, "", "mpg", Video, "video/mpeg"},
		{"text", []byte("hello, this is not an image"), "a.jpg", "", Unknown, ""},
		{"zeros", make([]byte, 512), "a.jpg", "", Unknown, ""},
	}
	for _, tt := range tests {
		got := Detect(tt.header, tt.file)
		want := Type{tt.kind, tt.format, tt.mime}
		if got != want {
			t.Errorf("%s: Detect(%q, %q) = %v; want %v", tt.name, tt.header, tt.file, got, want)
		}
	}
}

func TestDetectCorpus(t *testing.T) {
	tests := []struct {
		path   string
		format string
	}{
		{"jpeg/goexif/sample1.jpg", "jpeg"},
		{"heic/drewnoakes/IMG_2927.HEIC", "heic"},
		{"other/small/heif.heif", "heic"},
		{"other/small/webp.webp", "webp"},
		{"other/small/gif.gif", "gif"},
		{"other/small/png-transparent.png", "png"},
		{"video/drewnoakes/with-gps.mov", "mov"},
		{"video/drewnoakes/with-gps.mp4", "mp4"},
		{"video/small/Mpeg4.mp4", "mp4"},
		{"broken/derived/not_an_image.jpg", ""},
		{"broken/derived/random_bytes.jpg", ""},
		{"broken/derived/zero_length.jpg", ""},
	}
	for _, tt := range tests {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "photos", tt.path))
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > HeaderSize {
			b = b[:HeaderSize]
		}
		if got := Detect(b, tt.path); got.Format != tt.format {
			t.Errorf("Detect(%q) = %v; want format %q", tt.path, got, tt.format)
		}
	}
}

func FuzzDetect(f *testing.F) {
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE1}, "a.jpg")
	f.Add(ftyp("heic", "mif1"), "a.heic")
	f.Add(ftyp("mif1"), "")
	f.Add([]byte{0, 0, 0, 200, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm'}, "")
	f.Add(ebml("webm"), "a.webm")
	f.Add([]byte{0x1A, 0x45, 0xDF, 0xA3, 0x42, 0x82}, "")
	f.Add(ts(0, 188), "")
	f.Add([]byte("II*\x00\x08\x00\x00\x00CR"), "a.cr2")
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBP"), "")
	for _, p := range []string{"jpeg/goexif/sample1.jpg", "heic/drewnoakes/IMG_2927.HEIC", "video/drewnoakes/with-gps.mov"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "photos", p))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b[:HeaderSize], p)
	}
	f.Fuzz(func(t *testing.T, header []byte, name string) {
		got := Detect(header, name)
		if (got.Kind == Unknown) != (got.Format == "") || (got.Format == "") != (got.MIME == "") {
			t.Errorf("Detect(%q, %q) = %v: inconsistent", header, name, got)
		}
		if len(header) > HeaderSize && Detect(header[:HeaderSize], name) != got {
			t.Errorf("Detect(%q, %q) looked past HeaderSize", header, name)
		}
	})
}
