package media

import (
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/picup/picup/pkg/filetype"
)

var (
	testNow   = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	testMtime = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
)

func writeTemp(t testing.TB, name string, data []byte) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// tiffBlock builds a little-endian TIFF with IFD0 entries and, when exif is
// not nil, an EXIF sub-IFD. Entries are {tag, type, count, value-or-offset}.
type entry struct {
	tag, typ uint16
	count    uint32
	val      []byte
}

func buildTIFF(ifd0, exifIFD []entry) []byte {
	le := binary.LittleEndian
	b := []byte("II*\x00\x08\x00\x00\x00")
	var data []byte
	ifd0Size := 2 + 12*(len(ifd0)+1) + 4
	exifOff := 8 + ifd0Size
	exifSize := 2 + 12*len(exifIFD) + 4
	dataOff := exifOff + exifSize
	dir := func(es []entry, next uint32) []byte {
		d := le.AppendUint16(nil, uint16(len(es)))
		for _, e := range es {
			d = le.AppendUint16(d, e.tag)
			d = le.AppendUint16(d, e.typ)
			d = le.AppendUint32(d, e.count)
			if len(e.val) <= 4 {
				v := make([]byte, 4)
				copy(v, e.val)
				d = append(d, v...)
			} else {
				d = le.AppendUint32(d, uint32(dataOff+len(data)))
				data = append(data, e.val...)
			}
		}
		return le.AppendUint32(d, next)
	}
	ifd0 = append(ifd0, entry{0x8769, 4, 1, le.AppendUint32(nil, uint32(exifOff))})
	b = append(b, dir(ifd0, 0)...)
	b = append(b, dir(exifIFD, 0)...)
	return append(b, data...)
}

func ascii(s string) []byte { return append([]byte(s), 0) }

func jpegWithExif(tiff []byte) []byte {
	b := []byte{0xFF, 0xD8, 0xFF, 0xE1}
	b = binary.BigEndian.AppendUint16(b, uint16(2+6+len(tiff)))
	b = append(b, "Exif\x00\x00"...)
	b = append(b, tiff...)
	b = append(b, 0xFF, 0xC0, 0, 11, 8, 0, 30, 0, 40, 1, 1, 0x11, 0)
	return append(b, 0xFF, 0xD9)
}

func TestReadCraftedJPEG(t *testing.T) {
	dto := ascii("2024:05:03 10:15:00")
	tiff := buildTIFF(
		[]entry{{0x010F, 2, 6, ascii("Canon")}, {0x0112, 3, 1, []byte{6, 0}}},
		[]entry{
			{0x9003, 2, uint32(len(dto)), dto},
			{0x9011, 2, 7, ascii("+09:00")},
			{0x9291, 2, 4, ascii("250")},
			{0x829A, 5, 0x40000001, nil}, // huge count, value offset 0
		},
	)
	md, err := Read(writeTemp(t, "x.jpg", jpegWithExif(tiff)), filetype.Type{Kind: filetype.Photo, Format: "jpeg"}, testMtime, testNow)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2024, 5, 3, 10, 15, 0, 250e6, time.FixedZone("", 9*3600))
	_, off := md.Taken.Zone()
	if !md.Taken.Equal(want) || off != 9*3600 || !md.OffsetKnown || md.TakenSource != "exif:DateTimeOriginal" {
		t.Errorf("Read(crafted) Taken = %v (%s, known %v); want %v", md.Taken, md.TakenSource, md.OffsetKnown, want)
	}
	if md.Make != "Canon" || md.Orientation != 6 || md.Width != 40 || md.Height != 30 {
		t.Errorf("Read(crafted) = %+v; want Canon, orientation 6, 40x30", md)
	}
}

func TestReadIFDLoop(t *testing.T) {
	le := binary.LittleEndian
	// IFD0 at 8 whose next-IFD points back at itself, and an EXIF pointer
	// that points at IFD0 too.
	b := []byte("II*\x00\x08\x00\x00\x00")
	b = le.AppendUint16(b, 1)
	b = append(b, 0x69, 0x87, 4, 0, 1, 0, 0, 0, 8, 0, 0, 0)
	b = le.AppendUint32(b, 8)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = Read(writeTemp(t, "loop.jpg", jpegWithExif(b)), filetype.Type{Kind: filetype.Photo, Format: "jpeg"}, testMtime, testNow)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Read(IFD loop) hangs")
	}
}

func TestReadCorrupt(t *testing.T) {
	heic := []byte{0, 0, 0, 24, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c', 0, 0, 0, 0, 'm', 'i', 'f', '1', 'h', 'e', 'i', 'c'}
	tests := []struct {
		name   string
		data   []byte
		format string
	}{
		{"empty.jpg", nil, "jpeg"},
		{"nometa.heic", heic, "heic"},
		{"pastend.heic", append(append([]byte{}, heic...), 0, 0, 1, 0, 'm', 'e', 't', 'a', 0, 0, 0, 0), "heic"},
		{"nomoov.mp4", heic, "mp4"},
		{"mdatpastend.mov", []byte{0, 0, 0x10, 0, 'm', 'd', 'a', 't', 1, 2, 3}, "mov"},
		{"nomvhd.mov", []byte{0, 0, 0, 16, 'm', 'o', 'o', 'v', 0, 0, 0, 8, 'u', 'd', 't', 'a'}, "mov"},
	}
	for _, tt := range tests {
		md, err := Read(writeTemp(t, tt.name, tt.data), filetype.Type{Format: tt.format}, testMtime, testNow)
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("Read(%q) error = %v; want ErrCorrupt", tt.name, err)
		}
		if md.TakenSource != "mtime" || md.Orientation != 1 {
			t.Errorf("Read(%q) = %+v; want mtime fallback, orientation 1", tt.name, md)
		}
	}
}

func TestReadFileNameDate(t *testing.T) {
	md, err := Read(writeTemp(t, "IMG_20240503_101500.jpg", []byte{0xFF, 0xD8, 0xFF, 0xD9}), filetype.Type{Format: "jpeg"}, testMtime, testNow)
	if err != nil || md.TakenSource != "filename" || md.OffsetKnown || md.Taken != time.Date(2024, 5, 3, 10, 15, 0, 0, time.UTC) {
		t.Errorf("Read(IMG_20240503_101500.jpg) = %+v, %v; want file-name date", md, err)
	}
}

func TestParseISO6709(t *testing.T) {
	tests := []struct {
		in            string
		lat, lon, alt float64
		ok, hasAlt    bool
	}{
		{"+37.7749-122.4194+010.000/", 37.7749, -122.4194, 10, true, true},
		{"+51.4169-000.0806/", 51.4169, -0.0806, 0, true, false},
		{"-33.8688+151.2093/", -33.8688, 151.2093, 0, true, false},
		{"+3746.494-12225.164/", 37.774900, -122.419400, 0, true, false},
		{"+00.0000+000.0000/", 0, 0, 0, false, false},
		{"+91.0000+000.0000/", 0, 0, 0, false, false},
		{"37.7749-122.4194", 0, 0, 0, false, false},
		{"", 0, 0, 0, false, false},
	}
	for _, tt := range tests {
		lat, lon, alt := parseISO6709(tt.in)
		ok := lat != nil && math.Abs(*lat-tt.lat) < 1e-4 && math.Abs(*lon-tt.lon) < 1e-4
		if ok != tt.ok || (alt != nil) != tt.hasAlt || (alt != nil && *alt != tt.alt) {
			t.Errorf("parseISO6709(%q) = %v, %v, %v; want %v, %v, %v (ok %v)", tt.in, lat, lon, alt, tt.lat, tt.lon, tt.alt, tt.ok)
		}
	}
}

func TestMatrixOrientation(t *testing.T) {
	const one = 1 << 16
	tests := []struct {
		a, b, c, d int32
		want       int
	}{
		{one, 0, 0, one, 1},
		{0, one, -one, 0, 6},
		{-one, 0, 0, -one, 3},
		{0, -one, one, 0, 8},
	}
	for _, tt := range tests {
		if got := matrixOrientation(tt.a, tt.b, tt.c, tt.d); got != tt.want {
			t.Errorf("matrixOrientation(%v, %v, %v, %v) = %v; want %v", tt.a, tt.b, tt.c, tt.d, got, tt.want)
		}
	}
}

var fuzzSeeds = []string{
	"jpeg/goexif/sample1.jpg",
	"orientation/goexif/f6-exif.jpg",
	"other/small/heif.heif",
	"other/small/webp.webp",
	"other/small/png-transparent.png",
	"other/small/gif.gif",
	"video/small/Mpeg4.mp4",
}

func FuzzRead(f *testing.F) {
	for _, p := range fuzzSeeds {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "photos", p))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	dto := ascii("2024:05:03 10:15:00")
	f.Add(jpegWithExif(buildTIFF([]entry{{0x010F, 2, 6, ascii("Canon")}}, []entry{{0x9003, 2, uint32(len(dto)), dto}})))
	f.Add([]byte("II*\x00\x08\x00\x00\x00\x01\x00\x0f\x01\x02\x00\x04\x00\x00\x00abc\x00\x00\x00\x00\x00"))
	f.Add([]byte{0, 0, 0, 16, 'f', 't', 'y', 'p', 'q', 't', ' ', ' ', 0, 0, 0, 0, 0, 0, 0, 8, 'm', 'o', 'o', 'v'})
	// One file per worker process, rewritten for each input: creating a
	// directory per input makes the fuzzer disk-bound.
	p := filepath.Join(f.TempDir(), "f")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		types := []filetype.Type{filetype.Detect(data, "f.jpg")}
		for _, format := range []string{"jpeg", "png", "webp", "gif", "tiff", "orf", "raf", "heic", "cr3", "mov"} {
			types = append(types, filetype.Type{Format: format})
		}
		for _, ft := range types {
			md, err := Read(p, ft, testMtime, testNow)
			if err != nil && !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Read(%s) error %v does not wrap ErrCorrupt", ft.Format, err)
			}
			if md.Orientation < 1 || md.Orientation > 8 {
				t.Fatalf("Read(%s) orientation %d", ft.Format, md.Orientation)
			}
		}
	})
}

func BenchmarkRead(b *testing.B) {
	root := filepath.Join("..", "..", "testdata", "photos")
	for _, p := range []string{"jpeg/drewnoakes/Nikon D5000.jpg", "orientation/recurser/Landscape_6.jpg", "heic/drewnoakes/IMG_2927.HEIC", "video/drewnoakes/with-gps.mov"} {
		path := filepath.Join(root, p)
		ft := detectFile(b, path)
		b.Run(filepath.Base(p), func(b *testing.B) {
			for b.Loop() {
				if _, err := Read(path, ft, testMtime, testNow); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
