package media

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"image"
	"image/png"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/picup/picup/pkg/capturetime"
	"github.com/picup/picup/pkg/filetype"
)

// lightroomXMP is a packet as Lightroom writes it for a scanned print:
// properties as attributes and as elements, a language alternative, bags,
// MWG face regions and a date alone.
const lightroomXMP = `<?xpacket begin="` + "\ufeff" + `" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:photo="http://ns.adobe.com/photoshop/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
    xmlns:exif="http://ns.adobe.com/exif/1.0/"
    xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/"
    xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
    xmp:Rating="4"
    xmp:CreateDate="2021-03-04T09:10:11"
    photo:DateCreated="1962-07-14"
    exif:GPSLatitude="35,9.5N"
    exif:GPSLongitude="129,9.6E">
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Haeundae</rdf:li></rdf:Alt></dc:title>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">Grandpa at Haeundae, summer 1962</rdf:li></rdf:Alt></dc:description>
   <dc:subject><rdf:Bag><rdf:li>beach</rdf:li><rdf:li>Busan</rdf:li><rdf:li>beach</rdf:li></rdf:Bag></dc:subject>
   <lr:hierarchicalSubject><rdf:Bag><rdf:li>Places|Busan</rdf:li></rdf:Bag></lr:hierarchicalSubject>
   <Iptc4xmpExt:PersonInImage><rdf:Bag><rdf:li>Kim Young-su</rdf:li></rdf:Bag></Iptc4xmpExt:PersonInImage>
   <mwg-rs:Regions rdf:parseType="Resource">
    <mwg-rs:RegionList><rdf:Bag>
     <rdf:li><rdf:Description mwg-rs:Name="Grandpa" mwg-rs:Type="Face"/></rdf:li>
     <rdf:li rdf:parseType="Resource"><mwg-rs:Name>Kim Young-su</mwg-rs:Name><mwg-rs:Type>Face</mwg-rs:Type></rdf:li>
    </rdf:Bag></mwg-rs:RegionList>
   </mwg-rs:Regions>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`

func TestParseXMP(t *testing.T) {
	x := parseXMP([]byte(lightroomXMP))
	if x.desc.Title != "Haeundae" || x.desc.Caption != "Grandpa at Haeundae, summer 1962" {
		t.Errorf("title %q, caption %q", x.desc.Title, x.desc.Caption)
	}
	if want := []string{"beach", "Busan", "Places|Busan"}; !reflect.DeepEqual(x.desc.Keywords, want) {
		t.Errorf("keywords %q; want %q", x.desc.Keywords, want)
	}
	if want := []string{"Grandpa", "Kim Young-su"}; !reflect.DeepEqual(x.desc.People, want) {
		t.Errorf("people %q; want %q", x.desc.People, want)
	}
	if x.desc.Rating == nil || *x.desc.Rating != 4 {
		t.Errorf("rating %v; want 4", x.desc.Rating)
	}
	if x.lat == nil || x.lon == nil || *x.lat < 35.158 || *x.lat > 35.159 || *x.lon < 129.159 || *x.lon > 129.161 {
		t.Errorf("GPS %v %v; want 35.158,129.16", x.lat, x.lon)
	}
	c, ok := capturetime.Resolve(x.cands, testNow)
	if !ok || c.Source != capturetime.SourceXMPDateCreated || c.Precision != capturetime.PrecisionDay ||
		!c.Time.Equal(time.Date(1962, 7, 14, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("capture time %+v; want photoshop:DateCreated 1962-07-14 at day precision", c)
	}
}

func iptcDataset(rec, ds byte, v string) []byte {
	b := []byte{0x1C, rec, ds}
	b = binary.BigEndian.AppendUint16(b, uint16(len(v)))
	return append(b, v...)
}

// photoshopAPP13 wraps an IPTC block in a JPEG APP13 segment of Photoshop
// resources, after another resource that must be skipped.
func photoshopAPP13(iptc []byte) []byte {
	res := []byte("8BIM\x04\x0c\x00\x00\x00\x00\x00\x03abc\x00") // a thumbnail resource, odd size padded
	res = append(res, "8BIM\x04\x04\x00\x00"...)
	res = binary.BigEndian.AppendUint32(res, uint32(len(iptc)))
	res = append(res, iptc...)
	seg := append([]byte("Photoshop 3.0\x00"), res...)
	b := []byte{0xFF, 0xED}
	b = binary.BigEndian.AppendUint16(b, uint16(2+len(seg)))
	return append(b, seg...)
}

func TestReadJPEGWithIPTC(t *testing.T) {
	var iptc []byte
	iptc = append(iptc, iptcDataset(1, 90, "\x1b%G")...)
	iptc = append(iptc, iptcDataset(2, 5, "해운대")...)
	iptc = append(iptc, iptcDataset(2, 25, "beach")...)
	iptc = append(iptc, iptcDataset(2, 25, "family")...)
	iptc = append(iptc, iptcDataset(2, 55, "19620714")...)
	iptc = append(iptc, iptcDataset(2, 60, "153000+0900")...)
	iptc = append(iptc, iptcDataset(2, 120, "Grandpa at Haeundae")...)
	b := []byte{0xFF, 0xD8}
	b = append(b, photoshopAPP13(iptc)...)
	b = append(b, 0xFF, 0xC0, 0, 11, 8, 0, 30, 0, 40, 1, 1, 0x11, 0, 0xFF, 0xD9)
	p := writeTemp(t, "scan.jpg", b)
	md, err := Read(p, filetype.Type{Kind: filetype.Photo, Format: "jpeg"}, testMtime, testNow)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(1962, 7, 14, 15, 30, 0, 0, time.FixedZone("", 9*3600))
	if md.TakenSource != capturetime.SourceIPTCDateCreated || !md.Taken.Equal(want) || !md.OffsetKnown || md.TakenPrecision != "" {
		t.Errorf("taken %v from %s (offset known %v, precision %q); want %v from IPTC", md.Taken, md.TakenSource, md.OffsetKnown, md.TakenPrecision, want)
	}
	if md.Title != "해운대" || md.Caption != "Grandpa at Haeundae" || !reflect.DeepEqual(md.Keywords, []string{"beach", "family"}) {
		t.Errorf("title %q caption %q keywords %q", md.Title, md.Caption, md.Keywords)
	}
}

func TestIPTCDateAlone(t *testing.T) {
	for _, tc := range []struct{ date, prec, want string }{
		{"19620714", "day", "1962-07-14"},
		{"19620700", "month", "1962-07"},
		{"19620000", "year", "1962"},
	} {
		x := parseIPTC(iptcDataset(2, 55, tc.date))
		c, ok := capturetime.FromIPTC(x.date, x.clock)
		got, _ := capturetime.Format(c.Time, c.OffsetKnown, c.Precision)
		if !ok || c.Precision != tc.prec || got != tc.want {
			t.Errorf("%s: %q at %q (%v); want %q at %q", tc.date, got, c.Precision, ok, tc.want, tc.prec)
		}
	}
}

func TestIPTCLatin1(t *testing.T) {
	x := parseIPTC(iptcDataset(2, 120, "Caf\xe9"))
	if x.desc.Caption != "Café" {
		t.Errorf("caption %q; want Café", x.desc.Caption)
	}
}

// A JPEG whose EXIF has DateTimeOriginal keeps it over an XMP date; the XMP
// APP1 still gives title and keywords.
func TestReadJPEGExifBeatsXMP(t *testing.T) {
	tiff := buildTIFF(nil, []entry{{0x9003, 2, 20, ascii("2024:05:03 10:15:00")}})
	j := jpegWithExif(tiff)
	seg := append([]byte("http://ns.adobe.com/xap/1.0/\x00"), lightroomXMP...)
	app1 := []byte{0xFF, 0xE1}
	app1 = binary.BigEndian.AppendUint16(app1, uint16(2+len(seg)))
	app1 = append(app1, seg...)
	b := append(append(append([]byte{}, j[:2]...), app1...), j[2:]...)
	md, err := Read(writeTemp(t, "a.jpg", b), filetype.Type{Kind: filetype.Photo, Format: "jpeg"}, testMtime, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if md.TakenSource != capturetime.SourceDateTimeOriginal || md.Taken.Year() != 2024 {
		t.Errorf("taken %v from %s; want EXIF DateTimeOriginal", md.Taken, md.TakenSource)
	}
	if md.Title != "Haeundae" || len(md.Keywords) != 3 || md.Rating == nil {
		t.Errorf("descriptive %+v; want what the XMP says", md.Descriptive)
	}
}

// An .xmp sidecar is read with its photo: its date wins over the file's
// modification time and its caption is kept.
func TestReadSidecar(t *testing.T) {
	dir := t.TempDir()
	p := writeTemp(t, "scan.png", pngBytes(t))
	sc := dir + "/scan.xmp"
	writeFile(t, sc, lightroomXMP)
	md, err := Read(p, filetype.Type{Kind: filetype.Photo, Format: "png"}, testMtime, testNow, sc, dir+"/missing.xmp", dir+"/scan.aae")
	if err != nil {
		t.Fatal(err)
	}
	if md.TakenSource != capturetime.SourceXMPDateCreated || md.TakenPrecision != "day" || md.Caption == "" {
		t.Errorf("taken %v from %s at %q, caption %q; want the sidecar's date and caption", md.Taken, md.TakenSource, md.TakenPrecision, md.Caption)
	}
}

func TestPNGXMPCompressed(t *testing.T) {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	_, _ = zw.Write([]byte(lightroomXMP))
	_ = zw.Close()
	chunk := append([]byte("XML:com.adobe.xmp\x00\x01\x00\x00\x00"), z.Bytes()...)
	var x extract
	pngXMP(&x, chunk)
	if x.md.Title != "Haeundae" || len(x.cands) == 0 {
		t.Errorf("compressed iTXt XMP: title %q, %d dates; want the packet's", x.md.Title, len(x.cands))
	}
}

func TestXMPBounds(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/"><rdf:Description><dc:subject><rdf:Bag>`)
	for range 10000 {
		b.WriteString("<rdf:li>" + strings.Repeat("k", 5000) + "</rdf:li>")
	}
	b.WriteString(`</rdf:Bag></dc:subject></rdf:Description></rdf:RDF>`)
	x := parseXMP([]byte(b.String()))
	if len(x.desc.Keywords) > maxListItems {
		t.Errorf("%d keywords kept; want at most %d", len(x.desc.Keywords), maxListItems)
	}
	for _, k := range x.desc.Keywords {
		if len(k) > maxValueLen {
			t.Fatalf("a keyword of %d bytes kept; want at most %d", len(k), maxValueLen)
		}
	}
	deep := strings.Repeat("<a>", 100000) + strings.Repeat("</a>", 100000)
	_ = parseXMP([]byte(deep)) // must return, not overflow
}

func FuzzParseXMP(f *testing.F) {
	f.Add([]byte(lightroomXMP))
	f.Add([]byte(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreateDate="2011-06-14T15:47+02:00"/></rdf:RDF>`))
	f.Add([]byte("<"))
	f.Fuzz(func(t *testing.T, b []byte) {
		x := parseXMP(b)
		if len(x.desc.Keywords) > 2*maxListItems || len(x.desc.People) > 2*maxListItems {
			t.Fatalf("%d keywords, %d people", len(x.desc.Keywords), len(x.desc.People))
		}
		for _, s := range append(append([]string{x.desc.Title, x.desc.Caption}, x.desc.Keywords...), x.desc.People...) {
			if len(s) > maxValueLen {
				t.Fatalf("value of %d bytes", len(s))
			}
		}
	})
}

func FuzzParseIPTC(f *testing.F) {
	f.Add(append(iptcDataset(2, 55, "19620714"), iptcDataset(2, 60, "153000+0900")...))
	f.Add(photoshopAPP13(iptcDataset(2, 25, "beach"))[4+14:])
	f.Fuzz(func(t *testing.T, b []byte) {
		x := parseIPTC(b)
		if len(x.desc.Keywords) > maxListItems {
			t.Fatalf("%d keywords", len(x.desc.Keywords))
		}
		_, _ = capturetime.FromIPTC(x.date, x.clock)
		y := parseIPTC(photoshopIPTC(b))
		if len(y.desc.Keywords) > maxListItems {
			t.Fatalf("%d keywords", len(y.desc.Keywords))
		}
	})
}

func pngBytes(t *testing.T) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 3))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func writeFile(t *testing.T, path, s string) {
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

// XMP in a WebP "XMP " chunk and in TIFF tag 700 is read like the JPEG's.
func TestXMPInWebPAndTIFF(t *testing.T) {
	x := []byte(lightroomXMP)
	chunk := append([]byte("XMP "), binary.LittleEndian.AppendUint32(nil, uint32(len(x)))...)
	chunk = append(chunk, x...)
	if len(x)%2 == 1 {
		chunk = append(chunk, 0)
	}
	webp := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(4+len(chunk)))...)
	webp = append(append(webp, "WEBP"...), chunk...)
	tiff := buildTIFF([]entry{{0x02BC, 7, uint32(len(x)), x}}, nil)
	for _, tc := range []struct {
		name, format string
		data         []byte
	}{{"a.webp", "webp", webp}, {"a.tif", "tiff", tiff}} {
		md, _ := Read(writeTemp(t, tc.name, tc.data), filetype.Type{Kind: filetype.Photo, Format: tc.format}, testMtime, testNow)
		if md.TakenSource != capturetime.SourceXMPDateCreated || md.Title != "Haeundae" || len(md.People) != 2 {
			t.Errorf("%s: taken from %s, title %q, people %q; want the XMP's", tc.format, md.TakenSource, md.Title, md.People)
		}
	}
}

func box(typ string, body ...[]byte) []byte {
	n := 8
	for _, b := range body {
		n += len(b)
	}
	out := binary.BigEndian.AppendUint32(nil, uint32(n))
	out = append(out, typ...)
	for _, b := range body {
		out = append(out, b...)
	}
	return out
}

// An MP4's top-level XMP uuid box is read; its photoshop:DateCreated ranks
// above the movie header's date.
func TestXMPInMP4(t *testing.T) {
	mvhd := make([]byte, 100)
	binary.BigEndian.PutUint32(mvhd[4:], 3786825600) // 2024-01-01 in the 1904 epoch
	binary.BigEndian.PutUint32(mvhd[12:], 1000)
	uuid := append(append([]byte{}, xmpUUID...), lightroomXMP...)
	mp4 := append(box("ftyp", []byte("isom\x00\x00\x02\x00isom")), box("moov", box("mvhd", mvhd))...)
	mp4 = append(mp4, box("uuid", uuid)...)
	md, err := Read(writeTemp(t, "a.mp4", mp4), filetype.Type{Kind: filetype.Video, Format: "mp4"}, testMtime, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if md.TakenSource != capturetime.SourceXMPDateCreated || md.Caption == "" {
		t.Errorf("taken from %s (%v), caption %q; want the XMP's", md.TakenSource, md.Taken, md.Caption)
	}
}
