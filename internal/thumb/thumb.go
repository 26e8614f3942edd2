// Package thumb decides thumbnail sizes and makes them: decode once with
// limits, apply EXIF orientation, resize, encode JPEG.
package thumb

import (
	"context"
	"errors"

	"github.com/picup/picup/pkg/filetype"
)

// Size is one row of the thumbnail table.
type Size struct {
	Name     string // "grid", "screen"
	LongEdge int    // pixels of the longer side
	Quality  int    // JPEG quality
}

// Sizes is the one table that decides every thumbnail, largest first.
var Sizes = []Size{
	{Name: "screen", LongEdge: 2048, Quality: 82},
	{Name: "grid", LongEdge: 360, Quality: 82},
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
	JPEG          map[string][]byte
	Width, Height int // pixel size as displayed (after orientation) of the decoded source
}

// Generate makes every size in Sizes from the file at path, decoding it once.
// Errors other than ErrNoDecoder mean the file is corrupt or refused
// (ErrTooLarge); the caller reports them.
func Generate(ctx context.Context, path string, t filetype.Type, orientation int) (Result, error) {
	panic("not implemented")
}

// Placeholder returns the stand-in JPEGs (every size) for a file that cannot
// be thumbnailed, e.g. a video while ffmpeg is not installed.
func Placeholder(kind filetype.Kind) Result {
	panic("not implemented")
}
