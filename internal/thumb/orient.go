package thumb

// normOrientation maps the EXIF orientation to 1..8; 0 and unknown values
// mean "as stored".
func normOrientation(o int) int {
	if o < 1 || o > 8 {
		return 1
	}
	return o
}

// swapsAxes reports whether orientation o turns the picture by 90 degrees.
func swapsAxes(o int) bool { return o >= 5 }

// orientPlanes returns p turned so that it displays upright for EXIF
// orientation o.
func orientPlanes(p planes, o int) planes {
	if o == 1 {
		return p
	}
	out := planes{gray: p.gray, y: orientPlane(p.y, o)}
	if !p.gray {
		out.cb = orientPlane(p.cb, o)
		out.cr = orientPlane(p.cr, o)
	}
	return out
}

// orientPlane applies EXIF orientation o (2..8) to one plane. For every
// output row it walks the source from a start index with a fixed step.
func orientPlane(p plane, o int) plane {
	w, h, s := p.w, p.h, p.stride
	dw, dh := w, h
	if swapsAxes(o) {
		dw, dh = h, w
	}
	out := newPlane(dw, dh)
	for dy := range dh {
		var start, step int
		switch o {
		case 2: // mirror horizontally
			start, step = dy*s+w-1, -1
		case 3: // rotate 180
			start, step = (h-1-dy)*s+w-1, -1
		case 4: // mirror vertically
			start, step = (h-1-dy)*s, 1
		case 5: // transpose
			start, step = dy, s
		case 6: // rotate 90 clockwise
			start, step = (h-1)*s+dy, -s
		case 7: // transverse
			start, step = (h-1)*s+w-1-dy, -s
		case 8: // rotate 90 counter-clockwise
			start, step = w-1-dy, s
		}
		dst := out.pix[dy*dw : dy*dw+dw]
		i := start
		for x := range dst {
			dst[x] = p.pix[i]
			i += step
		}
	}
	return out
}
