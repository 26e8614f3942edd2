package jobs

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/picup/picup/internal/blob"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
)

// oneByOne is a remote without batched deletions: it fails the keys in
// fail with their error and notes every call.
type oneByOne struct {
	blob.Store
	fail  map[string]error
	calls *[]string // "key" for a Delete, "[k1 k2]" for a DeleteObjects
	hook  func(keys []string)
}

func (s oneByOne) Delete(ctx context.Context, key string) error {
	*s.calls = append(*s.calls, key)
	if s.hook != nil {
		s.hook([]string{key})
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.fail[key]
}

// batched deletes in batches.
type batched struct{ oneByOne }

func (s batched) DeleteObjects(ctx context.Context, keys []string) []error {
	*s.calls = append(*s.calls, "["+strings.Join(keys, " ")+"]")
	if s.hook != nil {
		s.hook(keys)
	}
	errs := make([]error, len(keys))
	for i, k := range keys {
		errs[i] = s.fail[k]
		if i > 0 { // the first key went through before ctx could end
			errs[i] = cmp.Or(ctx.Err(), errs[i])
		}
	}
	return errs
}

// remoteLib is a library with remotes "r" and "s" that hold keys, and a
// delete-remote job queued for each "remote\tkey" of targets, in order.
func remoteLib(t *testing.T, targets ...string) *library.Library {
	t.Helper()
	lib := newLib(t)
	ctx := context.Background()
	err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		for _, name := range []string{"r", "s"} {
			if err := tx.AddRemote(ctx, catalog.Remote{Name: name, Bucket: "b", Endpoint: "127.0.0.1:1"}); err != nil {
				return err
			}
		}
		for _, target := range targets {
			if name, key, ok := strings.Cut(target, "\t"); ok {
				if err := tx.PutRemoteObject(ctx, name, key, "00", 1); err != nil {
					return err
				}
			}
			if err := tx.AddJob(ctx, catalog.JobDeleteRemote, target); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

// queued is what the queue holds: each job's target with its attempts,
// state and error.
func queued(t *testing.T, lib *library.Library) map[string]catalog.Job {
	t.Helper()
	list, err := lib.Catalog.Jobs(context.Background(), false, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]catalog.Job{}
	for _, j := range list {
		out[j.Target] = j
	}
	return out
}

// held is what the catalog records remote name to hold.
func held(t *testing.T, lib *library.Library, name string) []string {
	t.Helper()
	objs, err := lib.Catalog.RemoteObjects(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return slices.Sorted(maps.Keys(objs))
}

// The deletions of a batch go to each remote in one DeleteObjects call,
// or one Delete a key when the store has no batches; a key's error fails
// its job only, and the objects deleted are forgotten.
func TestRemoteDeletionsGrouped(t *testing.T) {
	targets := []string{"r\tthumbs/aa/1.jpg", "s\toriginals/x.jpg", "r\toriginals/a & b/사진.jpg", "r\tdenied.jpg", "r\tmeta/1.json"}
	tests := []struct {
		name      string
		batches   bool
		wantCalls map[string][]string
	}{
		{"batches", true, map[string][]string{
			"r": {"[thumbs/aa/1.jpg originals/a & b/사진.jpg denied.jpg meta/1.json]"},
			"s": {"[originals/x.jpg]"},
		}},
		{"one by one", false, map[string][]string{
			"r": {"thumbs/aa/1.jpg", "originals/a & b/사진.jpg", "denied.jpg", "meta/1.json"},
			"s": {"originals/x.jpg"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lib := remoteLib(t, targets...)
			addJob(t, lib, catalog.JobDeleteFile, "originals/2020/2020-01-01/gone.jpg")
			calls := map[string]*[]string{"r": {}, "s": {}}
			opens := 0
			open := func(_ context.Context, name string) (blob.Store, error) {
				opens++
				s := oneByOne{fail: map[string]error{"denied.jpg": errors.New("access denied")}, calls: calls[name]}
				if tt.batches {
					return batched{s}, nil
				}
				return s, nil
			}
			r := NewRunner(lib).WithRemotes(open, nil)
			var observed []string
			r.Observe(func(j catalog.Job, result string, err error) { observed = append(observed, j.Target+" "+result) })
			res, err := r.RunDue(context.Background(), time.Now().Add(time.Minute))
			if err != nil || res != (Result{Done: 5, Failed: 1}) {
				t.Fatalf("RunDue = %+v, %v; want 5 done, 1 failed", res, err)
			}
			for name, want := range tt.wantCalls {
				if !slices.Equal(*calls[name], want) {
					t.Errorf("remote %s got %q; want %q", name, *calls[name], want)
				}
			}
			if opens != 2 {
				t.Errorf("%d remotes opened; want each once", opens)
			}
			if len(observed) != 6 || !slices.Contains(observed, "r\tdenied.jpg failed") {
				t.Errorf("observed %q; want six attempts, the denied key failed", observed)
			}
			left := queued(t, lib)
			if j, ok := left["r\tdenied.jpg"]; len(left) != 1 || !ok || j.Attempts != 1 || j.LastError != "access denied" || j.State != catalog.JobPending {
				t.Errorf("queue holds %+v; want the denied key's job only, one attempt counted", left)
			}
			if got := held(t, lib, "r"); !slices.Equal(got, []string{"denied.jpg"}) {
				t.Errorf("remote r still records %q; want only the key it failed to delete", got)
			}
			if got := held(t, lib, "s"); len(got) != 0 {
				t.Errorf("remote s still records %q; want nothing", got)
			}
		})
	}
}

// A remote that cannot be opened fails all its jobs of the batch with its
// error, opened once; another remote's jobs go on. After MaxAttempts the
// jobs are dead.
func TestRemoteOpenFailure(t *testing.T) {
	lib := remoteLib(t, "r\ta.jpg", "s\tb.jpg", "r\tc.jpg", "r\td.jpg")
	clock := time.Now()
	opens := map[string]int{}
	var calls []string
	r := NewRunner(lib).WithRemotes(func(_ context.Context, name string) (blob.Store, error) {
		opens[name]++
		if name == "r" {
			return nil, errors.New("no credentials; set AWS_ACCESS_KEY_ID")
		}
		return batched{oneByOne{calls: &calls}}, nil
	}, nil)
	r.now = func() time.Time { return clock }
	r.jitter = func() float64 { return 0 }
	results := map[string]int{}
	r.Observe(func(j catalog.Job, result string, err error) { results[result]++ })
	for attempt := 1; attempt <= MaxAttempts; attempt++ {
		res, err := r.RunDue(context.Background(), clock.Add(time.Second))
		want := Result{Failed: 3}
		if attempt == 1 {
			want.Done = 1
		}
		if attempt == MaxAttempts {
			want = Result{Dead: 3}
		}
		if err != nil || res != want {
			t.Fatalf("attempt %d: RunDue = %+v, %v; want %+v", attempt, res, err, want)
		}
		if opens["r"] != attempt {
			t.Fatalf("attempt %d: remote r opened %d times; want once a batch", attempt, opens["r"])
		}
		for _, target := range []string{"r\ta.jpg", "r\tc.jpg", "r\td.jpg"} {
			j := queued(t, lib)[target]
			wantState := catalog.JobPending
			if attempt == MaxAttempts {
				wantState = catalog.JobDead
			}
			if j.Attempts != attempt || j.State != wantState || j.LastError != `remote "r": no credentials; set AWS_ACCESS_KEY_ID` ||
				j.NextAt != clock.Add(Backoff(attempt, 0)).UnixMilli() {
				t.Fatalf("attempt %d: job %q is %+v; want %d attempts, %s, due after the backoff", attempt, target, j, attempt, wantState)
			}
		}
		clock = clock.Add(Backoff(attempt, 0))
	}
	if opens["s"] != 1 || !slices.Equal(calls, []string{"[b.jpg]"}) {
		t.Errorf("remote s opened %d times, got %q; want once, [b.jpg]", opens["s"], calls)
	}
	if results[ResultDone] != 1 || results[ResultFailed] != 3*(MaxAttempts-1) || results[ResultDead] != 3 {
		t.Errorf("observed %v", results)
	}
}

// A batched deletion that ctx interrupts: the keys the remote deleted
// before are done, the others stay due with no attempt counted.
func TestRemoteDeletionInterrupted(t *testing.T) {
	lib := remoteLib(t, "r\ta.jpg", "r\tb.jpg", "r\tc.jpg")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var calls []string
	store := batched{oneByOne{calls: &calls, hook: func([]string) { cancel() }}}
	r := NewRunner(lib).WithRemotes(func(context.Context, string) (blob.Store, error) { return store, nil }, nil)
	observed := 0
	r.Observe(func(catalog.Job, string, error) { observed++ })
	res, err := r.RunDue(ctx, time.Now().Add(time.Minute))
	if !errors.Is(err, context.Canceled) || res != (Result{Done: 1}) || observed != 1 {
		t.Errorf("RunDue = %+v, %v, %d observed; want one done, then context.Canceled", res, err, observed)
	}
	left := queued(t, lib)
	if _, ok := left["r\ta.jpg"]; ok || len(left) != 2 {
		t.Fatalf("queue holds %+v; want b and c", left)
	}
	for _, j := range left {
		if j.State != catalog.JobPending || j.Attempts != 0 || j.LastError != "" {
			t.Errorf("job %q after an interruption: %+v; want pending, no attempt counted", j.Target, j)
		}
	}
	if got := held(t, lib, "r"); !slices.Equal(got, []string{"b.jpg", "c.jpg"}) {
		t.Errorf("remote r records %q; want b and c", got)
	}
}

// A sync job runs alone through its handler, after the deletions queued
// before it and before those queued after it.
func TestSyncRunsBetweenBatches(t *testing.T) {
	lib := remoteLib(t, "r\ta.jpg", "r\tb.jpg")
	addJob(t, lib, catalog.JobSync, "r")
	addJob(t, lib, catalog.JobDeleteRemote, "r\tc.jpg")
	var calls []string
	store := batched{oneByOne{calls: &calls}}
	r := NewRunner(lib).WithRemotes(func(context.Context, string) (blob.Store, error) { return store, nil },
		func(_ context.Context, name string) error {
			calls = append(calls, "sync "+name)
			return nil
		})
	res, err := r.RunDue(context.Background(), time.Now().Add(time.Minute))
	if err != nil || res.Done != 4 {
		t.Fatalf("RunDue = %+v, %v; want 4 done", res, err)
	}
	if want := []string{"[a.jpg b.jpg]", "sync r", "[c.jpg]"}; !slices.Equal(calls, want) {
		t.Errorf("calls %q; want %q", calls, want)
	}
}

// A purged photo's objects are left alone, in the library and in remotes,
// when its content is in the catalog again by the time the jobs run.
func TestDeleteRemoteSparesReferencedKeys(t *testing.T) {
	sha := strings.Repeat("ab", 32)
	thumb, meta := library.ThumbPath(sha, "grid"), "meta/"+sha+".json"
	lib := remoteLib(t, "r\t"+thumb, "r\t"+meta, "r\toriginals/2020/old.jpg")
	addJob(t, lib, catalog.JobDeleteFile, thumb)
	writeFile(t, lib.Abs(thumb))
	ctx := context.Background()
	err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { // the same content, imported anew
		_, err := tx.InsertPhoto(ctx, catalog.Photo{SHA256: sha, Path: "originals/2021/new.jpg", OriginalName: "new.jpg", Type: "photo",
			Format: "jpeg", MIME: "image/jpeg", Bytes: 1, TakenAt: "2021-01-01T00:00:00", Thumbs: "ok", ImportedAt: catalog.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var calls []string
	store := batched{oneByOne{calls: &calls}}
	r := NewRunner(lib).WithRemotes(func(context.Context, string) (blob.Store, error) { return store, nil }, nil)
	res, err := r.RunDue(ctx, time.Now().Add(time.Minute))
	if err != nil || res.Done != 4 {
		t.Fatalf("RunDue = %+v, %v; want 4 done", res, err)
	}
	if !slices.Equal(calls, []string{"[originals/2020/old.jpg]"}) {
		t.Errorf("remote got %q; want only the original no photo has", calls)
	}
	if got := held(t, lib, "r"); !slices.Equal(got, []string{meta, thumb}) {
		t.Errorf("remote r records %q; want the thumbnail and the meta sidecar kept", got)
	}
	if !library.Exists(lib.Abs(thumb)) {
		t.Error("the thumbnail of content in the catalog was deleted from the library")
	}
}

// No deletion starts once the deadline has passed, within a batch too:
// those not started stay due, their attempts not counted.
func TestDeadlineWithinBatch(t *testing.T) {
	lib := remoteLib(t, "r\tx.jpg")
	for _, f := range []string{"originals/a.jpg", "originals/b.jpg", "originals/c.jpg"} {
		writeFile(t, lib.Abs(f))
		addJob(t, lib, catalog.JobDeleteFile, f)
	}
	var calls []string
	store := batched{oneByOne{calls: &calls}}
	r := NewRunner(lib).WithRemotes(func(context.Context, string) (blob.Store, error) { return store, nil }, nil)
	clock := time.Now()
	r.now = func() time.Time { return clock }
	r.Observe(func(catalog.Job, string, error) { clock = clock.Add(time.Minute) }) // the first deletion takes long
	res, err := r.RunDue(context.Background(), clock.Add(time.Second))
	if err != nil || res != (Result{Done: 1}) {
		t.Fatalf("RunDue = %+v, %v; want one done", res, err)
	}
	left := queued(t, lib)
	if len(left) != 3 || len(calls) != 0 {
		t.Fatalf("queue holds %+v, remote got %q; want the three jobs after the first, no request", left, calls)
	}
	for _, j := range left {
		if j.Attempts != 0 || j.State != catalog.JobPending {
			t.Errorf("job %q: %+v; want pending, no attempt counted", j.Target, j)
		}
	}
	if library.Exists(lib.Abs("originals/a.jpg")) || !library.Exists(lib.Abs("originals/b.jpg")) {
		t.Error("want a.jpg deleted, b.jpg kept")
	}
}
