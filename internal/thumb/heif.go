package thumb

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
)

// maxMetaBox bounds the HEIF meta box read to find the declared sizes.
const maxMetaBox = 16 << 20

// decodeHEIF checks the sizes the HEIF container declares (ispe boxes)
// against MaxPixels, then decodes with libheif compiled to WebAssembly in a
// helper process (see heifproc.go).
// libheif applies the container's rotation and mirroring (irot, imir), so
// the picture comes out upright and EXIF orientation must not be applied
// on top: HEIF readers ignore it by specification.
func decodeHEIF(ctx context.Context, f *os.File, size int64) (image.Image, error) {
	w, h, err := heifDeclaredSize(f, size)
	if err != nil {
		return nil, fmt.Errorf("decode heic: %w", err)
	}
	if err := checkPixels(w, h); err != nil {
		return nil, fmt.Errorf("decode heic: %w", err)
	}
	path, err := filepath.Abs(f.Name())
	if err != nil {
		return nil, err
	}
	img, err := decodeHEIFIsolated(ctx, path)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("decode heic: libheif cannot decode this file (unsupported or corrupt): %w: %w", err, ErrNoDecoder)
	}
	return img, nil
}

// heifDeclaredSize returns the largest image size declared by an ispe
// property in the meta box: the primary image is never larger, and a grid
// image declares its full size. Only the meta box is read.
func heifDeclaredSize(r io.ReaderAt, size int64) (int, int, error) {
	meta, err := findBox(r, 0, size, "meta")
	if err != nil {
		return 0, 0, err
	}
	if meta.size > maxMetaBox {
		return 0, 0, fmt.Errorf("meta box of %d bytes (file is corrupt)", meta.size)
	}
	buf := make([]byte, meta.size)
	if _, err := r.ReadAt(buf, meta.start); err != nil {
		return 0, 0, fmt.Errorf("read meta box: %w (file is truncated or corrupt)", err)
	}
	if len(buf) < 4 {
		return 0, 0, errors.New("meta box too short (file is corrupt)")
	}
	iprp, ok := childBox(buf[4:], "iprp") // meta is a full box: skip version and flags
	if !ok {
		return 0, 0, errors.New("no iprp box (file is corrupt)")
	}
	ipco, ok := childBox(iprp, "ipco")
	if !ok {
		return 0, 0, errors.New("no ipco box (file is corrupt)")
	}
	var w, h int
	for b := ipco; len(b) >= 8; {
		n := int(binary.BigEndian.Uint32(b))
		if n < 8 || n > len(b) {
			break
		}
		if string(b[4:8]) == "ispe" && n >= 20 {
			iw := int(binary.BigEndian.Uint32(b[12:]))
			ih := int(binary.BigEndian.Uint32(b[16:]))
			if int64(iw)*int64(ih) > int64(w)*int64(h) {
				w, h = iw, ih
			}
		}
		b = b[n:]
	}
	if w == 0 || h == 0 {
		return 0, 0, errors.New("no image size declared (file is corrupt)")
	}
	return w, h, nil
}

// box is the payload position of an ISO BMFF box in a file.
type box struct{ start, size int64 }

// findBox walks the top-level boxes between off and end for typ.
func findBox(r io.ReaderAt, off, end int64, typ string) (box, error) {
	hdr := make([]byte, 16)
	for off+8 <= end {
		if _, err := r.ReadAt(hdr[:8], off); err != nil {
			return box{}, fmt.Errorf("read box header: %w (file is truncated or corrupt)", err)
		}
		n, hl := int64(binary.BigEndian.Uint32(hdr)), int64(8)
		switch n {
		case 0:
			n = end - off
		case 1:
			if _, err := r.ReadAt(hdr[8:16], off+8); err != nil {
				return box{}, fmt.Errorf("read box header: %w (file is truncated or corrupt)", err)
			}
			n, hl = int64(binary.BigEndian.Uint64(hdr[8:])), 16
		}
		if n < hl || n > end-off {
			return box{}, fmt.Errorf("box %q of %d bytes overruns the file (file is truncated or corrupt)", hdr[4:8], n)
		}
		if string(hdr[4:8]) == typ {
			return box{start: off + hl, size: n - hl}, nil
		}
		off += n
	}
	return box{}, fmt.Errorf("no %s box (file is truncated or corrupt)", typ)
}

// childBox returns the payload of the first box of type typ in b.
func childBox(b []byte, typ string) ([]byte, bool) {
	for len(b) >= 8 {
		n := int(binary.BigEndian.Uint32(b))
		if n < 8 || n > len(b) {
			return nil, false
		}
		if string(b[4:8]) == typ {
			return b[8:n], true
		}
		b = b[n:]
	}
	return nil, false
}
