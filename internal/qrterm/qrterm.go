// Package qrterm draws QR codes in a terminal with Unicode half blocks,
// two modules per character cell vertically, so that a phone or tablet
// can scan a share link straight off the screen.
package qrterm

import (
	"fmt"
	"strings"

	"rsc.io/qr"
)

// quiet is the blank border around the code, in modules. The standard
// asks for four; two is what scanners need in practice on a screen and
// keeps the code small in an 80-column terminal.
const quiet = 2

// Style says how dark and light modules are drawn.
type Style int

const (
	// Color paints black modules on a white background with ANSI colours,
	// so the code scans on dark and light terminals alike.
	Color Style = iota
	// Plain uses no escape sequences (for NO_COLOR and non-terminals): it
	// draws the light modules as blocks, which scans on the usual dark
	// terminal background.
	Plain
)

const (
	sgrOn  = "\x1b[30;107m" // black on bright white
	sgrOff = "\x1b[0m"
)

// Render encodes text as a QR code (error correction level M) and returns
// it as lines of half blocks, each line ending in a newline.
func Render(text string, style Style) (string, error) {
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return "", fmt.Errorf("encode %d characters as a QR code: %w", len(text), err)
	}
	n := code.Size + 2*quiet
	dark := func(x, y int) bool {
		x, y = x-quiet, y-quiet
		if x < 0 || y < 0 || x >= code.Size || y >= code.Size {
			return false
		}
		return code.Black(x, y)
	}
	var b strings.Builder
	for y := 0; y < n; y += 2 {
		if style == Color {
			b.WriteString(sgrOn)
		}
		for x := range n {
			top, bottom := dark(x, y), y+1 < n && dark(x, y+1)
			if style == Plain {
				// Blocks are the light modules.
				top, bottom = !top, y+1 < n && !bottom
			}
			b.WriteString(cell(top, bottom))
		}
		if style == Color {
			b.WriteString(sgrOff)
		}
		b.WriteByte('\n')
	}
	return b.String(), nil
}

// cell is the character that draws the upper and lower module of a cell
// in the foreground colour.
func cell(top, bottom bool) string {
	switch {
	case top && bottom:
		return "█"
	case top:
		return "▀"
	case bottom:
		return "▄"
	}
	return " "
}
