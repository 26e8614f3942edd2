package jobs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
)

func TestBackoff(t *testing.T) {
	tests := []struct {
		attempt  int
		min, max time.Duration
	}{
		{1, 1 * time.Second, 2 * time.Second},
		{2, 2 * time.Second, 4 * time.Second},
		{3, 4 * time.Second, 8 * time.Second},
		{8, 128 * time.Second, 256 * time.Second},
		{12, 30 * time.Minute, time.Hour},
		{40, 30 * time.Minute, time.Hour},
	}
	for _, tt := range tests {
		lo, hi := Backoff(tt.attempt, 0), Backoff(tt.attempt, 0.999999)
		if lo != tt.min || hi > tt.max || hi < tt.max-10*time.Millisecond {
			t.Errorf("Backoff(%d, 0..1) = %v..%v; want %v..%v", tt.attempt, lo, hi, tt.min, tt.max)
		}
	}
	for a := 1; a < 20; a++ {
		if Backoff(a+1, 0) < Backoff(a, 0) {
			t.Errorf("Backoff(%d) < Backoff(%d): the wait must not shrink", a+1, a)
		}
	}
}

func newLib(t *testing.T) *library.Library {
	t.Helper()
	lib, err := library.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	return lib
}

func addJob(t *testing.T, lib *library.Library, kind, target string) {
	t.Helper()
	err := lib.Catalog.Write(context.Background(), func(tx *catalog.Tx) error { return tx.AddJob(context.Background(), kind, target) })
	if err != nil {
		t.Fatal(err)
	}
}

// A job that keeps failing is retried with backoff, then becomes dead after
// MaxAttempts, and "retry" brings it back.
func TestDeadLetter(t *testing.T) {
	lib := newLib(t)
	addJob(t, lib, "flaky", "x")
	r := NewRunner(lib)
	clock := time.Now()
	r.now = func() time.Time { return clock }
	r.jitter = func() float64 { return 0 }
	fail := true
	calls := 0
	r.handlers["flaky"] = func(context.Context, string) error {
		calls++
		if fail {
			return errors.New("disk on fire")
		}
		return nil
	}
	ctx := context.Background()
	for attempt := 1; attempt <= MaxAttempts; attempt++ {
		res, err := r.RunDue(ctx, clock.Add(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		jobs, _ := lib.Catalog.Jobs(ctx, false, 0, 1000)
		if len(jobs) != 1 || jobs[0].Attempts != attempt || jobs[0].LastError != "disk on fire" {
			t.Fatalf("after attempt %d: jobs %+v", attempt, jobs)
		}
		wantState := catalog.JobPending
		if attempt == MaxAttempts {
			wantState = catalog.JobDead
			if res.Dead != 1 {
				t.Fatalf("attempt %d: result %+v; want one dead", attempt, res)
			}
		} else if res.Failed != 1 {
			t.Fatalf("attempt %d: result %+v; want one failed", attempt, res)
		}
		if jobs[0].State != wantState {
			t.Fatalf("after attempt %d: state %s; want %s", attempt, jobs[0].State, wantState)
		}
		// Not due again before its backoff has passed.
		if res, _ := r.RunDue(ctx, clock.Add(time.Second)); res != (Result{}) {
			t.Fatalf("ran again before the backoff: %+v", res)
		}
		clock = clock.Add(Backoff(attempt, 0))
	}
	clock = clock.Add(2 * MaxDelay)
	if res, _ := r.RunDue(ctx, clock.Add(time.Second)); res != (Result{}) || calls != MaxAttempts {
		t.Fatalf("a dead job ran: %+v, %d calls", res, calls)
	}
	fail = false
	if err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { _, err := tx.RetryJobs(ctx, nil); return err }); err != nil {
		t.Fatal(err)
	}
	r.now = time.Now
	if res, err := r.RunDue(ctx, time.Now().Add(time.Second)); err != nil || res.Done != 1 {
		t.Fatalf("after retry: %+v, %v; want done", res, err)
	}
	if jobs, _ := lib.Catalog.Jobs(ctx, false, 0, 1000); len(jobs) != 0 {
		t.Fatalf("jobs left: %+v", jobs)
	}
}

// A deletion leaves a file alone when the catalog references its path
// again (the same content imported anew after a purge).
func TestDeleteFileSparesReferencedPaths(t *testing.T) {
	lib := newLib(t)
	sha := "ab" + "00000000000000000000000000000000000000000000000000000000000000"[:62]
	thumb := library.ThumbPath(sha, "grid")
	stray := "originals/2020/2020-01-01/a.jpg"
	for _, rel := range []string{thumb, stray} {
		if err := os.MkdirAll(filepath.Dir(lib.Abs(rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(lib.Abs(rel), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		_, err := tx.InsertPhoto(ctx, catalog.Photo{SHA256: sha, Path: "originals/b.jpg", OriginalName: "b.jpg", Type: "photo",
			Format: "jpeg", MIME: "image/jpeg", Bytes: 1, TakenAt: "2020-01-01T00:00:00", Thumbs: "ok", ImportedAt: catalog.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	addJob(t, lib, catalog.JobDeleteFile, thumb)
	addJob(t, lib, catalog.JobDeleteFile, stray)
	addJob(t, lib, catalog.JobDeleteFile, "originals/gone.jpg")
	res, err := NewRunner(lib).RunDue(ctx, time.Now().Add(5*time.Second))
	if err != nil || res.Done != 3 {
		t.Fatalf("RunDue = %+v, %v; want 3 done", res, err)
	}
	if !library.Exists(lib.Abs(thumb)) {
		t.Error("the thumbnail of content in the catalog was deleted")
	}
	if library.Exists(lib.Abs(stray)) || library.Exists(lib.Abs("originals/2020")) {
		t.Error("the unreferenced file (or its emptied directories) is still there")
	}
	if !library.Exists(lib.Abs(library.OriginalsDir)) {
		t.Error("the originals directory itself was removed")
	}
}
