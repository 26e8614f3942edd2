package thumb

import (
	"bytes"
	"os"
	"testing"
)

// FuzzHEIFDeclaredSize checks that any bytes give a size or an error,
// without a panic or a read beyond the meta box bound.
func FuzzHEIFDeclaredSize(f *testing.F) {
	for _, p := range []string{testdata("other", "small", "heif.heif"), testdata("heic", "drewnoakes", "IMG_2927.HEIC")} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		// The meta box comes early: the first 64 KiB keep the fuzzer fast.
		f.Add(b[:min(len(b), 64<<10)])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		w, h, err := heifDeclaredSize(bytes.NewReader(data), int64(len(data)))
		if err == nil && (w <= 0 || h <= 0) {
			t.Fatalf("heifDeclaredSize = %d, %d, nil; want a positive size or an error", w, h)
		}
	})
}
