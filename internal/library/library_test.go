package library

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestCandidate(t *testing.T) {
	tests := []struct {
		name string
		n    int
		want string
	}{
		{"IMG_1234.JPG", 1, "IMG_1234.JPG"},
		{"IMG_1234.JPG", 2, "IMG_1234_2.JPG"},
		{"clip.tar.mov", 3, "clip.tar_3.mov"},
		{"noext", 2, "noext_2"},
	}
	for _, tt := range tests {
		if got := Candidate(tt.name, tt.n); got != tt.want {
			t.Errorf("Candidate(%q, %d) = %q; want %q", tt.name, tt.n, got, tt.want)
		}
	}
}

func TestOriginalDirAndThumbPath(t *testing.T) {
	taken := time.Date(2024, 5, 3, 23, 30, 0, 0, time.FixedZone("", 9*3600))
	if got := OriginalDir(taken); got != "originals/2024/2024-05-03" {
		t.Errorf("OriginalDir(%v) = %q; want the local date's directory", taken, got)
	}
	sha := "ab" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"
	if got := ThumbPath(sha, "grid"); got != "thumbs/ab/"+sha+"-grid.jpg" {
		t.Errorf("ThumbPath = %q", got)
	}
}

func TestRelRefusesOutsidePaths(t *testing.T) {
	l := &Library{Root: "/lib"}
	tests := []struct {
		abs  string
		want string
		ok   bool
	}{
		{"/lib/originals/a.jpg", "originals/a.jpg", true},
		{"/lib", ".", true},
		{"/library2/a.jpg", "", false},
		{"/a.jpg", "", false},
	}
	for _, tt := range tests {
		got, ok := l.Rel(filepath.FromSlash(tt.abs))
		if got != tt.want || ok != tt.ok {
			t.Errorf("Rel(%q) = %q, %v; want %q, %v", tt.abs, got, ok, tt.want, tt.ok)
		}
	}
}

func TestStaleRunsFindsOnlyDeadRuns(t *testing.T) {
	l, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	live, err := l.StartRun()
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	dead := filepath.Join(l.Root, TmpDir, "run-dead")
	if err := os.MkdirAll(dead, 0o755); err != nil {
		t.Fatal(err)
	}
	stale, err := l.StaleRuns()
	if err != nil {
		t.Fatal(err)
	}
	if len(stale) != 1 || stale[0].Dir != dead {
		t.Fatalf("StaleRuns = %v; want only %s", stale, dead)
	}
	// While one caller holds a stale run, another does not get it too.
	again, err := l.StaleRuns()
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 0 {
		t.Fatalf("a second StaleRuns got %d runs already being recovered", len(again))
	}
	if err := stale[0].Release(); err != nil {
		t.Fatal(err)
	}
	if Exists(dead) {
		t.Fatal("Release left the stale dir")
	}
	if !Exists(live.Dir) {
		t.Fatal("the live run's dir is gone")
	}
}

func TestWriteFileAtomicLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", "f.txt")
	if err := WriteFileAtomic(p, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(p, []byte("two")); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil || string(b) != "two" {
		t.Fatalf("content %q, %v; want two", b, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(p))
	if len(entries) != 1 {
		t.Fatalf("directory holds %d entries; want only the file", len(entries))
	}
	if err := MoveIntoPlace(p, p); err == nil {
		t.Fatal("MoveIntoPlace over an existing file succeeded; it must refuse")
	}
}
