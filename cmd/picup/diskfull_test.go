package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/picup/picup/internal/disktest"
	"github.com/picup/picup/internal/importer"
)

// noiseJPEGs writes n JPEGs of noise, which compress badly (about 100 KB
// each), into dir.
func noiseJPEGs(t *testing.T, dir string, n int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 11))
	for i := range n {
		img := image.NewRGBA(image.Rect(0, 0, 320, 240))
		for p := 0; p < len(img.Pix); p += 4 {
			img.Pix[p], img.Pix[p+1], img.Pix[p+2], img.Pix[p+3] = uint8(rng.Uint32()), uint8(rng.Uint32()), uint8(rng.Uint32()), 255
		}
		img.Set(i%320, 0, color.RGBA{uint8(i), 0, 0, 255})
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("IMG_%04d.jpg", i)), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// An import into a library whose disk fills up stops at the first full
// write, says so once with the disk and its free space, counts what it did
// not try, and leaves no reservation, stray file or half-stored photo; once
// there is room, the same import brings in the rest.
func TestImportStopsOnAFullDisk(t *testing.T) {
	bin := picupBinary(t)
	disk := disktest.Small(t, "3m")
	lib := filepath.Join(disk.Dir, "lib")
	in := t.TempDir()
	const files = 60
	noiseJPEGs(t, in, files)
	qtRun(t, bin, []int{0}, "--library", lib, "user", "add", "mom", "--quota", "1GB")

	s, res := qtJSON[importer.Summary](t, bin, []int{3}, "--library", lib, "import", "--json", "--user", "mom", in)
	if s.NotTried == 0 || s.Failed != 0 || s.Imported+s.NotTried != files || s.Imported == 0 {
		t.Fatalf("%s\nsummary: imported %d, failed %d, not tried %d; want some imported, the rest not tried, none failed",
			res, s.Imported, s.Failed, s.NotTried)
	}
	stderr := strings.TrimSpace(string(res.stderr))
	for _, want := range []string{"import stopped after", fmt.Sprintf("%d not tried", s.NotTried), "the disk holding " + lib + " is full (", "free some space", "run the same import again"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if n := strings.Count(stderr, "\n") + 1; n != 1 {
		t.Errorf("stderr has %d lines; want the one message:\n%s", n, stderr)
	}
	if strings.Contains(stderr, "(13)") || strings.Contains(s.Stopped, "(13)") {
		t.Errorf("a raw SQLite error reached the user:\n%s", stderr)
	}

	assertClean := func(when string, photos int) {
		t.Helper()
		users, _ := qtJSON[[]qtUser](t, bin, []int{0}, "--library", lib, "user", "ls", "--json")
		for _, u := range users {
			if u.ReservedBytes != 0 {
				t.Errorf("%s: user %q has %d bytes reserved", when, u.Name, u.ReservedBytes)
			}
			if u.Name == "mom" && u.Photos != photos {
				t.Errorf("%s: mom owns %d photos; want %d", when, u.Photos, photos)
			}
		}
		v, vres := qtJSON[qtVerify](t, bin, []int{0, 1}, "--library", lib, "verify", "--json")
		if !v.OK || v.Photos != photos {
			t.Errorf("%s: verify: %s", when, vres)
		}
		entries, _ := os.ReadDir(filepath.Join(lib, "tmp"))
		for _, e := range entries {
			t.Errorf("%s: tmp/%s left behind", when, e.Name())
		}
	}
	assertClean("after the full disk", s.Imported)

	// With no room at all, not even for SQLite's WAL index, a command
	// says so in words.
	filler := disk.Fill()
	lres := qtRun(t, bin, []int{1}, "--library", lib, "ls", "--json")
	if msg := string(lres.stderr); !strings.Contains(msg, "the disk holding "+lib+" is full (") || strings.Contains(msg, "(4874)") {
		t.Errorf("%s\nwant the full disk named, and no SQLite code", lres)
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}

	disk.Resize("64m")
	s2, res2 := qtJSON[importer.Summary](t, bin, []int{0}, "--library", lib, "import", "--json", "--user", "mom", in)
	if s2.Imported != s.NotTried || s2.Unchanged != s.Imported || s2.NotTried != 0 {
		t.Fatalf("%s\nagain with room: imported %d, unchanged %d, not tried %d; want %d, %d, 0", res2, s2.Imported, s2.Unchanged, s2.NotTried, s.NotTried, s.Imported)
	}
	assertClean("after the second import", files)
}
