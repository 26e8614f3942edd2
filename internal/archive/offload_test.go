package archive

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/miniotest"
	"github.com/picup/picup/internal/syncer"
)

// Through a real MinIO: a remote that works, a sync, then offload (dry
// run first), which drops the local originals that are checked in the
// remote, a remote verify that finds nothing wrong, and fetch, which
// brings them back.
func TestOffloadAndFetch(t *testing.T) {
	srv := miniotest.Start(t)
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	t.Setenv("PICUP_CREDENTIALS", filepath.Join(t.TempDir(), "none"))
	ctx := context.Background()
	a, ids := newArchive(t)
	lib := a.Library()
	if err := a.AddRemote(ctx, catalog.Remote{Name: "m", Bucket: "family", Endpoint: srv.Endpoint, Insecure: true, KeepSnapshots: 1}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Sync(ctx, "m", SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	r, skew, err := a.ProbeRemote(ctx, "m")
	if err != nil || r.Name != "m" || skew > time.Minute || skew < -time.Minute {
		t.Fatalf("probe: remote %q, skew %s, %v", r.Name, skew, err)
	}

	all := OffloadOptions{Remote: r, TakenBefore: time.Now().Add(time.Hour), DryRun: true}
	res, err := a.Offload(ctx, all)
	if err != nil || len(res) != len(ids) {
		t.Fatalf("dry run: %d results, %v; want %d", len(res), err, len(ids))
	}
	for _, x := range res {
		if _, err := os.Stat(lib.Abs(x.Path)); !x.Done || err != nil {
			t.Errorf("dry run: %+v, local file: %v; want done and the file kept", x, err)
		}
	}
	all.DryRun = false
	offloaded, err := a.Offload(ctx, all)
	if err != nil || len(offloaded) != len(ids) {
		t.Fatalf("offload: %d results, %v; want %d", len(offloaded), err, len(ids))
	}
	for _, x := range offloaded {
		if _, err := os.Stat(lib.Abs(x.Path)); !x.Done || !errors.Is(err, os.ErrNotExist) {
			t.Errorf("offload: %+v, local file: %v; want done and the file gone", x, err)
		}
	}
	if res, err := a.Offload(ctx, all); err != nil || len(res) != 0 {
		t.Errorf("offload again: %+v, %v; want nothing left to offload", res, err)
	}
	if c, err := a.VerifyRemote(ctx, "m", syncer.VerifyOptions{}); err != nil || c.Remaining != 0 || c.Remote != "m" {
		t.Errorf("verify the remote: %+v, %v; want no problems", c, err)
	}

	n, err := a.Fetch(ctx, ids)
	if err != nil || n != len(ids) {
		t.Fatalf("fetch: %d, %v; want %d", n, err, len(ids))
	}
	for _, x := range offloaded {
		if _, err := os.Stat(lib.Abs(x.Path)); err != nil {
			t.Errorf("after fetch: %v", err)
		}
	}
	if n, err := a.Fetch(ctx, ids); err != nil || n != 0 {
		t.Errorf("fetch again: %d, %v; want 0: every original is here", n, err)
	}
}
