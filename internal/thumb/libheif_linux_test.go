package thumb

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLinkLibheif(t *testing.T) {
	sys, dev, none, link := t.TempDir(), t.TempDir(), t.TempDir(), filepath.Join(t.TempDir(), "lib")
	if err := os.WriteFile(filepath.Join(sys, "libheif.so.1"), []byte("elf"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dev, "libheif.so"), []byte("elf"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := linkLibheif([]string{none, dev, sys}, link); got != "" {
		t.Errorf("linkLibheif with libheif.so present = %q; want no extra dir", got)
	}
	if got := linkLibheif([]string{none}, link); got != "" {
		t.Errorf("linkLibheif with no libheif = %q; want none", got)
	}
	for range 2 { // the second call finds the link in place
		got := linkLibheif([]string{none, sys}, link)
		if got != link {
			t.Fatalf("linkLibheif with only libheif.so.1 = %q; want %q", got, link)
		}
		target, err := os.Readlink(filepath.Join(link, "libheif.so"))
		if err != nil || target != filepath.Join(sys, "libheif.so.1") {
			t.Fatalf("link points to %q, %v; want the system's libheif.so.1", target, err)
		}
	}
}
