package termimg

import (
	"image"
	"strconv"
	"strings"

	"github.com/disintegration/imaging"
)

// The pixel size of one terminal cell that Sixel mode assumes when it sizes
// its image, and that Kitty and ITerm modes use (doubled, for HiDPI
// screens) to bound the image they send. Terminals do not report it
// reliably; with smaller cells a sixel image overflows its box.
const (
	cellWidth  = 10
	cellHeight = 20
)

// Options says how to draw one picture.
type Options struct {
	Mode       Mode
	Cols, Rows int    // the cell box the picture fills exactly
	NoColor    bool   // NO_COLOR: Blocks draws a luminance ramp without colours
	ID         uint32 // kitty image id, stable for one photo; 0 derives one from the pixels
}

// Picture is a rendered picture.
type Picture struct {
	// Lines are exactly Rows lines, each exactly Cols cells wide as
	// github.com/charmbracelet/x/ansi.StringWidth (and lipgloss.Width)
	// measure it, for a bubbletea View. Every line ends with its
	// attributes reset and the cursor where Cols cells of text leave it
	// (ITerm and Sixel move it only between a save and a restore; see the
	// package documentation).
	Lines []string
	// Setup, when not empty, is written to the terminal out of band before
	// Lines are shown: the kitty image transmission. Writing it again
	// (after the terminal was cleared, say) replaces the image of that ID.
	Setup string
}

// Render draws img into the cell box of o. It never fails: a nil or empty
// image gives the None box, an unknown Mode draws Blocks, and a box with
// Cols or Rows below 1 gives max(Rows, 0) empty lines. The output is
// deterministic.
func Render(img image.Image, o Options) Picture {
	if o.Cols < 1 || o.Rows < 1 {
		return Picture{Lines: make([]string, max(o.Rows, 0))}
	}
	if img == nil || img.Bounds().Empty() {
		return Picture{Lines: renderNone(o)}
	}
	switch o.Mode {
	case None:
		return Picture{Lines: renderNone(o)}
	case Kitty:
		return renderKitty(img, o)
	case ITerm:
		return Picture{Lines: overlay(o, iTermSequence(img, o))}
	case Sixel:
		return Picture{Lines: overlay(o, sixelSequence(img, o))}
	default:
		if o.NoColor {
			return Picture{Lines: renderRamp(img, o)}
		}
		return Picture{Lines: renderBlocks(img, o)}
	}
}

// fit returns the largest size with the aspect ratio of w×h that fits into
// bw×bh, at least 1×1. w, h, bw and bh are positive.
func fit(w, h, bw, bh int) (int, int) {
	if w*bh >= h*bw {
		return bw, min(bh, max(1, (h*bw+w/2)/w))
	}
	return min(bw, max(1, (w*bh+h/2)/h)), bh
}

// scaled resizes img with filter to fit into bw×bh (see fit); with
// noUpscale a smaller image keeps its size.
func scaled(img image.Image, bw, bh int, filter imaging.ResampleFilter, noUpscale bool) *image.NRGBA {
	b := img.Bounds()
	if noUpscale {
		bw, bh = min(bw, b.Dx()), min(bh, b.Dy())
	}
	w, h := fit(b.Dx(), b.Dy(), bw, bh)
	return imaging.Resize(img, w, h, filter)
}

// renderNone draws a blank box with a small mark in the middle.
func renderNone(o Options) []string {
	lines := blank(o)
	row, col := o.Rows/2, (o.Cols-1)/2
	lines[row] = strings.Repeat(" ", col) + "▢" + strings.Repeat(" ", o.Cols-col-1)
	return lines
}

// blank returns Rows lines of Cols spaces.
func blank(o Options) []string {
	lines := make([]string, o.Rows)
	spaces := strings.Repeat(" ", o.Cols)
	for i := range lines {
		lines[i] = spaces
	}
	return lines
}

// overlay returns a blank box whose last line, after its spaces, draws seq
// at the top-left cell of the box and puts the cursor back: save the cursor
// (DECSC), move up Rows-1 and left Cols, draw, restore (DECRC). The
// sequence sits at the end of the last line so that the terminal has drawn
// the blank box before the picture covers it, and the cursor is where
// Cols cells of text would have left it. Only the pair of relative moves
// inside the save and restore touches the cursor.
func overlay(o Options, seq string) []string {
	lines := blank(o)
	var b strings.Builder
	b.WriteString(lines[o.Rows-1])
	b.WriteString("\x1b7")
	if o.Rows > 1 {
		b.WriteString("\x1b[" + strconv.Itoa(o.Rows-1) + "A")
	}
	b.WriteString("\x1b[" + strconv.Itoa(o.Cols) + "D")
	b.WriteString(seq)
	b.WriteString("\x1b8")
	lines[o.Rows-1] = b.String()
	return lines
}
