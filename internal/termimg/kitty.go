package termimg

import (
	"bytes"
	"encoding/base64"
	"hash/fnv"
	"image"
	"image/png"
	"strconv"
	"strings"

	"github.com/disintegration/imaging"
)

// kittyChunk is the largest base64 payload of one kitty graphics command;
// it is a multiple of 4, as every chunk but the last must be.
const kittyChunk = 4096

// placeholder is the kitty Unicode placeholder character: a cell showing
// part of an image, which image in its foreground colour, which part in
// the diacritics that follow it.
const placeholder = '\U0010EEEE'

// renderKitty transmits the picture as PNG in Setup, with a virtual
// placement of the box's size (U=1), and draws the box as placeholder
// cells. Kitty scales the image into the box keeping its aspect ratio. A
// box larger than the diacritics table can number is drawn
// in its top-left part, the rest blank.
func renderKitty(img image.Image, o Options) Picture {
	cols, rows := min(o.Cols, len(diacritics)), min(o.Rows, len(diacritics))
	var data bytes.Buffer
	small := scaled(img, 2*cellWidth*cols, 2*cellHeight*rows, imaging.Lanczos, true)
	if err := png.Encode(&data, small); err != nil {
		// Unreachable: png.Encode fails only on a failing writer or an
		// empty image, and small is at least 1×1.
		return Picture{Lines: renderNone(o)}
	}
	id := o.ID
	if id == 0 {
		id = derivedID(data.Bytes())
	}
	return Picture{
		Setup: kittyTransmit(data.Bytes(), id, cols, rows),
		Lines: kittyPlaceholders(id, o.Cols, o.Rows, cols, rows),
	}
}

// derivedID is a non-zero image id that depends only on the image data.
func derivedID(data []byte) uint32 {
	h := fnv.New32a()
	h.Write(data)
	return max(h.Sum32(), 1)
}

// kittyTransmit returns the commands that transmit PNG data as image id
// and create its virtual placement of cols×rows cells, quietly (q=2: the
// terminal sends no reply that could reach the program's input), in
// chunks of at most kittyChunk base64 bytes: m=1 on all but the last.
func kittyTransmit(data []byte, id uint32, cols, rows int) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	b.Grow(len(enc) + (len(enc)/kittyChunk+1)*16 + 64)
	for first := true; first || enc != ""; first = false {
		chunk := enc[:min(len(enc), kittyChunk)]
		enc = enc[len(chunk):]
		b.WriteString("\x1b_G")
		if first {
			b.WriteString("a=T,U=1,f=100,i=" + strconv.FormatUint(uint64(id), 10) +
				",c=" + strconv.Itoa(cols) + ",r=" + strconv.Itoa(rows) + ",")
		}
		b.WriteString("q=2,m=")
		if enc != "" {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
		b.WriteByte(';')
		b.WriteString(chunk)
		b.WriteString("\x1b\\")
	}
	return b.String()
}

// kittyPlaceholders returns rows lines of cols placeholder cells for image
// id, padded with blank lines and spaces to the box of boxCols×boxRows.
// The low 24 bits of the id are the foreground colour; a non-zero high
// byte is a third diacritic on every cell.
func kittyPlaceholders(id uint32, boxCols, boxRows, cols, rows int) []string {
	color := "\x1b[38;2;" + strconv.Itoa(int(id>>16&0xff)) + ";" +
		strconv.Itoa(int(id>>8&0xff)) + ";" + strconv.Itoa(int(id&0xff)) + "m"
	high := id >> 24
	pad := strings.Repeat(" ", boxCols-cols)
	lines := make([]string, boxRows)
	for r := range lines {
		if r >= rows {
			lines[r] = strings.Repeat(" ", boxCols)
			continue
		}
		var b strings.Builder
		b.Grow(len(color) + cols*10 + len(pad) + 8)
		b.WriteString(color)
		for c := range cols {
			b.WriteRune(placeholder)
			b.WriteRune(diacritics[r])
			b.WriteRune(diacritics[c])
			if high != 0 {
				b.WriteRune(diacritics[high])
			}
		}
		b.WriteString("\x1b[39m")
		b.WriteString(pad)
		lines[r] = b.String()
	}
	return lines
}
