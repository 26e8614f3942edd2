// Package bmff walks the boxes of ISO base media files (ISO/IEC 14496-12):
// HEIF, AVIF, Canon CR3, MP4 and QuickTime.
//
// It is written for hostile files: every read is bounded by the container
// it is in, a box that claims to run past its container is an error rather
// than a read, and a walk visits at most MaxBoxes boxes.
package bmff

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// MaxBoxes bounds the boxes Walk visits in one container.
const MaxBoxes = 1 << 14

// ErrPastEnd is returned for a box that runs past the end of its container,
// or whose header does not fit in it.
var ErrPastEnd = errors.New("box runs past the end of its container")

// Box is one box: its four-character type and where it lies.
type Box struct {
	Type      string
	Off, Size int64 // the whole box, header included
	Hdr       int64 // header length: 8, or 16 with a 64-bit size
}

// Body returns the offset and length of the box's payload.
func (b Box) Body() (off, n int64) { return b.Off + b.Hdr, b.Size - b.Hdr }

// Next reads the box header at off within a container ending at end. A size
// of 0 means "to the end of the container". A box that runs past end is
// returned with ErrPastEnd.
func Next(r io.ReaderAt, off, end int64) (Box, error) {
	if end-off < 8 {
		return Box{}, ErrPastEnd
	}
	var h [16]byte
	n, _ := r.ReadAt(h[:min(16, end-off)], off)
	if n < 8 {
		return Box{}, ErrPastEnd
	}
	b := Box{Type: string(h[4:8]), Off: off, Size: int64(binary.BigEndian.Uint32(h[:])), Hdr: 8}
	switch b.Size {
	case 0:
		b.Size = end - off
	case 1:
		if n < 16 {
			return Box{}, ErrPastEnd
		}
		s := binary.BigEndian.Uint64(h[8:])
		if s > math.MaxInt64 {
			return Box{}, ErrPastEnd
		}
		b.Size, b.Hdr = int64(s), 16
	}
	if b.Size < b.Hdr {
		return Box{}, fmt.Errorf("box %q: size %d too small", b.Type, b.Size)
	}
	if b.Size > end-off {
		return b, ErrPastEnd
	}
	return b, nil
}

// Walk calls fn for each box between off and end, in order, visiting at
// most MaxBoxes. It stops at a box that runs past end and returns that
// error; fn returning false stops the walk.
func Walk(r io.ReaderAt, off, end int64, fn func(b Box) bool) error {
	for range MaxBoxes {
		if off >= end {
			return nil
		}
		b, err := Next(r, off, end)
		if err != nil {
			return fmt.Errorf("at offset %d: %w", off, err)
		}
		if !fn(b) {
			return nil
		}
		off += b.Size
	}
	return nil
}

// Find returns the first box of type typ between off and end. When there is
// none, the error names typ and, if the walk stopped at a broken box, why.
func Find(r io.ReaderAt, off, end int64, typ string) (Box, error) {
	var found Box
	var ok bool
	err := Walk(r, off, end, func(b Box) bool {
		if b.Type == typ {
			found, ok = b, true
			return false
		}
		return true
	})
	switch {
	case ok:
		return found, nil
	case err != nil:
		return Box{}, fmt.Errorf("no %s box: %w", typ, err)
	}
	return Box{}, fmt.Errorf("no %s box", typ)
}

// ReadBody reads a box's payload, at most limit bytes; fewer when r ends
// first.
func ReadBody(r io.ReaderAt, b Box, limit int64) []byte {
	off, n := b.Body()
	n = min(n, limit)
	if n <= 0 {
		return nil
	}
	buf := make([]byte, n)
	k, _ := r.ReadAt(buf, off)
	return buf[:k]
}
