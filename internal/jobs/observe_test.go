package jobs

import (
	"context"
	"errors"
	"io/fs"
	"syscall"
	"testing"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/pkg/diskspace"
)

// Observe sees every attempt with its result; the last allowed failure is
// reported dead.
func TestObserve(t *testing.T) {
	lib := newLib(t)
	addJob(t, lib, "ok", "a")
	addJob(t, lib, "bad", "b")
	r := NewRunner(lib)
	clock := time.Now()
	r.now = func() time.Time { return clock }
	r.jitter = func() float64 { return 0 }
	r.handlers["ok"] = func(context.Context, string) error { return nil }
	r.handlers["bad"] = func(context.Context, string) error { return errors.New("no") }
	got := map[string]int{}
	r.Observe(func(j catalog.Job, result string, err error) {
		if (err == nil) != (result == ResultDone) {
			t.Errorf("job %s: result %s with err %v", j.Kind, result, err)
		}
		got[j.Kind+" "+result]++
	})
	for range MaxAttempts {
		if _, err := r.RunDue(context.Background(), clock.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		clock = clock.Add(2 * MaxDelay)
	}
	want := map[string]int{"ok done": 1, "bad failed": MaxAttempts - 1, "bad dead": 1}
	if len(got) != len(want) {
		t.Errorf("observed %v; want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("observed %v; want %v", got, want)
			break
		}
	}
}

// A job that the context interrupts is not a failed attempt: it stays
// due, and the jobs after it do not start.
func TestInterruptedJobStaysDue(t *testing.T) {
	lib := newLib(t)
	addJob(t, lib, "slow", "1")
	addJob(t, lib, "slow", "2")
	r := NewRunner(lib)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var ran []string
	r.handlers["slow"] = func(ctx context.Context, target string) error {
		ran = append(ran, target)
		cancel() // the server stops while the job runs
		<-ctx.Done()
		return ctx.Err()
	}
	observed := 0
	r.Observe(func(catalog.Job, string, error) { observed++ })
	res, err := r.RunDue(ctx, time.Now().Add(time.Minute))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("RunDue = %v; want context.Canceled", err)
	}
	if len(ran) != 1 || res != (Result{}) || observed != 0 {
		t.Errorf("ran %v, result %+v, %d observed; want one job started, none counted", ran, res, observed)
	}
	list, err := lib.Catalog.Jobs(context.Background(), false, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("%d jobs queued; want both", len(list))
	}
	for _, j := range list {
		if j.State != catalog.JobPending || j.Attempts != 0 || j.LastError != "" {
			t.Errorf("job %d after an interruption: %+v; want pending, no attempt counted", j.ID, j)
		}
	}
}

// A job that meets a full disk is not a failed attempt: the runner stops
// with a message that names the disk, and the job and those after it stay
// due, their attempts not counted.
func TestFullDiskStopsTheRunner(t *testing.T) {
	lib := newLib(t)
	addJob(t, lib, "write", "1")
	addJob(t, lib, "write", "2")
	r := NewRunner(lib)
	calls := 0
	r.handlers["write"] = func(context.Context, string) error {
		calls++
		return &fs.PathError{Op: "write", Path: "x", Err: syscall.ENOSPC}
	}
	_, err := r.RunDue(context.Background(), time.Now().Add(time.Minute))
	var full *diskspace.FullError
	if !errors.As(err, &full) || full.Dir != lib.Root {
		t.Fatalf("RunDue = %v; want the library's disk is full", err)
	}
	if calls != 1 {
		t.Errorf("%d jobs tried; want the first only", calls)
	}
	list, err := lib.Catalog.Jobs(context.Background(), false, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range list {
		if j.State != catalog.JobPending || j.Attempts != 0 {
			t.Errorf("job %d after a full disk: %+v; want pending, no attempt counted", j.ID, j)
		}
	}
}
