package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/importer"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/verify"
)

const scanSidecar = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"
  photoshop:DateCreated="1962-07-14">
 <dc:description><rdf:Alt><rdf:li xml:lang="x-default">Grandpa at Haeundae</rdf:li></rdf:Alt></dc:description>
 <dc:subject><rdf:Bag><rdf:li>beach</rdf:li></rdf:Bag></dc:subject>
</rdf:Description></rdf:RDF></x:xmpmeta>`

// scanLibrary imports a scan with no date of its own, filed under its
// modification time (2020-01-02) as picup did before it read XMP, and puts
// an .xmp sidecar with the real date beside it in the library, as an
// earlier import of the sidecar would have.
func scanLibrary(t *testing.T) (*Archive, catalog.Photo) {
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
	if err != nil || len(ps) != 1 || ps[0].TakenSource != "mtime" || ps[0].Path != "originals/2020/2020-01-02/scan0001.jpg" {
		t.Fatalf("imported %+v, %v; want one photo filed under its mtime", ps, err)
	}
	sc := "originals/2020/2020-01-02/scan0001.xmp"
	if err := os.WriteFile(lib.Abs(sc), []byte(scanSidecar), 0o644); err != nil {
		t.Fatal(err)
	}
	err = lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		sum := sha256.Sum256([]byte(scanSidecar))
		return tx.InsertSidecar(ctx, ps[0].ID, sc, int64(len(scanSidecar)), hex.EncodeToString(sum[:]))
	})
	if err != nil {
		t.Fatal(err)
	}
	return New(lib), ps[0]
}

func exists(a *Archive, rel string) bool {
	_, err := os.Stat(a.lib.Abs(rel))
	return err == nil
}

func TestRedateFromMetadataMovesTheOriginal(t *testing.T) {
	a, p := scanLibrary(t)
	ctx := context.Background()
	rs, failed, err := a.Redate(ctx, []int64{p.ID}, RedateOptions{FromMetadata: true})
	if err != nil || failed != 0 || len(rs) != 1 {
		t.Fatalf("Redate = %+v, %d, %v", rs, failed, err)
	}
	r := rs[0]
	want := Redated{ID: p.ID, Path: "originals/1962/1962-07-14/scan0001.jpg", OldPath: "originals/2020/2020-01-02/scan0001.jpg",
		TakenAt: "1962-07-14", TakenAtSource: "xmp:photoshop:DateCreated", TakenAtPrecision: "day",
		WasTakenAt: p.TakenAt, WasSource: "mtime", Changed: true}
	if r != want {
		t.Errorf("Redated = %+v;\nwant %+v", r, want)
	}
	got, err := a.lib.Catalog.PhotoByID(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Path != want.Path || got.TakenAt != "1962-07-14" || got.TakenPrecision != "day" || got.Caption != "Grandpa at Haeundae" ||
		!reflect.DeepEqual(got.Keywords, []string{"beach"}) {
		t.Errorf("catalog after redate: %+v", got)
	}
	scs, _ := a.lib.Catalog.Sidecars(ctx, p.ID)
	if len(scs) != 1 || scs[0].Path != "originals/1962/1962-07-14/scan0001.xmp" {
		t.Errorf("sidecars %+v; want the .xmp moved along", scs)
	}
	for _, rel := range []string{want.Path, "originals/1962/1962-07-14/scan0001.xmp"} {
		if !exists(a, rel) {
			t.Errorf("%s is not there", rel)
		}
	}
	for _, rel := range []string{want.OldPath, "originals/2020/2020-01-02/scan0001.xmp"} {
		if exists(a, rel) {
			t.Errorf("%s is still there", rel)
		}
	}
	// Again: nothing changes.
	rs, _, err = a.Redate(ctx, []int64{p.ID}, RedateOptions{FromMetadata: true})
	if err != nil || rs[0].Changed || rs[0].OldPath != "" {
		t.Errorf("second Redate = %+v, %v; want unchanged", rs, err)
	}
	rep, err := verify.Run(ctx, a.lib, verify.Options{})
	if err != nil || rep.Remaining != 0 {
		t.Errorf("verify after redate: %+v, %v; want nothing wrong", rep.Problems, err)
	}
}

func TestRedateAt(t *testing.T) {
	a, p := scanLibrary(t)
	ctx := context.Background()
	for _, tc := range []struct{ at, takenAt, prec, dir string }{
		{"1962-07", "1962-07", "month", "originals/1962/1962-07-01/"},
		{"1962-07-14T15:30:00+09:00", "1962-07-14T15:30:00+09:00", "", "originals/1962/1962-07-14/"},
		{"1962-07-14", "1962-07-14", "day", "originals/1962/1962-07-14/"},
	} {
		rs, failed, err := a.Redate(ctx, []int64{p.ID}, RedateOptions{At: tc.at})
		if err != nil || failed != 0 {
			t.Fatalf("Redate(--at %s) = %+v, %d, %v", tc.at, rs, failed, err)
		}
		got, _ := a.lib.Catalog.PhotoByID(ctx, p.ID)
		if got.TakenAt != tc.takenAt || got.TakenSource != "manual" || got.TakenPrecision != tc.prec || !strings.HasPrefix(got.Path, tc.dir) || !exists(a, got.Path) {
			t.Errorf("--at %s: taken %q (%s, %q) at %s; want %q under %s", tc.at, got.TakenAt, got.TakenSource, got.TakenPrecision, got.Path, tc.takenAt, tc.dir)
		}
	}
	// --all --from-metadata leaves a date set by hand alone.
	rs, _, err := a.Redate(ctx, []int64{p.ID}, RedateOptions{FromMetadata: true, KeepManual: true})
	if err != nil || rs[0].Changed || rs[0].Note == "" {
		t.Errorf("Redate(--from-metadata, keep manual) = %+v, %v; want kept with a note", rs, err)
	}
	for _, bad := range []string{"14/07/1962", "1962-07-14 noon", "3000-01-01", ""} {
		if _, _, err := a.Redate(ctx, []int64{p.ID}, RedateOptions{At: bad}); err == nil {
			t.Errorf("Redate(--at %q): no error", bad)
		}
	}
	if rs, failed, err := a.Redate(ctx, []int64{p.ID, 999}, RedateOptions{At: "1970"}); err != nil || failed != 1 || rs[1].Error == "" || rs[0].Error != "" {
		t.Errorf("Redate(one unknown id) = %+v, %d, %v; want one failure of two", rs, failed, err)
	}
}

// A commit that fails leaves the original where the catalog says, and no
// second name; a crash after the commit leaves the old name, which verify
// --repair removes.
func TestRedateCrashSafety(t *testing.T) {
	a, p := scanLibrary(t)
	ctx := context.Background()
	boom := errors.New("disk full")
	redateFault = func(step string) error {
		if step == "commit" {
			return boom
		}
		return nil
	}
	defer func() { redateFault = nil }()
	rs, failed, err := a.Redate(ctx, []int64{p.ID}, RedateOptions{At: "1962-07-14"})
	if err != nil || failed != 1 || !strings.Contains(rs[0].Error, "disk full") {
		t.Fatalf("Redate with a failing commit = %+v, %d, %v; want that photo failed", rs, failed, err)
	}
	got, _ := a.lib.Catalog.PhotoByID(ctx, p.ID)
	if got.Path != p.Path || got.TakenAt != p.TakenAt || !exists(a, p.Path) || exists(a, "originals/1962/1962-07-14/scan0001.jpg") ||
		exists(a, "originals/1962/1962-07-14/scan0001.xmp") {
		t.Fatalf("after a failed commit: catalog %s %s; want it and the files as they were", got.Path, got.TakenAt)
	}

	redateFault = func(step string) error {
		if strings.HasPrefix(step, "remove ") && strings.HasSuffix(step, ".jpg") {
			return boom // as if the process died after the commit, before the original's old name went
		}
		return nil
	}
	rs, failed, err = a.Redate(ctx, []int64{p.ID}, RedateOptions{At: "1962-07-14"})
	if err != nil || failed != 0 || !strings.Contains(rs[0].Note, "verify --repair") {
		t.Fatalf("Redate dying after the commit = %+v, %d, %v", rs, failed, err)
	}
	if !exists(a, p.Path) || !exists(a, rs[0].Path) {
		t.Fatalf("both names should be there: %s, %s", p.Path, rs[0].Path)
	}
	rep, err := verify.Run(ctx, a.lib, verify.Options{Repair: true})
	if err != nil {
		t.Fatal(err)
	}
	if exists(a, p.Path) || !exists(a, rs[0].Path) || rep.Remaining != 0 {
		t.Errorf("verify --repair: %+v; want the old name removed and the new one kept", rep.Problems)
	}
}
