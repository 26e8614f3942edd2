package archive

import (
	"context"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/redate/redatetest"
	"github.com/picup/picup/internal/verify"
)

// scanLibrary is redatetest.ScanLibrary's library, as an Archive.
func scanLibrary(t *testing.T) (*Archive, catalog.Photo) {
	t.Helper()
	lib, p := redatetest.ScanLibrary(t)
	return New(lib), p
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
