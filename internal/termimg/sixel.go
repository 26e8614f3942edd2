package termimg

import (
	"image"
	"strconv"
	"strings"

	"github.com/disintegration/imaging"
)

// The sixel palette is a fixed colour cube, sixelR×sixelG×sixelB = 252
// colours (green, to which the eye is most sensitive, gets the extra
// level), with ordered dithering. Register n is the colour
// (n/(sixelG·sixelB), n/sixelB mod sixelG, n mod sixelB) in levels.
const (
	sixelR, sixelG, sixelB = 6, 7, 6
	sixelTransparent       = 0xff // index of a pixel left unpainted
	maxSixelSide           = 4096 // bound on the encoded image, in pixels
)

// bayer4 is the 4×4 ordered dithering matrix.
var bayer4 = [4][4]int{{0, 8, 2, 10}, {12, 4, 14, 6}, {3, 11, 1, 9}, {15, 7, 13, 5}}

// sixelSequence returns a sixel image (DCS … q … ST) of the box, assuming
// cells of cellWidth×cellHeight pixels, with img scaled to fit and centred;
// the padding is left unpainted (P2=1), so the terminal's background shows.
func sixelSequence(img image.Image, o Options) string {
	bw, bh := o.Cols*cellWidth, o.Rows*cellHeight
	small := scaled(img, min(bw, maxSixelSide), min(bh, maxSixelSide), imaging.Lanczos, false)
	return encodeSixel(small, bw, bh, (bw-small.Rect.Dx())/2, (bh-small.Rect.Dy())/2)
}

// encodeSixel encodes img placed at (x0, y0) in a bw×bh raster.
func encodeSixel(img *image.NRGBA, bw, bh, x0, y0 int) string {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	idx, used := quantize(img)

	var b strings.Builder
	b.WriteString("\x1bP0;1;0q\"1;1;" + strconv.Itoa(bw) + ";" + strconv.Itoa(bh))
	for c, ok := range used {
		if ok {
			r, g, bl := c/(sixelG*sixelB), c/sixelB%sixelG, c%sixelB
			b.WriteString("#" + strconv.Itoa(c) + ";2;" + strconv.Itoa(percent(r, sixelR)) + ";" +
				strconv.Itoa(percent(g, sixelG)) + ";" + strconv.Itoa(percent(bl, sixelB)))
		}
	}

	lastBand := (y0 + h - 1) / 6
	row := make([]byte, w)
	for band := 0; band <= lastBand; band++ {
		if band > 0 {
			b.WriteByte('-')
		}
		var inBand [len(used)]bool
		for y := max(band*6-y0, 0); y < min(band*6+6-y0, h); y++ {
			for _, c := range idx[y*w : (y+1)*w] {
				if c != sixelTransparent {
					inBand[c] = true
				}
			}
		}
		first := true
		for c, ok := range inBand {
			if !ok {
				continue
			}
			if !first {
				b.WriteByte('$')
			}
			first = false
			b.WriteString("#" + strconv.Itoa(c))
			for x := range row {
				bits := 0
				for r := range 6 {
					y := band*6 + r - y0
					if y >= 0 && y < h && idx[y*w+x] == uint8(c) {
						bits |= 1 << r
					}
				}
				row[x] = byte('?' + bits)
			}
			writeSixelRow(&b, x0, strings.TrimRight(string(row), "?"))
		}
	}
	b.WriteString("\x1b\\")
	return b.String()
}

// writeSixelRow writes pad empty sixels and then data, run-length encoded:
// a run of more than three equal sixels becomes !count followed by the sixel.
func writeSixelRow(b *strings.Builder, pad int, data string) {
	if data == "" {
		return
	}
	writeRun(b, '?', pad)
	for i := 0; i < len(data); {
		j := i + 1
		for j < len(data) && data[j] == data[i] {
			j++
		}
		writeRun(b, data[i], j-i)
		i = j
	}
}

func writeRun(b *strings.Builder, ch byte, n int) {
	if n > 3 {
		b.WriteString("!" + strconv.Itoa(n))
		b.WriteByte(ch)
		return
	}
	for range n {
		b.WriteByte(ch)
	}
}

// quantize maps every pixel of img to a colour register (ordered
// dithering into the cube), or sixelTransparent when it is mostly
// transparent, and reports which registers are used.
func quantize(img *image.NRGBA) ([]uint8, [sixelR * sixelG * sixelB]bool) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	idx := make([]uint8, w*h)
	var used [sixelR * sixelG * sixelB]bool
	for y := range h {
		for x := range w {
			i := y*img.Stride + 4*x
			px := img.Pix[i : i+4 : i+4]
			if px[3] < 128 {
				idx[y*w+x] = sixelTransparent
				continue
			}
			t := 2*bayer4[y%4][x%4] + 1
			c := level(px[0], sixelR, t)*sixelG*sixelB + level(px[1], sixelG, t)*sixelB + level(px[2], sixelB, t)
			idx[y*w+x] = uint8(c)
			used[c] = true
		}
	}
	return idx, used
}

// level quantises v to one of n levels, dithered by the threshold t (an
// odd number below 32).
func level(v uint8, n, t int) int {
	return min((int(v)*(n-1)*32+t*255)/(255*32), n-1)
}

// percent is the sixel colour value (0..100) of level l out of n.
func percent(l, n int) int {
	return (l*100 + (n-1)/2) / (n - 1)
}
