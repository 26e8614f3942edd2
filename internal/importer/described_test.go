package importer

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// scanXMP is what scanning software writes beside a scanned print: a date
// alone, a caption, keywords and a face.
const scanXMP = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
  photoshop:DateCreated="1962-07-14" xmp:Rating="5">
 <dc:description><rdf:Alt><rdf:li xml:lang="x-default">Grandpa at Haeundae, summer 1962</rdf:li></rdf:Alt></dc:description>
 <dc:subject><rdf:Bag><rdf:li>beach</rdf:li><rdf:li>Busan</rdf:li></rdf:Bag></dc:subject>
 <Iptc4xmpExt:PersonInImage><rdf:Bag><rdf:li>Grandpa</rdf:li></rdf:Bag></Iptc4xmpExt:PersonInImage>
</rdf:Description></rdf:RDF></x:xmpmeta>`

// A scan whose only date is in its .xmp sidecar is filed under that day,
// kept as a date, with the caption, keywords, people and rating stored.
func TestImportReadsSidecarXMP(t *testing.T) {
	lib := newLib(t)
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "scan0001.jpg"), jpegBytes(t, 1))
	writeFile(t, filepath.Join(src, "scan0001.xmp"), []byte(scanXMP))
	s := run(t, lib, Options{Jobs: 1}, src)
	if s.Imported != 1 {
		t.Fatalf("imported %d (%v); want 1", s.Imported, s.Failures)
	}
	p := allPhotos(t, lib)[0]
	if p.TakenAt != "1962-07-14" || p.TakenPrecision != "day" || p.TakenSource != "xmp:photoshop:DateCreated" ||
		!strings.HasPrefix(p.Path, "originals/1962/1962-07-14/") {
		t.Errorf("taken %q at %q from %s, path %s; want 1962-07-14 from the sidecar, filed under that day", p.TakenAt, p.TakenPrecision, p.TakenSource, p.Path)
	}
	if p.Caption != "Grandpa at Haeundae, summer 1962" || !reflect.DeepEqual(p.Keywords, []string{"beach", "Busan"}) ||
		!reflect.DeepEqual(p.People, []string{"Grandpa"}) || p.Rating == nil || *p.Rating != 5 {
		t.Errorf("stored %+v; want the sidecar's caption, keywords, people and rating", p.Described)
	}
}
