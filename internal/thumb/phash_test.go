package thumb

import (
	"bytes"
	"context"
	"image/jpeg"
	"testing"

	"github.com/picup/picup/pkg/phash"
)

// TestGridPHash: Generate hashes the grid thumbnail, and the hash is
// within a few bits of the hash of the grid JPEG it writes (which is
// what a library imported before the hashes existed is hashed from).
func TestGridPHash(t *testing.T) {
	res, err := Generate(context.Background(), "../../testdata/photos/jpeg/drewnoakes/Nikon D5000.jpg",
		photo("jpeg"), 1)
	if err != nil {
		t.Fatal(err)
	}
	if !res.HasPHash {
		t.Fatal("a real photo's grid thumbnail got no hash")
	}
	img, err := jpeg.Decode(bytes.NewReader(res.JPEG[Grid]))
	if err != nil {
		t.Fatal(err)
	}
	fromFile, ok := phash.Hash(img)
	if d := phash.Distance(res.PHash, fromFile); !ok || d > 4 {
		t.Errorf("the hash of the grid JPEG is %d bits from the one made at import (ok %v); want at most 4", d, ok)
	}
}
