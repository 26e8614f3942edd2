package phash

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/image/draw"
)

// photos are the real photographs of the repository's test data.
func photos(t testing.TB) map[string]image.Image {
	t.Helper()
	paths, err := filepath.Glob("../../testdata/photos/jpeg/*/*.jpg")
	if err != nil || len(paths) < 5 {
		t.Fatalf("test photos: %v %v", paths, err)
	}
	out := map[string]image.Image{}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		img, err := jpeg.Decode(f)
		f.Close()
		if err != nil {
			continue
		}
		out[filepath.Base(p)] = img
	}
	return out
}

func scaled(img image.Image, f float64) image.Image {
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, int(float64(b.Dx())*f), int(float64(b.Dy())*f)))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}

func reencoded(t testing.TB, img image.Image, quality int) image.Image {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	out, err := jpeg.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// cropped cuts frac of each side's length off, half on each side.
func cropped(img image.Image, frac float64) image.Image {
	b := img.Bounds()
	dx, dy := int(float64(b.Dx())*frac/2), int(float64(b.Dy())*frac/2)
	r := image.Rect(b.Min.X+dx, b.Min.Y+dy, b.Max.X-dx, b.Max.Y-dy)
	dst := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(dst, dst.Bounds(), img, r.Min, draw.Src)
	return dst
}

func brighter(img image.Image) image.Image {
	b := img.Bounds()
	dst := image.NewRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			up := func(v uint32) uint8 { return uint8(min(255, float64(v>>8)*1.1)) }
			dst.Set(x, y, color.RGBA{up(r), up(g), up(bl), uint8(a >> 8)})
		}
	}
	return dst
}

// TestAlikeAndNot: a photo resized, re-encoded, cropped by up to 10 % or
// made brighter stays within DefaultThreshold of itself; distinct photos
// are further apart than that.
func TestAlikeAndNot(t *testing.T) {
	imgs := photos(t)
	hash := func(name string, img image.Image) uint64 {
		h, ok := Hash(img)
		if !ok {
			t.Fatalf("%s: no hash", name)
		}
		return h
	}
	hashes := map[string]uint64{}
	worst := 0
	for name, img := range imgs {
		h := hash(name, img)
		hashes[name] = h
		for what, v := range map[string]image.Image{
			"half size":       scaled(img, 0.5),
			"a quarter size":  scaled(img, 0.25),
			"JPEG quality 30": reencoded(t, img, 30),
			"cropped 10 %":    cropped(img, 0.10),
			"10 % brighter":   brighter(img),
		} {
			d := Distance(h, hash(name+" "+what, v))
			worst = max(worst, d)
			if d > DefaultThreshold {
				t.Errorf("%s %s: %d bits from the original; want at most %d", name, what, d, DefaultThreshold)
			}
		}
	}
	t.Logf("variants: at most %d bits from their original", worst)
	names := make([]string, 0, len(hashes))
	for n := range hashes {
		names = append(names, n)
	}
	slices.Sort(names)
	closest := 64
	for i, a := range names {
		for _, b := range names[i+1:] {
			if sameScan(a, b) {
				continue
			}
			d := Distance(hashes[a], hashes[b])
			closest = min(closest, d)
			if d <= DefaultThreshold {
				t.Errorf("%s and %s: %d bits apart; distinct photos must be more than %d", a, b, d, DefaultThreshold)
			}
		}
	}
	t.Logf("distinct photos: at least %d bits apart", closest)
}

// sameScan: the test data's two copies of one Kodak scan (the same
// bytes under two names).
func sameScan(a, b string) bool {
	return a[:min(len(a), 30)] == b[:min(len(b), 30)] && filepath.Ext(a) == filepath.Ext(b) && a != b &&
		bytes.HasPrefix([]byte(a), []byte("Kodak CLAS"))
}

// TestPlainPictures: a flat or tiny picture gets no hash.
func TestPlainPictures(t *testing.T) {
	flat := image.NewGray(image.Rect(0, 0, 400, 300))
	for i := range flat.Pix {
		flat.Pix[i] = 120
	}
	if _, ok := Hash(flat); ok {
		t.Error("a flat grey picture got a hash")
	}
	if _, ok := Hash(image.NewRGBA(image.Rect(0, 0, 8, 8))); ok {
		t.Error("an 8×8 picture got a hash")
	}
}

// TestGroupsMatchesAllPairs: Groups finds the groups that comparing
// every pair finds, on random hashes with planted near copies.
func TestGroupsMatchesAllPairs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, threshold := range []int{0, 4, 10, 20} {
		var items []Item
		for i := range 3000 {
			h := rng.Uint64()
			if i > 0 && i%7 == 0 { // a near copy of the one before
				h = items[i-1].Hash
				for range rng.IntN(threshold + 3) {
					h ^= 1 << rng.IntN(64)
				}
			}
			items = append(items, Item{ID: int64(i + 1), Hash: h})
		}
		got := Groups(items, threshold)
		want := allPairs(items, threshold)
		if !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("threshold %d: %d groups, all pairs find %d", threshold, len(got), len(want))
		}
		if len(want) == 0 {
			t.Errorf("threshold %d: no group planted", threshold)
		}
	}
}

// allPairs is Groups the slow way.
func allPairs(items []Item, threshold int) [][]int64 {
	parent := make([]int, len(items))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			i = parent[i]
		}
		return i
	}
	for i := range items {
		for j := i + 1; j < len(items); j++ {
			if Distance(items[i].Hash, items[j].Hash) <= threshold {
				parent[find(i)] = find(j)
			}
		}
	}
	m := map[int][]int64{}
	for i := range items {
		m[find(i)] = append(m[find(i)], items[i].ID)
	}
	var out [][]int64
	for _, g := range m {
		if len(g) > 1 {
			slices.Sort(g)
			out = append(out, g)
		}
	}
	slices.SortFunc(out, func(a, b []int64) int { return int(a[0] - b[0]) })
	return out
}

// BenchmarkGroups100k: grouping 100,000 hashes (a tenth of them near
// copies), the hashes already computed.
func BenchmarkGroups100k(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	items := make([]Item, 100_000)
	for i := range items {
		h := rng.Uint64()
		if i > 0 && i%10 == 0 {
			h = items[i-1].Hash ^ 1<<rng.IntN(64) ^ 1<<rng.IntN(64)
		}
		items[i] = Item{ID: int64(i + 1), Hash: h}
	}
	b.ResetTimer()
	for range b.N {
		Groups(items, DefaultThreshold)
	}
}

// BenchmarkHash: one grid thumbnail's hash.
func BenchmarkHash(b *testing.B) {
	for _, img := range photos(b) {
		small := reencoded(b, scaled(img, 360/float64(max(img.Bounds().Dx(), img.Bounds().Dy()))), 85)
		b.ResetTimer()
		for range b.N {
			Hash(small)
		}
		return
	}
}
