package archive

import (
	"bufio"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/draw"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/importer"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/testenv"
	"github.com/picup/picup/pkg/phash"
)

// TestDupesCorpus: on the shared corpus's photos, with a resized, a
// re-encoded and a 10 %-cropped copy made of each, every copy is grouped
// with its photo (recall), and no group holds two distinct photos but
// the pairs the corpus's MANIFEST names as near-duplicates (precision);
// both are printed.
func TestDupesCorpus(t *testing.T) {
	corpus := filepath.Join("..", "..", "..", "shared", "testdata", "photos")
	if _, err := os.Stat(filepath.Join(corpus, "MANIFEST.tsv")); err != nil {
		testenv.Missing(t, "the shared corpus is not at %s (%v); TestDupesCorpus needs it", corpus, err)
	}
	ctx := context.Background()
	lib, err := library.Open(ctx, filepath.Join(t.TempDir(), "lib"))
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	roots := []string{filepath.Join(corpus, "jpeg"), filepath.Join(corpus, "heic"), filepath.Join(corpus, "other")}
	if _, err := importer.Run(ctx, lib, roots, importer.Options{}); err != nil {
		t.Fatal(err)
	}
	// Copies only of photos upright as stored: a copy made here keeps no
	// EXIF orientation, so it would show another picture.
	// Nor of photos too plain to hash (no hash, so no group).
	hashes, err := lib.Catalog.PHashes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hashOf := map[int64]uint64{}
	for _, h := range hashes {
		hashOf[h.PhotoID] = h.Hash
	}
	upright := map[string]bool{}
	byName := map[string]int64{}
	all, err := lib.Catalog.FilteredPhotos(ctx, catalog.PhotoFilter{}, nil, 100000)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		_, hashed := hashOf[p.ID]
		upright[p.OriginalName] = p.Orientation <= 1 && hashed
	}
	copies := t.TempDir()
	originals, _ := filepath.Glob(filepath.Join(corpus, "jpeg", "*", "*.jpg"))
	made := 0
	for i, p := range originals {
		if !upright[filepath.Base(p)] {
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		img, err := jpeg.Decode(f)
		f.Close()
		if err != nil || img.Bounds().Dx() < 200 {
			continue // a stub or an undecodable file: nothing to copy
		}
		for _, v := range []struct {
			name    string
			scale   float64
			crop    float64
			quality int
		}{{"half", 0.5, 0, 85}, {"q35", 1, 0, 35}, {"crop", 1, 0.05, 85}} { // crop: 5 % of each side's length, 10 % of the area
			b := img.Bounds()
			dx, dy := int(float64(b.Dx())*v.crop/2), int(float64(b.Dy())*v.crop/2)
			r := image.Rect(b.Min.X+dx, b.Min.Y+dy, b.Max.X-dx, b.Max.Y-dy)
			out := image.NewRGBA(image.Rect(0, 0, int(float64(r.Dx())*v.scale), int(float64(r.Dy())*v.scale)))
			if v.scale == 1 { // a crop or a re-encoding: the pixels as they are
				draw.Copy(out, image.Point{}, img, r, draw.Src, nil)
			} else { // bilinear, as phones and messengers resize
				draw.BiLinear.Scale(out, out.Bounds(), img, r, draw.Src, nil)
			}
			name := filepath.Join(copies, fmt.Sprintf("%03d-%s.jpg", i, v.name))
			w, err := os.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			if err := jpeg.Encode(w, out, &jpeg.Options{Quality: v.quality}); err != nil {
				t.Fatal(err)
			}
			w.Close()
			made++
		}
	}
	if _, err := importer.Run(ctx, lib, []string{copies}, importer.Options{}); err != nil {
		t.Fatal(err)
	}
	a := New(lib)
	groups, err := a.Dupes(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	// Which original a photo is (by the copies' numbers, or itself), and
	// the corpus's own near-duplicate pairs.
	known, manifestPairs := manifestNearDupes(t, filepath.Join(corpus, "MANIFEST.tsv"))
	scene := func(name string) string {
		if n, _, ok := strings.Cut(name, "-"); ok && len(n) == 3 {
			var i int
			if _, err := fmt.Sscanf(n, "%03d", &i); err == nil && i < len(originals) {
				return filepath.Base(originals[i])
			}
		}
		if k, ok := known[name]; ok {
			return k
		}
		return name
	}
	isCopy := func(name string) bool {
		return strings.Contains(name, "-half.") || strings.Contains(name, "-q35.") || strings.Contains(name, "-crop.")
	}
	found := map[string]bool{} // copies grouped with their original
	wrong := 0
	for _, g := range groups {
		scenes := map[string]bool{}
		for _, p := range g.Photos {
			scenes[scene(p.OriginalName)] = true
		}
		if len(scenes) > 1 {
			wrong++
			var names []string
			for _, p := range g.Photos {
				names = append(names, p.OriginalName)
			}
			t.Errorf("a group of distinct photos: %s", strings.Join(names, " | "))
			continue
		}
		hasOriginal := false
		for _, p := range g.Photos {
			hasOriginal = hasOriginal || !isCopy(p.OriginalName)
		}
		for _, p := range g.Photos {
			if hasOriginal && isCopy(p.OriginalName) {
				found[p.OriginalName] = true
			}
		}
	}
	t.Logf("near-duplicates: %d of %d copies found with their photo (recall %.1f %%); %d of %d groups wrong (precision %.1f %%)",
		len(found), made, 100*float64(len(found))/float64(made), wrong, len(groups), 100*float64(len(groups)-wrong)/float64(max(1, len(groups))))
	all, err = lib.Catalog.FilteredPhotos(ctx, catalog.PhotoFilter{}, nil, 100000)
	if err != nil {
		t.Fatal(err)
	}
	hashes, err = lib.Catalog.PHashes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hashes {
		hashOf[h.PhotoID] = h.Hash
	}
	for _, p := range all {
		byName[p.OriginalName] = p.ID
	}
	// The corpus's own pairs: the same photo stored differently must be
	// grouped; the MANIFEST's other pairs are on dupesMissAllowed.
	grouped := map[[2]string]bool{}
	for _, g := range groups {
		for _, p := range g.Photos {
			for _, q := range g.Photos {
				grouped[[2]string{p.OriginalName, q.OriginalName}] = true
			}
		}
	}
	for a, b := range manifestPairs {
		switch {
		case grouped[[2]string{a, b}]:
			t.Logf("the corpus's pair %s and %s: grouped", a, b)
		case dupesMissAllowed[a] != "":
			t.Logf("the corpus's pair %s and %s: not grouped, allowed: %s", a, b, dupesMissAllowed[a])
		default:
			t.Errorf("the corpus's near-duplicates %s and %s are not grouped", a, b)
		}
	}
	entries, _ := os.ReadDir(copies)
	for _, e := range entries {
		if found[e.Name()] {
			continue
		}
		d := phash.Distance(hashOf[byName[e.Name()]], hashOf[byName[scene(e.Name())]])
		if why, ok := dupesMissAllowed[e.Name()]; ok {
			t.Logf("%s (a copy of %s): %d bits apart, allowed: %s", e.Name(), scene(e.Name()), d, why)
			continue
		}
		t.Errorf("%s (a copy of %s) is in no group with it: %d bits apart", e.Name(), scene(e.Name()), d)
	}
}

// dupesMissAllowed are the copies a default threshold does not group
// with their photo, each with why.
var dupesMissAllowed = map[string]string{
	// Flat grey but for a strip of text along its top edge, which the
	// crop cuts off: that strip is all its hash sees.
	"031-crop.jpg": "a flat picture whose only detail the crop removes",
	// The MANIFEST's pairs that are not one photo stored twice.
	"canon_hdr_NO.jpg":              "the same scene 26 s apart, HDR off and on: 12 bits apart, a burst with another exposure (--threshold 12)",
	"FujiFilm FinePixS1Pro (1).jpg": "the same capture metadata, but ExifTool's copy holds a tiny stub image, too small to hash",
}

// manifestNearDupes maps the file name of each photo the MANIFEST calls
// a near-duplicate of another to the name of one of the pair, so that
// both count as one photo; and lists the pairs (the first name of each,
// to the second).
func manifestNearDupes(t *testing.T, manifest string) (scenes, pairs map[string]string) {
	f, err := os.Open(manifest)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out, pairs := map[string]string{}, map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 8 {
			continue
		}
		_, of, ok := strings.Cut(cols[7], "NEAR-DUPLICATE of ")
		if !ok {
			continue
		}
		other, _, _ := strings.Cut(of, ":")
		a, b := filepath.Base(cols[0]), filepath.Base(other)
		out[a], out[b] = min(a, b), min(a, b)
		if a < b {
			pairs[a] = b
		}
	}
	return out, pairs
}
