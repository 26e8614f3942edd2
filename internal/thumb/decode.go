package thumb

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"strings"

	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"

	"github.com/picup/picup/pkg/filetype"
	"github.com/picup/picup/pkg/rawpreview"
)

// MaxPixels is the decompression-bomb budget: images that declare more
// pixels than this are refused with ErrTooLarge before anything is decoded.
var MaxPixels = 100_000_000

// codec is a decoder from the standard library or golang.org/x/image.
type codec struct {
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}

var codecs = map[string]codec{
	"jpeg": {jpeg.DecodeConfig, jpeg.Decode},
	"png":  {png.DecodeConfig, png.Decode},
	"gif":  {gif.DecodeConfig, gif.Decode}, // first frame
	"webp": {webp.DecodeConfig, webp.Decode},
	"tiff": {tiff.DecodeConfig, tiff.Decode},
}

// rawFormats are the camera RAW formats thumbnailed from their embedded
// JPEG preview.
var rawFormats = map[string]bool{
	"dng": true, "cr2": true, "cr3": true, "nef": true, "arw": true, "pef": true,
	"srw": true, "orf": true, "rw2": true, "raf": true,
}

// decoded is a decoded source picture.
type decoded struct {
	img image.Image
	// upright is true when the decoder already turned the picture the way
	// it displays, so the EXIF orientation must not be applied again.
	upright bool
}

// decodeFile decodes the picture in path according to its detected type:
// the image itself, a RAW's embedded preview or a video's poster frame.
func decodeFile(ctx context.Context, path string, t filetype.Type) (decoded, error) {
	if t.Kind == filetype.Video {
		data, err := poster(ctx, path)
		if err != nil {
			return decoded{}, err
		}
		img, err := decodeStd(bytes.NewReader(data), "jpeg")
		if err != nil {
			return decoded{}, fmt.Errorf("video poster: %w", err)
		}
		return decoded{img: img, upright: true}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return decoded{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return decoded{}, err
	}
	if fi.Size() == 0 {
		return decoded{}, fmt.Errorf("decode %s: file is empty", t.Format)
	}
	switch {
	case codecs[t.Format].decode != nil:
		img, err := decodeStd(f, t.Format)
		return decoded{img: img}, err
	case t.Format == "heic" || t.Format == "heif":
		img, err := decodeHEIF(ctx, f, fi.Size())
		return decoded{img: img, upright: true}, err
	case rawFormats[t.Format]:
		img, err := decodeRAW(f, fi.Size(), t.Format)
		return decoded{img: img}, err
	}
	return decoded{}, fmt.Errorf("decode %q: %w", t.Format, ErrNoDecoder)
}

// decodeStd checks the declared size against MaxPixels, then decodes.
func decodeStd(r io.ReadSeeker, format string) (image.Image, error) {
	c := codecs[format]
	cfg, err := guard(format, func() (image.Config, error) {
		return c.config(bufio.NewReader(r))
	})
	if err != nil {
		return nil, decodeError(format, err)
	}
	if format == "jpeg" && cfg.Width > 0 && cfg.Height == 0 {
		// The height comes later, in a DNL marker, which image/jpeg
		// does not read.
		return nil, fmt.Errorf("decode jpeg: height given by a DNL marker: %w", ErrNoDecoder)
	}
	if err := checkPixels(cfg.Width, cfg.Height); err != nil {
		return nil, fmt.Errorf("decode %s: %w", format, err)
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	img, err := guard(format, func() (image.Image, error) {
		return c.decode(bufio.NewReaderSize(r, 64<<10))
	})
	if err != nil {
		switch {
		case format == "gif" && strings.Contains(err.Error(), "missing image data") && gifComplete(r):
			// A GIF with a screen but no frame shows as an empty
			// canvas of the screen's size.
			return image.NewNRGBA(image.Rect(0, 0, cfg.Width, cfg.Height)), nil
		case format == "webp" && animatedWebP(r):
			return nil, fmt.Errorf("decode webp: animated webp: %w", ErrNoDecoder)
		case format == "webp" && riffComplete(r):
			// The container is whole: the pixels use a coding this
			// decoder does not handle, not a truncation.
			return nil, fmt.Errorf("decode webp: %w: %w", err, ErrNoDecoder)
		}
		return nil, decodeError(format, err)
	}
	return img, nil
}

// gifComplete reports whether the GIF in r ends with its trailer byte.
func gifComplete(r io.ReadSeeker) bool {
	end, err := r.Seek(-1, io.SeekEnd)
	if err != nil || end < 13 {
		return false
	}
	b := make([]byte, 1)
	_, err = io.ReadFull(r, b)
	return err == nil && b[0] == 0x3B
}

// riffComplete reports whether the RIFF size in the header matches the
// file's length, i.e. the file is not truncated.
func riffComplete(r io.ReadSeeker) bool {
	size, err := r.Seek(0, io.SeekEnd)
	if err != nil || size < 12 {
		return false
	}
	hdr := make([]byte, 8)
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return false
	}
	if _, err := io.ReadFull(r, hdr); err != nil {
		return false
	}
	declared := int64(binary.LittleEndian.Uint32(hdr[4:8])) + 8
	return declared == size || declared+1 == size // chunks are padded to even sizes
}

// guard runs a decoder and turns its panics into errors.
func guard[T any](format string, fn func() (T, error)) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s decoder panicked: %v", format, p)
		}
	}()
	return fn()
}

// decodeError wraps a decoder error with the format and a hint for people
// reading the import report. Valid but unsupported variants (12-bit or
// arithmetic-coded JPEG, unusual TIFF compression) wrap ErrNoDecoder.
func decodeError(format string, err error) error {
	var (
		ju jpeg.UnsupportedError
		pu png.UnsupportedError
		tu tiff.UnsupportedError
	)
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || strings.Contains(err.Error(), "short"):
		return fmt.Errorf("decode %s: %w (file is truncated or corrupt)", format, err)
	case errors.As(err, &ju) || errors.As(err, &pu) || errors.As(err, &tu):
		return fmt.Errorf("decode %s: %w: %w", format, err, ErrNoDecoder)
	}
	return fmt.Errorf("decode %s: %w (file is corrupt)", format, err)
}

// checkPixels refuses sizes over MaxPixels and nonsense sizes.
func checkPixels(w, h int) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("image declares %dx%d pixels (file is corrupt)", w, h)
	}
	if int64(w)*int64(h) > int64(MaxPixels) {
		return fmt.Errorf("image declares %dx%d pixels, more than the %d MP limit: %w",
			w, h, MaxPixels/1_000_000, ErrTooLarge)
	}
	return nil
}

// animatedWebP reports whether the WebP in r has the VP8X animation flag.
func animatedWebP(r io.ReadSeeker) bool {
	hdr := make([]byte, 21)
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return false
	}
	if _, err := io.ReadFull(r, hdr); err != nil {
		return false
	}
	return string(hdr[12:16]) == "VP8X" && hdr[20]&0x02 != 0
}

// decodeRAW decodes the largest JPEG preview embedded in a camera RAW.
func decodeRAW(f *os.File, size int64, format string) (image.Image, error) {
	p, err := rawpreview.Largest(f, size)
	if err != nil {
		if errors.Is(err, rawpreview.ErrNoPreview) {
			return nil, fmt.Errorf("decode %s: %w: %w", format, err, ErrNoDecoder)
		}
		return nil, fmt.Errorf("decode %s: %w (file is truncated or corrupt)", format, err)
	}
	if err := checkPixels(p.Width, p.Height); err != nil {
		return nil, fmt.Errorf("decode %s preview: %w", format, err)
	}
	img, err := decodeStd(io.NewSectionReader(f, p.Offset, p.Length), "jpeg")
	if err != nil {
		return nil, fmt.Errorf("%s preview: %w", format, err)
	}
	return img, nil
}
