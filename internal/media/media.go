// Package media reads what a photo or video says about itself: capture time
// and where it came from, camera, lens, GPS, orientation and pixel size. It is
// plain data with no catalog in sight.
package media

import (
	"errors"
	"time"

	"github.com/picup/picup/pkg/filetype"
)

// ErrCorrupt is wrapped by Read when the file's structure is broken
// (truncated container, box sizes past the end of file, no movie header).
var ErrCorrupt = errors.New("file is corrupt or truncated")

// Metadata is what Read found. Zero values mean "not recorded".
type Metadata struct {
	Width, Height int // stored pixel size, before orientation
	Orientation   int // EXIF orientation 1..8; 1 when absent

	Taken       time.Time // capture time; its Location carries the offset when OffsetKnown
	TakenSource string    // a capturetime.Source value
	OffsetKnown bool

	Make, Model, Lens string
	Lat, Lon          *float64
	Altitude          *float64
	Duration          time.Duration // videos
}

// Read extracts metadata from the file at path of the given detected type.
// modTime is the file's modification time, the last fallback for the capture
// time. now bounds plausible capture times (a date in the future is rejected).
func Read(path string, t filetype.Type, modTime, now time.Time) (Metadata, error) {
	panic("not implemented")
}
