package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/picup/picup/internal/library"
)

func redate(o redateOptions) func(ctx context.Context, e *env) error {
	return func(ctx context.Context, e *env) error { return runRedate(ctx, e, &o) }
}

func TestRunRedate(t *testing.T) {
	te := newTestEnv(t)
	photos := te.importSamples(t, "")
	id := fmt.Sprint(photos[0].ID)
	te.steps(t, []step{
		{name: "neither", run: redate(redateOptions{photos: []string{id}}),
			err: "redate: give --from-metadata or --at DATE (one of them)", usage: true},
		{name: "both", run: redate(redateOptions{photos: []string{id}, at: "1962", fromMetadata: true}),
			err: "redate: give --from-metadata or --at DATE (one of them)", usage: true},
		{name: "bad date", run: redate(redateOptions{photos: []string{id}, at: "14/07/1962"}),
			err: `--at: "14/07/1962" is not a date: give 1962-07-14, 1962-07, 1962 or an RFC 3339 time such as 1962-07-14T15:30:00+09:00`, usage: true},
		{name: "--all --at", run: redate(redateOptions{all: true, at: "1962"}),
			err: "redate: --all goes with --from-metadata, not with --at", usage: true},
		{name: "no photos", run: redate(redateOptions{fromMetadata: true}),
			err: "redate: give the photos' ids (or paths), or --all with --from-metadata", usage: true},
	})

	// --at moves the original into the new date's folder.
	te.stdout.Reset()
	if err := runRedate(context.Background(), te.env, &redateOptions{photos: []string{id}, at: "1962-07-14", json: true}); err != nil {
		t.Fatalf("redate --at: %v", err)
	}
	var res redateResult
	if err := json.Unmarshal(te.stdout.Bytes(), &res); err != nil {
		t.Fatalf("redate --json: %v\n%s", err, te.stdout)
	}
	r := res.Photos[0]
	if res.Changed != 1 || r.TakenAt != "1962-07-14" || r.TakenAtSource != "manual" || r.TakenAtPrecision != "day" ||
		!strings.HasPrefix(r.Path, "originals/1962/1962-07-14/") || r.OldPath != photos[0].Path {
		t.Errorf("redate --at --json: %s", te.stdout)
	}
	te.stdout.Reset()
	if err := runLs(context.Background(), te.env, &lsOptions{json: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(te.stdout.String(), `"taken_at": "1962-07-14"`) || !strings.Contains(te.stdout.String(), `"taken_at_precision": "day"`) {
		t.Errorf("ls --json after redate lacks the date and its precision:\n%s", te.stdout)
	}

	// --all --from-metadata re-reads every photo; the one dated by hand stays.
	te.stdout.Reset()
	if err := runRedate(context.Background(), te.env, &redateOptions{all: true, fromMetadata: true}); err != nil {
		t.Fatalf("redate --all --from-metadata: %v\n%s", err, te.stdout)
	}
	out := te.stdout.String()
	if !strings.Contains(out, "dated by hand; kept") || !strings.HasSuffix(out, "redated 0 photos, 5 unchanged, 0 failed\n") {
		t.Errorf("redate --all --from-metadata:\n%s", out)
	}

	// One original gone: the other photo is re-read, and it is exit 3.
	lib, err := library.Open(context.Background(), te.libraryFlag)
	if err != nil {
		t.Fatal(err)
	}
	gone := photos[1]
	if err := os.Remove(lib.Abs(gone.Path)); err != nil {
		t.Fatal(err)
	}
	lib.Close()
	te.stdout.Reset()
	err = runRedate(context.Background(), te.env, &redateOptions{photos: []string{id, fmt.Sprint(gone.ID)}, fromMetadata: true})
	var partial *PartialError
	if !errors.As(err, &partial) || err.Error() != "redate failed for 1 photo of 2" || !strings.Contains(te.stdout.String(), "failed: read "+gone.Path) {
		t.Errorf("redate with one original gone: %v\n%s; want exit 3 naming the photo", err, te.stdout)
	}

	// One unknown id: nothing is done (exit 1), as for every command.
	err = runRedate(context.Background(), te.env, &redateOptions{photos: []string{id, "99999"}, at: "1970"})
	if err == nil || errors.As(err, &partial) || !strings.Contains(err.Error(), "99999") {
		t.Errorf("redate with an unknown id: %v; want an error naming it", err)
	}
}
