// Package redatetest makes the library the tests of re-reading metadata
// start from: a scan imported before picup read its .xmp sidecar.
package redatetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/importer"
	"github.com/picup/picup/internal/library"
)

// ScanSidecar is the .xmp sidecar of the scan: a date alone (1962-07-14),
// a caption and a keyword.
const ScanSidecar = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"
  photoshop:DateCreated="1962-07-14">
 <dc:description><rdf:Alt><rdf:li xml:lang="x-default">Grandpa at Haeundae</rdf:li></rdf:Alt></dc:description>
 <dc:subject><rdf:Bag><rdf:li>beach</rdf:li></rdf:Bag></dc:subject>
</rdf:Description></rdf:RDF></x:xmpmeta>`

// Paths of the scan and its sidecar as imported, under the modification
// time of the scan.
const (
	ScanPath    = "originals/2020/2020-01-02/scan0001.jpg"
	SidecarPath = "originals/2020/2020-01-02/scan0001.xmp"
)

// ScanLibrary imports a scan with no date of its own into a new library,
// filed under its modification time (2020-01-02) as picup did before it
// read XMP, and puts ScanSidecar beside it in the library, as an earlier
// import of the sidecar would have.
func ScanLibrary(t *testing.T) (*library.Library, catalog.Photo) {
	t.Helper()
	ctx := context.Background()
	lib, err := library.Open(ctx, filepath.Join(t.TempDir(), "lib"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	src := t.TempDir()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 16, 12)), nil); err != nil {
		t.Fatal(err)
	}
	scan := filepath.Join(src, "scan0001.jpg")
	if err := os.WriteFile(scan, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	mtime := time.Date(2020, 1, 2, 12, 0, 0, 0, time.Local)
	if err := os.Chtimes(scan, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	if _, err := importer.Run(ctx, lib, []string{src}, importer.Options{}); err != nil {
		t.Fatal(err)
	}
	ps, err := lib.Catalog.ListPhotos(ctx, nil, 10)
	if err != nil || len(ps) != 1 || ps[0].TakenSource != "mtime" || ps[0].Path != ScanPath {
		t.Fatalf("imported %+v, %v; want one photo filed under its mtime", ps, err)
	}
	if err := os.WriteFile(lib.Abs(SidecarPath), []byte(ScanSidecar), 0o644); err != nil {
		t.Fatal(err)
	}
	err = lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		sum := sha256.Sum256([]byte(ScanSidecar))
		return tx.InsertSidecar(ctx, ps[0].ID, SidecarPath, int64(len(ScanSidecar)), hex.EncodeToString(sum[:]))
	})
	if err != nil {
		t.Fatal(err)
	}
	return lib, ps[0]
}
