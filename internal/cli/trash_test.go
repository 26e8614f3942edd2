package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the catalog's driver, to spoil a row

	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/pkg/bytesize"
)

func retention(set string, force bool) func(ctx context.Context, e *env) error {
	return func(ctx context.Context, e *env) error {
		return runTrashRetention(ctx, e, &trashRetentionOptions{set: &set, force: force})
	}
}

func TestRunTrashRetention(t *testing.T) {
	te := newTestEnv(t)
	show := func(ctx context.Context, e *env) error { return runTrashRetention(ctx, e, &trashRetentionOptions{}) }
	te.steps(t, []step{
		{name: "show the default", run: show, stdout: "photos stay in the trash for 30 days (30d)\n"},
		{name: "set 60d", run: retention("60d", false), stdout: "photos stay in the trash for 60 days (60d)\n"},
		{name: "set 6mo", run: retention("6mo", false), stdout: "photos stay in the trash for 180 days (180d)\n"},
		{name: "set 1m", run: retention("1m", false),
			err: `invalid duration "1m": "m" could mean minutes or months; write 1min for minutes or 1mo for months`, usage: true},
		{name: "set an empty duration", run: retention("", false),
			err: `invalid duration "": use a whole number and a unit (s, min, h, d, w, mo, y), such as 30d, 12h or 90min`, usage: true},
		{name: "set 1h", run: retention("1h", false),
			err: "trash retention 1h is under one day: photos moved to the trash would be purged for good after 1 hour; set at least 1d, or add --force if that is what you want", usage: true},
		{name: "show what 1h left", run: show, stdout: "photos stay in the trash for 180 days (180d)\n"},
		{name: "--force alone", run: func(ctx context.Context, e *env) error {
			return runTrashRetention(ctx, e, &trashRetentionOptions{force: true})
		}, err: "--force goes with a DURATION to set", usage: true},
	})

	if err := retention("1h", true)(context.Background(), te.env); err != nil {
		t.Fatalf("trash retention 1h --force: %v", err)
	}
	want := "warning: photos in the trash are purged after 1 hour, for good; \"picup trash retention 30d\" goes back to the default\n"
	if te.stdout.String() != "photos stay in the trash for 1 hour (1h)\n" || te.stderr.String() != want {
		t.Errorf("trash retention 1h --force: stdout %q, stderr %q; want the new retention, and on stderr %q", te.stdout, te.stderr, want)
	}
}

func TestRunTrashLsAndRestore(t *testing.T) {
	te := newTestEnv(t)
	photos := te.importSamples(t, "")
	p := photos[1]
	ls := func(ctx context.Context, e *env) error { return runTrashLs(ctx, e, &trashLsOptions{}) }
	te.steps(t, []step{
		{name: "rm neither photos nor album", run: func(ctx context.Context, e *env) error {
			return runRm(ctx, e, &rmOptions{})
		}, err: "name photos (ID or PATH) or --album NAME, not both or neither", usage: true},
		{name: "rm", run: func(ctx context.Context, e *env) error {
			return runRm(ctx, e, &rmOptions{photos: []string{p.Path}})
		}, stdout: "moved 1 photo to the trash; it is purged after 30 days; restore with \"picup trash restore\"\n"},
		{name: "rm it again, and a photo that does not exist", run: func(ctx context.Context, e *env) error {
			return runRm(ctx, e, &rmOptions{photos: []string{idString(p), "99999"}})
		}, stdout: "moved nothing to the trash (1 was already there)\n", err: `no photo with id 99999; see "picup ls"`},
		{name: "retention 7d", run: retention("7d", false), stdout: "photos stay in the trash for 1 week (1w)\n"},
	})

	// One line a photo, and the purge a retention after it was trashed.
	te.stdout.Reset()
	if err := ls(context.Background(), te.env); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(te.stdout.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("trash ls:\n%s\nwant a header, a photo and the total", te.stdout)
	}
	col := strings.Index(lines[0], "PATH")
	if col < 0 || len(lines[1]) < col {
		t.Fatalf("trash ls:\n%s\nwant a PATH column", te.stdout)
	}
	var id int64
	var size, unit, trashed, purged string
	if _, err := fmt.Sscan(lines[1][:col], &id, &size, &unit, &trashed, &purged); err != nil {
		t.Fatalf("%q: %v", lines[1], err)
	}
	at, err1 := time.Parse(time.RFC3339, trashed)
	until, err2 := time.Parse(time.RFC3339, purged)
	if strings.Join(strings.Fields(lines[0]), " ") != "ID SIZE TRASHED PURGED AFTER PATH" ||
		id != p.ID || size+" "+unit != bytesize.Format(p.Bytes) || lines[1][col:] != p.Path ||
		lines[2] != fmt.Sprintf("1 photo in the trash (%s)", bytesize.Format(p.Bytes)) ||
		err1 != nil || err2 != nil || until.Sub(at) != 7*24*time.Hour || time.Since(at) > time.Minute {
		t.Errorf("trash ls:\n%s\nwant a header aligned with photo %d, %s, %s, trashed now and purged 7 days later, then the total", te.stdout, p.ID, bytesize.Format(p.Bytes), p.Path)
	}

	// A trash time the catalog cannot read is reported, not taken for 0001-01-01.
	spoil(t, te.libraryFlag, "UPDATE photos SET trashed_at = 'last Tuesday' WHERE id = ?", p.ID)
	te.steps(t, []step{
		{name: "ls with a spoilt time", run: ls,
			err: fmt.Sprintf(`photo %d: trashed_at "last Tuesday" is not an RFC 3339 time`, p.ID)},
		{name: "restore by path", run: func(ctx context.Context, e *env) error {
			return runTrashRestore(ctx, e, &idsOrAllOptions{ids: []string{p.Path}})
		}, err: fmt.Sprintf(`%q is not a photo id; see "picup trash ls"`, p.Path), usage: true},
		{name: "restore ids and --all", run: func(ctx context.Context, e *env) error {
			return runTrashRestore(ctx, e, &idsOrAllOptions{ids: []string{idString(p)}, all: true})
		}, err: "name photo ids or --all, not both or neither", usage: true},
		{name: "restore", run: func(ctx context.Context, e *env) error {
			return runTrashRestore(ctx, e, &idsOrAllOptions{ids: []string{idString(p), "9999"}})
		}, stdout: "restored 1 photo\n", err: `no photo with id 9999; see "picup ls"`},
		{name: "restore what is not in the trash", run: func(ctx context.Context, e *env) error {
			return runTrashRestore(ctx, e, &idsOrAllOptions{ids: []string{idString(p), idString(photos[0])}})
		}, stdout: "restored 0 photos (2 were not in the trash)\n"},
		{name: "info of a photo that does not exist", run: func(ctx context.Context, e *env) error {
			return runInfo(ctx, e, &infoOptions{ref: "9999"})
		}, err: `no photo with id 9999; see "picup ls"`},
		{name: "ls the empty trash", run: ls, stdout: "0 photos in the trash (0 B)\n"},
	})
}

// spoil changes the catalog of the library in dir behind picup's back.
func spoil(t *testing.T, dir, query string, args ...any) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, library.CatalogFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if res, err := db.Exec(query, args...); err != nil {
		t.Fatal(err)
	} else if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("%s: %d rows changed; want 1", query, n)
	}
}

// The trash log lists purges newest first, each with its photos, in text
// and as JSON, and pages with --limit and --after.
func TestRunTrashLog(t *testing.T) {
	te := newTestEnv(t)
	photos := te.importSamples(t, "")
	log := func(o trashLogOptions) func(ctx context.Context, e *env) error {
		return func(ctx context.Context, e *env) error { return runTrashLog(ctx, e, &o) }
	}
	te.steps(t, []step{{name: "empty log", run: log(trashLogOptions{}), stdout: "no purges yet\n"}})
	for _, p := range photos[:2] {
		if err := runRm(context.Background(), te.env, &rmOptions{photos: []string{idString(p)}}); err != nil {
			t.Fatal(err)
		}
		if err := runTrashEmpty(context.Background(), te.env, &trashEmptyOptions{yes: true}); err != nil {
			t.Fatal(err)
		}
	}

	te.stdout.Reset()
	if err := runTrashLog(context.Background(), te.env, &trashLogOptions{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(te.stdout.String(), "\n"), "\n")
	if len(lines) != 4 || !strings.HasSuffix(lines[0], `: emptied by "picup trash empty"`) ||
		lines[1] != fmt.Sprintf("  %d\t%s", photos[1].ID, photos[1].Path) || lines[3] != fmt.Sprintf("  %d\t%s", photos[0].ID, photos[0].Path) {
		t.Errorf("trash log:\n%s\nwant the purge of photo %d, then of photo %d", te.stdout, photos[1].ID, photos[0].ID)
	}

	te.stdout.Reset()
	te.stderr.Reset()
	if err := runTrashLog(context.Background(), te.env, &trashLogOptions{json: true, limit: 1}); err != nil {
		t.Fatal(err)
	}
	var got []struct {
		ID     int64   `json:"id"`
		Reason string  `json:"reason"`
		After  *string `json:"after"`
		Photos int64   `json:"photos"`
		Cursor string  `json:"cursor"`
		Purged []struct {
			ID     int64  `json:"id"`
			SHA256 string `json:"sha256"`
		} `json:"purged"`
	}
	if err := json.Unmarshal(te.stdout.Bytes(), &got); err != nil || len(got) != 1 || got[0].Reason != "emptied" || got[0].After != nil ||
		got[0].Photos != 1 || len(got[0].Purged) != 1 || got[0].Purged[0].ID != photos[1].ID || got[0].Purged[0].SHA256 == "" {
		t.Fatalf("trash log --json --limit 1: %+v, %v\n%s", got, err, te.stdout)
	}
	if want := fmt.Sprintf("more: picup trash log --limit 1 --after %s\n", got[0].Cursor); te.stderr.String() != want {
		t.Errorf("stderr %q; want %q", te.stderr, want)
	}
	te.stdout.Reset()
	if err := runTrashLog(context.Background(), te.env, &trashLogOptions{json: true, after: got[0].Cursor}); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(te.stdout.Bytes(), &got); err != nil || len(got) != 1 || got[0].Purged[0].ID != photos[0].ID {
		t.Errorf("trash log --json --after %s: %+v, %v", got[0].Cursor, got, err)
	}
}
