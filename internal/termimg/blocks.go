package termimg

import (
	"image"
	"strconv"

	"github.com/disintegration/imaging"
)

// ramp maps luminance, dark to light, to characters for NoColor.
const ramp = " .:-=+*#%@"

// cellPixels is the picture scaled for a cell box: each cell holds two
// pixels, one above the other, and the image is centred with transparent
// padding around it.
type cellPixels struct {
	img    *image.NRGBA
	x0, y0 int // the image's offset in the Cols×2·Rows pixel box
}

func newCellPixels(img image.Image, o Options) cellPixels {
	small := scaled(img, o.Cols, 2*o.Rows, imaging.Box, false)
	return cellPixels{img: small, x0: (o.Cols - small.Rect.Dx()) / 2, y0: (2*o.Rows - small.Rect.Dy()) / 2}
}

// at returns the pixel at (x, y) of the box as 0xRRGGBB, and false for
// padding and for mostly transparent pixels.
func (p cellPixels) at(x, y int) (uint32, bool) {
	x, y = x-p.x0, y-p.y0
	if x < 0 || y < 0 || x >= p.img.Rect.Dx() || y >= p.img.Rect.Dy() {
		return 0, false
	}
	i := y*p.img.Stride + 4*x
	px := p.img.Pix[i : i+4 : i+4]
	if px[3] < 128 {
		return 0, false
	}
	return uint32(px[0])<<16 | uint32(px[1])<<8 | uint32(px[2]), true
}

// renderBlocks draws each cell as "▀" with the upper pixel in the
// foreground colour and the lower one in the background colour (24-bit
// SGR). A cell with only one pixel of the image uses "▀" or "▄" on the
// default background; a padding cell is a space.
func renderBlocks(img image.Image, o Options) []string {
	p := newCellPixels(img, o)
	lines := make([]string, o.Rows)
	buf := make([]byte, 0, o.Cols*40)
	for row := range lines {
		buf = buf[:0]
		var fg, bg uint32
		fgSet, bgSet := false, false
		setFG := func(c uint32) {
			if !fgSet || fg != c {
				buf = appendSGRColor(buf, 38, c)
				fg, fgSet = c, true
			}
		}
		setBG := func(c uint32) {
			if !bgSet || bg != c {
				buf = appendSGRColor(buf, 48, c)
				bg, bgSet = c, true
			}
		}
		clearBG := func() {
			if bgSet {
				buf = append(buf, "\x1b[49m"...)
				bgSet = false
			}
		}
		for x := range o.Cols {
			top, hasTop := p.at(x, 2*row)
			bottom, hasBottom := p.at(x, 2*row+1)
			switch {
			case hasTop && hasBottom:
				setFG(top)
				setBG(bottom)
				buf = append(buf, "▀"...)
			case hasTop:
				clearBG()
				setFG(top)
				buf = append(buf, "▀"...)
			case hasBottom:
				clearBG()
				setFG(bottom)
				buf = append(buf, "▄"...)
			default:
				clearBG()
				buf = append(buf, ' ')
			}
		}
		if fgSet || bgSet {
			buf = append(buf, "\x1b[0m"...)
		}
		lines[row] = string(buf)
	}
	return lines
}

// appendSGRColor appends ESC [ 38;2;R;G;B m (param 38, foreground) or
// ESC [ 48;2;R;G;B m (48, background).
func appendSGRColor(buf []byte, param int, c uint32) []byte {
	buf = append(buf, "\x1b["...)
	buf = strconv.AppendInt(buf, int64(param), 10)
	buf = append(buf, ";2;"...)
	buf = strconv.AppendUint(buf, uint64(c>>16&0xff), 10)
	buf = append(buf, ';')
	buf = strconv.AppendUint(buf, uint64(c>>8&0xff), 10)
	buf = append(buf, ';')
	buf = strconv.AppendUint(buf, uint64(c&0xff), 10)
	return append(buf, 'm')
}

// renderRamp draws each cell as a character of ramp chosen by the mean
// luminance of its two pixels, with no escape sequences at all.
func renderRamp(img image.Image, o Options) []string {
	p := newCellPixels(img, o)
	lines := make([]string, o.Rows)
	buf := make([]byte, o.Cols)
	for row := range lines {
		for x := range buf {
			sum, n := 0, 0
			for _, y := range [2]int{2 * row, 2*row + 1} {
				if c, ok := p.at(x, y); ok {
					sum += luminance(c)
					n++
				}
			}
			buf[x] = ' '
			if n > 0 {
				buf[x] = ramp[sum/n*len(ramp)/256]
			}
		}
		lines[row] = string(buf)
	}
	return lines
}

// luminance returns the Rec. 709 luma of 0xRRGGBB, 0..255.
func luminance(c uint32) int {
	r, g, b := int(c>>16&0xff), int(c>>8&0xff), int(c&0xff)
	return (2126*r + 7152*g + 722*b) / 10000
}
