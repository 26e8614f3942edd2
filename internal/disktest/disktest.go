// Package disktest gives tests a small real file system that fills up: a
// tmpfs mounted for the test. Mounting needs root, as CI has; elsewhere
// the test is skipped, and under CI (CI set) it fails instead.
package disktest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/picup/picup/internal/testenv"
)

// Disk is a mounted tmpfs.
type Disk struct {
	Dir string
	t   testing.TB
}

// Small mounts a tmpfs of size (such as "3m") on a new directory and
// unmounts it when the test ends.
func Small(t testing.TB, size string) *Disk {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput()
	if err != nil {
		msg := fmt.Sprintf("cannot mount a %s tmpfs for a full-disk test (it needs root): %v: %s", size, err, out)
		testenv.Missing(t, "%s", msg)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return &Disk{Dir: dir, t: t}
}

// Resize gives the disk a new size, keeping what it holds.
func (d *Disk) Resize(size string) {
	d.t.Helper()
	if out, err := exec.Command("mount", "-o", "remount,size="+size, d.Dir).CombinedOutput(); err != nil {
		d.t.Fatalf("remount %s with size %s: %v: %s", d.Dir, size, err, out)
	}
}

// Fill writes a file until the disk has no room left, and returns its
// path: removing it makes the room again.
func (d *Disk) Fill() string {
	d.t.Helper()
	path := filepath.Join(d.Dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		d.t.Fatal(err)
	}
	defer f.Close()
	block := make([]byte, 64<<10)
	for size := len(block); size > 0; {
		if _, err := f.Write(block[:size]); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				d.t.Fatal(err)
			}
			size /= 2
		}
	}
	return path
}
