package jpegopt

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"testing"
)

// noisy is a w×h picture of gradients and noise, so that its JPEG has
// symbols of every kind.
func noisy(w, h int, seed uint64) *image.RGBA {
	rng := rand.New(rand.NewPCG(seed, 1))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			n := uint8(rng.IntN(40))
			img.SetRGBA(x, y, color.RGBA{uint8(x*255/w) + n, uint8(y*255/h) ^ n, uint8(x*y) + n/2, 255})
		}
	}
	return img
}

func grayNoisy(w, h int) *image.Gray {
	src := noisy(w, h, 7)
	img := image.NewGray(src.Bounds())
	for y := range h {
		for x := range w {
			img.Set(x, y, src.At(x, y))
		}
	}
	return img
}

// flat is one colour: every block is a DC symbol and an end of block.
func flat(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 0x80
	}
	return img
}

func TestOptimizeHuffmanSamePixels(t *testing.T) {
	ycbcr := func(w, h int, r image.YCbCrSubsampleRatio) image.Image {
		src := noisy(w, h, 3)
		img := image.NewYCbCr(src.Bounds(), r)
		for y := range h {
			for x := range w {
				c := color.YCbCrModel.Convert(src.At(x, y)).(color.YCbCr)
				img.Y[img.YOffset(x, y)] = c.Y
				img.Cb[img.COffset(x, y)], img.Cr[img.COffset(x, y)] = c.Cb, c.Cr
			}
		}
		return img
	}
	tests := []struct {
		name    string
		img     image.Image
		quality int
	}{
		{"colour 360x270 q82", noisy(360, 270, 1), 82},
		{"colour 360x270 q65", noisy(360, 270, 1), 65},
		{"colour q100 (long codes)", noisy(200, 150, 2), 100},
		{"colour q1", noisy(200, 150, 2), 1},
		{"colour 1x1", noisy(1, 1, 4), 82},
		{"colour 17x9 (partial MCUs)", noisy(17, 9, 5), 82},
		{"colour 33x65", noisy(33, 65, 6), 90},
		{"ycbcr 4:2:0 source", ycbcr(101, 77, image.YCbCrSubsampleRatio420), 82},
		{"ycbcr 4:4:4 source", ycbcr(64, 48, image.YCbCrSubsampleRatio444), 82},
		{"gray 123x45", grayNoisy(123, 45), 82},
		{"gray 8x8", grayNoisy(8, 8), 82},
		{"flat colour", flat(96, 64), 82},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := jpeg.Encode(&buf, tt.img, &jpeg.Options{Quality: tt.quality}); err != nil {
				t.Fatal(err)
			}
			orig := buf.Bytes()
			opt, err := OptimizeHuffman(orig)
			if err != nil {
				t.Fatalf("OptimizeHuffman: %v", err)
			}
			if len(opt) >= len(orig) {
				t.Errorf("optimized JPEG is %d bytes; want fewer than the %d of image/jpeg", len(opt), len(orig))
			}
			a, err := jpeg.Decode(bytes.NewReader(orig))
			if err != nil {
				t.Fatal(err)
			}
			b, err := jpeg.Decode(bytes.NewReader(opt))
			if err != nil {
				t.Fatalf("decode the optimized JPEG: %v", err)
			}
			if a.Bounds() != b.Bounds() {
				t.Fatalf("optimized JPEG is %v; want %v", b.Bounds(), a.Bounds())
			}
			for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
				for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
					if a.At(x, y) != b.At(x, y) {
						t.Fatalf("pixel (%d,%d) is %v; want %v as before", x, y, b.At(x, y), a.At(x, y))
					}
				}
			}
		})
	}
}

func TestOptimizeHuffmanRefuses(t *testing.T) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, noisy(64, 48, 9), nil); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	sos := bytes.Index(good, []byte{0xff, 0xda})
	withDRI := append(append(append([]byte{}, good[:sos]...), 0xff, 0xdd, 0, 4, 0, 1), good[sos:]...)
	progressive := bytes.Clone(good)
	progressive[bytes.Index(progressive, []byte{0xff, 0xc0})+1] = 0xc2
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"not a JPEG", []byte("GIF89a......")},
		{"scan cut short", append(bytes.Clone(good[:len(good)-40]), 0xff, 0xd9)},
		{"no end of image", good[:len(good)-2]},
		{"truncated header", good[:sos+3]},
		{"restart intervals", withDRI},
		{"progressive", progressive},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if out, err := OptimizeHuffman(tt.data); err == nil {
				t.Errorf("OptimizeHuffman = %d bytes, nil; want an error", len(out))
			}
		})
	}
}

func TestOptimalTableLimitsCodeLength(t *testing.T) {
	// Fibonacci frequencies make the deepest possible Huffman tree: without
	// the limit, codes would be far longer than 16 bits.
	var freq [257]int
	a, b := 1, 1
	for s := range 40 {
		freq[s] = a
		a, b = b, a+b
	}
	tb, err := optimalTable(&freq)
	if err != nil {
		t.Fatal(err)
	}
	kraft := 0.0
	for s := range 40 {
		l := tb.size[s]
		if l < 1 || l > 16 {
			t.Fatalf("symbol %d has a code of %d bits; want 1 to 16", s, l)
		}
		kraft += 1 / float64(uint(1)<<l)
		if tb.code[s] == 1<<l-1 {
			t.Errorf("symbol %d has the all-ones code of %d bits, which JPEG reserves", s, l)
		}
	}
	if kraft >= 1 {
		t.Errorf("code lengths sum to %.4f in Kraft's inequality; want < 1 (one code kept free)", kraft)
	}
	if tb.size[39] > tb.size[0] {
		t.Errorf("the most frequent symbol has a longer code (%d bits) than the rarest (%d)", tb.size[39], tb.size[0])
	}
}

// BenchmarkOptimizeHuffman rewrites a screen-size thumbnail and a grid one.
func BenchmarkOptimizeHuffman(b *testing.B) {
	for _, sz := range []struct {
		name string
		w, h int
	}{{"screen-2048", 2048, 1536}, {"grid-360", 360, 270}} {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, noisy(sz.w, sz.h, 1), &jpeg.Options{Quality: 82}); err != nil {
			b.Fatal(err)
		}
		b.Run(sz.name, func(b *testing.B) {
			b.SetBytes(int64(buf.Len()))
			for b.Loop() {
				if _, err := OptimizeHuffman(buf.Bytes()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
