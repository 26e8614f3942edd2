// Package media reads what a photo or video says about itself: capture time
// and where it came from, camera, lens, GPS, orientation and pixel size. It is
// plain data with no catalog in sight.
//
// Read is best effort: broken EXIF or a missing field never fails a file.
// Only a container that cannot be used at all is reported, wrapping
// ErrCorrupt. Files are read with bounded ReadAt calls of the parts needed,
// never whole.
package media

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/picup/picup/pkg/capturetime"
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
	// TakenPrecision is "" for a full time, or "day", "month" or "year"
	// for a date alone (capturetime.Precision*).
	TakenPrecision string

	// Title, caption, keywords, people and rating from XMP and IPTC.
	Descriptive

	Make, Model, Lens string
	Lat, Lon          *float64
	Altitude          *float64
	Duration          time.Duration // videos
}

// Read extracts metadata from the file at path of the given detected type.
// modTime is the file's modification time, the last fallback for the capture
// time. now bounds plausible capture times (a date in the future is rejected).
// sidecars are files that travel with it; the .xmp ones among them are read
// before the file's own metadata, so that what they say wins a tie (they
// are where editing software writes its changes).
func Read(path string, t filetype.Type, modTime, now time.Time, sidecars ...string) (Metadata, error) {
	f, err := os.Open(path)
	if err != nil {
		return Metadata{}, fmt.Errorf("read metadata: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Metadata{}, fmt.Errorf("read metadata: %w", err)
	}
	x := extract{md: Metadata{Orientation: 1}}
	for _, sc := range sidecars {
		if strings.EqualFold(filepath.Ext(sc), ".xmp") {
			x.readSidecar(sc)
		}
	}
	if fi.Size() == 0 {
		err = fmt.Errorf("empty file: %w", ErrCorrupt)
	} else {
		err = x.read(io.NewSectionReader(f, 0, fi.Size()), t)
	}
	x.resolveTime(filepath.Base(path), modTime, now)
	if err != nil {
		return x.md, fmt.Errorf("read metadata of %s: %w", path, err)
	}
	return x.md, nil
}

// extract accumulates what the format readers find.
type extract struct {
	md        Metadata
	cands     []capturetime.Candidate
	exifW     int // EXIF pixel size, used when the image header has none
	exifH     int
	exifFound bool
	xmpFound  bool
	iptcFound bool
}

func (x *extract) read(r *io.SectionReader, t filetype.Type) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("parser panic: %v: %w", p, ErrCorrupt)
		}
	}()
	switch t.Format {
	case "jpeg":
		readJPEG(r, x)
	case "png":
		readPNG(r, x)
	case "gif":
		readGIF(r, x)
	case "webp":
		readWebP(r, x)
	case "tiff", "dng", "cr2", "nef", "arw", "pef", "srw", "orf", "rw2":
		readTIFF(r, t.Format, x)
	case "raf":
		readRAF(r, x)
	case "heic", "avif":
		return readHEIF(r, x)
	case "cr3":
		return readCR3(r, x)
	case "mp4", "m4v", "mov", "3gp":
		return readQuickTime(r, x)
	}
	return nil
}

// addExif merges an EXIF block into what was found so far; earlier blocks win.
func (x *extract) addExif(e exifInfo) {
	md := &x.md
	if !x.exifFound {
		md.Orientation = e.orientation
	}
	x.exifFound = true
	if md.Make == "" {
		md.Make = e.make
	}
	if md.Model == "" {
		md.Model = e.model
	}
	if md.Lens == "" {
		md.Lens = e.lens
	}
	if md.Lat == nil && e.lat != nil {
		md.Lat, md.Lon = e.lat, e.lon
	}
	if md.Altitude == nil {
		md.Altitude = e.alt
	}
	if x.exifW == 0 {
		x.exifW, x.exifH = e.width, e.height
	}
	for _, c := range []capturetime.Candidate{e.dto, e.create} {
		if c.Source != "" {
			x.cands = append(x.cands, c)
		}
	}
}

func (x *extract) resolveTime(name string, modTime, now time.Time) {
	if x.md.Width <= 0 && x.md.Height <= 0 {
		x.md.Width, x.md.Height = x.exifW, x.exifH
	}
	cands := x.cands
	if c, ok := capturetime.FromFilename(name); ok {
		cands = append(cands, c)
	}
	cands = append(cands, capturetime.FromMtime(modTime))
	if c, ok := capturetime.Resolve(cands, now); ok {
		x.md.Taken, x.md.TakenSource, x.md.OffsetKnown = c.Time, c.Source, c.OffsetKnown
		x.md.TakenPrecision = c.Precision
	}
}

// readSidecar reads an .xmp sidecar, at most maxXMP bytes of it; one that
// cannot be read is passed over.
func (x *extract) readSidecar(path string) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxXMP))
	if err != nil {
		return
	}
	defer func() { _ = recover() }()
	x.addXMP(b)
}

// readAt reads n bytes at off, or fewer at the end of r; n must already be
// bounded by the caller.
func readAt(r *io.SectionReader, off, n int64) []byte {
	if off < 0 || off >= r.Size() || n <= 0 {
		return nil
	}
	n = min(n, r.Size()-off)
	b := make([]byte, n)
	k, _ := r.ReadAt(b, off)
	return b[:k]
}
