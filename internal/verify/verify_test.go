package verify

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/importer"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/thumb"
)

// smallJPEG is a little JPEG of one colour: each colour is other content.
func smallJPEG(t *testing.T, c color.RGBA) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 48, 32))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, 255
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// fixture is a real library with three imported photos, a.jpg (with its
// sidecar a.xmp), b.jpg and c.jpg.
type fixture struct {
	lib    *library.Library
	photos map[string]catalog.Photo // by original name
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	in := t.TempDir()
	files := map[string][]byte{
		"a.jpg": smallJPEG(t, color.RGBA{R: 200}),
		"a.xmp": []byte(`<x:xmpmeta xmlns:x="adobe:ns:meta/"></x:xmpmeta>`),
		"b.jpg": smallJPEG(t, color.RGBA{G: 200}),
		"c.jpg": smallJPEG(t, color.RGBA{B: 200}),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(in, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	lib, err := library.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	sum, err := importer.Run(ctx, lib, []string{in}, importer.Options{Jobs: 1})
	if err != nil || sum.Imported != 3 || sum.Failed != 0 {
		t.Fatalf("import = %+v, %v; want 3 imported", sum, err)
	}
	f := &fixture{lib: lib, photos: map[string]catalog.Photo{}}
	err = lib.Catalog.EachPhoto(ctx, func(p catalog.Photo) error {
		f.photos[p.OriginalName] = p
		return nil
	})
	if err != nil || len(f.photos) != 3 {
		t.Fatalf("photos after import: %v, %v", f.photos, err)
	}
	return f
}

// path is the library-relative path of a photo's original.
func (f *fixture) path(name string) string { return f.photos[name].Path }

// beside is a path in the directory of a photo's original.
func (f *fixture) beside(name, file string) string { return path.Join(path.Dir(f.path(name)), file) }

func (f *fixture) thumb(name string, size thumb.SizeName) string {
	return library.ThumbPath(f.photos[name].SHA256, size)
}

func (f *fixture) write(t *testing.T, rel string, data []byte) {
	t.Helper()
	abs := f.lib.Abs(rel)
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(abs, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) remove(t *testing.T, rel string) {
	t.Helper()
	if err := os.Remove(f.lib.Abs(rel)); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) exists(rel string) bool { return library.Exists(f.lib.Abs(rel)) }

func (f *fixture) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	ctx := context.Background()
	err := f.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		_, err := tx.ExecContext(ctx, q, args...)
		return err
	})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func (f *fixture) photo(t *testing.T, name string) catalog.Photo {
	t.Helper()
	p, err := f.lib.Catalog.PhotoByID(context.Background(), f.photos[name].ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// snapshot is what a check must leave as it was: every catalog row of a
// photo with its sidecars, every file in originals/ and thumbs/ with its
// size.
func (f *fixture) snapshot(t *testing.T) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	err := f.lib.Catalog.EachPhoto(ctx, func(p catalog.Photo) error {
		scs, err := f.lib.Catalog.Sidecars(ctx, p.ID)
		out = append(out, fmt.Sprintf("photo %+v sidecars %+v", p, scs))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	users, err := f.lib.Catalog.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, fmt.Sprintf("users %+v", users))
	for _, dir := range []string{library.OriginalsDir, library.ThumbsDir} {
		err := filepath.WalkDir(f.lib.Abs(dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			rel, _ := f.lib.Rel(p)
			out = append(out, fmt.Sprintf("file %s %d", rel, fi.Size()))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// found is a problem as the tests compare it: "kind path", with
// " (repaired)" when it was.
func found(rep Report) []string {
	var out []string
	for _, p := range rep.Problems {
		s := p.Kind + " " + p.Path
		if p.Repaired {
			s += " (repaired)"
		}
		if p.LeftAlone {
			s += " (left alone)"
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

func run(t *testing.T, lib *library.Library, repair bool) Report {
	t.Helper()
	rep, err := Run(context.Background(), lib, Options{Repair: repair, Jobs: 2})
	if err != nil {
		t.Fatalf("Run(repair %v): %v", repair, err)
	}
	// The counts agree with the problems: placeholders are never left to
	// fix, everything else is either repaired or remaining.
	repaired, remaining, leftAlone := 0, 0, 0
	for _, p := range rep.Problems {
		switch {
		case p.Repaired:
			repaired++
		case p.LeftAlone:
			leftAlone++
		case p.Kind != KindPlaceholderThumb:
			remaining++
		}
	}
	if rep.Repaired != repaired || rep.Remaining != remaining || rep.LeftAlone != leftAlone || rep.OK() != (remaining == 0) {
		t.Errorf("Run(repair %v): Repaired %d, Remaining %d, LeftAlone %d, OK %v; the problems say %d, %d and %d: %+v",
			repair, rep.Repaired, rep.Remaining, rep.LeftAlone, rep.OK(), repaired, remaining, leftAlone, rep.Problems)
	}
	return rep
}

func TestCleanLibrary(t *testing.T) {
	f := newFixture(t)
	var bytes int64
	for _, p := range f.photos {
		bytes += p.Bytes
	}
	for _, repair := range []bool{false, true} {
		rep := run(t, f.lib, repair)
		if rep.Photos != 3 || rep.Bytes != bytes || len(rep.Problems) != 0 || !rep.OK() {
			t.Errorf("Run(repair %v) on a sound library = %+v; want 3 photos, %d bytes, no problem", repair, rep, bytes)
		}
	}
}

// TestProblems damages a real library one way per case, and checks what
// verify finds, what --repair does about it, and what a check after the
// repair still finds.
func TestProblems(t *testing.T) {
	ctx := context.Background()
	type lists struct{ check, repair, after []string }
	tests := []struct {
		name   string
		damage func(t *testing.T, f *fixture)
		want   func(f *fixture) lists
		// repaired checks the library after the repair.
		repaired func(t *testing.T, f *fixture)
	}{
		{
			name:   "missing original",
			damage: func(t *testing.T, f *fixture) { f.remove(t, f.path("a.jpg")) },
			want: func(f *fixture) lists {
				p := KindMissingOriginal + " " + f.path("a.jpg")
				return lists{[]string{p}, []string{p}, []string{p}}
			},
			repaired: func(t *testing.T, f *fixture) {
				if s := f.photo(t, "a.jpg").State; s != "missing" {
					t.Errorf("state after repair = %q; want missing", s)
				}
			},
		},
		{
			name: "corrupt original",
			damage: func(t *testing.T, f *fixture) {
				data, err := os.ReadFile(f.lib.Abs(f.path("b.jpg")))
				if err != nil {
					t.Fatal(err)
				}
				data[len(data)/2] ^= 0xff // same size, other bytes
				f.write(t, f.path("b.jpg"), data)
			},
			want: func(f *fixture) lists {
				p := KindCorruptOriginal + " " + f.path("b.jpg")
				return lists{[]string{p}, []string{p}, []string{p}}
			},
			repaired: func(t *testing.T, f *fixture) {
				if s := f.photo(t, "b.jpg").State; s != "corrupt" {
					t.Errorf("state after repair = %q; want corrupt", s)
				}
			},
		},
		{
			name: "missing original of a photo in the trash, left alone once flagged",
			damage: func(t *testing.T, f *fixture) {
				f.remove(t, f.path("a.jpg"))
				f.exec(t, `UPDATE photos SET trashed_at = '2026-01-02T03:04:05Z' WHERE id = ?`, f.photos["a.jpg"].ID)
			},
			want: func(f *fixture) lists {
				p := KindMissingOriginal + " " + f.path("a.jpg")
				return lists{[]string{p}, []string{p + " (left alone)"}, []string{p + " (left alone)"}}
			},
		},
		{
			name:   "missing thumbnail",
			damage: func(t *testing.T, f *fixture) { f.remove(t, f.thumb("c.jpg", thumb.Sizes[0].Name)) },
			want: func(f *fixture) lists {
				p := KindMissingThumb + " " + f.path("c.jpg")
				return lists{[]string{p}, []string{p + " (repaired)"}, nil}
			},
			repaired: func(t *testing.T, f *fixture) {
				if !looksLikeJPEG(f.lib.Abs(f.thumb("c.jpg", thumb.Sizes[0].Name))) {
					t.Error("the thumbnail was not made again")
				}
			},
		},
		{
			name:   "thumbnail that is not a JPEG",
			damage: func(t *testing.T, f *fixture) { f.write(t, f.thumb("c.jpg", thumb.Sizes[1].Name), []byte("garbage")) },
			want: func(f *fixture) lists {
				p := KindMissingThumb + " " + f.path("c.jpg")
				return lists{[]string{p}, []string{p + " (repaired)"}, nil}
			},
			repaired: func(t *testing.T, f *fixture) {
				if !looksLikeJPEG(f.lib.Abs(f.thumb("c.jpg", thumb.Sizes[1].Name))) {
					t.Error("the thumbnail was not made again")
				}
			},
		},
		{
			name: "placeholder thumbnail of a photo that decodes",
			damage: func(t *testing.T, f *fixture) {
				f.exec(t, `UPDATE photos SET thumbs = 'placeholder' WHERE id = ?`, f.photos["a.jpg"].ID)
			},
			want: func(f *fixture) lists {
				// Only --repair looks at placeholders: a check has nothing to say.
				return lists{nil, []string{KindPlaceholderThumb + " " + f.path("a.jpg") + " (repaired)"}, nil}
			},
			repaired: func(t *testing.T, f *fixture) {
				if s := f.photo(t, "a.jpg").Thumbs; s != "ok" {
					t.Errorf("thumbs after repair = %q; want ok", s)
				}
			},
		},
		{
			name: "orphan original, adopted",
			damage: func(t *testing.T, f *fixture) {
				f.write(t, f.beside("a.jpg", "orphan.jpg"), smallJPEG(t, color.RGBA{R: 90, G: 90}))
			},
			want: func(f *fixture) lists {
				p := KindOrphanOriginal + " " + f.beside("a.jpg", "orphan.jpg")
				return lists{[]string{p}, []string{p + " (repaired)"}, nil}
			},
			repaired: func(t *testing.T, f *fixture) {
				p, err := f.lib.Catalog.PhotoByPath(ctx, f.beside("a.jpg", "orphan.jpg"))
				if err != nil || p.Type != "photo" {
					t.Errorf("the adopted orphan: %+v, %v", p, err)
				}
			},
		},
		{
			name: "orphan original with stored content, removed",
			damage: func(t *testing.T, f *fixture) {
				data, err := os.ReadFile(f.lib.Abs(f.path("b.jpg")))
				if err != nil {
					t.Fatal(err)
				}
				f.write(t, f.beside("b.jpg", "copy.jpg"), data)
			},
			want: func(f *fixture) lists {
				p := KindOrphanOriginal + " " + f.beside("b.jpg", "copy.jpg")
				return lists{[]string{p}, []string{p + " (repaired)"}, nil}
			},
			repaired: func(t *testing.T, f *fixture) {
				if f.exists(f.beside("b.jpg", "copy.jpg")) || !f.exists(f.path("b.jpg")) {
					t.Error("the copy should be gone and the original kept")
				}
			},
		},
		{
			name:   "file that is no photo, left alone",
			damage: func(t *testing.T, f *fixture) { f.write(t, f.beside("a.jpg", "notes.txt"), []byte("call grandma")) },
			want: func(f *fixture) lists {
				p := KindUnknownFile + " " + f.beside("a.jpg", "notes.txt") + " (left alone)"
				return lists{[]string{p}, []string{p}, []string{p}}
			},
			repaired: func(t *testing.T, f *fixture) {
				if !f.exists(f.beside("a.jpg", "notes.txt")) {
					t.Error("a file that is no photo was removed")
				}
			},
		},
		{
			name:   "orphan sidecar beside its photo, attached",
			damage: func(t *testing.T, f *fixture) { f.write(t, f.beside("c.jpg", "c.xmp"), []byte("<xmp/>")) },
			want: func(f *fixture) lists {
				p := KindOrphanSidecar + " " + f.beside("c.jpg", "c.xmp")
				return lists{[]string{p}, []string{p + " (repaired)"}, nil}
			},
			repaired: func(t *testing.T, f *fixture) {
				scs, err := f.lib.Catalog.Sidecars(ctx, f.photos["c.jpg"].ID)
				if err != nil || len(scs) != 1 || scs[0].Path != f.beside("c.jpg", "c.xmp") || scs[0].Bytes != 6 {
					t.Errorf("sidecars of c.jpg after repair = %+v, %v", scs, err)
				}
			},
		},
		{
			name:   "orphan sidecar with no photo, left alone",
			damage: func(t *testing.T, f *fixture) { f.write(t, f.beside("c.jpg", "nobody.xmp"), []byte("<xmp/>")) },
			want: func(f *fixture) lists {
				p := KindOrphanSidecar + " " + f.beside("c.jpg", "nobody.xmp") + " (left alone)"
				return lists{[]string{p}, []string{p}, []string{p}}
			},
		},
		{
			name: "missing sidecar",
			damage: func(t *testing.T, f *fixture) {
				scs, err := f.lib.Catalog.Sidecars(ctx, f.photos["a.jpg"].ID)
				if err != nil || len(scs) != 1 {
					t.Fatalf("sidecars of a.jpg = %+v, %v; want a.xmp", scs, err)
				}
				f.remove(t, scs[0].Path)
			},
			want: func(f *fixture) lists {
				p := KindMissingSidecar + " " + f.beside("a.jpg", "a.xmp")
				return lists{[]string{p}, []string{p}, []string{p}}
			},
		},
		{
			name: "orphan thumbnail",
			damage: func(t *testing.T, f *fixture) {
				f.write(t, library.ThumbPath(strings.Repeat("f", 64), "grid"), smallJPEG(t, color.RGBA{}))
			},
			want: func(f *fixture) lists {
				p := KindOrphanThumb + " " + library.ThumbPath(strings.Repeat("f", 64), "grid")
				return lists{[]string{p}, []string{p + " (repaired)"}, nil}
			},
			repaired: func(t *testing.T, f *fixture) {
				if f.exists(library.ThumbPath(strings.Repeat("f", 64), "grid")) {
					t.Error("the orphan thumbnail is still there")
				}
			},
		},
		{
			name: "temp leftovers of interrupted writes",
			damage: func(t *testing.T, f *fixture) {
				f.write(t, f.beside("a.jpg", ".tmp-123"), []byte("half a photo"))
				f.write(t, path.Join(path.Dir(f.thumb("b.jpg", "grid")), ".tmp-456"), []byte("half a thumbnail"))
			},
			want: func(f *fixture) lists {
				a := KindTempFile + " " + f.beside("a.jpg", ".tmp-123")
				b := KindTempFile + " " + path.Join(path.Dir(f.thumb("b.jpg", "grid")), ".tmp-456")
				return lists{[]string{a, b}, []string{a + " (repaired)", b + " (repaired)"}, nil}
			},
			repaired: func(t *testing.T, f *fixture) {
				if f.exists(f.beside("a.jpg", ".tmp-123")) || f.exists(path.Join(path.Dir(f.thumb("b.jpg", "grid")), ".tmp-456")) {
					t.Error("a temp file is still there")
				}
			},
		},
		{
			name:   "usage that is not what the user owns",
			damage: func(t *testing.T, f *fixture) { f.exec(t, `UPDATE users SET used_bytes = used_bytes + 7`) },
			want: func(f *fixture) lists {
				p := KindUsage + " " + library.CatalogFile
				return lists{[]string{p}, []string{p + " (repaired)"}, nil}
			},
			repaired: func(t *testing.T, f *fixture) {
				if bad, err := f.lib.Catalog.CheckUsage(ctx); err != nil || len(bad) != 0 {
					t.Errorf("CheckUsage after repair = %+v, %v", bad, err)
				}
			},
		},
		{
			name: "reservation of a process that is gone",
			damage: func(t *testing.T, f *fixture) {
				live, err := f.lib.StartRun()
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { live.Close() })
				u, err := f.lib.Catalog.FirstUser(ctx)
				if err != nil {
					t.Fatal(err)
				}
				err = f.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
					if _, err := tx.Reserve(ctx, u.ID, 1000, "run-0123456789abcdef"); err != nil {
						return err
					}
					_, err := tx.Reserve(ctx, u.ID, 500, filepath.Base(live.Dir))
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			},
			want: func(f *fixture) lists {
				// The live run's reservation is no problem.
				p := KindReservation + " " + library.CatalogFile
				return lists{[]string{p}, []string{p + " (repaired)"}, nil}
			},
			repaired: func(t *testing.T, f *fixture) {
				res, err := f.lib.Catalog.Reservations(ctx)
				var kept []int64
				for run, n := range res {
					if f.lib.RunExists(run) {
						kept = append(kept, n)
					}
				}
				if err != nil || len(res) != 1 || len(kept) != 1 || kept[0] != 500 {
					t.Errorf("reservations after repair = %v, %v; want only the live run's 500 bytes", res, err)
				}
			},
		},
		{
			name: "catalog row pointing to a missing row",
			damage: func(t *testing.T, f *fixture) {
				db, err := sql.Open("sqlite", "file:"+f.lib.Abs(library.CatalogFile)+"?_pragma=foreign_keys(0)&_pragma=busy_timeout(5000)")
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				if _, err := db.Exec(`INSERT INTO album_photos (album_id, photo_id, taken_key, added_at) VALUES (999, ?, 0, '')`, f.photos["a.jpg"].ID); err != nil {
					t.Fatal(err)
				}
			},
			want: func(f *fixture) lists {
				p := KindCatalog + " " + library.CatalogFile
				return lists{[]string{p}, []string{p}, []string{p}}
			},
		},
		{
			name: "files of a purged photo awaiting their deletion job",
			damage: func(t *testing.T, f *fixture) {
				err := f.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
					if _, err := tx.Trash(ctx, []int64{f.photos["b.jpg"].ID}); err != nil {
						return err
					}
					_, err := tx.Purge(ctx, []int64{f.photos["b.jpg"].ID}, func(p catalog.Photo, _ []catalog.Sidecar) []string {
						out := []string{p.Path}
						for _, s := range thumb.Sizes {
							out = append(out, library.ThumbPath(p.SHA256, s.Name))
						}
						return out
					})
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			},
			want: func(f *fixture) lists { return lists{} }, // not orphans: adopting them would undo the purge
			repaired: func(t *testing.T, f *fixture) {
				if !f.exists(f.path("b.jpg")) || !f.exists(f.thumb("b.jpg", "grid")) {
					t.Error("verify removed files that their deletion jobs are to remove")
				}
				if _, err := f.lib.Catalog.PhotoByPath(ctx, f.path("b.jpg")); err == nil {
					t.Error("verify adopted a purged photo again")
				}
			},
		},
		{
			name: "offloaded original, absent here",
			damage: func(t *testing.T, f *fixture) {
				f.exec(t, `UPDATE photos SET offloaded = 'b2' WHERE id = ?`, f.photos["c.jpg"].ID)
				f.remove(t, f.path("c.jpg"))
			},
			want: func(f *fixture) lists { return lists{} },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			tt.damage(t, f)
			want := tt.want(f)
			before := f.snapshot(t)
			reports := map[string]Report{}
			for _, step := range []struct {
				what   string
				repair bool
				want   []string
			}{
				{"check", false, want.check},
				{"check again", false, want.check},
				{"repair", true, want.repair},
			} {
				rep := run(t, f.lib, step.repair)
				reports[step.what] = rep
				if got := found(rep); !reflect.DeepEqual(got, sorted(step.want)) {
					t.Errorf("%s found %q; want %q", step.what, got, sorted(step.want))
				}
				if !step.repair {
					if after := f.snapshot(t); !reflect.DeepEqual(after, before) {
						t.Errorf("a %s changed the library:\nbefore %q\nafter  %q", step.what, before, after)
					}
				}
			}
			if tt.repaired != nil {
				tt.repaired(t, f)
			}
			after := run(t, f.lib, false)
			if got := found(after); !reflect.DeepEqual(got, sorted(want.after)) {
				t.Errorf("a check after the repair found %q; want %q (%+v)", got, sorted(want.after), after.Problems)
			}
			agrees(t, reports["check"], reports["repair"], after)
		})
	}
}

func sorted(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// Every problem verify reports names what it does (or would do) about it,
// and a repaired one names what it did.
func TestProblemsSayWhatToDo(t *testing.T) {
	f := newFixture(t)
	f.remove(t, f.path("a.jpg"))
	f.write(t, f.beside("b.jpg", "orphan.jpg"), smallJPEG(t, color.RGBA{R: 1, G: 2, B: 3}))
	f.remove(t, f.thumb("c.jpg", "grid"))
	for _, repair := range []bool{false, true} {
		rep := run(t, f.lib, repair)
		if len(rep.Problems) != 3 {
			t.Fatalf("Run(repair %v) found %d problems; want 3: %+v", repair, len(rep.Problems), rep.Problems)
		}
		for _, p := range rep.Problems {
			if p.Action == "" || p.Detail == "" {
				t.Errorf("Run(repair %v): problem %+v says nothing of what to do", repair, p)
			}
			if p.PhotoID == 0 && p.Kind != KindOrphanOriginal {
				t.Errorf("Run(repair %v): problem %+v names no photo", repair, p)
			}
		}
		if !repair {
			continue
		}
		for _, p := range rep.Problems {
			switch p.Kind {
			case KindOrphanOriginal:
				if p.Action != "adopted" || p.PhotoID == 0 {
					t.Errorf("repaired orphan: %+v; want adopted, with its new id", p)
				}
			case KindMissingThumb:
				if p.Action != "regenerated (ok)" {
					t.Errorf("repaired thumbnail: %+v; want regenerated (ok)", p)
				}
			case KindMissingOriginal:
				if p.Repaired || !strings.Contains(p.Action, "backup") {
					t.Errorf("missing original: %+v; want it flagged, pointing at a backup", p)
				}
			}
		}
	}
	if s := f.photo(t, "a.jpg").State; s != "missing" {
		t.Errorf("state of the missing original = %q", s)
	}
}

// agrees checks that verify agrees with itself: what --repair leaves is
// named by the same kind as the check before it named it, with the same
// advice when it is left alone; a problem the check calls repairable is
// one --repair fixes (or flags, for an original only a backup brings
// back); and after --repair, no check advises --repair again.
func agrees(t *testing.T, check, repair, after Report) {
	t.Helper()
	kinds := map[string]Problem{}
	for _, p := range check.Problems {
		kinds[p.Path] = p
	}
	for _, p := range repair.Problems {
		before, ok := kinds[p.Path]
		if p.Repaired || p.Kind == KindPlaceholderThumb {
			continue
		}
		if !ok || before.Kind != p.Kind {
			t.Errorf("--repair calls %s %s; the check before called it %q", p.Path, p.Kind, before.Kind)
		}
		if p.LeftAlone && p.PhotoID == 0 && (!before.LeftAlone || before.Action != p.Action) {
			t.Errorf("%s: --repair leaves it alone saying %q; the check said %q (left alone: %v)", p.Path, p.Action, before.Action, before.LeftAlone)
		}
		if before.Repairable && p.Kind != KindMissingOriginal && p.Kind != KindCorruptOriginal {
			t.Errorf("%s: the check said --repair fixes it (%q); --repair left it: %q", p.Path, before.Action, p.Action)
		}
	}
	if after.ToRepair() {
		t.Errorf("after --repair, a check still advises --repair: %+v", after.Problems)
	}
	for _, p := range check.Problems {
		if p.Repairable != strings.HasPrefix(p.Action, "--repair ") {
			t.Errorf("check: %s %s: repairable %v, but the action says %q", p.Kind, p.Path, p.Repairable, p.Action)
		}
	}
}
