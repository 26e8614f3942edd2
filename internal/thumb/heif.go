package thumb

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"

	"github.com/picup/picup/pkg/bmff"
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
	meta, err := bmff.Find(r, 0, size, "meta")
	if err != nil {
		return 0, 0, fmt.Errorf("%w (file is truncated or corrupt)", err)
	}
	off, n := meta.Body()
	if n > maxMetaBox {
		return 0, 0, fmt.Errorf("meta box of %d bytes (file is corrupt)", n)
	}
	buf := make([]byte, n)
	if _, err := r.ReadAt(buf, off); err != nil {
		return 0, 0, fmt.Errorf("read meta box: %w (file is truncated or corrupt)", err)
	}
	if len(buf) < 4 {
		return 0, 0, errors.New("meta box too short (file is corrupt)")
	}
	mr := bytes.NewReader(buf)
	iprp, err := bmff.Find(mr, 4, int64(len(buf)), "iprp") // meta is a full box: skip version and flags
	if err != nil {
		return 0, 0, fmt.Errorf("%w (file is corrupt)", err)
	}
	off, n = iprp.Body()
	ipco, err := bmff.Find(mr, off, off+n, "ipco")
	if err != nil {
		return 0, 0, fmt.Errorf("%w (file is corrupt)", err)
	}
	var w, h int
	off, n = ipco.Body()
	_ = bmff.Walk(mr, off, off+n, func(b bmff.Box) bool {
		if b.Type != "ispe" {
			return true
		}
		if p := bmff.ReadBody(mr, b, 12); len(p) == 12 { // version and flags, width, height
			iw := int(binary.BigEndian.Uint32(p[4:]))
			ih := int(binary.BigEndian.Uint32(p[8:]))
			if int64(iw)*int64(ih) > int64(w)*int64(h) {
				w, h = iw, ih
			}
		}
		return true
	})
	if w == 0 || h == 0 {
		return 0, 0, errors.New("no image size declared (file is corrupt)")
	}
	return w, h, nil
}
