package termimg

import (
	"testing"
)

// BenchmarkRender renders a grid thumbnail (360 px wide) into a 20×10 cell
// box, the size of one tile of the TUI grid.
func BenchmarkRender(b *testing.B) {
	thumb := testImage(360, 240)
	for _, o := range []Options{
		{Mode: Blocks, Cols: 20, Rows: 10},
		{Mode: Blocks, Cols: 20, Rows: 10, NoColor: true},
		{Mode: Kitty, Cols: 20, Rows: 10, ID: 1},
		{Mode: ITerm, Cols: 20, Rows: 10},
		{Mode: Sixel, Cols: 20, Rows: 10},
	} {
		name := string(o.Mode)
		if o.NoColor {
			name += "-nocolor"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				Render(thumb, o)
			}
		})
	}
}
