package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
)

// "picup jobs ls" lists a queue longer than a page, as text and as JSON,
// pages it with --limit and --after, and reads the failed jobs alone.
func TestRunJobsLs(t *testing.T) {
	te := newTestEnv(t)
	ctx := context.Background()
	lib, err := library.Open(ctx, te.libraryFlag)
	if err != nil {
		t.Fatal(err)
	}
	const queued = 2*pageSize + 3
	err = lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		for i := range queued {
			// Remote deletions: the housekeeping of a command's start
			// runs file deletions only, and would empty the queue.
			if err := tx.AddJob(ctx, catalog.JobDeleteRemote, fmt.Sprintf("nowhere\toriginals/%d.jpg", i)); err != nil {
				return err
			}
		}
		return tx.JobsFailed(ctx, []catalog.JobFailure{
			{ID: 7, Attempts: 1, Error: "busy", Next: time.Now().Add(time.Hour)},
			{ID: 600, Attempts: 8, Error: "gone", Next: time.Now().Add(time.Hour), Dead: true},
			{ID: queued, Attempts: 2, Error: "busy", Next: time.Now().Add(time.Hour)},
		})
	})
	if err := errors.Join(err, lib.Close()); err != nil {
		t.Fatal(err)
	}
	ls := func(o jobsLsOptions) ([]jobJSON, string) {
		t.Helper()
		te.stdout.Reset()
		te.stderr.Reset()
		o.json = true
		if err := runJobsLs(ctx, te.env, &o); err != nil {
			t.Fatalf("jobs ls %+v: %v", o, err)
		}
		var got []jobJSON
		if err := json.Unmarshal(te.stdout.Bytes(), &got); err != nil {
			t.Fatalf("jobs ls %+v: %v\n%s", o, err, te.stdout)
		}
		return got, te.stderr.String()
	}
	ids := func(list []jobJSON) []int64 {
		out := make([]int64, len(list))
		for i, j := range list {
			out[i] = j.ID
		}
		return out
	}

	all, more := ls(jobsLsOptions{})
	if len(all) != queued || more != "" {
		t.Fatalf("jobs ls: %d jobs, stderr %q; want %d and nothing", len(all), more, queued)
	}
	for i, j := range all {
		if j.ID != int64(i+1) || j.Kind != catalog.JobDeleteRemote || j.Target != fmt.Sprintf("nowhere\toriginals/%d.jpg", i) {
			t.Fatalf("job %d: %+v", i, j)
		}
	}
	if all[599].State != catalog.JobDead || all[599].Attempts != 8 || all[599].LastError != "gone" {
		t.Errorf("the dead job: %+v", all[599])
	}

	failed, more := ls(jobsLsOptions{failed: true})
	if fmt.Sprint(ids(failed)) != fmt.Sprint([]int64{7, 600, queued}) || more != "" {
		t.Errorf("jobs ls --failed: %v, stderr %q; want [7 600 %d]", ids(failed), more, queued)
	}
	page, more := ls(jobsLsOptions{failed: true, limit: 2})
	if fmt.Sprint(ids(page)) != "[7 600]" || more != "more: picup jobs ls --failed --json --limit 2 --after 600\n" {
		t.Errorf("jobs ls --failed --limit 2: %v, stderr %q", ids(page), more)
	}
	page, more = ls(jobsLsOptions{failed: true, limit: 2, after: "600"})
	if fmt.Sprint(ids(page)) != fmt.Sprintf("[%d]", queued) || more != "" {
		t.Errorf("jobs ls --failed --limit 2 --after 600: %v, stderr %q", ids(page), more)
	}
	page, more = ls(jobsLsOptions{after: fmt.Sprint(queued)})
	if len(page) != 0 || te.stdout.String() != "[]\n" || more != "" {
		t.Errorf("jobs ls --after the last: %q, stderr %q", te.stdout, more)
	}

	te.stdout.Reset()
	te.stderr.Reset()
	if err := runJobsLs(ctx, te.env, &jobsLsOptions{limit: 2}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(te.stdout.String(), "\n"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "ID") || !strings.HasPrefix(lines[1], "1 ") ||
		!strings.Contains(lines[2], "originals/1.jpg") || te.stderr.String() != "more: picup jobs ls --limit 2 --after 2\n" {
		t.Errorf("jobs ls --limit 2:\n%s\nstderr %q", te.stdout, te.stderr)
	}

	te.steps(t, []step{
		{name: "a cursor that is not one", run: func(ctx context.Context, e *env) error {
			return runJobsLs(ctx, e, &jobsLsOptions{after: "x"})
		}, err: `--after "x": want a cursor from "picup jobs ls"`, usage: true},
		{name: "a negative limit", run: func(ctx context.Context, e *env) error {
			return runJobsLs(ctx, e, &jobsLsOptions{limit: -1})
		}, err: "--limit must be positive, not -1", usage: true},
	})
}
