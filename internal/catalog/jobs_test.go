package catalog

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// ReferencedPaths finds what Referenced finds, path by path: originals
// and sidecars by path, thumbnails and JSON sidecars by the content their
// names carry.
func TestReferencedPaths(t *testing.T) {
	c := openTest(t)
	ctx := context.Background()
	p := testPhoto(1, 0)
	sha := p.SHA256
	other := fmt.Sprintf("%064x", 99)
	mustWrite(t, c, func(tx *Tx) error {
		id, err := tx.InsertPhoto(ctx, p)
		if err != nil {
			return err
		}
		return tx.InsertSidecar(ctx, id, "originals/2024/2024-01-01/IMG_0001.XMP", 1, other)
	})
	tests := []struct {
		path string
		used bool
	}{
		{p.Path, true},
		{"originals/2024/2024-01-01/IMG_0001.XMP", true},
		{"thumbs/" + sha[:2] + "/" + sha + "-grid.jpg", true},
		{"thumbs/" + sha[:2] + "/" + sha + "-screen.jpg", true},
		{"meta/" + sha + ".json", true},
		{"originals/2024/2024-01-01/IMG_0002.JPG", false},
		{"thumbs/" + other[:2] + "/" + other + "-grid.jpg", false},
		{"meta/" + other + ".json", false},
		{"meta/" + sha + ".txt", false},
		{"thumbs/x/" + sha[:10] + "-grid.jpg", false},
		{"originals/a & b/사진 1.jpg", false},
	}
	paths := make([]string, len(tests))
	want := map[string]bool{}
	for i, tt := range tests {
		paths[i] = tt.path
		if tt.used {
			want[tt.path] = true
		}
		if used, err := c.ReferencedPaths(ctx, []string{tt.path}); err != nil || used[tt.path] != tt.used {
			t.Errorf("ReferencedPaths(%q) = %v, %v; want it used: %v", tt.path, used, err, tt.used)
		}
	}
	got, err := c.ReferencedPaths(ctx, paths)
	if err != nil || !maps.Equal(got, want) {
		t.Errorf("ReferencedPaths = %v, %v; want %v", got, err, want)
	}
	if got, err := c.ReferencedPaths(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("ReferencedPaths(nil) = %v, %v; want none", got, err)
	}
}

// JobsFailed records each job's own attempt, error, time and state in
// one statement; DeleteJobs removes only the ids given.
func TestJobsFailedAndDeleted(t *testing.T) {
	c := openTest(t)
	ctx := context.Background()
	mustWrite(t, c, func(tx *Tx) error {
		for i := range 4 {
			if err := tx.AddJob(ctx, JobDeleteFile, fmt.Sprintf("originals/%d.jpg", i)); err != nil {
				return err
			}
		}
		return nil
	})
	at := time.UnixMilli(time.Now().UnixMilli())
	failures := []JobFailure{
		{ID: 1, Attempts: 3, Error: "no route to host", Next: at.Add(time.Minute)},
		{ID: 2, Attempts: 8, Error: `key "a & b/사진": access denied`, Next: at.Add(time.Hour), Dead: true},
	}
	mustWrite(t, c, func(tx *Tx) error {
		if err := tx.JobsFailed(ctx, failures); err != nil {
			return err
		}
		return tx.DeleteJobs(ctx, []int64{3})
	})
	list, err := c.Jobs(ctx, false, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	type state struct {
		attempts int
		msg      string
		next     int64
		state    string
	}
	want := map[int64]state{
		1: {3, "no route to host", at.Add(time.Minute).UnixMilli(), JobPending},
		2: {8, `key "a & b/사진": access denied`, at.Add(time.Hour).UnixMilli(), JobDead},
		4: {0, "", -1, JobPending},
	}
	if len(list) != len(want) {
		t.Fatalf("jobs %+v; want ids 1, 2 and 4", list)
	}
	for _, j := range list {
		w, ok := want[j.ID]
		if w.next == -1 {
			w.next = j.NextAt // untouched
		}
		if got := (state{j.Attempts, j.LastError, j.NextAt, j.State}); !ok || got != w {
			t.Errorf("job %d: %+v; want %+v", j.ID, got, w)
		}
	}
}

// DeleteRemoteObjects forgets the keys given of one remote only.
func TestDeleteRemoteObjects(t *testing.T) {
	c := openTest(t)
	ctx := context.Background()
	keys := []string{"originals/a.jpg", "originals/a & b/사진 1.jpg", "meta/x.json"}
	mustWrite(t, c, func(tx *Tx) error {
		for _, r := range []string{"b2", "nas"} {
			if err := tx.AddRemote(ctx, Remote{Name: r, Bucket: "photos", Endpoint: "s3.example.org"}); err != nil {
				return err
			}
			for _, k := range keys {
				if err := tx.PutRemoteObject(ctx, r, k, "x", 1); err != nil {
					return err
				}
			}
		}
		return nil
	})
	mustWrite(t, c, func(tx *Tx) error {
		return tx.DeleteRemoteObjects(ctx, "b2", []string{keys[0], keys[1], "originals/never.jpg"})
	})
	tests := []struct {
		remote string
		want   []string
	}{
		{"b2", []string{"meta/x.json"}},
		{"nas", slices.Sorted(slices.Values(keys))},
	}
	for _, tt := range tests {
		objs, err := c.RemoteObjects(ctx, tt.remote)
		if got := slices.Sorted(maps.Keys(objs)); err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("%s holds %q, %v; want %q", tt.remote, got, err, tt.want)
		}
	}
}

// The batched writes and reads of the job runner use indexes: a batch
// touches its own rows, whatever the size of the queue or the catalog.
func TestJobBatchesUseIndexes(t *testing.T) {
	c, rec := planCatalog(t)
	ctx := context.Background()
	rec.mu.Lock()
	rec.plans, rec.on = map[string][]string{}, true
	rec.mu.Unlock()
	_, err := c.ReferencedPaths(ctx, []string{"originals/x.jpg", "thumbs/ab/" + strings.Repeat("a", 64) + "-grid.jpg"})
	if err == nil {
		_, err = c.DueJobs(ctx, time.Now(), []string{JobDeleteFile, JobDeleteRemote}, 10)
	}
	if err == nil {
		_, err = c.JobsDue(ctx, time.Now(), []string{JobDeleteFile})
	}
	if err == nil {
		err = c.Write(ctx, func(tx *Tx) error {
			if err := tx.AddRemote(ctx, Remote{Name: "b2", Bucket: "photos", Endpoint: "s3.example.org"}); err != nil {
				return err
			}
			if err := tx.DeleteRemoteObjects(ctx, "b2", []string{"originals/x.jpg"}); err != nil {
				return err
			}
			if err := tx.JobsFailed(ctx, []JobFailure{{ID: 1, Attempts: 1, Error: "x", Next: time.Now()}}); err != nil {
				return err
			}
			return tx.DeleteJobs(ctx, []int64{2, 3})
		})
	}
	rec.mu.Lock()
	plans := rec.plans
	rec.on = false
	rec.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"SELECT f.value", "DELETE FROM remote_objects", "UPDATE jobs SET attempts", "DELETE FROM jobs",
		"AND kind = ? AND next_at <= ?\n\t\t\tORDER BY", "SELECT EXISTS (SELECT 1 FROM jobs"} {
		found := false
		for query, steps := range plans {
			if !strings.Contains(query, want) {
				continue
			}
			found = true
			if strings.Contains(query, "FROM jobs WHERE state") && !slices.ContainsFunc(steps, func(s string) bool {
				return strings.Contains(s, "INDEX jobs_due (state=? AND kind=? AND next_at<?)") && !strings.Contains(s, "TEMP B-TREE")
			}) {
				t.Errorf("%s\n  does not read one kind's range of jobs_due: %v", strings.Join(strings.Fields(query), " "), steps)
			}
			if bad := fullScans(query, steps); len(bad) > 0 {
				t.Errorf("%s\n  reads a big table whole: %v\n  plan: %v", strings.Join(strings.Fields(query), " "), bad, steps)
			}
			t.Logf("%s: %v", strings.Join(strings.Fields(query), " "), steps)
		}
		if !found {
			t.Errorf("no statement %q was explained", want)
		}
	}
}

// Due jobs are read kind by kind (migration 0028) and merged oldest
// first; jobs of other kinds, due or not, are neither returned nor in
// the way.
func TestDueJobsByKind(t *testing.T) {
	c := openTest(t)
	ctx := context.Background()
	now := time.Now()
	// Five remote deletions due first, then file deletions and a sync
	// interleaved, and a file deletion due later.
	var want []string
	mustWrite(t, c, func(tx *Tx) error {
		add := func(kind, target string, at time.Time) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO jobs (kind, target, next_at, created_at) VALUES (?, ?, ?, '')`,
				kind, target, at.UnixMilli())
			return err
		}
		for i := range 5 {
			if err := add(JobDeleteRemote, fmt.Sprintf("b2\tr%d", i), now.Add(-time.Hour)); err != nil {
				return err
			}
		}
		for i := range 4 {
			kind := JobDeleteFile
			if i%2 == 1 {
				kind = JobSync
			}
			if err := add(kind, fmt.Sprint("t", i), now.Add(time.Duration(i-10)*time.Minute)); err != nil {
				return err
			}
			want = append(want, fmt.Sprint("t", i))
		}
		return add(JobDeleteFile, "later", now.Add(time.Hour))
	})
	got, err := c.DueJobs(ctx, now, []string{JobSync, JobDeleteFile}, 3)
	var targets []string
	for _, j := range got {
		targets = append(targets, j.Target)
	}
	if err != nil || !slices.Equal(targets, want[:3]) {
		t.Errorf("DueJobs(sync, delete-file, 3) = %v, %v; want %v", targets, err, want[:3])
	}
	if due, err := c.JobsDue(ctx, now.Add(-11*time.Minute), []string{JobDeleteFile, JobSync}); err != nil || due {
		t.Errorf("JobsDue of files and syncs with only remote deletions due = %v, %v; want false", due, err)
	}
	if due, err := c.JobsDue(ctx, now.Add(-11*time.Minute), []string{JobDeleteRemote}); err != nil || !due {
		t.Errorf("JobsDue of remote deletions = %v, %v; want true", due, err)
	}
}
