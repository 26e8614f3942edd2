package thumb

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/picup/picup/internal/testenv"
	"github.com/picup/picup/pkg/filetype"
)

// repoRoot is the module root, two levels above this package.
var repoRoot = filepath.Join("..", "..")

func photo(format string) filetype.Type { return filetype.Type{Kind: filetype.Photo, Format: format} }

func testdata(parts ...string) string {
	return filepath.Join(append([]string{repoRoot, "testdata", "photos"}, parts...)...)
}

// decodeJPEG decodes one thumbnail of r and fails the test if it is missing.
func decodeJPEG(t *testing.T, r Result, size SizeName) image.Image {
	t.Helper()
	data, ok := r.JPEG[size]
	if !ok {
		t.Fatalf("no %q thumbnail in result", size)
	}
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%q thumbnail does not decode: %v", size, err)
	}
	return img
}

func writeJPEG(t *testing.T, img image.Image) string {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 100}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "src.jpg")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// corner colours of the synthetic source: top-left, top-right, bottom-left,
// bottom-right.
var (
	red   = color.RGBA{230, 20, 20, 255}
	green = color.RGBA{20, 200, 20, 255}
	blue  = color.RGBA{20, 20, 230, 255}
	white = color.RGBA{250, 250, 250, 255}
)

// quadrants is a w x h image with a different colour in each quadrant.
func quadrants(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := red
			switch {
			case x >= w/2 && y < h/2:
				c = green
			case x < w/2 && y >= h/2:
				c = blue
			case x >= w/2 && y >= h/2:
				c = white
			}
			img.Set(x, y, c)
		}
	}
	return img
}

// near reports whether a is within tol of b in every channel.
func near(a color.Color, b color.RGBA, tol int) bool {
	r, g, bl, _ := a.RGBA()
	d := func(x uint32, y uint8) bool {
		v := int(x>>8) - int(y)
		return v >= -tol && v <= tol
	}
	return d(r, b.R) && d(g, b.G) && d(bl, b.B)
}

// exifSides says, per the EXIF specification, on which side of the
// displayed picture the stored 0th row and 0th column end up.
var exifSides = map[int][2]string{
	1: {"top", "left"}, 2: {"top", "right"}, 3: {"bottom", "right"}, 4: {"bottom", "left"},
	5: {"left", "top"}, 6: {"right", "top"}, 7: {"right", "bottom"}, 8: {"left", "bottom"},
}

var opposite = map[string]string{"top": "bottom", "bottom": "top", "left": "right", "right": "left"}

// displayCorner is where the stored corner (last row?, last column?) shows.
func displayCorner(o int, lastRow, lastCol bool) (x, y string) {
	row, col := exifSides[o][0], exifSides[o][1]
	if lastRow {
		row = opposite[row]
	}
	if lastCol {
		col = opposite[col]
	}
	for _, s := range []string{row, col} {
		if s == "left" || s == "right" {
			x = s
		} else {
			y = s
		}
	}
	return x, y
}

func TestGenerateOrientation(t *testing.T) {
	const w, h = 96, 64
	path := writeJPEG(t, quadrants(w, h))
	for o := 0; o <= 9; o++ {
		r, err := Generate(context.Background(), path, photo("jpeg"), o)
		if err != nil {
			t.Fatalf("Generate(orientation %d) = %v; want no error", o, err)
		}
		eo := normOrientation(o)
		ww, wh := w, h
		if eo >= 5 {
			ww, wh = h, w
		}
		if r.Width != ww || r.Height != wh {
			t.Errorf("Generate(orientation %d) size = %dx%d; want %dx%d", o, r.Width, r.Height, ww, wh)
		}
		for _, size := range []SizeName{Screen, Grid} {
			img := decodeJPEG(t, r, size)
			b := img.Bounds()
			if b.Dx() != ww || b.Dy() != wh {
				t.Errorf("Generate(orientation %d) %s = %dx%d; want %dx%d", o, size, b.Dx(), b.Dy(), ww, wh)
				continue
			}
			for _, c := range []struct {
				lastRow, lastCol bool
				want             color.RGBA
			}{{false, false, red}, {false, true, green}, {true, false, blue}, {true, true, white}} {
				sx, sy := displayCorner(eo, c.lastRow, c.lastCol)
				px, py := 4, 4
				if sx == "right" {
					px = ww - 5
				}
				if sy == "bottom" {
					py = wh - 5
				}
				if got := img.At(px, py); !near(got, c.want, 40) {
					t.Errorf("Generate(orientation %d) %s corner %s-%s = %v; want %v", o, size, sy, sx, got, c.want)
				}
			}
		}
	}
}

// meanDiff is the mean absolute difference of the luma of two same-sized
// images.
func meanDiff(a, b image.Image) float64 {
	var sum float64
	bd := a.Bounds()
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			ya := color.GrayModel.Convert(a.At(x, y)).(color.Gray).Y
			yb := color.GrayModel.Convert(b.At(x, y)).(color.Gray).Y
			sum += float64(max(ya, yb) - min(ya, yb))
		}
	}
	return sum / float64(bd.Dx()*bd.Dy())
}

func TestGenerateGoexifOrientations(t *testing.T) {
	gen := func(o int) image.Image {
		path := testdata("orientation", "goexif", "f"+string(rune('0'+o))+"-exif.jpg")
		r, err := Generate(context.Background(), path, photo("jpeg"), o)
		if err != nil {
			t.Fatalf("Generate(%q) = %v; want no error", path, err)
		}
		return decodeJPEG(t, r, "grid")
	}
	want := gen(1)
	for o := 2; o <= 8; o++ {
		got := gen(o)
		if got.Bounds() != want.Bounds() {
			t.Errorf("Generate(f%d) bounds = %v; want %v", o, got.Bounds(), want.Bounds())
			continue
		}
		if d := meanDiff(got, want); d > 8 {
			t.Errorf("Generate(f%d) differs from f1 by %.1f grey levels on average; want <= 8", o, d)
		}
	}
}

func TestGenerateRealOrientation(t *testing.T) {
	tests := []struct {
		file        string
		orientation int
		w, h        int // displayed
		gw, gh      int // grid
	}{
		{"Landscape_6.jpg", 6, 1800, 1200, 360, 240},
		{"Portrait_8.jpg", 8, 1200, 1800, 240, 360},
	}
	for _, tt := range tests {
		path := testdata("orientation", "recurser", tt.file)
		r, err := Generate(context.Background(), path, photo("jpeg"), tt.orientation)
		if err != nil {
			t.Fatalf("Generate(%q) = %v; want no error", path, err)
		}
		if r.Width != tt.w || r.Height != tt.h {
			t.Errorf("Generate(%q) = %dx%d; want %dx%d", tt.file, r.Width, r.Height, tt.w, tt.h)
		}
		if b := decodeJPEG(t, r, "grid").Bounds(); b.Dx() != tt.gw || b.Dy() != tt.gh {
			t.Errorf("Generate(%q) grid = %dx%d; want %dx%d", tt.file, b.Dx(), b.Dy(), tt.gw, tt.gh)
		}
	}
}

// gradient is a smooth colour image, so resampling errors would show.
func gradient(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetRGBA(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 128, 255})
		}
	}
	return img
}

func TestGenerateSizes(t *testing.T) {
	tests := []struct {
		name               string
		img                image.Image
		screenW, screenH   int
		gridW, gridH       int
		encodePNG, useGray bool
	}{
		{name: "big landscape", img: gradient(4000, 3000), screenW: 2048, screenH: 1536, gridW: 360, gridH: 270},
		{name: "big portrait", img: gradient(1500, 5000), screenW: 614, screenH: 2048, gridW: 108, gridH: 360},
		{name: "medium", img: gradient(1000, 800), screenW: 1000, screenH: 800, gridW: 360, gridH: 288},
		{name: "small", img: gradient(300, 200), screenW: 300, screenH: 200, gridW: 300, gridH: 200},
		{name: "one pixel", img: gradient(1, 1), screenW: 1, screenH: 1, gridW: 1, gridH: 1},
		{name: "huge ratio", img: gradient(9000, 400), screenW: 2048, screenH: 91, gridW: 360, gridH: 16},
		{name: "png rgba", img: gradient(2500, 2000), screenW: 2048, screenH: 1638, gridW: 360, gridH: 288, encodePNG: true},
		{name: "gray jpeg", img: gradient(3000, 1000), screenW: 2048, screenH: 683, gridW: 360, gridH: 120, useGray: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			format := "jpeg"
			img := tt.img
			if tt.useGray {
				g := image.NewGray(img.Bounds())
				for y := range img.Bounds().Dy() {
					for x := range img.Bounds().Dx() {
						g.Set(x, y, img.At(x, y))
					}
				}
				img = g
			}
			var err error
			if tt.encodePNG {
				format = "png"
				err = png.Encode(&buf, img)
			} else {
				err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90})
			}
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "src")
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			r, err := Generate(context.Background(), path, photo(format), 1)
			if err != nil {
				t.Fatalf("Generate(%q) = %v; want no error", tt.name, err)
			}
			b := img.Bounds()
			if r.Width != b.Dx() || r.Height != b.Dy() {
				t.Errorf("Generate(%q) size = %dx%d; want %dx%d", tt.name, r.Width, r.Height, b.Dx(), b.Dy())
			}
			for _, s := range []struct {
				name SizeName
				w, h int
			}{{Screen, tt.screenW, tt.screenH}, {Grid, tt.gridW, tt.gridH}} {
				got := decodeJPEG(t, r, s.name)
				if g := got.Bounds(); g.Dx() != s.w || g.Dy() != s.h {
					t.Errorf("Generate(%q) %s = %dx%d; want %dx%d", tt.name, s.name, g.Dx(), g.Dy(), s.w, s.h)
					continue
				}
				// The middle of the thumbnail shows the same place of the source.
				sx := int((float64(s.w/2) + 0.5) * float64(b.Dx()) / float64(s.w))
				sy := int((float64(s.h/2) + 0.5) * float64(b.Dy()) / float64(s.h))
				want := color.RGBAModel.Convert(img.At(sx, sy)).(color.RGBA)
				if c := got.At(s.w/2, s.h/2); !near(c, want, 12) {
					t.Errorf("Generate(%q) %s centre = %v; want %v", tt.name, s.name, c, want)
				}
			}
		})
	}
}

func TestGenerateTransparentPNG(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 50, 50)) // fully transparent
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "t.png")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Generate(context.Background(), path, photo("png"), 1)
	if err != nil {
		t.Fatalf("Generate(transparent png) = %v; want no error", err)
	}
	if c := decodeJPEG(t, r, "grid").At(25, 25); !near(c, color.RGBA{255, 255, 255, 255}, 3) {
		t.Errorf("Generate(transparent png) centre = %v; want white", c)
	}
}

// pngHeader is a PNG signature and IHDR chunk declaring w x h, with no
// image data.
func pngHeader(w, h uint32) []byte {
	ihdr := make([]byte, 17)
	copy(ihdr, "IHDR")
	binary.BigEndian.PutUint32(ihdr[4:], w)
	binary.BigEndian.PutUint32(ihdr[8:], h)
	ihdr[12], ihdr[13] = 8, 6 // 8-bit RGBA
	out := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0d")
	out = append(out, ihdr...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(ihdr))
}

// jpegHeader is a JPEG SOI and baseline SOF0 declaring w x h.
func jpegHeader(w, h uint16) []byte {
	sof := []byte{0xff, 0xd8, 0xff, 0xc0, 0, 17, 8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), 3,
		1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1}
	sos := []byte{0xff, 0xda, 0, 12, 3, 1, 0, 2, 0x11, 3, 0x11, 0, 0x3f, 0}
	return append(append(sof, sos...), make([]byte, 64)...)
}

func TestGenerateBomb(t *testing.T) {
	tests := []struct {
		format string
		data   []byte
		dims   string
	}{
		{"png", pngHeader(50000, 50000), "50000x50000"},
		{"jpeg", jpegHeader(60000, 60000), "60000x60000"},
		{"png", pngHeader(1_000_000, 101), "1000000x101"},
	}
	for _, tt := range tests {
		path := filepath.Join(t.TempDir(), "bomb")
		if err := os.WriteFile(path, tt.data, 0o644); err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Generate(context.Background(), path, photo(tt.format), 1)
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("Generate(%s %s) = %v; want ErrTooLarge", tt.format, tt.dims, err)
			continue
		}
		if !strings.Contains(err.Error(), tt.dims) || !strings.Contains(err.Error(), "100 MP") {
			t.Errorf("Generate(%s %s) error = %q; want the dimensions and the limit named", tt.format, tt.dims, err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
			t.Errorf("Generate(%s %s) allocated %d bytes; want < 1 MiB", tt.format, tt.dims, n)
		}
	}
}

func TestGenerateCorrupt(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile(testdata("orientation", "recurser", "Landscape_6.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	random := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	tests := []struct {
		name, format string
		data         []byte
		want         string
	}{
		{"truncated.jpg", "jpeg", src[:len(src)/2], "truncated or corrupt"},
		{"header-only.jpg", "jpeg", src[:2000], "truncated or corrupt"},
		{"empty.jpg", "jpeg", nil, "file is empty"},
		{"random.jpg", "jpeg", random, "corrupt"},
		{"random.png", "png", random, "corrupt"},
		{"random.gif", "gif", random, "corrupt"},
		{"no-image-data-truncated.gif", "gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00"), "corrupt"},
		{"truncated.webp", "webp", []byte("RIFF\x12\x00\x00\x00WEBPVP8L\x06\x00\x00\x00/Al"), "corrupt"},
		{"random.webp", "webp", random, "corrupt"},
		{"random.tiff", "tiff", random, "corrupt"},
		{"random.heic", "heic", random, "corrupt"},
		{"truncated.png", "png", pngHeader(10, 10), "truncated or corrupt"},
	}
	for _, tt := range tests {
		path := filepath.Join(dir, tt.name)
		if err := os.WriteFile(path, tt.data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Generate(context.Background(), path, photo(tt.format), 1)
		if err == nil || !strings.Contains(err.Error(), tt.want) || errors.Is(err, ErrNoDecoder) {
			t.Errorf("Generate(%q) = %v; want an error mentioning %q", tt.name, err, tt.want)
		}
	}
}

// Whole files the decoders cannot draw: a GIF with a screen and no frame
// is an empty canvas; a complete WebP the decoder rejects and a JPEG whose
// height comes in a DNL marker are archived with a placeholder.
func TestGenerateWholeButUndrawable(t *testing.T) {
	dir := t.TempDir()
	gif := filepath.Join(dir, "empty.gif")
	if err := os.WriteFile(gif, []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Generate(context.Background(), gif, photo("gif"), 1)
	if err != nil || r.Width != 1 || r.Height != 1 {
		t.Fatalf("Generate(frameless GIF) = %dx%d, %v; want a 1x1 canvas", r.Width, r.Height, err)
	}
	decodeJPEG(t, r, "grid")

	webp := filepath.Join(dir, "tiny.webp")
	if err := os.WriteFile(webp, []byte("RIFF\x12\x00\x00\x00WEBPVP8L\x06\x00\x00\x00/Alo\x00k"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(context.Background(), webp, photo("webp"), 1); !errors.Is(err, ErrNoDecoder) {
		t.Errorf("Generate(complete but undecodable WebP) = %v; want ErrNoDecoder", err)
	}

	src, err := os.ReadFile(writeJPEG(t, image.NewGray(image.Rect(0, 0, 8, 8))))
	if err != nil {
		t.Fatal(err)
	}
	sof := bytes.Index(src, []byte{0xFF, 0xC0})
	if sof < 0 {
		t.Fatal("no SOF0 marker in the test JPEG")
	}
	src[sof+5], src[sof+6] = 0, 0 // height 0: defined later by a DNL marker
	dnl := filepath.Join(dir, "dnl.jpg")
	if err := os.WriteFile(dnl, src, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(context.Background(), dnl, photo("jpeg"), 1); !errors.Is(err, ErrNoDecoder) {
		t.Errorf("Generate(JPEG with DNL height) = %v; want ErrNoDecoder", err)
	}
}

func TestGenerateNoDecoder(t *testing.T) {
	tests := []struct{ file, format string }{
		{testdata("heic", "drewnoakes", "IMG_2927.HEIC"), "avif"},
		{testdata("orientation", "recurser", "Landscape_6.jpg"), "dng"}, // no TIFF, no preview
		{testdata("orientation", "recurser", "Landscape_6.jpg"), "psd"},
		{testdata("other", "small", "jpeg.jpg"), "jpeg"}, // arithmetic coding
	}
	for _, tt := range tests {
		_, err := Generate(context.Background(), tt.file, photo(tt.format), 1)
		if !errors.Is(err, ErrNoDecoder) {
			t.Errorf("Generate(%q as %s) = %v; want ErrNoDecoder", tt.file, tt.format, err)
		}
	}
}

func TestGenerateCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Generate(ctx, testdata("orientation", "recurser", "Landscape_6.jpg"), photo("jpeg"), 1)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Generate(cancelled) = %v; want context.Canceled", err)
	}
}

func TestGuardRecoversPanic(t *testing.T) {
	_, err := guard("jpeg", func() (image.Image, error) { panic("boom") })
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("guard(panicking decoder) = %v; want an error naming the panic", err)
	}
}

func TestGenerateFormats(t *testing.T) {
	tests := []struct {
		file   string
		format string
		w, h   int
	}{
		{testdata("other", "small", "png-transparent.png"), "png", 1, 1},
	}
	for _, tt := range tests {
		r, err := Generate(context.Background(), tt.file, photo(tt.format), 0)
		if err != nil {
			t.Errorf("Generate(%q) = %v; want no error", tt.file, err)
			continue
		}
		if r.Width != tt.w || r.Height != tt.h {
			t.Errorf("Generate(%q) = %dx%d; want %dx%d", tt.file, r.Width, r.Height, tt.w, tt.h)
		}
		decodeJPEG(t, r, "screen")
		decodeJPEG(t, r, "grid")
	}
}

func TestGenerateHEIC(t *testing.T) {
	if testing.Short() {
		t.Skip("HEIC decoding through WebAssembly takes seconds; skipped in -short mode")
	}
	tests := []struct {
		file         string
		orientation  int // EXIF; must not be applied on top of irot
		w, h, gw, gh int
	}{
		{testdata("heic", "drewnoakes", "IMG_2927.HEIC"), 1, 3024, 4032, 270, 360},
		{testdata("heic", "pillow-heif", "heif_other", "empty_icc.heic"), 1, 1025, 900, 360, 316},
		{testdata("other", "small", "heif.heif"), 1, 64, 64, 64, 64},
		// Rotated iPhone photo: irot 270 and EXIF orientation 6 say the
		// same thing; the result must be portrait, turned once.
		{filepath.Join(repoRoot, "..", "shared", "testdata", "photos", "heic", "drewnoakes", "Issue 263 dotnet.heic"), 6, 3024, 4032, 270, 360},
	}
	for _, tt := range tests {
		if _, err := os.Stat(tt.file); err != nil {
			t.Logf("skipping %q: %v", tt.file, err)
			continue
		}
		r, err := Generate(context.Background(), tt.file, photo("heic"), tt.orientation)
		if err != nil {
			t.Errorf("Generate(%q) = %v; want no error", tt.file, err)
			continue
		}
		if r.Width != tt.w || r.Height != tt.h {
			t.Errorf("Generate(%q) = %dx%d; want %dx%d", tt.file, r.Width, r.Height, tt.w, tt.h)
		}
		if b := decodeJPEG(t, r, "grid").Bounds(); b.Dx() != tt.gw || b.Dy() != tt.gh {
			t.Errorf("Generate(%q) grid = %dx%d; want %dx%d", tt.file, b.Dx(), b.Dy(), tt.gw, tt.gh)
		}
		decodeJPEG(t, r, "screen")
	}
}

func TestHEIFDeclaredSize(t *testing.T) {
	f, err := os.Open(testdata("heic", "drewnoakes", "IMG_2927.HEIC"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	w, h, err := heifDeclaredSize(f, fi.Size())
	if err != nil || w*h != 4032*3024 {
		t.Errorf("heifDeclaredSize(IMG_2927.HEIC) = %d, %d, %v; want 4032x3024 in either order", w, h, err)
	}
}

func TestPlaceholder(t *testing.T) {
	for _, kind := range []filetype.Kind{filetype.Photo, filetype.Video, filetype.Unknown} {
		r := Placeholder(kind)
		for _, s := range Sizes {
			img := decodeJPEG(t, r, s.Name)
			if b := img.Bounds(); max(b.Dx(), b.Dy()) != s.LongEdge {
				t.Errorf("Placeholder(%v) %s long edge = %d; want %d", kind, s.Name, max(b.Dx(), b.Dy()), s.LongEdge)
			}
			if n := len(r.JPEG[s.Name]); n > 100<<10 {
				t.Errorf("Placeholder(%v) %s = %d bytes; want < 100 KiB", kind, s.Name, n)
			}
		}
	}
	// Video is dark, photo is light.
	v := color.GrayModel.Convert(decodeJPEG(t, Placeholder(filetype.Video), "grid").At(5, 5)).(color.Gray)
	p := color.GrayModel.Convert(decodeJPEG(t, Placeholder(filetype.Photo), "grid").At(5, 5)).(color.Gray)
	if v.Y >= p.Y {
		t.Errorf("Placeholder corners: video %d, photo %d; want video darker", v.Y, p.Y)
	}
}

// dngWithPreview is a minimal little-endian TIFF whose IFD0 carries jpg
// through JPEGInterchangeFormat/Length, like the preview IFD of a DNG.
func dngWithPreview(jpg []byte) []byte {
	var b bytes.Buffer
	b.WriteString("II*\x00")
	le := binary.LittleEndian
	b.Write(le.AppendUint32(nil, 8))
	b.Write(le.AppendUint16(nil, 2))
	const dataOff = 8 + 2 + 2*12 + 4
	for _, e := range [][3]uint32{{0x201, 4, dataOff}, {0x202, 4, uint32(len(jpg))}} {
		b.Write(le.AppendUint16(nil, uint16(e[0])))
		b.Write(le.AppendUint16(nil, uint16(e[1])))
		b.Write(le.AppendUint32(nil, 1))
		b.Write(le.AppendUint32(nil, e[2]))
	}
	b.Write(le.AppendUint32(nil, 0))
	b.Write(jpg)
	return b.Bytes()
}

func TestGenerateRAWPreview(t *testing.T) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, quadrants(640, 480), &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "IMG_0001.dng")
	if err := os.WriteFile(path, dngWithPreview(buf.Bytes()), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Generate(context.Background(), path, photo("dng"), 6)
	if err != nil {
		t.Fatalf("Generate(%q) = %v; want the preview thumbnailed", path, err)
	}
	if r.Width != 480 || r.Height != 640 {
		t.Errorf("Generate(%q) = %dx%d; want 480x640 (preview turned by orientation 6)", path, r.Width, r.Height)
	}
	// Orientation 6: the stored top-left (red) shows at the top right.
	if c := decodeJPEG(t, r, "grid").At(260, 10); !near(c, red, 40) {
		t.Errorf("Generate(%q) grid top right = %v; want red", path, c)
	}
}

func TestGenerateVideo(t *testing.T) {
	video := filetype.Type{Kind: filetype.Video, Format: "mp4"}
	path := testdata("video", "drewnoakes", "with-gps.mp4")

	t.Run("without ffmpeg", func(t *testing.T) {
		saved := ffmpegPath
		ffmpegPath = func() (string, error) { return "", errors.New("not on PATH") }
		defer func() { ffmpegPath = saved }()
		_, err := Generate(context.Background(), path, video, 0)
		if !errors.Is(err, ErrNoDecoder) {
			t.Errorf("Generate(%q) without ffmpeg = %v; want ErrNoDecoder", path, err)
		}
	})
	t.Run("with ffmpeg", func(t *testing.T) {
		if _, err := ffmpegPath(); err != nil {
			testenv.Missing(t, "ffmpeg is not on PATH (%v); install it (apt-get install ffmpeg, or ./scripts/test) to test video posters", err)
		}
		r, err := Generate(context.Background(), path, video, 0)
		if err != nil {
			t.Fatalf("Generate(%q) = %v; want a poster", path, err)
		}
		if r.Width != 1920 || r.Height != 1080 {
			t.Errorf("Generate(%q) = %dx%d; want 1920x1080", path, r.Width, r.Height)
		}
		if b := decodeJPEG(t, r, "grid").Bounds(); b.Dx() != 360 || b.Dy() != 203 {
			t.Errorf("Generate(%q) grid = %v; want 360x203", path, b)
		}
		decodeJPEG(t, r, "screen")

		bad := filepath.Join(t.TempDir(), "bad.mp4")
		if err := os.WriteFile(bad, []byte("not a video at all"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Generate(context.Background(), bad, video, 0); err == nil || errors.Is(err, ErrNoDecoder) {
			t.Errorf("Generate(%q) = %v; want an ffmpeg error", bad, err)
		}
	})
}
