// Package phash computes perceptual hashes of pictures and groups those
// that look alike: the same photo resized, re-encoded, lightly cropped or
// scanned twice, and bursts of nearly the same shot.
//
// The hash is the DCT hash (pHash): the picture reduced to 32×32 grey
// levels, its 2-D discrete cosine transform, and one bit per coefficient
// of the 8×8 lowest frequencies (but the constant term), set when the
// coefficient is above their median. Two pictures are alike when their
// hashes differ in few bits (Distance).
package phash

import (
	"image"
	"math"
	"math/bits"
	"slices"
	"sync"
)

// side is the size of the grey picture the transform runs on.
const side = 32

// Hash is the perceptual hash of img; ok is false for a picture that has
// too little in it to be told from others (smaller than 16×16 pixels, or
// nearly one flat tone: a blank scan, a black frame), whose hashes would
// all look alike.
func Hash(img image.Image) (h uint64, ok bool) {
	if b := img.Bounds(); b.Dx() < 16 || b.Dy() < 16 {
		return 0, false
	}
	var px [side * side]float64
	grey(img, px[:])
	if stddev(px[:]) < minStddev {
		return 0, false
	}
	d := dct2(px[:])
	// The 8×8 lowest frequencies, row by row, the constant term left out
	// (it is the mean brightness, which says nothing of the shapes).
	var coef [63]float64
	n := 0
	for y := range 8 {
		for x := range 8 {
			if x == 0 && y == 0 {
				continue
			}
			coef[n] = d[y*side+x]
			n++
		}
	}
	sorted := coef
	slices.Sort(sorted[:])
	median := sorted[len(sorted)/2]
	for i, c := range coef {
		if c > median {
			h |= 1 << uint(i)
		}
	}
	return h, true
}

// DefaultThreshold is how many bits two hashes may differ in for their
// pictures to count as alike: resized, re-encoded or slightly cropped
// copies of a photo stay within it, distinct photos are further apart.
const DefaultThreshold = 10

// minStddev is the least spread of grey levels (of 255) a picture needs
// to be hashed.
const minStddev = 2.0

func stddev(px []float64) float64 {
	mean := 0.0
	for _, v := range px {
		mean += v
	}
	mean /= float64(len(px))
	ss := 0.0
	for _, v := range px {
		ss += (v - mean) * (v - mean)
	}
	return math.Sqrt(ss / float64(len(px)))
}

// Distance is the number of bits in which two hashes differ (0..64).
func Distance(a, b uint64) int { return bits.OnesCount64(a ^ b) }

// grey reduces img to side×side grey levels (ITU-R 601 luma), each the
// mean of the source pixels it covers (a box filter, so that no detail
// of a large picture aliases into the small one).
func grey(img image.Image, out []float64) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w == 0 || h == 0 {
		return
	}
	var sum, cnt [side * side]float64
	if yc, ok := img.(*image.YCbCr); ok { // a decoded JPEG: its luma as it is
		for y := b.Min.Y; y < b.Max.Y; y++ {
			cy := (y - b.Min.Y) * side / h
			row := yc.Y[yc.YOffset(b.Min.X, y):]
			for x := range w {
				i := cy*side + x*side/w
				sum[i] += float64(row[x])
				cnt[i]++
			}
		}
		for i := range out {
			if cnt[i] > 0 {
				out[i] = sum[i] / cnt[i]
			}
		}
		return
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		cy := (y - b.Min.Y) * side / h
		for x := b.Min.X; x < b.Max.X; x++ {
			cx := (x - b.Min.X) * side / w
			r, g, bl, _ := img.At(x, y).RGBA()
			i := cy*side + cx
			sum[i] += 0.299*float64(r) + 0.587*float64(g) + 0.114*float64(bl)
			cnt[i]++
		}
	}
	for i := range out {
		if cnt[i] > 0 {
			out[i] = sum[i] / cnt[i] / 257
		}
	}
}

// cosines[k*side+n] is cos(π(2n+1)k / 2side), the DCT-II basis.
var cosines = sync.OnceValue(func() []float64 {
	c := make([]float64, side*side)
	for k := range side {
		for n := range side {
			c[k*side+n] = math.Cos(math.Pi * float64(2*n+1) * float64(k) / (2 * side))
		}
	}
	return c
})

// dct2 is the 2-D DCT-II of a side×side block, rows then columns; only
// the lowest 8 frequencies of each are computed, which is all Hash reads.
func dct2(px []float64) []float64 {
	c := cosines()
	const keep = 8
	var rows [side * keep]float64 // rows[y*keep+k]: frequency k of row y
	for y := range side {
		for k := range keep {
			s := 0.0
			for n := range side {
				s += px[y*side+n] * c[k*side+n]
			}
			rows[y*keep+k] = s
		}
	}
	out := make([]float64, side*side)
	for k := range keep { // vertical frequency
		for x := range keep { // horizontal frequency
			s := 0.0
			for y := range side {
				s += rows[y*keep+x] * c[k*side+y]
			}
			out[k*side+x] = s
		}
	}
	return out
}
