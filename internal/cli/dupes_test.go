package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/draw"
)

// TestDupesCommand: dupes lists a photo and its smaller copy as one
// group, keeper first, in a table and in JSON; --apply moves the copy to
// the trash; a bad threshold is a usage error.
func TestDupesCommand(t *testing.T) {
	ctx := context.Background()
	dir, src := t.TempDir(), t.TempDir()
	orig := "../../testdata/photos/jpeg/drewnoakes/Nikon D5000.jpg"
	f, err := os.Open(orig)
	if err != nil {
		t.Fatal(err)
	}
	img, err := jpeg.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	small := image.NewRGBA(image.Rect(0, 0, b.Dx()/2, b.Dy()/2))
	draw.CatmullRom.Scale(small, small.Bounds(), img, b, draw.Src, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, small, &jpeg.Options{Quality: 70}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "small copy.jpg"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, dir, "", "import", "../../testdata/photos/jpeg/drewnoakes", src)
	picup := func(args ...string) (string, string, error) {
		var out, errb bytes.Buffer
		err := Execute(ctx, append([]string{"--library", dir, "dupes"}, args...), strings.NewReader(""), &out, &errb)
		return out.String(), errb.String(), err
	}
	var groups []struct {
		Keep struct {
			OriginalName string `json:"original_name"`
		} `json:"keep"`
		Why    string `json:"why"`
		Others []struct {
			OriginalName string `json:"original_name"`
		} `json:"others"`
	}
	out, _, err := picup("--json")
	if err != nil || json.Unmarshal([]byte(out), &groups) != nil || len(groups) != 1 {
		t.Fatalf("dupes --json: %v\n%s", err, out)
	}
	if g := groups[0]; g.Keep.OriginalName != "Nikon D5000.jpg" || len(g.Others) != 1 || g.Others[0].OriginalName != "small copy.jpg" || !strings.Contains(g.Why, "largest") {
		t.Errorf("group %+v; want Nikon D5000.jpg kept as the largest, its copy to trash", g)
	}
	out, errOut, err := picup()
	if err != nil || !strings.Contains(out, "keep: the largest") || !strings.Contains(out, "small copy.jpg") ||
		!strings.Contains(errOut, `1 group of photos that look alike; 1 photo besides the keepers`) {
		t.Errorf("dupes: %v\n%s%s", err, out, errOut)
	}
	if _, errOut, err = picup("--apply"); err != nil || !strings.Contains(errOut, "moved 1 photo to the trash") {
		t.Errorf("dupes --apply: %v\n%s", err, errOut)
	}
	if trash := run(t, dir, "", "trash", "ls"); !strings.Contains(trash, "small copy.jpg") {
		t.Errorf("the copy is not in the trash:\n%s", trash)
	}
	if _, errOut, err = picup(); err != nil || !strings.Contains(errOut, "no photos look alike") {
		t.Errorf("dupes after --apply: %v\n%s", err, errOut)
	}
	var ue *UsageError
	if _, _, err := picup("--threshold", "40"); !errors.As(err, &ue) {
		t.Errorf("--threshold 40: %v; want a usage error", err)
	}
}
