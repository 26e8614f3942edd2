package syncer_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/picup/picup/internal/blob"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/disktest"
	"github.com/picup/picup/internal/syncer"
	"github.com/picup/picup/internal/verify"
	"github.com/picup/picup/pkg/diskspace"
)

// fullError checks that err is one message about the disk holding dir.
func fullError(t *testing.T, err error, dir string, says ...string) {
	t.Helper()
	var full *diskspace.FullError
	if !errors.As(err, &full) || full.Dir != dir {
		t.Fatalf("error %v; want the disk holding %s is full", err, dir)
	}
	for _, s := range says {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
}

// A restore into a library whose disk fills up stops at the first full
// write with one message, and goes on where it stopped once there is room.
func TestRestoreStopsOnAFullDisk(t *testing.T) {
	src := openLib(t, filepath.Join(t.TempDir(), "lib"))
	importInto(t, src, "", filepath.Join(testPhotos, "jpeg"))
	store := blob.NewDir(t.TempDir())
	r := catalog.Remote{Name: "home", Bucket: "b", Endpoint: "example.invalid", KeepSnapshots: 3}
	addRemote(t, src, r)
	mustSync(t, src, r, store)

	disk := disktest.Small(t, "1m")
	root := filepath.Join(disk.Dir, "lib")
	ctx := context.Background()
	sum, err := syncer.Restore(ctx, root, r, store, syncer.RestoreOptions{Transfers: 2})
	fullError(t, err, root, "restore stopped after", "run the same restore again")
	if !strings.Contains(err.Error(), "free") {
		t.Errorf("error %q does not say how much is free", err)
	}

	disk.Resize("64m")
	sum2, err := syncer.Restore(ctx, root, r, store, syncer.RestoreOptions{Transfers: 2})
	if err != nil {
		t.Fatalf("restore again with room: %v", err)
	}
	if sum2.Downloaded == 0 || sum.Downloaded+sum2.Downloaded < sum2.Photos {
		t.Fatalf("first restore downloaded %d, second %d, of %d photos", sum.Downloaded, sum2.Downloaded, sum2.Photos)
	}
	lib := openLib(t, root)
	rep, err := verify.Run(ctx, lib, verify.Options{})
	if err != nil || len(rep.Problems) != 0 || rep.Photos != len(allPhotos(t, src)) {
		t.Fatalf("verify after the restore: %+v, %v", rep, err)
	}
}

// A sync from a library whose disk is full cannot record what it uploaded:
// it stops with one message instead of uploading everything to upload it
// again, and makes no snapshot; with room again, it finishes.
func TestSyncStopsOnAFullDisk(t *testing.T) {
	disk := disktest.Small(t, "16m")
	lib := openLib(t, filepath.Join(disk.Dir, "lib"))
	importInto(t, lib, "", filepath.Join(testPhotos, "jpeg"))
	store := blob.NewDir(t.TempDir())
	r := catalog.Remote{Name: "home", Bucket: "b", Endpoint: "example.invalid", KeepSnapshots: 3}
	addRemote(t, lib, r)

	filler := disk.Fill()
	ctx := context.Background()
	sum, err := syncer.Sync(ctx, lib, r, store, syncer.Options{Transfers: 2})
	fullError(t, err, lib.Root, `sync to "home" stopped`)
	if sum.Snapshot != "" {
		t.Errorf("a snapshot %s was made by a sync that could not record its uploads", sum.Snapshot)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	mustSync(t, lib, r, store)
	verifyClean(t, lib, r, store, syncer.VerifyOptions{})
}
