package verify

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/redate/redatetest"
)

// TestStaleMetadata: a photo whose catalog entry is not what its
// original's metadata says today is reported by verify --metadata, left
// as it is by a plain verify, and recorded by --repair as "picup redate
// --from-metadata" does, moving the original to its date folder; a date
// set by hand is left alone.
func TestStaleMetadata(t *testing.T) {
	const scanDir = "originals/1962/1962-07-14/"
	for _, tc := range []struct {
		name   string
		update string   // run on the scan's row after the import, with its id
		detail []string // "$mtime" is the capture time the import read from the modification time
		path   string   // the original's path after --repair
		taken  string   // its capture time after --repair; "" for the one the import read
	}{{
		name:   "imported before XMP dates were read",
		detail: []string{"capture time $mtime (mtime) → 1962-07-14 (xmp:photoshop:DateCreated)", "caption", "keywords"},
		path:   scanDir + "scan0001.jpg",
		taken:  "1962-07-14",
	}, {
		name:   "a wrong date in the catalog, its caption typed by hand",
		update: `UPDATE photos SET taken_at = '1999-12-31T23:00:00', taken_source = 'exif:DateTimeOriginal', caption = 'Grandpa', keywords = '["beach"]' WHERE id = ?`,
		detail: []string{"capture time 1999-12-31T23:00:00 (exif:DateTimeOriginal) → 1962-07-14 (xmp:photoshop:DateCreated)"},
		path:   scanDir + "scan0001.jpg",
		taken:  "1962-07-14",
	}, {
		name:   "dated by hand",
		update: `UPDATE photos SET taken_source = 'manual' WHERE id = ?`,
		path:   redatetest.ScanPath,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			lib, p := redatetest.ScanLibrary(t)
			taken := tc.taken
			if taken == "" {
				taken = p.TakenAt
			}
			f := &fixture{lib: lib, photos: map[string]catalog.Photo{p.OriginalName: p}}
			if tc.update != "" {
				f.exec(t, tc.update, p.ID)
			}
			before := f.snapshot(t)
			if rep := run(t, lib, false); len(rep.Problems) != 0 {
				t.Errorf("a plain verify read the metadata: %+v", rep.Problems)
			}
			check, err := Run(ctx, lib, Options{Metadata: true})
			if err != nil {
				t.Fatal(err)
			}
			if got := f.snapshot(t); !slices.Equal(got, before) {
				t.Errorf("verify --metadata changed the library:\n%q\nwant\n%q", got, before)
			}
			var want []string
			if tc.detail != nil {
				want = []string{KindStaleMetadata + " " + redatetest.ScanPath}
			}
			if got := found(check); !reflect.DeepEqual(got, want) {
				t.Fatalf("verify --metadata found %q; want %q", got, want)
			}
			if tc.detail != nil {
				wantDetail := "the catalog differs from what the original's metadata says: " + strings.ReplaceAll(strings.Join(tc.detail, "; "), "$mtime", p.TakenAt)
				if p := check.Problems[0]; p.Detail != wantDetail || !p.Repairable || p.PhotoID == 0 || check.OK() {
					t.Errorf("problem %+v (ok %v); want detail %q, repairable, naming the photo, not ok", p, check.OK(), wantDetail)
				}
			}
			repair := run(t, lib, true)
			after, err := Run(ctx, lib, Options{Metadata: true})
			if err != nil {
				t.Fatal(err)
			}
			agrees(t, check, repair, after)
			if len(after.Problems) != 0 {
				t.Errorf("after --repair, verify --metadata finds %+v", after.Problems)
			}
			if tc.detail != nil {
				if p := repair.Problems[0]; !p.Repaired || p.Action != "recorded what the metadata says; moved to "+tc.path {
					t.Errorf("--repair: %+v; want it recorded and moved to %s", p, tc.path)
				}
			}
			got := f.photo(t, p.OriginalName)
			if got.Path != tc.path || got.TakenAt != taken || !f.exists(got.Path) {
				t.Errorf("after --repair: %s taken %s (there: %v); want %s taken %s", got.Path, got.TakenAt, f.exists(got.Path), tc.path, taken)
			}
			if tc.update == "" && (got.Caption != "Grandpa at Haeundae" || !slices.Equal(got.Keywords, []string{"beach"})) {
				t.Errorf("after --repair: caption %q, keywords %q; want the sidecar's", got.Caption, got.Keywords)
			}
			if strings.Contains(tc.update, "caption") && got.Caption != "Grandpa" {
				t.Errorf("after --repair: caption %q; want the one typed by hand kept", got.Caption)
			}
		})
	}
}
