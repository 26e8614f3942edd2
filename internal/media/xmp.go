package media

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/picup/picup/pkg/capturetime"
)

// XMP limits: how much of a packet is parsed, how many values are kept,
// how long one value may be and how deep elements may nest. They bound the
// memory a hostile packet can make Read use.
const (
	maxXMP       = 4 << 20
	maxXMPValues = 4096
	maxValueLen  = 2048
	maxXMPDepth  = 64
	maxListItems = 256
)

// xmpNamespaces are the schemas read, by namespace URI, with the prefix used
// for them here whatever prefix the packet binds.
var xmpNamespaces = map[string]string{
	"http://www.w3.org/1999/02/22-rdf-syntax-ns#":          "rdf",
	"http://ns.adobe.com/xap/1.0/":                         "xmp",
	"http://purl.org/dc/elements/1.1/":                     "dc",
	"http://ns.adobe.com/photoshop/1.0/":                   "photoshop",
	"http://ns.adobe.com/exif/1.0/":                        "exif",
	"http://ns.adobe.com/tiff/1.0/":                        "tiff",
	"http://www.metadataworkinggroup.com/schemas/regions/": "mwg-rs",
	"http://iptc.org/std/Iptc4xmpExt/2008-02-29/":          "Iptc4xmpExt",
	"http://ns.adobe.com/lightroom/1.0/":                   "lr",
	"http://ns.adobe.com/xmp/sType/Area#":                  "stArea",
}

// Descriptive is what XMP and IPTC-IIM say about a photo beyond its
// capture time: title, caption, keywords, rating, people.
type Descriptive struct {
	Title    string
	Caption  string
	Keywords []string
	People   []string
	Rating   *int // xmp:Rating, -1 (rejected) to 5
}

// xmpInfo is what one XMP packet says.
type xmpInfo struct {
	cands    []capturetime.Candidate
	desc     Descriptive
	lat, lon *float64
	make     string
	model    string
}

// xmpValues collects property values by path: the property names from the
// top rdf:Description down, without the RDF structure (rdf:Bag, rdf:li,
// rdf:Description), joined by "/". dc:subject's list items all land under
// "dc:subject", an MWG region's name under
// "mwg-rs:Regions/mwg-rs:RegionList/mwg-rs:Name".
type xmpValues struct {
	m     map[string][]string
	count int
}

func (v *xmpValues) add(path, s string) {
	if v.count >= maxXMPValues {
		return
	}
	s = cleanText(s)
	if s == "" || strings.HasSuffix(path, "?") || len(v.m[path]) >= maxListItems {
		return
	}
	v.count++
	v.m[path] = append(v.m[path], s)
}

func (v *xmpValues) first(path string) string {
	if l := v.m[path]; len(l) > 0 {
		return l[0]
	}
	return ""
}

// cleanText trims a value, cuts it to maxValueLen and drops it when it is
// not text.
func cleanText(s string) string {
	s = strings.TrimSpace(strings.Trim(s, "\x00"))
	if len(s) > maxValueLen {
		s = s[:maxValueLen]
		for !utf8.ValidString(s) && len(s) > 0 {
			s = s[:len(s)-1]
		}
	}
	if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' }) {
		return ""
	}
	return s
}

// parseXMP reads an XMP packet (or a whole .xmp sidecar). Broken XML gives
// what was read before the break.
func parseXMP(b []byte) xmpInfo {
	if len(b) > maxXMP {
		b = b[:maxXMP]
	}
	v := xmpValues{m: map[string][]string{}}
	walkXMP(b, &v)
	return v.info()
}

func walkXMP(b []byte, v *xmpValues) {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = false
	d.Entity = xml.HTMLEntity
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	// stack holds, for each open element, the property path it stands
	// for ("" for RDF structure and unknown schemas' containers above
	// rdf:RDF), and whether it is a property (its text is a value).
	type frame struct {
		path string
		prop bool
		text strings.Builder
	}
	var stack []*frame
	inRDF := 0 // depth of the rdf:RDF element, 0 when outside
	for {
		tok, err := d.Token()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				return
			}
			return
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= maxXMPDepth {
				return
			}
			parent := ""
			if len(stack) > 0 {
				parent = stack[len(stack)-1].path
			}
			name, known := qname(t.Name)
			f := &frame{path: parent}
			switch {
			case name == "rdf:RDF":
				inRDF = len(stack) + 1
			case inRDF == 0:
			case name == "rdf:Description" || name == "rdf:Bag" || name == "rdf:Seq" || name == "rdf:Alt" || name == "rdf:li":
				f.prop = name == "rdf:li"
				// Properties written as attributes of a description.
				for _, a := range t.Attr {
					if an, ok := qname(a.Name); ok && !strings.HasPrefix(an, "rdf:") && !strings.HasPrefix(an, "xml") {
						v.add(join(parent, an), a.Value)
					}
				}
			case known:
				f.path, f.prop = join(parent, name), true
				for _, a := range t.Attr {
					an, ok := qname(a.Name)
					switch {
					case !ok || strings.HasPrefix(an, "xml"):
					case an == "rdf:resource":
						v.add(f.path, a.Value)
					case an == "rdf:parseType" || strings.HasPrefix(an, "rdf:"):
					default:
						// rdf:parseType="Resource" shorthand or
						// qualifiers written as attributes.
						v.add(join(f.path, an), a.Value)
					}
				}
			default:
				f.path = join(parent, "?") // a schema not read: nothing below it is
			}
			stack = append(stack, f)
		case xml.CharData:
			if len(stack) > 0 {
				f := stack[len(stack)-1]
				if f.prop && f.text.Len() < maxValueLen {
					f.text.Write(t[:min(len(t), maxValueLen-f.text.Len())])
				}
			}
		case xml.EndElement:
			if len(stack) == 0 {
				return
			}
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if f.prop {
				v.add(f.path, f.text.String())
			}
			if inRDF == len(stack)+1 {
				inRDF = 0
			}
		}
	}
}

func join(parent, name string) string {
	if parent == "" {
		return name
	}
	if strings.HasSuffix(parent, "?") || len(parent) > 256 {
		return parent
	}
	return parent + "/" + name
}

// qname names an element or attribute by the prefix used here; ok is false
// for a schema that is not read.
func qname(n xml.Name) (string, bool) {
	if p, ok := xmpNamespaces[n.Space]; ok {
		return p + ":" + n.Local, true
	}
	return "", false
}

// xmpDates are the XMP properties read as capture times, with their source.
var xmpDates = [...][2]string{
	{"exif:DateTimeOriginal", capturetime.SourceXMPDateTimeOriginal},
	{"photoshop:DateCreated", capturetime.SourceXMPDateCreated},
	{"xmp:CreateDate", capturetime.SourceXMPCreateDate},
}

func (v *xmpValues) info() xmpInfo {
	var x xmpInfo
	for _, d := range xmpDates {
		if c, ok := capturetime.ParseXMPDate(v.first(d[0])); ok {
			c.Source = d[1]
			x.cands = append(x.cands, c)
		}
	}
	x.desc.Title = v.first("dc:title")
	x.desc.Caption = v.first("dc:description")
	x.desc.Keywords = uniq(v.m["dc:subject"], v.m["lr:hierarchicalSubject"])
	x.desc.People = uniq(v.m["mwg-rs:Regions/mwg-rs:RegionList/mwg-rs:Name"], v.m["Iptc4xmpExt:PersonInImage"])
	if r, err := strconv.ParseFloat(v.first("xmp:Rating"), 64); err == nil && r >= -1 && r <= 5 {
		n := int(math.Round(r))
		x.desc.Rating = &n
	}
	lat, okLat := xmpCoord(v.first("exif:GPSLatitude"), 90)
	lon, okLon := xmpCoord(v.first("exif:GPSLongitude"), 180)
	if okLat && okLon && (lat != 0 || lon != 0) {
		x.lat, x.lon = &lat, &lon
	}
	x.make, x.model = v.first("tiff:Make"), v.first("tiff:Model")
	return x
}

// uniq joins lists, dropping repeats (case kept, compared as written).
func uniq(lists ...[]string) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range lists {
		for _, s := range l {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out
}

// xmpCoord parses an XMP GPS coordinate: "DDD,MM,SSk", "DDD,MM.mmk" (k is
// N, S, E or W) or a plain signed decimal.
func xmpCoord(s string, limit float64) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	sign := 1.0
	switch s[len(s)-1] {
	case 'S', 's', 'W', 'w':
		sign = -1
		s = s[:len(s)-1]
	case 'N', 'n', 'E', 'e':
		s = s[:len(s)-1]
	}
	parts := strings.Split(s, ",")
	if len(parts) > 3 {
		return 0, false
	}
	v, scale := 0.0, 1.0
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || (i > 0 && f < 0) {
			return 0, false
		}
		v += f / scale
		scale *= 60
	}
	v *= sign
	return v, !math.IsNaN(v) && math.Abs(v) <= limit
}

// xmpHeader starts the JPEG APP1 segment that holds XMP.
var xmpHeader = []byte("http://ns.adobe.com/xap/1.0/\x00")

// addXMP merges an XMP packet into what was found so far; earlier packets
// win for single values, lists are joined.
func (x *extract) addXMP(b []byte) {
	info := parseXMP(b)
	x.cands = append(x.cands, info.cands...)
	x.mergeDesc(info.desc)
	if x.md.Lat == nil && info.lat != nil {
		x.md.Lat, x.md.Lon = info.lat, info.lon
	}
	if x.md.Make == "" {
		x.md.Make = info.make
	}
	if x.md.Model == "" {
		x.md.Model = info.model
	}
}

func (x *extract) mergeDesc(d Descriptive) {
	m := &x.md.Descriptive
	if m.Title == "" {
		m.Title = d.Title
	}
	if m.Caption == "" {
		m.Caption = d.Caption
	}
	if m.Rating == nil {
		m.Rating = d.Rating
	}
	m.Keywords = uniq(m.Keywords, d.Keywords)
	m.People = uniq(m.People, d.People)
	if len(m.Keywords) > maxListItems {
		m.Keywords = m.Keywords[:maxListItems]
	}
	if len(m.People) > maxListItems {
		m.People = m.People[:maxListItems]
	}
}
