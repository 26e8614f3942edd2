package bmff

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// box32 is a box with a 32-bit size.
func box32(typ string, body []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
	return append(append(b, typ...), body...)
}

// box64 is a box with a 64-bit size.
func box64(typ string, body []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, 1)
	b = append(b, typ...)
	b = binary.BigEndian.AppendUint64(b, uint64(16+len(body)))
	return append(b, body...)
}

// header is a box header claiming size bytes, with no body.
func header(size uint32, typ string) []byte {
	return append(binary.BigEndian.AppendUint32(nil, size), typ...)
}

func TestNext(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want Box
		err  error // nil, ErrPastEnd, or errTooSmall for any other error
	}{
		{"32-bit size", box32("ftyp", []byte("heic")), Box{Type: "ftyp", Size: 12, Hdr: 8}, nil},
		{"64-bit size", box64("mdat", []byte("xyz")), Box{Type: "mdat", Size: 19, Hdr: 16}, nil},
		{"size 0 runs to the end", append(header(0, "mdat"), "abcd"...), Box{Type: "mdat", Size: 12, Hdr: 8}, nil},
		{"empty body", header(8, "free"), Box{Type: "free", Size: 8, Hdr: 8}, nil},
		{"past the end", header(100, "moov"), Box{Type: "moov", Size: 100, Hdr: 8}, ErrPastEnd},
		{"header cut short", []byte{0, 0, 0, 8, 'f'}, Box{}, ErrPastEnd},
		{"nothing", nil, Box{}, ErrPastEnd},
		{"64-bit size cut short", append(header(1, "mdat"), 0, 0), Box{}, ErrPastEnd},
		{"64-bit size past int64", append(header(1, "mdat"), 0xff, 0, 0, 0, 0, 0, 0, 0), Box{}, ErrPastEnd},
		{"smaller than its header", append(header(4, "moov"), 0, 0, 0, 0), Box{}, errTooSmall},
		{"64-bit size smaller than its header", binary.BigEndian.AppendUint64(header(1, "mdat"), 12), Box{}, errTooSmall},
	}
	for _, tt := range tests {
		got, err := Next(bytes.NewReader(tt.data), 0, int64(len(tt.data)))
		switch {
		case tt.err == errTooSmall:
			if err == nil || errors.Is(err, ErrPastEnd) {
				t.Errorf("%s: Next = %+v, %v; want a size error", tt.name, got, err)
			}
		case !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil):
			t.Errorf("%s: Next = %+v, %v; want %v", tt.name, got, err, tt.err)
		}
		if err == nil || errors.Is(err, ErrPastEnd) {
			if got != tt.want {
				t.Errorf("%s: Next = %+v; want %+v", tt.name, got, tt.want)
			}
		}
	}
}

var errTooSmall = errors.New("too small")

func TestNextWithinContainer(t *testing.T) {
	// A box that fits the file but not its container runs past the end.
	data := append(box32("meta", box32("iprp", []byte("0123456789"))), box32("free", nil)...)
	if _, err := Next(bytes.NewReader(data), 8, 8+10); !errors.Is(err, ErrPastEnd) {
		t.Errorf("Next(iprp in a 10-byte container) = %v; want ErrPastEnd", err)
	}
	b, err := Next(bytes.NewReader(data), 8, 8+18)
	if err != nil || b.Off != 8 || b.Size != 18 {
		t.Errorf("Next(iprp) = %+v, %v; want it at 8, 18 bytes", b, err)
	}
	if off, n := b.Body(); off != 16 || n != 10 {
		t.Errorf("Body() = %d, %d; want 16, 10", off, n)
	}
}

func TestWalk(t *testing.T) {
	data := bytes.Join([][]byte{box32("ftyp", []byte("heic")), box64("meta", []byte("m")), box32("mdat", []byte("pixels"))}, nil)
	var types []string
	err := Walk(bytes.NewReader(data), 0, int64(len(data)), func(b Box) bool {
		types = append(types, b.Type)
		return true
	})
	if got := strings.Join(types, " "); err != nil || got != "ftyp meta mdat" {
		t.Errorf("Walk = %q, %v; want \"ftyp meta mdat\", nil", got, err)
	}

	types = nil
	_ = Walk(bytes.NewReader(data), 0, int64(len(data)), func(b Box) bool {
		types = append(types, b.Type)
		return b.Type != "meta"
	})
	if got := strings.Join(types, " "); got != "ftyp meta" {
		t.Errorf("Walk stopped at meta = %q; want \"ftyp meta\"", got)
	}

	broken := append(bytes.Clone(data), header(64, "moov")...)
	types = nil
	err = Walk(bytes.NewReader(broken), 0, int64(len(broken)), func(b Box) bool {
		types = append(types, b.Type)
		return true
	})
	if got := strings.Join(types, " "); !errors.Is(err, ErrPastEnd) || got != "ftyp meta mdat" {
		t.Errorf("Walk(a box past the end) = %q, %v; want the boxes before it and ErrPastEnd", got, err)
	}
}

func TestWalkVisitsAtMostMaxBoxes(t *testing.T) {
	data := bytes.Repeat(header(8, "free"), MaxBoxes+10)
	n := 0
	err := Walk(bytes.NewReader(data), 0, int64(len(data)), func(Box) bool { n++; return true })
	if err != nil || n != MaxBoxes {
		t.Errorf("Walk(%d boxes) visited %d, %v; want %d, nil", MaxBoxes+10, n, err, MaxBoxes)
	}
}

func TestFind(t *testing.T) {
	data := bytes.Join([][]byte{box32("ftyp", []byte("heic")), box32("meta", []byte("m")), box32("meta", []byte("second"))}, nil)
	tests := []struct {
		name    string
		data    []byte
		typ     string
		wantOff int64
		wantErr string
	}{
		{"first of two", data, "meta", 12, ""},
		{"first box", data, "ftyp", 0, ""},
		{"none", data, "moov", 0, "no moov box"},
		{"broken before", append(header(40, "ftyp"), box32("meta", nil)...), "meta", 0, "no meta box: at offset 0: " + ErrPastEnd.Error()},
	}
	for _, tt := range tests {
		b, err := Find(bytes.NewReader(tt.data), 0, int64(len(tt.data)), tt.typ)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%s: Find(%q) = %+v, %v; want error %q", tt.name, tt.typ, b, err, tt.wantErr)
			}
			continue
		}
		if err != nil || b.Type != tt.typ || b.Off != tt.wantOff {
			t.Errorf("%s: Find(%q) = %+v, %v; want it at %d", tt.name, tt.typ, b, err, tt.wantOff)
		}
	}
}

func TestReadBody(t *testing.T) {
	data := box32("ispe", []byte("0123456789"))
	r := bytes.NewReader(data)
	b, err := Next(r, 0, int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		limit int64
		want  string
	}{{100, "0123456789"}, {4, "0123"}, {0, ""}, {-1, ""}}
	for _, tt := range tests {
		if got := string(ReadBody(r, b, tt.limit)); got != tt.want {
			t.Errorf("ReadBody(limit %d) = %q; want %q", tt.limit, got, tt.want)
		}
	}
	// A box read from a file shorter than it says: what is there.
	if got := string(ReadBody(bytes.NewReader(data[:12]), b, 100)); got != "0123" {
		t.Errorf("ReadBody(truncated) = %q; want %q", got, "0123")
	}
}

func TestWalkSample(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "photos", "other", "small", "heif.heif"))
	if err != nil {
		t.Fatal(err)
	}
	meta, err := Find(bytes.NewReader(data), 0, int64(len(data)), "meta")
	if err != nil {
		t.Fatalf("Find(meta) in heif.heif: %v", err)
	}
	off, n := meta.Body()
	if _, err := Find(bytes.NewReader(data), off+4, off+n, "iprp"); err != nil {
		t.Errorf("Find(meta/iprp) in heif.heif: %v", err)
	}
}

// FuzzWalk checks that walking any bytes, nested as deep as the boxes go,
// ends, and that every box lies inside its container.
func FuzzWalk(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "photos", "other", "small", "heif.heif")); err == nil {
		f.Add(b)
	}
	f.Add(bytes.Join([][]byte{box32("ftyp", []byte("heic")), box64("meta", box32("iprp", box32("ipco", nil))), header(0, "mdat")}, nil))
	f.Add(header(1, "mdat"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		visited := 0
		var walk func(off, end int64, depth int)
		walk = func(off, end int64, depth int) {
			_ = Walk(r, off, end, func(b Box) bool {
				visited++
				if b.Off < off || b.Size < b.Hdr || b.Off+b.Size > end {
					t.Fatalf("box %+v outside its container [%d, %d)", b, off, end)
				}
				if depth < 4 {
					boff, n := b.Body()
					walk(boff, boff+n, depth+1)
				}
				return true
			})
		}
		walk(0, int64(len(data)), 0)
		// Boxes at one depth do not overlap and take 8 bytes at least.
		if limit := 5 * (len(data)/8 + 1); visited > limit {
			t.Fatalf("visited %d boxes in %d bytes; want at most %d", visited, len(data), limit)
		}
		_, _ = Find(r, 0, int64(len(data)), "meta")
	})
}
