package importer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
)

func newLib(t *testing.T) *library.Library {
	t.Helper()
	lib, err := library.Open(context.Background(), filepath.Join(t.TempDir(), "lib"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	return lib
}

// jpegBytes makes a small distinct JPEG for a seed.
func jpegBytes(t *testing.T, seed int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			img.Set(x, y, color.RGBA{uint8(seed * 37), uint8(x * 4), uint8(y * 5), 255})
		}
	}
	img.Set(seed%64, 0, color.RGBA{255, 255, 255, 255})
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// libraryFiles lists every file under dir of the library, relative to it.
func libraryFiles(t *testing.T, lib *library.Library, dir string) []string {
	t.Helper()
	var out []string
	_ = filepath.WalkDir(lib.Abs(dir), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := lib.Rel(p)
			out = append(out, rel)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func allPhotos(t *testing.T, lib *library.Library) []catalog.Photo {
	t.Helper()
	ps, err := lib.Catalog.ListPhotos(context.Background(), nil, 10000)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func run(t *testing.T, lib *library.Library, opts Options, roots ...string) Summary {
	t.Helper()
	s, err := Run(context.Background(), lib, roots, opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return s
}

func TestDedupeAcrossWorkersNamesAndRuns(t *testing.T) {
	lib := newLib(t)
	src := t.TempDir()
	const distinct, copies = 5, 8
	for i := 0; i < distinct; i++ {
		data := jpegBytes(t, i)
		for c := 0; c < copies; c++ {
			writeFile(t, filepath.Join(src, fmt.Sprintf("d%d", c), fmt.Sprintf("IMG_2024010%d_12000%d_copy%d.jpg", i+1, i, c)), data)
		}
	}
	s := run(t, lib, Options{Jobs: 8}, src)
	if s.Imported != distinct || s.Duplicates != distinct*(copies-1) || s.Failed != 0 {
		t.Fatalf("first run: imported %d, duplicates %d, failed %d (%v); want %d, %d, 0", s.Imported, s.Duplicates, s.Failed, s.Failures, distinct, distinct*(copies-1))
	}
	for _, d := range s.DuplicateOf {
		if d.PhotoID == nil || *d.PhotoID == 0 || d.PhotoPath == nil || *d.PhotoPath == "" || d.SameAs != "" {
			t.Errorf("duplicate %s does not say which photo it matched: %+v", d.Path, d)
		}
	}
	if got := libraryFiles(t, lib, library.OriginalsDir); len(got) != distinct {
		t.Fatalf("originals on disk = %v; want %d files", got, distinct)
	}
	ps := allPhotos(t, lib)
	if len(ps) != distinct {
		t.Fatalf("catalog has %d photos; want %d", len(ps), distinct)
	}
	for _, p := range ps {
		if p.TakenSource != "filename" || !strings.HasPrefix(p.Path, "originals/2024/2024-01-0") {
			t.Errorf("photo %s: taken %s from %s; want the date in its file name", p.Path, p.TakenAt, p.TakenSource)
		}
	}

	again := run(t, lib, Options{Jobs: 4}, src)
	if again.Unchanged != distinct*copies || again.Imported != 0 || again.Duplicates != 0 {
		t.Fatalf("second run: unchanged %d, imported %d, duplicates %d; want %d, 0, 0", again.Unchanged, again.Imported, again.Duplicates, distinct*copies)
	}

	// A new name for known bytes, elsewhere: a duplicate, not a new photo.
	other := t.TempDir()
	writeFile(t, filepath.Join(other, "renamed.jpg"), jpegBytes(t, 3))
	third := run(t, lib, Options{}, other)
	if third.Duplicates != 1 || third.Imported != 0 {
		t.Fatalf("renamed copy: duplicates %d, imported %d; want 1, 0", third.Duplicates, third.Imported)
	}
}

// Two libraries opened on the same directory stand for two processes: the
// catalog's unique hash decides, and every photo is stored exactly once.
func TestConcurrentImportersStoreOnce(t *testing.T) {
	root := filepath.Join(t.TempDir(), "lib")
	src := t.TempDir()
	var want []string
	for i := 0; i < 12; i++ {
		data := jpegBytes(t, i)
		want = append(want, sum(data))
		writeFile(t, filepath.Join(src, fmt.Sprintf("p%02d.jpg", i)), data)
	}
	sort.Strings(want)
	results := make(chan Summary, 3)
	errs := make(chan error, 3)
	for range 3 {
		go func() {
			lib, err := library.Open(context.Background(), root)
			if err != nil {
				errs <- err
				return
			}
			defer lib.Close()
			s, err := Run(context.Background(), lib, []string{src}, Options{Jobs: 2})
			if err != nil {
				errs <- err
				return
			}
			results <- s
		}()
	}
	imported, dups := 0, 0
	for range 3 {
		select {
		case err := <-errs:
			t.Fatal(err)
		case s := <-results:
			imported += s.Imported
			dups += s.Duplicates + s.Unchanged
			if s.Failed != 0 {
				t.Fatalf("failures: %v", s.Failures)
			}
		}
	}
	if imported != 12 || dups != 24 {
		t.Fatalf("imported %d, duplicates+unchanged %d over three importers; want 12 and 24", imported, dups)
	}
	lib, err := library.Open(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	var got []string
	for _, p := range allPhotos(t, lib) {
		got = append(got, p.SHA256)
		data, err := os.ReadFile(lib.Abs(p.Path))
		if err != nil || sum(data) != p.SHA256 {
			t.Errorf("%s: file missing or wrong content (%v)", p.Path, err)
		}
	}
	sort.Strings(got)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("catalog hashes differ from the inputs'")
	}
	if files := libraryFiles(t, lib, library.OriginalsDir); len(files) != 12 {
		t.Fatalf("originals on disk: %d files; want 12: %v", len(files), files)
	}
}

func TestSidecarsTravelAndNamesCollide(t *testing.T) {
	lib := newLib(t)
	a, b := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(a, "IMG_20240503_101500.jpg"), jpegBytes(t, 1))
	writeFile(t, filepath.Join(a, "IMG_20240503_101500.xmp"), []byte("<x:xmpmeta/>"))
	writeFile(t, filepath.Join(a, "lonely.aae"), []byte("<plist/>"))
	writeFile(t, filepath.Join(b, "IMG_20240503_101500.jpg"), jpegBytes(t, 2))
	writeFile(t, filepath.Join(b, "IMG_20240503_101500.jpg.xmp"), []byte("<x:xmpmeta b/>"))
	s := run(t, lib, Options{}, a)
	s2 := run(t, lib, Options{}, b)
	s.Imported += s2.Imported
	if s.Imported != 2 || s.Skipped != 1 {
		t.Fatalf("imported %d, skipped %d (%v); want 2 and 1 (the lone sidecar)", s.Imported, s.Skipped, s.SkippedFiles)
	}
	want := []string{
		"originals/2024/2024-05-03/IMG_20240503_101500.jpg",
		"originals/2024/2024-05-03/IMG_20240503_101500.xmp",
		"originals/2024/2024-05-03/IMG_20240503_101500_2.jpg",
		"originals/2024/2024-05-03/IMG_20240503_101500_2.jpg.xmp",
	}
	if got := libraryFiles(t, lib, library.OriginalsDir); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("originals:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, p := range allPhotos(t, lib) {
		scs, err := lib.Catalog.Sidecars(context.Background(), p.ID)
		if err != nil || len(scs) != 1 {
			t.Errorf("%s: sidecars %v, %v; want one", p.Path, scs, err)
		}
	}
}

func TestBrokenFilesLeaveNoTrace(t *testing.T) {
	lib := newLib(t)
	src := t.TempDir()
	good := jpegBytes(t, 7)
	writeFile(t, filepath.Join(src, "truncated.jpg"), good[:len(good)/2])
	writeFile(t, filepath.Join(src, "empty.jpg"), nil)
	writeFile(t, filepath.Join(src, "text.jpg"), []byte("this is not a photo\n"))
	writeFile(t, filepath.Join(src, "notes.txt"), []byte("hello\n"))
	writeFile(t, filepath.Join(src, "good.jpg"), good)
	s := run(t, lib, Options{}, src, filepath.Join(src, "does-not-exist"))
	if s.Imported != 1 || s.Failed != 4 || s.Skipped != 1 {
		t.Fatalf("imported %d failed %d skipped %d: %+v; want 1, 4, 1", s.Imported, s.Failed, s.Skipped, s.Failures)
	}
	reasons := map[string]string{}
	for _, f := range s.Failures {
		reasons[filepath.Base(f.Path)] = f.Error
	}
	for name, want := range map[string]string{"truncated.jpg": "truncated", "empty.jpg": "empty", "text.jpg": "not a photo or video", "does-not-exist": "no such file"} {
		if !strings.Contains(reasons[name], want) {
			t.Errorf("failure for %s = %q; want it to mention %q", name, reasons[name], want)
		}
	}
	if got := libraryFiles(t, lib, library.OriginalsDir); len(got) != 1 {
		t.Errorf("originals = %v; want only the good file", got)
	}
	if got := libraryFiles(t, lib, library.ThumbsDir); len(got) != 2 {
		t.Errorf("thumbs = %v; want the good file's two", got)
	}
	if got := libraryFiles(t, lib, library.TmpDir); len(got) != 0 {
		t.Errorf("scratch files left: %v", got)
	}
}

func TestMoveRemovesSourcesOnlyWhenSafe(t *testing.T) {
	lib := newLib(t)
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "a.jpg"), jpegBytes(t, 1))
	writeFile(t, filepath.Join(src, "a.xmp"), []byte("<x/>"))
	writeFile(t, filepath.Join(src, "b.jpg"), jpegBytes(t, 1)) // duplicate of a
	writeFile(t, filepath.Join(src, "broken.jpg"), []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0})
	s := run(t, lib, Options{Move: true}, src)
	if s.Imported != 1 || s.Duplicates != 1 || s.Moved != 2 || s.Failed != 1 {
		t.Fatalf("imported %d dup %d moved %d failed %d; want 1, 1, 2, 1", s.Imported, s.Duplicates, s.Moved, s.Failed)
	}
	left, _ := os.ReadDir(src)
	if len(left) != 1 || left[0].Name() != "broken.jpg" {
		t.Fatalf("left in source: %v; want only broken.jpg", left)
	}
}

func TestDryRunChangesNothing(t *testing.T) {
	lib := newLib(t)
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "a.jpg"), jpegBytes(t, 1))
	writeFile(t, filepath.Join(src, "b.jpg"), jpegBytes(t, 1))
	s := run(t, lib, Options{DryRun: true, Album: "x"}, src)
	if s.Imported != 1 || s.Duplicates != 1 || !s.DryRun {
		t.Fatalf("dry run: imported %d dup %d; want 1, 1", s.Imported, s.Duplicates)
	}
	if got := libraryFiles(t, lib, library.OriginalsDir); len(got) != 0 {
		t.Fatalf("dry run wrote %v", got)
	}
	if albums, _ := lib.Catalog.Albums(context.Background()); len(albums) != 0 {
		t.Fatalf("dry run created albums %v", albums)
	}
}

func TestAlbumGetsImportedAndKnownPhotos(t *testing.T) {
	lib := newLib(t)
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "a.jpg"), jpegBytes(t, 1))
	run(t, lib, Options{}, src)
	writeFile(t, filepath.Join(src, "b.jpg"), jpegBytes(t, 2))
	run(t, lib, Options{Album: "Jeju 2019"}, src)
	a, err := lib.Catalog.AlbumByName(context.Background(), "jeju 2019")
	if err != nil {
		t.Fatal(err)
	}
	if a.Photos != 2 {
		t.Fatalf("album has %d photos; want 2 (one new, one already imported)", a.Photos)
	}
}

func TestInterruptedRunResumes(t *testing.T) {
	lib := newLib(t)
	src := t.TempDir()
	for i := 0; i < 20; i++ {
		writeFile(t, filepath.Join(src, fmt.Sprintf("p%02d.jpg", i)), jpegBytes(t, i))
	}
	ctx, cancel := context.WithCancel(context.Background())
	prog := &Progress{}
	go func() {
		for prog.DoneFiles.Load() < 3 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	s, err := Run(ctx, lib, []string{src}, Options{Jobs: 1, Progress: prog})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Interrupted || s.Imported >= 20 {
		t.Fatalf("interrupted run: interrupted=%v imported=%d", s.Interrupted, s.Imported)
	}
	rest := run(t, lib, Options{}, src)
	if rest.Imported+rest.Unchanged != 20 || rest.Imported != 20-s.Imported {
		t.Fatalf("resume: imported %d unchanged %d after %d; want the rest", rest.Imported, rest.Unchanged, s.Imported)
	}
	if got := libraryFiles(t, lib, library.TmpDir); len(got) != 0 {
		t.Errorf("scratch files left: %v", got)
	}
}

// A duplicate, or an unchanged file that gained a sidecar, brings a sidecar
// whose content is not stored yet: it is kept beside the stored photo, and
// only then may --move remove it.
func TestSidecarsOfKnownPhotosAreKept(t *testing.T) {
	lib := newLib(t)
	a, b := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(a, "IMG_1.JPG"), jpegBytes(t, 1))
	run(t, lib, Options{}, a)

	writeFile(t, filepath.Join(b, "IMG_1.JPG"), jpegBytes(t, 1))
	writeFile(t, filepath.Join(b, "IMG_1.xmp"), []byte("<x:xmpmeta>rating 5</x:xmpmeta>"))
	s := run(t, lib, Options{Move: true}, b)
	if s.Duplicates != 1 || s.Moved != 1 {
		t.Fatalf("duplicates %d moved %d; want 1, 1", s.Duplicates, s.Moved)
	}
	if left, _ := os.ReadDir(b); len(left) != 0 {
		t.Fatalf("sources left: %v", left)
	}
	ps := allPhotos(t, lib)
	scs, err := lib.Catalog.Sidecars(context.Background(), ps[0].ID)
	if err != nil || len(scs) != 1 {
		t.Fatalf("sidecars of the stored photo: %v, %v; want the new .xmp", scs, err)
	}
	data, err := os.ReadFile(lib.Abs(scs[0].Path))
	if err != nil || !strings.Contains(string(data), "rating 5") {
		t.Fatalf("stored sidecar %s: %q, %v", scs[0].Path, data, err)
	}

	// The unchanged original in a/ gains an .aae: the next import keeps it.
	writeFile(t, filepath.Join(a, "IMG_1.AAE"), []byte("<plist/>"))
	s = run(t, lib, Options{}, a)
	if s.Unchanged != 1 {
		t.Fatalf("unchanged %d; want 1", s.Unchanged)
	}
	if scs, _ := lib.Catalog.Sidecars(context.Background(), ps[0].ID); len(scs) != 2 {
		t.Fatalf("sidecars after the .aae appeared: %v; want 2", scs)
	}
	// Importing the same sidecar again stores nothing new.
	run(t, lib, Options{}, a)
	if scs, _ := lib.Catalog.Sidecars(context.Background(), ps[0].ID); len(scs) != 2 {
		t.Fatalf("sidecars after a re-import: %v; want still 2", scs)
	}
}

func TestSourcesKeepTheirTimestamps(t *testing.T) {
	lib := newLib(t)
	src := t.TempDir()
	p := filepath.Join(src, "a.jpg")
	writeFile(t, p, jpegBytes(t, 1))
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
	before, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	run(t, lib, Options{}, src)
	after, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if !after.ModTime().Equal(before.ModTime()) || after.Mode() != before.Mode() || after.Size() != before.Size() {
		t.Fatalf("source changed: %v %v %d -> %v %v %d", before.ModTime(), before.Mode(), before.Size(), after.ModTime(), after.Mode(), after.Size())
	}
	if at, ok := accessTime(after); ok && !at.Equal(old) {
		t.Fatalf("source access time changed from %v to %v", old, at)
	}
}

func TestQuotaRefusesWhatDoesNotFitAndGoesOn(t *testing.T) {
	lib := newLib(t)
	ctx := context.Background()
	src := t.TempDir()
	var sizes []int64
	for i := 0; i < 6; i++ {
		data := jpegBytes(t, i)
		sizes = append(sizes, int64(len(data)))
		writeFile(t, filepath.Join(src, fmt.Sprintf("p%d.jpg", i)), data)
	}
	quota := sizes[0] + sizes[1] + sizes[2] + sizes[3]/2 // room for three
	err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { _, err := tx.CreateUser(ctx, "kid", &quota); return err })
	if err != nil {
		t.Fatal(err)
	}
	s := run(t, lib, Options{User: "kid", Jobs: 3}, src)
	if s.Imported+s.Failed != 6 || s.Imported < 2 || s.Imported > 3 {
		t.Fatalf("imported %d failed %d; want the ones that fit imported and the rest failed", s.Imported, s.Failed)
	}
	for _, f := range s.Failures {
		if !strings.Contains(f.Error, `quota exceeded for "kid"`) || !strings.Contains(f.Error, "picup user set-quota kid") {
			t.Errorf("failure %q does not explain the quota", f.Error)
		}
	}
	u, err := lib.Catalog.UserByName(ctx, "kid")
	if err != nil {
		t.Fatal(err)
	}
	if u.UsedBytes > quota || u.ReservedBytes != 0 || u.Photos != s.Imported {
		t.Fatalf("kid: %+v; want used <= %d, nothing reserved, %d photos", u, quota, s.Imported)
	}
	if bad, _ := lib.Catalog.CheckUsage(ctx); len(bad) != 0 {
		t.Fatalf("usage differs from what is owned: %+v", bad)
	}
	if got := libraryFiles(t, lib, library.OriginalsDir); len(got) != s.Imported {
		t.Fatalf("originals = %v; want only the %d that fit", got, s.Imported)
	}

	// The first user imports the same folder: stored once, owned by both.
	s2 := run(t, lib, Options{}, src)
	if s2.Imported != 6-s.Imported || s2.Duplicates != s.Imported {
		t.Fatalf("second user: imported %d duplicates %d; want %d and %d", s2.Imported, s2.Duplicates, 6-s.Imported, s.Imported)
	}
	first, _ := lib.Catalog.FirstUser(ctx)
	var total int64
	for _, n := range sizes {
		total += n
	}
	if first.UsedBytes != total || first.Photos != 6 {
		t.Fatalf("first user: %+v; want all 6 photos, %d bytes", first, total)
	}
}

// LinkSources stores the input itself (a hard link), not a copy of it;
// the bytes and the catalog are those of a copied import.
func TestLinkSources(t *testing.T) {
	lib := newLib(t)
	dir := filepath.Join(lib.Root, "tmp", "linked")
	data := jpegBytes(t, 7)
	writeFile(t, filepath.Join(dir, "IMG_7.jpg"), data)
	s := run(t, lib, Options{LinkSources: true}, filepath.Join(dir, "IMG_7.jpg"))
	if s.Imported != 1 || len(s.Stored) != 1 {
		t.Fatalf("imported %d, stored %+v; want 1", s.Imported, s.Stored)
	}
	p := allPhotos(t, lib)[0]
	in, err := os.Stat(filepath.Join(dir, "IMG_7.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.Stat(lib.Abs(p.Path))
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(in, out) || p.SHA256 != sum(data) || p.ID != s.Stored[0].PhotoID {
		t.Fatalf("stored %s (same file as the input: %v, sha %s); want the input linked, sha %s", p.Path, os.SameFile(in, out), p.SHA256, sum(data))
	}
}
