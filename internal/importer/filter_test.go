package importer

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestFilterMatches: names and paths, case, precedence of --exclude.
func TestFilterMatches(t *testing.T) {
	for _, tc := range []struct {
		f         Filter
		rel, name string
		takes     bool
	}{
		{Filter{}, "a/IMG_1.JPG", "IMG_1.JPG", true},
		{Filter{Include: []string{"*.jpg"}}, "a/IMG_1.JPG", "IMG_1.JPG", true}, // case ignored
		{Filter{Include: []string{"*.jpg"}}, "a/clip.mov", "clip.mov", false},
		{Filter{Include: []string{"*.jpg", "*.mov"}}, "a/clip.mov", "clip.mov", true},
		{Filter{Exclude: []string{"*.tmp"}}, "x.tmp", "x.tmp", false},
		{Filter{Include: []string{"*"}, Exclude: []string{"IMG_*"}}, "IMG_1.JPG", "IMG_1.JPG", false}, // exclude wins
		{Filter{Include: []string{"2019/*/IMG_*"}}, "2019/05/IMG_1.JPG", "IMG_1.JPG", true},           // a path pattern
		{Filter{Include: []string{"2019/*/IMG_*"}}, "2020/05/IMG_1.JPG", "IMG_1.JPG", false},
		{Filter{Include: []string{"2019/*/IMG_*"}}, "2019/05/06/IMG_1.JPG", "IMG_1.JPG", false}, // * stops at /
		{Filter{Exclude: []string{"img_?.jpg"}}, "IMG_1.JPG", "IMG_1.JPG", false},
		{Filter{Exclude: []string{"img_[a-z].jpg"}}, "IMG_1.JPG", "IMG_1.JPG", true},
	} {
		if got := tc.f.takes(tc.rel, tc.name); got != tc.takes {
			t.Errorf("%+v takes %s: %v, want %v", tc.f, tc.rel, got, tc.takes)
		}
	}
	for _, bad := range []Filter{{Include: []string{"["}}, {Exclude: []string{"a[b"}}, {Exclude: []string{""}}} {
		if err := bad.Check(); err == nil {
			t.Errorf("Check(%+v) accepted", bad)
		}
	}
}

// TestImportFilters: excluded folders are not walked into, --include
// takes only what matches (sidecars travel with their photo, a sidecar
// whose photo is left out goes quietly too), everything left out is
// counted, and the counting walk agrees.
func TestImportFilters(t *testing.T) {
	lib := newLib(t)
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "keep", "a.jpg"), jpegBytes(t, 1))
	writeFile(t, filepath.Join(src, "keep", "a.xmp"), []byte("<x/>"))
	writeFile(t, filepath.Join(src, "keep", "b.JPG"), jpegBytes(t, 2))
	writeFile(t, filepath.Join(src, "keep", "c.png.tmp"), jpegBytes(t, 3))
	writeFile(t, filepath.Join(src, "keep", "d.jpeg"), jpegBytes(t, 4))
	writeFile(t, filepath.Join(src, "keep", "d.xmp"), []byte("<x/>"))
	writeFile(t, filepath.Join(src, "@eaDir", "a.jpg"), jpegBytes(t, 5))
	writeFile(t, filepath.Join(src, "@eaDir", "deep", "z.jpg"), jpegBytes(t, 6))
	prog := &Progress{}
	s := run(t, lib, Options{Filter: Filter{Include: []string{"*.jpg"}, Exclude: []string{"@eadir", "*.tmp"}}, Progress: prog}, src)
	if s.Imported != 2 || s.Excluded != 3 || s.Failed != 0 || s.Skipped != 0 {
		t.Fatalf("imported %d, excluded %d, failed %d, skipped %d (%v); want 2, 3 (c.png.tmp, d.jpeg and its sidecar), 0, 0",
			s.Imported, s.Excluded, s.Failed, s.Skipped, s.SkippedFiles)
	}
	var names []string
	for _, p := range libraryFiles(t, lib, "originals") {
		names = append(names, filepath.Base(p))
	}
	slices.Sort(names)
	if strings.Join(names, " ") != "a.jpg a.xmp b.JPG" {
		t.Errorf("the library holds %v; want a.jpg with its sidecar, and b.JPG", names)
	}
	if n := prog.TotalFiles.Load(); n != 2 {
		t.Errorf("the counting walk saw %d files; want the 2 the filter takes", n)
	}
	for _, p := range []string{"keep/c.png.tmp", "@eaDir/a.jpg"} {
		if _, err := os.Stat(filepath.Join(src, p)); err != nil {
			t.Errorf("an excluded source is gone: %v", err)
		}
	}
}

// TestDryRunMoveAndDuplicates: a dry run with Move counts the sources a
// real run would remove and removes none; a copy of a file of the same
// run names it (same_as), a copy of a photo of the library names that.
func TestDryRunMoveAndDuplicates(t *testing.T) {
	lib := newLib(t)
	known := t.TempDir()
	writeFile(t, filepath.Join(known, "k.jpg"), jpegBytes(t, 9))
	run(t, lib, Options{}, known)
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "a.jpg"), jpegBytes(t, 1))
	writeFile(t, filepath.Join(src, "b.jpg"), jpegBytes(t, 1))
	writeFile(t, filepath.Join(src, "k2.jpg"), jpegBytes(t, 9))
	s := run(t, lib, Options{DryRun: true, Move: true, Jobs: 1}, src)
	if s.Imported != 1 || s.Duplicates != 2 || s.Moved != 3 {
		t.Fatalf("imported %d, duplicates %d, moved %d; want 1, 2, 3", s.Imported, s.Duplicates, s.Moved)
	}
	for _, d := range s.DuplicateOf {
		switch filepath.Base(d.Path) {
		case "k2.jpg":
			if d.PhotoID == nil || d.PhotoPath == nil || !strings.HasPrefix(*d.PhotoPath, "originals/") || d.SameAs != "" {
				t.Errorf("copy of a library photo: %+v", d)
			}
		case "b.jpg":
			if d.PhotoID != nil || d.PhotoPath != nil || d.SameAs != filepath.Join(src, "a.jpg") {
				t.Errorf("copy of a file of the run: %+v", d)
			}
		default:
			t.Errorf("unexpected duplicate %+v", d)
		}
	}
	for _, n := range []string{"a.jpg", "b.jpg", "k2.jpg"} {
		if _, err := os.Stat(filepath.Join(src, n)); err != nil {
			t.Errorf("a dry run removed %s: %v", n, err)
		}
	}
}
