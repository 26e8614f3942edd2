package termimg

import (
	"encoding/base64"
	"flag"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/charmbracelet/x/ansi"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// testImage is a small deterministic picture: a diagonal colour gradient
// with a white disc and a black bar, so that scaling and colours show.
func testImage(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.NRGBA{uint8(255 * x / max(w-1, 1)), uint8(255 * y / max(h-1, 1)), uint8(255 - 255*(x+y)/max(w+h-2, 1)), 255}
			dx, dy := x-w/3, y-h/2
			if dx*dx+dy*dy <= h*h/16 {
				c = color.NRGBA{255, 255, 255, 255}
			}
			if x > w*3/4 && y > h/4 && y < h*3/4 {
				c = color.NRGBA{0, 0, 0, 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// solid returns a w×h image of one colour.
func solid(w, h int, c color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

var allModes = []Mode{Kitty, ITerm, Sixel, Blocks, None}

// overlayRE matches the cursor-neutral image sequence of ITerm and Sixel.
var overlayRE = regexp.MustCompile(`\x1b7(\x1b\[\d+A)?\x1b\[\d+D(.*)\x1b8$`)

// sgrRE matches an SGR sequence, the only escape Blocks and Kitty lines
// may contain.
var sgrRE = regexp.MustCompile(`\x1b\[[0-9;]*m`)

func TestRenderBoxGeometry(t *testing.T) {
	images := map[string]image.Image{
		"photo":       testImage(48, 32),
		"1x1":         solid(1, 1, color.NRGBA{200, 10, 10, 255}),
		"wide":        solid(3000, 1, color.NRGBA{10, 200, 10, 255}),
		"tall":        solid(1, 3000, color.NRGBA{10, 10, 200, 255}),
		"offset":      testImage(40, 30).SubImage(image.Rect(7, 5, 33, 21)),
		"transparent": solid(8, 8, color.NRGBA{}),
		"nil":         nil,
		"empty":       image.NewNRGBA(image.Rect(0, 0, 0, 0)),
	}
	sizes := []struct{ cols, rows int }{{20, 10}, {1, 1}, {2, 1}, {1, 3}, {80, 2}, {3, 24}, {300, 2}}
	for _, mode := range allModes {
		for _, noColor := range []bool{false, true} {
			for name, img := range images {
				for _, sz := range sizes {
					o := Options{Mode: mode, Cols: sz.cols, Rows: sz.rows, NoColor: noColor, ID: 7}
					t.Run(fmt.Sprintf("%s/nocolor=%v/%s/%dx%d", mode, noColor, name, sz.cols, sz.rows), func(t *testing.T) {
						p := Render(img, o)
						checkBox(t, p, o)
						if again := Render(img, o); !equalPictures(p, again) {
							t.Error("two renders of the same image differ")
						}
					})
				}
			}
		}
	}
}

// checkBox asserts the line count and widths of p and that its lines move
// no cursor and leave no attribute set.
func checkBox(t *testing.T, p Picture, o Options) {
	t.Helper()
	if len(p.Lines) != o.Rows {
		t.Fatalf("got %d lines, want %d", len(p.Lines), o.Rows)
	}
	for i, line := range p.Lines {
		if w := ansi.StringWidth(line); w != o.Cols {
			t.Errorf("line %d is %d cells wide, want %d: %q", i, w, o.Cols, line)
		}
		if m := overlayRE.FindStringSubmatchIndex(line); m != nil {
			if i != len(p.Lines)-1 {
				t.Errorf("line %d carries an image sequence; only the last line may", i)
			}
			line = line[:m[0]]
		}
		if rest := sgrRE.ReplaceAllString(line, ""); strings.ContainsAny(rest, "\x1b\a") {
			t.Errorf("line %d has escapes other than SGR: %q", i, rest)
		}
		if codes := sgrRE.FindAllString(line, -1); len(codes) > 0 {
			if last := codes[len(codes)-1]; last != "\x1b[0m" && last != "\x1b[39m" {
				t.Errorf("line %d ends with attributes set (last SGR %q)", i, last)
			}
		}
	}
}

func equalPictures(a, b Picture) bool {
	return a.Setup == b.Setup && strings.Join(a.Lines, "\n") == strings.Join(b.Lines, "\n")
}

func TestRenderEmptyBox(t *testing.T) {
	for _, tt := range []struct{ cols, rows, lines int }{{0, 0, 0}, {0, 3, 3}, {5, 0, 0}, {-2, 4, 4}, {4, -1, 0}} {
		for _, mode := range allModes {
			p := Render(testImage(10, 10), Options{Mode: mode, Cols: tt.cols, Rows: tt.rows})
			if len(p.Lines) != tt.lines || p.Setup != "" {
				t.Errorf("%s %dx%d: %d lines, setup %q; want %d empty lines", mode, tt.cols, tt.rows, len(p.Lines), p.Setup, tt.lines)
			}
			for _, l := range p.Lines {
				if l != "" {
					t.Errorf("%s %dx%d: line %q, want empty", mode, tt.cols, tt.rows, l)
				}
			}
		}
	}
}

func TestBlocksHalfCells(t *testing.T) {
	red, blue := color.NRGBA{255, 0, 0, 255}, color.NRGBA{0, 0, 255, 255}
	twoPixels := image.NewNRGBA(image.Rect(0, 0, 1, 2))
	twoPixels.SetNRGBA(0, 0, red)
	twoPixels.SetNRGBA(0, 1, blue)

	tests := []struct {
		name string
		img  image.Image
		o    Options
		want []string
	}{
		{"upper fg lower bg", twoPixels, Options{Mode: Blocks, Cols: 1, Rows: 1},
			[]string{"\x1b[38;2;255;0;0m\x1b[48;2;0;0;255m▀\x1b[0m"}},
		// A 4×1 image in 2×4 pixels becomes 2×1, centred at pixel row 1:
		// the lower half of the first row of cells.
		{"centred on a half cell", solid(4, 1, red), Options{Mode: Blocks, Cols: 2, Rows: 2},
			[]string{"\x1b[38;2;255;0;0m▄▄\x1b[0m", "  "}},
		// A 1×4 image in 3×2 pixels becomes 1×2, in the middle column.
		{"centred horizontally", solid(1, 4, blue), Options{Mode: Blocks, Cols: 3, Rows: 1},
			[]string{" \x1b[38;2;0;0;255m\x1b[48;2;0;0;255m▀\x1b[49m \x1b[0m"}},
		{"transparent is padding", solid(4, 4, color.NRGBA{255, 0, 0, 10}), Options{Mode: Blocks, Cols: 2, Rows: 1},
			[]string{"  "}},
		{"ramp white", solid(2, 4, color.NRGBA{255, 255, 255, 255}), Options{Mode: Blocks, Cols: 2, Rows: 2, NoColor: true},
			[]string{"@@", "@@"}},
		{"ramp black and grey", twoPixels, Options{Mode: Blocks, Cols: 1, Rows: 1, NoColor: true},
			// luma of red 54 and blue 18: mean 36 → ramp[1]
			[]string{"."}},
		{"none", testImage(4, 4), Options{Mode: None, Cols: 5, Rows: 3},
			[]string{"     ", "  ▢  ", "     "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Render(tt.img, tt.o)
			if strings.Join(got.Lines, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got  %q\nwant %q", got.Lines, tt.want)
			}
		})
	}
}

func TestFit(t *testing.T) {
	tests := []struct{ w, h, bw, bh, ww, wh int }{
		{100, 50, 20, 20, 20, 10},
		{50, 100, 20, 20, 10, 20},
		{1, 1, 20, 10, 10, 10},
		{3000, 1, 20, 20, 20, 1},
		{1, 3000, 20, 20, 1, 20},
		{4, 3, 4, 3, 4, 3},
	}
	for _, tt := range tests {
		if w, h := fit(tt.w, tt.h, tt.bw, tt.bh); w != tt.ww || h != tt.wh {
			t.Errorf("fit(%d, %d, %d, %d) = %d, %d; want %d, %d", tt.w, tt.h, tt.bw, tt.bh, w, h, tt.ww, tt.wh)
		}
	}
}

// TestGolden pins the output of every mode for the test image. Payloads
// that the standard library's encoders produce (kitty's PNG, iTerm2's
// JPEG) are replaced by a description after a check that they decode, so
// that the goldens do not change with the Go version.
func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		o    Options
	}{
		{"kitty", Options{Mode: Kitty, Cols: 12, Rows: 4, ID: 42}},
		{"iterm", Options{Mode: ITerm, Cols: 12, Rows: 4}},
		{"sixel", Options{Mode: Sixel, Cols: 4, Rows: 2}},
		{"blocks", Options{Mode: Blocks, Cols: 24, Rows: 8}},
		{"blocks-nocolor", Options{Mode: Blocks, Cols: 24, Rows: 8, NoColor: true}},
		{"none", Options{Mode: None, Cols: 12, Rows: 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Render(testImage(48, 32), tt.o)
			got := goldenText(t, p)
			path := filepath.Join("testdata", tt.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/termimg -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s (run go test ./internal/termimg -update if the change is intended)\ngot:\n%s", path, got)
			}
		})
	}
}

var (
	kittyPayloadRE = regexp.MustCompile(`(\x1b_G[^;]*;)([A-Za-z0-9+/=]*)(\x1b\\)`)
	itermPayloadRE = regexp.MustCompile(`size=\d+(;[^:]*:)([A-Za-z0-9+/=]*)\a`)
)

// goldenText is p as readable text: payloads described, escapes and
// invisible runes spelt out.
func goldenText(t *testing.T, p Picture) string {
	t.Helper()
	setup := kittyPayloadRE.ReplaceAllStringFunc(p.Setup, func(s string) string {
		m := kittyPayloadRE.FindStringSubmatch(s)
		return m[1] + describePayload(t, m[2]) + m[3]
	})
	var b strings.Builder
	b.WriteString("setup: " + visible(setup) + "\n")
	for _, line := range p.Lines {
		line = itermPayloadRE.ReplaceAllStringFunc(line, func(s string) string {
			m := itermPayloadRE.FindStringSubmatch(s)
			return "size=<n>" + m[1] + describePayload(t, m[2]) + "\a"
		})
		b.WriteString("line: " + visible(line) + "\n")
	}
	return b.String()
}

// describePayload decodes a base64 image and names its format and size.
func describePayload(t *testing.T, b64 string) string {
	t.Helper()
	img, format := decodeBase64Image(t, b64)
	return fmt.Sprintf("<%s %dx%d>", format, img.Bounds().Dx(), img.Bounds().Dy())
}

func visible(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\x1b':
			b.WriteString(`\e`)
		case r == '\a':
			b.WriteString(`\a`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == placeholder:
			b.WriteString(`\P`)
		case unicode.Is(unicode.Mn, r) || !unicode.IsPrint(r):
			fmt.Fprintf(&b, `\u{%X}`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// decodeBase64Image decodes a base64 PNG or JPEG.
func decodeBase64Image(t *testing.T, b64 string) (image.Image, string) {
	t.Helper()
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatalf("payload is not base64: %v", err)
	}
	img, format, err := image.Decode(strings.NewReader(string(data)))
	if err != nil {
		t.Fatalf("payload is not an image: %v", err)
	}
	return img, format
}
