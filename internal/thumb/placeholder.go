package thumb

import (
	"image"
	"image/color"
	"math"
	"sync"

	"github.com/picup/picup/pkg/filetype"
)

var (
	placeholderOnce sync.Once
	placeholders    map[filetype.Kind]Result
)

// Placeholder returns the stand-in JPEGs (every size) for a file that cannot
// be thumbnailed, e.g. a video while ffmpeg is not installed: a dark tile
// with a white play triangle for videos, a light grey tile with a picture
// glyph (frame, mountain and sun) for everything else. They are drawn once
// per process. Width and Height are zero: the source size is unknown. The
// byte slices are shared and must not be modified.
func Placeholder(kind filetype.Kind) Result {
	placeholderOnce.Do(func() {
		placeholders = map[filetype.Kind]Result{
			filetype.Video: drawPlaceholder(videoGlyph),
			filetype.Photo: drawPlaceholder(photoGlyph),
		}
	})
	if kind != filetype.Video {
		kind = filetype.Photo
	}
	r := placeholders[kind]
	out := Result{JPEG: make(map[SizeName][]byte, len(r.JPEG))}
	for k, v := range r.JPEG {
		out.JPEG[k] = v
	}
	return out
}

// drawPlaceholder renders glyph on a 4:3 tile for every size. glyph gets
// coordinates scaled so the tile height is 1 and the centre is (0, 0).
func drawPlaceholder(glyph func(x, y float64) uint8) Result {
	res := Result{JPEG: make(map[SizeName][]byte, len(Sizes))}
	for _, s := range Sizes {
		w, h := s.LongEdge, s.LongEdge*3/4
		img := image.NewGray(image.Rect(0, 0, w, h))
		for py := range h {
			for px := range w {
				x := (float64(px) + 0.5 - float64(w)/2) / float64(h)
				y := (float64(py) + 0.5 - float64(h)/2) / float64(h)
				img.SetGray(px, py, color.Gray{Y: glyph(x, y)})
			}
		}
		data, err := encode(img, s.Quality)
		if err != nil {
			panic("thumb: encode placeholder: " + err.Error())
		}
		res.JPEG[s.Name] = data
	}
	return res
}

// videoGlyph is a white play triangle on dark grey.
func videoGlyph(x, y float64) uint8 {
	const r = 0.2 // half height of the triangle
	// Triangle with its left edge at x = -r*0.8 and its tip at x = r*1.2.
	left, tip := -0.8*r, 1.2*r
	if x >= left && x <= tip && math.Abs(y) <= r*(tip-x)/(tip-left) {
		return 0xf0
	}
	return 0x30
}

// photoGlyph is a framed landscape (mountain and sun) on light grey.
func photoGlyph(x, y float64) uint8 {
	const fw, fh, line = 0.36, 0.26, 0.025 // frame half width, half height, stroke
	ax, ay := math.Abs(x), math.Abs(y)
	switch {
	case ax > fw || ay > fh:
		return 0xc8
	case ax > fw-line || ay > fh-line:
		return 0x70
	case math.Hypot(x-0.15, y+0.1) < 0.06:
		return 0x70 // sun
	case y > 0.14-0.9*(0.2-math.Abs(x+0.08)) && y < fh-line:
		return 0x70 // mountain
	}
	return 0xe4
}
