package termimg

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/jpeg"
	"strconv"

	"github.com/disintegration/imaging"
)

// iTermSequence returns the iTerm2 inline image escape (OSC 1337 File=)
// that shows img scaled into Cols×Rows cells keeping its aspect ratio. The
// image travels as a JPEG (photos; far smaller than PNG), at most twice the
// assumed cell size per cell and never enlarged: the terminal scales it.
func iTermSequence(img image.Image, o Options) string {
	var data bytes.Buffer
	small := scaled(img, 2*cellWidth*o.Cols, 2*cellHeight*o.Rows, imaging.Lanczos, true)
	if err := jpeg.Encode(&data, small, &jpeg.Options{Quality: 85}); err != nil {
		// Unreachable: jpeg.Encode fails only on a failing writer or an
		// image too large for JPEG, and small is bounded by the box.
		return ""
	}
	return "\x1b]1337;File=inline=1;size=" + strconv.Itoa(data.Len()) +
		";width=" + strconv.Itoa(o.Cols) + ";height=" + strconv.Itoa(o.Rows) +
		";preserveAspectRatio=1:" + base64.StdEncoding.EncodeToString(data.Bytes()) + "\a"
}
