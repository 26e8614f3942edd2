package termimg

import (
	"fmt"
	"image"
	"image/color"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

func TestDiacriticsTable(t *testing.T) {
	if len(diacritics) != 297 {
		t.Errorf("%d diacritics, want the 297 of rowcolumn-diacritics.txt", len(diacritics))
	}
	// The examples of the protocol's specification: 0, 1 and 2.
	for n, want := range []rune{0x0305, 0x030D, 0x030E} {
		if diacritics[n] != want {
			t.Errorf("diacritics[%d] = %U, want %U", n, diacritics[n], want)
		}
	}
	if last := diacritics[len(diacritics)-1]; last != 0x1D244 {
		t.Errorf("last diacritic %U, want U+1D244", last)
	}
	for i, r := range diacritics {
		if !unicode.Is(unicode.Mn, r) {
			t.Errorf("diacritics[%d] = %U is not a nonspacing mark", i, r)
		}
		if i > 0 && r <= diacritics[i-1] {
			t.Errorf("diacritics[%d] = %U is not above diacritics[%d] = %U", i, r, i-1, diacritics[i-1])
		}
	}
}

// apcRE matches one kitty graphics command.
var apcRE = regexp.MustCompile(`\x1b_G([^;\x1b]*);([^\x1b]*)\x1b\\`)

type kittyCommand struct {
	keys    map[string]string
	order   []string
	payload string
}

// parseKittySetup splits Setup into graphics commands and checks that
// nothing else is in it.
func parseKittySetup(t *testing.T, setup string) []kittyCommand {
	t.Helper()
	if rest := apcRE.ReplaceAllString(setup, ""); rest != "" {
		t.Fatalf("setup has bytes outside graphics commands: %q", rest)
	}
	var cmds []kittyCommand
	for _, m := range apcRE.FindAllStringSubmatch(setup, -1) {
		c := kittyCommand{keys: map[string]string{}, payload: m[2]}
		for kv := range strings.SplitSeq(m[1], ",") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				t.Fatalf("control data %q: %q is not key=value", m[1], kv)
			}
			c.keys[k] = v
			c.order = append(c.order, k)
		}
		cmds = append(cmds, c)
	}
	return cmds
}

func noise(w, h int) *image.NRGBA {
	rng := rand.New(rand.NewPCG(1, 2))
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(rng.IntN(256))
		if i%4 == 3 {
			img.Pix[i] = 255
		}
	}
	return img
}

func TestKittyTransmission(t *testing.T) {
	tests := []struct {
		name         string
		img          image.Image
		o            Options
		chunks       int // 0: more than one
		wantW, wantH int
		wantC, wantR int
	}{
		{"small image, one chunk", testImage(48, 32), Options{Mode: Kitty, Cols: 20, Rows: 10, ID: 42}, 1, 48, 32, 20, 10},
		{"noise, many chunks", noise(300, 300), Options{Mode: Kitty, Cols: 20, Rows: 10, ID: 0x01020304}, 0, 300, 300, 20, 10},
		{"scaled to twice the cell box", testImage(480, 320), Options{Mode: Kitty, Cols: 6, Rows: 2, ID: 9}, 1, 120, 80, 6, 2},
		{"placement clamped to the diacritics", testImage(48, 32), Options{Mode: Kitty, Cols: 400, Rows: 300, ID: 5}, 1, 48, 32, 297, 297},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Render(tt.img, tt.o)
			cmds := parseKittySetup(t, p.Setup)
			if tt.chunks > 0 && len(cmds) != tt.chunks {
				t.Errorf("%d chunks, want %d", len(cmds), tt.chunks)
			}
			if tt.chunks == 0 && len(cmds) < 2 {
				t.Errorf("%d chunk, want several", len(cmds))
			}
			var b64 strings.Builder
			for i, c := range cmds {
				last := i == len(cmds)-1
				if len(c.payload) > 4096 {
					t.Errorf("chunk %d: %d base64 bytes, more than 4096", i, len(c.payload))
				}
				if !last && len(c.payload)%4 != 0 {
					t.Errorf("chunk %d: %d base64 bytes, not a multiple of 4", i, len(c.payload))
				}
				wantM := "1"
				if last {
					wantM = "0"
				}
				if c.keys["m"] != wantM || c.keys["q"] != "2" {
					t.Errorf("chunk %d: m=%q q=%q, want m=%s q=2", i, c.keys["m"], c.keys["q"], wantM)
				}
				if i > 0 && len(c.keys) != 2 {
					t.Errorf("chunk %d has keys %v; continuation chunks may have only m and q", i, c.order)
				}
				b64.WriteString(c.payload)
			}
			first := cmds[0].keys
			want := map[string]string{
				"a": "T", "U": "1", "f": "100", "q": "2",
				"i": fmt.Sprint(tt.o.ID), "c": fmt.Sprint(tt.wantC), "r": fmt.Sprint(tt.wantR),
			}
			for k, v := range want {
				if first[k] != v {
					t.Errorf("first chunk %s=%q, want %q", k, first[k], v)
				}
			}
			img, format := decodeBase64Image(t, b64.String())
			if format != "png" || img.Bounds().Dx() != tt.wantW || img.Bounds().Dy() != tt.wantH {
				t.Errorf("payload is a %s of %v, want a png of %dx%d", format, img.Bounds().Size(), tt.wantW, tt.wantH)
			}
		})
	}
}

// placeholderCellRE matches one placeholder cell: U+10EEEE and two or three
// diacritics.
var placeholderCellRE = regexp.MustCompile("\U0010EEEE([^\U0010EEEE])([^\U0010EEEE])([^\U0010EEEE])?")

func TestKittyPlaceholders(t *testing.T) {
	index := map[rune]int{}
	for i, r := range diacritics {
		index[r] = i
	}
	tests := []struct {
		name       string
		o          Options
		cols, rows int // the numbered part of the box
	}{
		{"8-bit id", Options{Mode: Kitty, Cols: 3, Rows: 2, ID: 42}, 3, 2},
		{"24-bit id", Options{Mode: Kitty, Cols: 20, Rows: 10, ID: 0xABCDEF}, 20, 10},
		{"32-bit id", Options{Mode: Kitty, Cols: 4, Rows: 3, ID: 0x05000001}, 4, 3},
		{"wider than the table", Options{Mode: Kitty, Cols: 300, Rows: 2, ID: 3}, 297, 2},
		{"taller than the table", Options{Mode: Kitty, Cols: 2, Rows: 299, ID: 3}, 2, 297},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Render(testImage(16, 16), tt.o)
			checkBox(t, p, tt.o)
			id := tt.o.ID
			color := fmt.Sprintf("\x1b[38;2;%d;%d;%dm", id>>16&0xff, id>>8&0xff, id&0xff)
			for r, line := range p.Lines {
				if r >= tt.rows {
					if line != strings.Repeat(" ", tt.o.Cols) {
						t.Errorf("row %d beyond the table: %q, want spaces", r, line)
					}
					continue
				}
				body, ok := strings.CutPrefix(line, color)
				if !ok {
					t.Fatalf("row %d does not start with the id colour %q: %q", r, color, line)
				}
				body, ok = strings.CutSuffix(body, "\x1b[39m"+strings.Repeat(" ", tt.o.Cols-tt.cols))
				if !ok {
					t.Fatalf("row %d does not end with a colour reset and padding: %q", r, line)
				}
				cells := placeholderCellRE.FindAllStringSubmatch(body, -1)
				if len(cells) != tt.cols || placeholderCellRE.ReplaceAllString(body, "") != "" {
					t.Fatalf("row %d: %d placeholder cells and %q besides, want %d cells only",
						r, len(cells), placeholderCellRE.ReplaceAllString(body, ""), tt.cols)
				}
				for c, cell := range cells {
					gotRow, gotCol := index[[]rune(cell[1])[0]], index[[]rune(cell[2])[0]]
					if gotRow != r || gotCol != c {
						t.Errorf("cell (%d, %d) is numbered (%d, %d)", r, c, gotRow, gotCol)
					}
					switch high := id >> 24; {
					case high == 0 && cell[3] != "":
						t.Errorf("cell (%d, %d) has a third diacritic for a 24-bit id", r, c)
					case high != 0 && (cell[3] == "" || index[[]rune(cell[3])[0]] != int(high)):
						t.Errorf("cell (%d, %d): third diacritic %q, want number %d", r, c, cell[3], high)
					}
				}
			}
		})
	}
}

func TestKittyDerivedID(t *testing.T) {
	o := Options{Mode: Kitty, Cols: 4, Rows: 2}
	a, b := Render(testImage(16, 16), o), Render(solid(16, 16, color.NRGBA{1, 2, 3, 255}), o)
	idA, idB := parseKittySetup(t, a.Setup)[0].keys["i"], parseKittySetup(t, b.Setup)[0].keys["i"]
	if idA == "0" || idA == "" || idA == idB {
		t.Fatalf("derived ids %q and %q: want non-zero and different for different images", idA, idB)
	}
	var id uint32
	if _, err := fmt.Sscan(idA, &id); err != nil {
		t.Fatal(err)
	}
	color := fmt.Sprintf("\x1b[38;2;%d;%d;%dm", id>>16&0xff, id>>8&0xff, id&0xff)
	if !strings.HasPrefix(a.Lines[0], color) {
		t.Errorf("placeholders do not carry the derived id %d: %q", id, a.Lines[0])
	}
}
