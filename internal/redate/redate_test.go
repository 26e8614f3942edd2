package redate_test

import (
	"context"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/media"
	"github.com/picup/picup/internal/redate"
	"github.com/picup/picup/internal/redate/redatetest"
	"github.com/picup/picup/internal/verify"
	"github.com/picup/picup/pkg/capturetime"
)

func ptr[T any](v T) *T { return &v }

func TestFromMetadata(t *testing.T) {
	jeju := catalog.Place{Country: "KR", Region: "Jeju-do", City: "Ido-dong"}
	taken := time.Date(1962, 7, 14, 0, 0, 0, 0, time.UTC)
	imported := catalog.Photo{TakenAt: "2020-01-02T12:00:00", TakenSource: "mtime",
		Described: catalog.Described{Title: "Old title", Caption: "typed by hand", Keywords: []string{"old"}, Rating: ptr(2)}}
	for _, tc := range []struct {
		name  string
		photo catalog.Photo
		md    media.Metadata
		want  []string // Differences
		check func(t *testing.T, c redate.Change)
	}{{
		name:  "a date from XMP replaces the modification time",
		photo: imported,
		md:    media.Metadata{Taken: taken, TakenSource: capturetime.SourceXMPDateCreated, TakenPrecision: capturetime.PrecisionDay},
		want:  []string{"capture time 2020-01-02T12:00:00 (mtime) → 1962-07-14 (xmp:photoshop:DateCreated)"},
	}, {
		name:  "the modification time of the library copy is no date",
		photo: imported,
		md:    media.Metadata{Taken: taken, TakenSource: capturetime.SourceMtime},
		check: func(t *testing.T, c redate.Change) {
			if c.Taken.Source != "" {
				t.Errorf("Taken = %+v; want none", c.Taken)
			}
		},
	}, {
		name:  "a caption in the catalog is kept, the rest is replaced where the metadata has it",
		photo: imported,
		md: media.Metadata{TakenSource: capturetime.SourceMtime, Descriptive: media.Descriptive{Title: "New title", Caption: "from XMP",
			Keywords: []string{"beach"}, People: []string{"Grandpa"}}},
		want: []string{"title", "keywords", "people"},
		check: func(t *testing.T, c redate.Change) {
			want := catalog.Described{Title: "New title", Caption: "typed by hand", Keywords: []string{"beach"}, People: []string{"Grandpa"}, Rating: ptr(2)}
			if !reflect.DeepEqual(*c.Described, want) {
				t.Errorf("Described = %+v; want %+v", *c.Described, want)
			}
		},
	}, {
		name:  "an empty caption is filled",
		photo: catalog.Photo{TakenSource: "mtime"},
		md:    media.Metadata{Descriptive: media.Descriptive{Caption: "Grandpa at Haeundae", Rating: ptr(5)}},
		want:  []string{"caption", "rating"},
	}, {
		name:  "a position read now, and its place",
		photo: imported,
		md:    media.Metadata{Lat: ptr(33.4996), Lon: ptr(126.5312)},
		want:  []string{"position", "place none → Ido-dong"},
		check: func(t *testing.T, c redate.Change) {
			if c.Position == nil || c.Position.Place != jeju {
				t.Errorf("Position = %+v; want in %+v", c.Position, jeju)
			}
		},
	}, {
		name:  "a place not looked up yet",
		photo: catalog.Photo{Lat: ptr(33.4996), Lon: ptr(126.5312)},
		md:    media.Metadata{Lat: ptr(33.4996), Lon: ptr(126.5312)},
		want:  []string{"place none → Ido-dong"},
	}, {
		name:  "the same in the catalog and the metadata",
		photo: catalog.Photo{TakenAt: "1962-07-14", TakenSource: capturetime.SourceXMPDateCreated, TakenPrecision: "day", Lat: ptr(33.4996), Lon: ptr(126.5312), Place: jeju},
		md:    media.Metadata{Taken: taken, TakenSource: capturetime.SourceXMPDateCreated, TakenPrecision: "day", Lat: ptr(33.4996), Lon: ptr(126.5312)},
	}, {
		name:  "no position in the metadata keeps the catalog's",
		photo: catalog.Photo{Lat: ptr(1.0), Lon: ptr(2.0)},
		check: func(t *testing.T, c redate.Change) {
			if c.Position != nil {
				t.Errorf("Position = %+v; want none", c.Position)
			}
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			c := redate.FromMetadata(tc.photo, tc.md)
			if got := c.Differences(tc.photo); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Differences = %q; want %q", got, tc.want)
			}
			if tc.check != nil {
				tc.check(t, c)
			}
		})
	}
}

func exists(lib *library.Library, rel string) bool { return library.Exists(lib.Abs(rel)) }

// A commit that fails leaves the original where the catalog says, and no
// second name; a crash after the commit leaves the old name, which verify
// --repair removes.
func TestApplyCrashSafety(t *testing.T) {
	lib, p := redatetest.ScanLibrary(t)
	ctx := context.Background()
	c := redate.Change{Taken: capturetime.Candidate{Source: capturetime.SourceManual, Time: time.Date(1962, 7, 14, 0, 0, 0, 0, time.UTC), Precision: "day"}}
	boom := errors.New("disk full")
	defer redate.SetFault(nil)
	redate.SetFault(func(step string) error {
		if step == "commit" {
			return boom
		}
		return nil
	})
	if _, err := redate.Apply(ctx, lib, p, c); !errors.Is(err, boom) {
		t.Fatalf("Apply with a failing commit: %v; want %v", err, boom)
	}
	got, _ := lib.Catalog.PhotoByID(ctx, p.ID)
	if got.Path != p.Path || got.TakenAt != p.TakenAt || !exists(lib, p.Path) || exists(lib, "originals/1962/1962-07-14/scan0001.jpg") ||
		exists(lib, "originals/1962/1962-07-14/scan0001.xmp") {
		t.Fatalf("after a failed commit: catalog %s %s; want it and the files as they were", got.Path, got.TakenAt)
	}

	redate.SetFault(func(step string) error {
		if strings.HasPrefix(step, "remove ") && strings.HasSuffix(step, ".jpg") {
			return boom // as if the process died after the commit, before the original's old name went
		}
		return nil
	})
	r, err := redate.Apply(ctx, lib, p, c)
	if err != nil || !strings.Contains(r.Note, "verify --repair") || r.OldPath != p.Path || !r.Changed {
		t.Fatalf("Apply dying after the commit = %+v, %v", r, err)
	}
	if !exists(lib, p.Path) || !exists(lib, r.Path) || exists(lib, redatetest.SidecarPath) {
		t.Fatalf("the original should have both names (%s, %s), the sidecar only its new one", p.Path, r.Path)
	}
	rep, err := verify.Run(ctx, lib, verify.Options{Repair: true})
	if err != nil {
		t.Fatal(err)
	}
	if exists(lib, p.Path) || !exists(lib, r.Path) || rep.Remaining != 0 {
		t.Errorf("verify --repair: %+v; want the old name removed and the new one kept", rep.Problems)
	}
	if _, err := os.Stat(lib.Abs("originals/1962/1962-07-14/scan0001.xmp")); err != nil {
		t.Errorf("the sidecar's new name: %v", err)
	}
}
