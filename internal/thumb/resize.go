package thumb

import (
	"image"
	"image/color"
	"math"
)

// plane is one 8-bit channel.
type plane struct {
	w, h, stride int
	pix          []byte
}

func newPlane(w, h int) plane {
	return plane{w: w, h: h, stride: w, pix: make([]byte, w*h)}
}

// planes is a picture as separate Y, Cb and Cr channels (JFIF full-range
// YCbCr). The chroma planes may be smaller than Y (subsampled); gray
// pictures have no chroma planes.
type planes struct {
	y, cb, cr plane
	gray      bool
}

func (p planes) size() (int, int) { return p.y.w, p.y.h }

// fromImage turns a decoded image into planes. YCbCr and Gray images are
// used in place, without copying; everything else is converted to 4:4:4,
// with transparency composited over white, while being shrunk by the integer
// factor k (a box filter), so a large RGBA source is never copied at full
// size.
func fromImage(img image.Image, k int) planes {
	b := img.Bounds()
	switch m := img.(type) {
	case *image.YCbCr:
		if b.Min == (image.Point{}) {
			cw, ch := chromaSize(b.Dx(), b.Dy(), m.SubsampleRatio)
			return planes{
				y:  plane{w: b.Dx(), h: b.Dy(), stride: m.YStride, pix: m.Y},
				cb: plane{w: cw, h: ch, stride: m.CStride, pix: m.Cb},
				cr: plane{w: cw, h: ch, stride: m.CStride, pix: m.Cr},
			}
		}
	case *image.Gray:
		if b.Min == (image.Point{}) {
			return planes{y: plane{w: b.Dx(), h: b.Dy(), stride: m.Stride, pix: m.Pix}, gray: true}
		}
	}
	return convert(img, k)
}

// chromaSize is the size of the chroma planes of a w x h image.YCbCr.
func chromaSize(w, h int, r image.YCbCrSubsampleRatio) (int, int) {
	switch r {
	case image.YCbCrSubsampleRatio422:
		return (w + 1) / 2, h
	case image.YCbCrSubsampleRatio420:
		return (w + 1) / 2, (h + 1) / 2
	case image.YCbCrSubsampleRatio440:
		return w, (h + 1) / 2
	case image.YCbCrSubsampleRatio411:
		return (w + 3) / 4, h
	case image.YCbCrSubsampleRatio410:
		return (w + 3) / 4, (h + 1) / 2
	}
	return w, h
}

// convert shrinks any image by k on both axes into 4:4:4 planes. It reads rows through
// fast paths for NRGBA and RGBA and through At for the rest.
func convert(img image.Image, k int) planes {
	b := img.Bounds()
	w, h := (b.Dx()+k-1)/k, (b.Dy()+k-1)/k
	out := planes{y: newPlane(w, h), cb: newPlane(w, h), cr: newPlane(w, h)}
	sw := b.Dx()
	// Per output column running sums of premultiplied-over-white R, G, B.
	sums := make([]uint32, 3*w)
	counts := make([]uint32, w)
	row := make([]byte, 4*sw) // one source row as NRGBA
	for oy := range h {
		clear(sums)
		clear(counts)
		for sy := oy * k; sy < min((oy+1)*k, b.Dy()); sy++ {
			readRow(img, b.Min.Y+sy, row)
			for sx := range sw {
				p := row[4*sx : 4*sx+4 : 4*sx+4]
				a := uint32(p[3])
				ox := sx / k
				// Composite over white: c*a + 255*(255-a), scaled by 255.
				sums[3*ox] += (uint32(p[0])*a + 255*(255-a)) / 255
				sums[3*ox+1] += (uint32(p[1])*a + 255*(255-a)) / 255
				sums[3*ox+2] += (uint32(p[2])*a + 255*(255-a)) / 255
				counts[ox]++
			}
		}
		for ox := range w {
			c := counts[ox]
			r := uint8((sums[3*ox] + c/2) / c)
			g := uint8((sums[3*ox+1] + c/2) / c)
			bl := uint8((sums[3*ox+2] + c/2) / c)
			yy, cb, cr := color.RGBToYCbCr(r, g, bl)
			i := oy*w + ox
			out.y.pix[i], out.cb.pix[i], out.cr.pix[i] = yy, cb, cr
		}
	}
	return out
}

// readRow fills row with row y of img as non-premultiplied RGBA.
func readRow(img image.Image, y int, row []byte) {
	b := img.Bounds()
	switch m := img.(type) {
	case *image.NRGBA:
		i := m.PixOffset(b.Min.X, y)
		copy(row, m.Pix[i:i+4*b.Dx()])
		return
	case *image.RGBA:
		i := m.PixOffset(b.Min.X, y)
		src := m.Pix[i : i+4*b.Dx()]
		for x := 0; x < len(src); x += 4 {
			a := uint32(src[x+3])
			if a == 0 {
				row[x], row[x+1], row[x+2], row[x+3] = 0, 0, 0, 0
				continue
			}
			row[x] = uint8(uint32(src[x]) * 255 / a)
			row[x+1] = uint8(uint32(src[x+1]) * 255 / a)
			row[x+2] = uint8(uint32(src[x+2]) * 255 / a)
			row[x+3] = uint8(a)
		}
		return
	}
	for x := b.Min.X; x < b.Max.X; x++ {
		c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
		i := 4 * (x - b.Min.X)
		row[i], row[i+1], row[i+2], row[i+3] = c.R, c.G, c.B, c.A
	}
}

// boxShrink averages kx x ky blocks of p. The output has floor(w/kx) x
// floor(h/ky) samples; the last column and row of blocks also take the
// remainder, so the output still covers exactly the source.
func boxShrink(p plane, kx, ky int) plane {
	if kx <= 1 && ky <= 1 {
		return p
	}
	w, h := p.w/kx, p.h/ky
	out := newPlane(w, h)
	sums := make([]uint32, w)
	span := func(i, k, n, limit int) (int, int) {
		if i == n-1 {
			return i * k, limit
		}
		return i * k, i*k + k
	}
	for oy := range h {
		clear(sums)
		y0, y1 := span(oy, ky, h, p.h)
		for sy := y0; sy < y1; sy++ {
			row := p.pix[sy*p.stride : sy*p.stride+p.w]
			if kx == 2 {
				pairs := row[:2*w]
				for ox := range sums {
					sums[ox] += uint32(pairs[2*ox]) + uint32(pairs[2*ox+1])
				}
				if p.w%2 == 1 {
					sums[w-1] += uint32(row[p.w-1])
				}
				continue
			}
			for ox := range sums {
				x0, x1 := span(ox, kx, w, p.w)
				var s uint32
				for _, v := range row[x0:x1] {
					s += uint32(v)
				}
				sums[ox] += s
			}
		}
		rows := uint32(y1 - y0)
		dst := out.pix[oy*w : oy*w+w]
		for ox := range dst {
			x0, x1 := span(ox, kx, w, p.w)
			n := rows * uint32(x1-x0)
			dst[ox] = uint8((sums[ox] + n/2) / n)
		}
	}
	return out
}

// filter is a resampling kernel with its support radius at scale 1.
type filter struct {
	support float64
	at      func(x float64) float64
}

// catmullRom is the bicubic kernel with B=0, C=0.5: sharp, with little
// ringing, and cheaper than Lanczos3 (4 instead of 6 taps per unit).
var catmullRom = filter{support: 2, at: func(x float64) float64 {
	x = math.Abs(x)
	if x < 1 {
		return 1.5*x*x*x - 2.5*x*x + 1
	}
	if x < 2 {
		return -0.5*x*x*x + 2.5*x*x - 4*x + 2
	}
	return 0
}}

const weightBits = 14

// taps holds fixed-point filter weights: output i reads n source samples
// starting at start[i], weighted by w[i*n:(i+1)*n].
type taps struct {
	start []int
	n     int
	w     []int32
}

// makeTaps computes the weights that resample src samples to dst samples
// (dst <= src) with f widened by the scale factor, so that downscaling
// averages instead of aliasing.
func makeTaps(src, dst int, f filter) taps {
	scale := float64(src) / float64(dst)
	fs := max(scale, 1)
	support := f.support * fs
	n := min(int(math.Ceil(2*support))+1, src)
	t := taps{start: make([]int, dst), n: n, w: make([]int32, dst*n)}
	fw := make([]float64, n)
	for i := range dst {
		center := (float64(i)+0.5)*scale - 0.5
		lo := int(math.Ceil(center - support))
		lo = max(min(lo, src-n), 0)
		var sum float64
		for j := range n {
			x := lo + j
			v := 0.0
			if x < src {
				v = f.at((float64(x) - center) / fs)
			}
			fw[j] = v
			sum += v
		}
		t.start[i] = lo
		ws := t.w[i*n : (i+1)*n]
		var isum, big int32
		for j := range n {
			ws[j] = int32(math.Round(fw[j] / sum * (1 << weightBits)))
			isum += ws[j]
			if ws[j] > ws[big] {
				big = int32(j)
			}
		}
		ws[big] += 1<<weightBits - isum
	}
	return t
}

func clampByte(v int32) uint8 {
	v = (v + 1<<(weightBits-1)) >> weightBits
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}

// resample scales p to w x h (never larger than p) with f: a horizontal
// pass into a w x p.h buffer, then a vertical pass.
func resample(p plane, w, h int, f filter) plane {
	if w == p.w && h == p.h {
		return p
	}
	tmp := p
	if w != p.w {
		tmp = newPlane(w, p.h)
		t := makeTaps(p.w, w, f)
		n := t.n
		for y := range p.h {
			src := p.pix[y*p.stride : y*p.stride+p.w]
			dst := tmp.pix[y*w : y*w+w]
			for x := range dst {
				ws := t.w[x*n : x*n+n : x*n+n]
				s := src[t.start[x]:]
				s = s[:len(ws)]
				var acc int32
				for j, wt := range ws {
					acc += wt * int32(s[j])
				}
				dst[x] = clampByte(acc)
			}
		}
	}
	if h == tmp.h {
		return tmp
	}
	out := newPlane(w, h)
	t := makeTaps(tmp.h, h, f)
	n := t.n
	acc := make([]int32, w)
	for y := range h {
		clear(acc)
		ws := t.w[y*n : y*n+n]
		for j, wt := range ws {
			if wt == 0 {
				continue
			}
			sy := t.start[y] + j
			src := tmp.pix[sy*tmp.stride : sy*tmp.stride+w]
			src = src[:len(acc)]
			for x, v := range src {
				acc[x] += wt * int32(v)
			}
		}
		dst := out.pix[y*w : y*w+w]
		for x, v := range acc {
			dst[x] = clampByte(v)
		}
	}
	return out
}

// fitSize is w x h scaled down (never up) so its longer side is at most
// long.
func fitSize(w, h, long int) (int, int) {
	if w <= long && h <= long {
		return w, h
	}
	if w >= h {
		return long, max(1, int(math.Round(float64(h)*float64(long)/float64(w))))
	}
	return max(1, int(math.Round(float64(w)*float64(long)/float64(h)))), long
}

// preShrink is the box factor for a side of length from that must end up
// no shorter than to: the integer part of the ratio. Averaging k x k
// blocks is several times cheaper than a wide filter kernel; the filter
// then only covers the remaining ratio, below 2 (as libvips does).
func preShrink(from, to int) int {
	return max(1, from/to)
}

// resize scales p to w x h luma (chroma to match a 4:2:0 layout), first
// box-shrinking by an integer factor when the ratio is large. Planes that
// already have that size are returned as they are.
func resize(p planes, w, h int) planes {
	if w == p.y.w && h == p.y.h {
		return p
	}
	out := planes{gray: p.gray}
	out.y = shrinkPlane(p.y, w, h)
	if !p.gray {
		cw, ch := (w+1)/2, (h+1)/2
		out.cb = shrinkPlane(p.cb, cw, ch)
		out.cr = shrinkPlane(p.cr, cw, ch)
	}
	return out
}

// shrinkPlane box-shrinks p by the integer part of the ratio on each axis,
// then resamples the rest of the way to w x h.
func shrinkPlane(p plane, w, h int) plane {
	return resample(boxShrink(p, preShrink(p.w, w), preShrink(p.h, h)), w, h, catmullRom)
}

// toImage wraps planes as an image for the JPEG encoder, resampling the
// chroma planes to 4:2:0 if their layout is not one image.YCbCr knows.
func toImage(p planes) image.Image {
	w, h := p.size()
	r := image.Rect(0, 0, w, h)
	if p.gray {
		return &image.Gray{Pix: p.y.pix, Stride: p.y.stride, Rect: r}
	}
	ratio, ok := subsampleRatio(w, h, p.cb.w, p.cb.h)
	if !ok || p.cb.stride != p.cr.stride {
		cw, ch := (w+1)/2, (h+1)/2
		p.cb = resample(p.cb, cw, ch, catmullRom)
		p.cr = resample(p.cr, cw, ch, catmullRom)
		ratio = image.YCbCrSubsampleRatio420
	}
	return &image.YCbCr{
		Y: p.y.pix, Cb: p.cb.pix, Cr: p.cr.pix,
		YStride: p.y.stride, CStride: p.cb.stride,
		SubsampleRatio: ratio, Rect: r,
	}
}

// subsampleRatio finds the image.YCbCr layout with cw x ch chroma planes
// for a w x h image.
func subsampleRatio(w, h, cw, ch int) (image.YCbCrSubsampleRatio, bool) {
	for _, r := range []image.YCbCrSubsampleRatio{
		image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422,
		image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio440,
		image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410,
	} {
		if x, y := chromaSize(w, h, r); x == cw && y == ch {
			return r, true
		}
	}
	return 0, false
}
