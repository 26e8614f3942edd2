package rawpreview

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/jpeg"
	"testing"
)

func jpegOf(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h)), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type entry struct {
	tag, typ uint16
	value    uint32
}

// tiffWith builds a little-endian TIFF: IFD0 holds a small JPEG through
// JPEGInterchangeFormat and points to a SubIFD that holds a larger JPEG as
// a single strip with Compression 7, like a DNG.
func tiffWith(t *testing.T, small, large []byte) []byte {
	t.Helper()
	const ifd0, sub = 8, 8 + 2 + 3*12 + 4
	dataStart := uint32(sub + 2 + 3*12 + 4)
	smallOff, largeOff := dataStart, dataStart+uint32(len(small))
	var b bytes.Buffer
	b.WriteString("II*\x00")
	put := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) } // a bytes.Buffer takes every write
	put(uint32(ifd0))
	writeIFD := func(es []entry) {
		put(uint16(len(es)))
		for _, e := range es {
			put(e.tag)
			put(e.typ)
			put(uint32(1))
			put(e.value)
		}
		put(uint32(0))
	}
	writeIFD([]entry{{tagSubIFDs, 4, sub}, {tagJPEGOffset, 4, smallOff}, {tagJPEGLength, 4, uint32(len(small))}})
	writeIFD([]entry{{tagCompression, 3, 7}, {tagStripOffsets, 4, largeOff}, {tagStripByteCounts, 4, uint32(len(large))}})
	b.Write(small)
	b.Write(large)
	return b.Bytes()
}

func TestLargest(t *testing.T) {
	small, large := jpegOf(t, 160, 120), jpegOf(t, 640, 480)
	tests := []struct {
		name string
		data []byte
		w, h int
	}{
		{"dng with subifd", tiffWith(t, small, large), 640, 480},
		{"larger in ifd0", tiffWith(t, large, small), 640, 480},
		{"raf", raf1(large), 640, 480},
	}
	for _, tt := range tests {
		p, err := Largest(bytes.NewReader(tt.data), int64(len(tt.data)))
		if err != nil {
			t.Errorf("Largest(%q) = %v; want a preview", tt.name, err)
			continue
		}
		if p.Width != tt.w || p.Height != tt.h {
			t.Errorf("Largest(%q) = %dx%d; want %dx%d", tt.name, p.Width, p.Height, tt.w, tt.h)
		}
		if !bytes.Equal(tt.data[p.Offset:p.Offset+p.Length], large) {
			t.Errorf("Largest(%q) points at offset %d length %d; want the large JPEG", tt.name, p.Offset, p.Length)
		}
	}
}

// raf1 builds a RAF header pointing at jpg.
func raf1(jpg []byte) []byte {
	h := make([]byte, 100)
	copy(h, "FUJIFILMCCD-RAW 0201FF383501")
	binary.BigEndian.PutUint32(h[84:], 100)
	binary.BigEndian.PutUint32(h[88:], uint32(len(jpg)))
	return append(h, jpg...)
}

func TestLargestNoPreview(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"jpeg", jpegOf(t, 8, 8)},
		{"short", []byte("II*")},
		{"tiff without jpeg", []byte("II*\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00")},
		{"ifd loop", []byte("II*\x00\x08\x00\x00\x00\x00\x00\x08\x00\x00\x00")},
		{"bad offsets", tiffWith(t, nil, nil)[:60]},
	}
	for _, tt := range tests {
		_, err := Largest(bytes.NewReader(tt.data), int64(len(tt.data)))
		if err == nil {
			t.Errorf("Largest(%q) = nil error; want an error", tt.name)
		}
		if tt.name != "short" && !errors.Is(err, ErrNoPreview) {
			t.Errorf("Largest(%q) = %v; want ErrNoPreview", tt.name, err)
		}
	}
}
