// Package thumb decides thumbnail sizes and makes them: decode once with
// limits, apply EXIF orientation, resize, encode JPEG.
package thumb

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"slices"

	"github.com/picup/picup/pkg/filetype"
	"github.com/picup/picup/pkg/jpegopt"
	"github.com/picup/picup/pkg/phash"
)

// SizeName names a row of the thumbnail table.
type SizeName string

// The thumbnail sizes.
const (
	Screen SizeName = "screen" // a full tablet screen
	Grid   SizeName = "grid"   // a tile of the grid
)

// Size is one row of the thumbnail table.
type Size struct {
	Name     SizeName
	LongEdge int // pixels of the longer side
	Quality  int // JPEG quality
}

// SizeNamed returns the size of that name, as a URL or a file names it.
func SizeNamed(name string) (SizeName, bool) {
	for _, s := range Sizes {
		if string(s.Name) == name {
			return s.Name, true
		}
	}
	return "", false
}

// Sizes is the one table that decides every thumbnail, largest first.
// The grid size fills square tiles of about 200 CSS px, so on a 2× screen
// it is already enlarged about 1.45× (a tile shows the middle square of
// the picture): there quality 65 is hard to tell from 82 and a third
// smaller, which is what a screenful of tiles costs on a slow network.
var Sizes = []Size{
	{Name: Screen, LongEdge: 2048, Quality: 82},
	{Name: Grid, LongEdge: 360, Quality: 65},
}

var (
	// ErrNoDecoder means this format cannot be decoded here (a video with
	// no ffmpeg on PATH, a RAW without an embedded preview): the caller
	// archives the file and uses Placeholder.
	ErrNoDecoder = errors.New("no decoder for this format")
	// ErrTooLarge means the image declares more pixels than the budget
	// allows (a decompression bomb); nothing large was allocated.
	ErrTooLarge = errors.New("image too large")
)

// Result holds the encoded JPEG of every size in Sizes, by size name.
type Result struct {
	JPEG          map[SizeName][]byte
	Width, Height int // pixel size as displayed (after orientation) of the decoded source
	// PHash is the perceptual hash of the grid thumbnail (pkg/phash);
	// HasPHash is false for a picture too plain to hash.
	PHash    uint64
	HasPHash bool
}

// Generate makes every size in Sizes from the file at path, decoding it once.
// Errors other than ErrNoDecoder mean the file is corrupt or refused
// (ErrTooLarge); the caller reports them.
//
// orientation is the EXIF orientation (1..8; anything else means 1). It is
// ignored for HEIF, whose container rotation the decoder applies, and for
// videos, which ffmpeg rotates.
func Generate(ctx context.Context, path string, t filetype.Type, orientation int) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	d, err := decodeFile(ctx, path, t)
	if err != nil {
		return Result{}, err
	}
	o := normOrientation(orientation)
	if d.upright {
		o = 1
	}
	return render(ctx, d.img, o)
}

// render makes every size from img: each size is resampled from the one
// before it, largest first, and the orientation is applied to the first
// (largest) resized picture rather than to the full-size source.
func render(ctx context.Context, img image.Image, o int) (Result, error) {
	sizes := slices.SortedFunc(slices.Values(Sizes), func(a, b Size) int {
		return cmp.Compare(b.LongEdge, a.LongEdge)
	})
	b := img.Bounds()
	res := Result{JPEG: make(map[SizeName][]byte, len(sizes)), Width: b.Dx(), Height: b.Dy()}
	if swapsAxes(o) {
		res.Width, res.Height = res.Height, res.Width
	}
	cur := fromImage(img, preShrink(max(b.Dx(), b.Dy()), sizes[0].LongEdge))
	oriented := false
	for _, s := range sizes {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		w, h := cur.size()
		w, h = fitSize(w, h, s.LongEdge)
		cur = resize(cur, w, h)
		if !oriented {
			cur = orientPlanes(cur, o)
			oriented = true
		}
		small := toImage(cur)
		data, err := encode(small, s.Quality)
		if err != nil {
			return Result{}, fmt.Errorf("encode %s thumbnail: %w", s.Name, err)
		}
		res.JPEG[s.Name] = data
		if s.Name == Grid {
			res.PHash, res.HasPHash = phash.Hash(small)
		}
	}
	return res, nil
}

// encode writes img as a baseline JPEG with Huffman tables made for it.
func encode(img image.Image, quality int) ([]byte, error) {
	b := img.Bounds()
	var buf bytes.Buffer
	buf.Grow(b.Dx()*b.Dy()/4 + 1024)
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		return nil, err
	}
	if opt, err := jpegopt.OptimizeHuffman(buf.Bytes()); err == nil {
		return opt, nil
	}
	// Not expected for what image/jpeg writes; the standard tables are
	// only a few percent larger.
	return buf.Bytes(), nil
}
