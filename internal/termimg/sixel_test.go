package termimg

import (
	"fmt"
	"image"
	"image/color"
	"strconv"
	"strings"
	"testing"
)

// decodedSixel is what a terminal makes of a sixel sequence.
type decodedSixel struct {
	params        string // the DCS parameters before q
	width, height int    // raster attributes
	palette       map[int][3]int
	pixels        [][]int // register per pixel, -1 where nothing was painted
}

// decodeSixel is an independent sixel decoder: DCS P1;P2;P3 q, raster
// attributes, colour definitions (#n;2;r;g;b in percent), colour
// selection, sixel data, repeats (!n), carriage return ($), next band (-)
// and ST.
func decodeSixel(t *testing.T, seq string) decodedSixel {
	t.Helper()
	body, ok := strings.CutPrefix(seq, "\x1bP")
	if !ok {
		t.Fatalf("no DCS: %.20q", seq)
	}
	body, ok = strings.CutSuffix(body, "\x1b\\")
	if !ok {
		t.Fatalf("no ST at the end: %.20q", seq[max(len(seq)-20, 0):])
	}
	params, body, ok := strings.Cut(body, "q")
	if !ok {
		t.Fatal("no q after the DCS parameters")
	}
	d := decodedSixel{params: params, palette: map[int][3]int{}}
	i := 0
	number := func() int {
		j := i
		for j < len(body) && body[j] >= '0' && body[j] <= '9' {
			j++
		}
		n, err := strconv.Atoi(body[i:j])
		if err != nil {
			t.Fatalf("offset %d: expected a number in %.20q", i, body[i:])
		}
		i = j
		return n
	}
	numbers := func() []int {
		ns := []int{number()}
		for i < len(body) && body[i] == ';' {
			i++
			ns = append(ns, number())
		}
		return ns
	}
	if !strings.HasPrefix(body, "\"") {
		t.Fatal("no raster attributes")
	}
	i++
	ra := numbers()
	if len(ra) != 4 || ra[0] != 1 || ra[1] != 1 {
		t.Fatalf("raster attributes %v, want 1;1;width;height", ra)
	}
	d.width, d.height = ra[2], ra[3]
	d.pixels = make([][]int, d.height)
	for y := range d.pixels {
		d.pixels[y] = make([]int, d.width)
		for x := range d.pixels[y] {
			d.pixels[y][x] = -1
		}
	}
	x, band, current := 0, 0, -1
	paint := func(ch byte, n int) {
		bits := int(ch - '?')
		for range n {
			for r := range 6 {
				if bits&(1<<r) != 0 {
					y := band*6 + r
					if y >= d.height || x >= d.width {
						t.Fatalf("pixel (%d, %d) outside the %dx%d raster", x, y, d.width, d.height)
					}
					if current < 0 {
						t.Fatal("sixel data before any colour was selected")
					}
					d.pixels[y][x] = current
				}
			}
			x++
		}
	}
	for i < len(body) {
		switch ch := body[i]; {
		case ch == '#':
			i++
			ns := numbers()
			switch len(ns) {
			case 1:
				if _, ok := d.palette[ns[0]]; !ok {
					t.Fatalf("colour %d selected before it was defined", ns[0])
				}
				current = ns[0]
			case 5:
				if ns[1] != 2 {
					t.Fatalf("colour %d: space %d, want 2 (RGB)", ns[0], ns[1])
				}
				d.palette[ns[0]] = [3]int{ns[2], ns[3], ns[4]}
			default:
				t.Fatalf("colour command %v", ns)
			}
		case ch == '!':
			i++
			n := number()
			paint(body[i], n)
			i++
		case ch == '$':
			x = 0
			i++
		case ch == '-':
			x = 0
			band++
			i++
		case ch >= '?' && ch <= '~':
			paint(ch, 1)
			i++
		default:
			t.Fatalf("unexpected byte %q at %d", ch, i)
		}
	}
	return d
}

// imageSequence returns the ITerm or Sixel sequence in the last line of p.
func imageSequence(t *testing.T, p Picture) string {
	t.Helper()
	m := overlayRE.FindStringSubmatch(p.Lines[len(p.Lines)-1])
	if m == nil {
		t.Fatalf("last line has no image sequence: %q", p.Lines[len(p.Lines)-1])
	}
	return m[2]
}

func TestSixelDecodesBack(t *testing.T) {
	red, green, blue, white := color.NRGBA{255, 0, 0, 255}, color.NRGBA{0, 255, 0, 255}, color.NRGBA{0, 0, 255, 255}, color.NRGBA{255, 255, 255, 255}
	quadrants := image.NewNRGBA(image.Rect(0, 0, 40, 40))
	for y := range 40 {
		for x := range 40 {
			c := [2][2]color.NRGBA{{red, green}, {blue, white}}[y/20][x/20]
			quadrants.SetNRGBA(x, y, c)
		}
	}
	cube := map[color.NRGBA][3]int{red: {100, 0, 0}, green: {0, 100, 0}, blue: {0, 0, 100}, white: {100, 100, 100}}

	tests := []struct {
		name       string
		o          Options
		x0, y0, sz int // where the 40×40 image lands and its size after scaling
	}{
		// 80×40 pixels: the square fills the height, centred across.
		{"wide box", Options{Mode: Sixel, Cols: 8, Rows: 2}, 20, 0, 40},
		// 40×80 pixels: the square fills the width, centred down (y0 20
		// is not a band boundary).
		{"tall box", Options{Mode: Sixel, Cols: 4, Rows: 4}, 0, 20, 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Render(quadrants, tt.o)
			checkBox(t, p, tt.o)
			d := decodeSixel(t, imageSequence(t, p))
			if d.params != "0;1;0" {
				t.Errorf("DCS parameters %q, want 0;1;0 (P2=1: unpainted pixels keep the background)", d.params)
			}
			if d.width != tt.o.Cols*cellWidth || d.height != tt.o.Rows*cellHeight {
				t.Errorf("raster %dx%d, want %dx%d", d.width, d.height, tt.o.Cols*cellWidth, tt.o.Rows*cellHeight)
			}
			if len(d.palette) != 4 {
				t.Errorf("palette %v, want the 4 colours of the image", d.palette)
			}
			for y := range d.height {
				for x := range d.width {
					ix, iy := x-tt.x0, y-tt.y0
					reg := d.pixels[y][x]
					if ix < 0 || iy < 0 || ix >= tt.sz || iy >= tt.sz {
						if reg != -1 {
							t.Fatalf("padding pixel (%d, %d) painted with %d", x, y, reg)
						}
						continue
					}
					want := cube[quadrants.NRGBAAt(ix*40/tt.sz, iy*40/tt.sz)]
					if reg == -1 || d.palette[reg] != want {
						t.Fatalf("pixel (%d, %d) is register %d %v, want %v", x, y, reg, d.palette[reg], want)
					}
				}
			}
		})
	}
}

func TestSixelPalette(t *testing.T) {
	p := Render(noise(200, 200), Options{Mode: Sixel, Cols: 20, Rows: 10})
	seq := imageSequence(t, p)
	d := decodeSixel(t, seq)
	if len(d.palette) > 256 {
		t.Errorf("%d colour registers, more than 256", len(d.palette))
	}
	for reg, rgb := range d.palette {
		for _, v := range rgb {
			if v < 0 || v > 100 {
				t.Errorf("register %d = %v: components must be percentages", reg, rgb)
			}
		}
	}
	if !strings.Contains(seq, "!") {
		t.Error("no run-length encoding (!) although most of each colour's row is empty")
	}
	painted := 0
	for _, row := range d.pixels {
		for _, reg := range row {
			if reg >= 0 {
				painted++
			}
		}
	}
	// 200×200 in 200×200 pixels: every pixel of the image is painted.
	if painted != 200*200 {
		t.Errorf("%d pixels painted, want %d", painted, 200*200)
	}
}

func TestSixelDithersGradients(t *testing.T) {
	// A mid grey between two cube levels comes out as a mixture of both,
	// whose mean is close to the grey.
	grey := uint8(140)
	p := Render(solid(40, 40, color.NRGBA{grey, grey, grey, 255}), Options{Mode: Sixel, Cols: 4, Rows: 2})
	d := decodeSixel(t, imageSequence(t, p))
	sum, n := 0, 0
	for _, row := range d.pixels {
		for _, reg := range row {
			if reg >= 0 {
				sum += d.palette[reg][0]
				n++
			}
		}
	}
	if len(d.palette) < 2 {
		t.Errorf("palette %v: want two levels mixed", d.palette)
	}
	mean := float64(sum) / float64(n)
	if want := float64(grey) * 100 / 255; mean < want-3 || mean > want+3 {
		t.Errorf("mean red %.1f%%, want about %.1f%%", mean, want)
	}
}

func TestWriteSixelRow(t *testing.T) {
	tests := []struct {
		pad  int
		data string
		want string
	}{
		{0, "", ""},
		{5, "", ""},
		{0, "~~~", "~~~"},
		{0, "~~~~", "!4~"},
		{2, "@AAAAAB", "??@!5AB"},
		{10, "~", "!10?~"},
	}
	for _, tt := range tests {
		var b strings.Builder
		writeSixelRow(&b, tt.pad, tt.data)
		if got := b.String(); got != tt.want {
			t.Errorf("writeSixelRow(%d, %q) = %q, want %q", tt.pad, tt.data, got, tt.want)
		}
	}
}

func TestOverlayCursorMoves(t *testing.T) {
	for _, tt := range []struct{ cols, rows int }{{1, 1}, {5, 1}, {5, 3}, {20, 10}} {
		t.Run(fmt.Sprintf("%dx%d", tt.cols, tt.rows), func(t *testing.T) {
			lines := overlay(Options{Cols: tt.cols, Rows: tt.rows}, "IMG")
			want := strings.Repeat(" ", tt.cols) + "\x1b7"
			if tt.rows > 1 {
				want += fmt.Sprintf("\x1b[%dA", tt.rows-1)
			}
			want += fmt.Sprintf("\x1b[%dD", tt.cols) + "IMG\x1b8"
			if got := lines[tt.rows-1]; got != want {
				t.Errorf("last line %q, want %q", got, want)
			}
			for i, l := range lines[:tt.rows-1] {
				if l != strings.Repeat(" ", tt.cols) {
					t.Errorf("line %d %q, want spaces", i, l)
				}
			}
		})
	}
}
