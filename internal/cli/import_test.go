package cli

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/picup/picup/internal/importer"
)

// TestImportSaysWhatHappened: the last line of an import says what became
// of the files, a mistyped path stops it before any work, and the album
// line says whether the album is new.
func TestImportSaysWhatHappened(t *testing.T) {
	te := newTestEnv(t)
	const jpeg, broken = "../../testdata/photos/jpeg", "../../testdata/photos/broken"
	imp := func(o importOptions) func(ctx context.Context, e *env) error {
		return func(ctx context.Context, e *env) error {
			o.jobs = 1
			return runImport(ctx, e, &o)
		}
	}
	stdoutLines := func(want ...string) func(t *testing.T, out string) {
		return func(t *testing.T, out string) {
			t.Helper()
			for _, w := range want {
				if !strings.Contains(out, w) {
					t.Errorf("stdout:\n%s\nwant %q", out, w)
				}
			}
		}
	}
	tests := []struct {
		name    string
		run     func(ctx context.Context, e *env) error
		err     string
		usage   bool
		partial bool
		stdout  func(t *testing.T, out string)
	}{
		{name: "a mistyped path", run: imp(importOptions{paths: []string{jpeg, "/nonexistent/nope"}}),
			err: "cannot read /nonexistent/nope: no such file or directory; nothing was imported", usage: true,
			stdout: func(t *testing.T, out string) {
				if out != "" {
					t.Errorf("stdout %q; want nothing: no work starts", out)
				}
			}},
		{name: "all of them fail", run: imp(importOptions{paths: []string{broken}}),
			err: "all 3 files failed; nothing was imported", partial: true,
			stdout: stdoutLines("imported 0 (0 B), 0 duplicates, 0 unchanged, 0 skipped, 3 failed")},
		{name: "into a new album", run: imp(importOptions{paths: []string{jpeg}, album: "Trip"}),
			stdout: stdoutLines(", 1 duplicate, 0 unchanged", "album \"Trip\" created\n")},
		{name: "into the album again", run: imp(importOptions{paths: []string{jpeg}, album: "Trip"}),
			stdout: stdoutLines("imported 0 (0 B), 0 duplicates, 6 unchanged", "album \"Trip\" updated\n")},
		{name: "a dry run with failures", run: imp(importOptions{paths: []string{jpeg, broken}, dryRun: true}),
			err:     "3 of 9 files failed; of the others, 6 unchanged since an earlier import (--dry-run: nothing was changed)",
			partial: true, stdout: stdoutLines("would import 0 (0 B)")},
	}
	for _, tt := range tests {
		te.stdout.Reset()
		te.stderr.Reset()
		err := tt.run(context.Background(), te.env)
		var usage *UsageError
		var partial *PartialError
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.err || errors.As(err, &usage) != tt.usage || errors.As(err, &partial) != tt.partial {
			t.Errorf("%s: error %q (usage %v, partial %v); want %q (usage %v, partial %v)", tt.name, got,
				errors.As(err, &usage), errors.As(err, &partial), tt.err, tt.usage, tt.partial)
		}
		tt.stdout(t, te.stdout.String())
	}
}

// TestImportQuotaOneMessage: files that do not fit in a quota are told in
// one line with their total, those already owned by another user are
// told apart, and the quota it suggests is enough for all of them.
func TestImportQuotaOneMessage(t *testing.T) {
	te := newTestEnv(t)
	ctx := context.Background()
	te.importSamples(t, "") // the first user owns the JPEG samples
	if err := runUserAdd(ctx, te.env, &userAddOptions{name: "mom", quota: "100kB"}); err != nil {
		t.Fatal(err)
	}
	o := &importOptions{paths: []string{"../../testdata/photos/jpeg", "../../testdata/photos/heic"}, jobs: 1, user: "mom"}
	te.stderr.Reset()
	err := runImport(ctx, te.env, o)
	var partial *PartialError
	if !errors.As(err, &partial) {
		t.Fatalf("import over the quota: %v; want a partial failure (exit 3)", err)
	}
	if strings.Contains(te.stderr.String(), "failed:") || strings.Contains(te.stderr.String(), "set-quota") {
		t.Errorf("stderr:\n%s\nwant no line per file that did not fit", te.stderr)
	}
	msg := err.Error()
	m := regexp.MustCompile(`(\d+) files \(([0-9.]+ [kMG]?B)\) did not fit in mom's quota of 100 kB \(([0-9.]+ k?B) used\); (\d) of them are already in the library, owned by another user, and would count in mom's quota too \(a photo counts in the quota of each of its owners\); "picup user set-quota mom ([0-9.]+[kMG]?B)" makes room for all of them, then run the same import again$`).FindStringSubmatch(msg)
	if m == nil || strings.Count(msg, "set-quota") != 1 {
		t.Fatalf("import over the quota: %q; want one sentence with the files, their bytes, the quota and one set-quota value", msg)
	}
	if m[4] != "5" {
		t.Errorf("%s of the files are told as already in the library; want the 5 JPEG samples", m[4])
	}
	if err := runUserSetQuota(ctx, te.env, &userSetQuotaOptions{name: "mom", quota: m[5]}); err != nil {
		t.Fatal(err)
	}
	te.stdout.Reset()
	if err := runImport(ctx, te.env, o); err != nil {
		t.Fatalf("import again with the quota it suggested (%s): %v\n%s", m[5], err, te.stderr)
	}

	// A quota lowered below what mom uses: user ls says she is over it.
	if err := runUserSetQuota(ctx, te.env, &userSetQuotaOptions{name: "mom", quota: "1kB"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(te.stderr.String(), `"mom" is over this quota by `) {
		t.Errorf("set-quota below the usage: stderr %q; want it to say she is over it", te.stderr)
	}
	te.stdout.Reset()
	if err := runUserLs(ctx, te.env, &userLsOptions{}); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^mom .* 1\.0 kB +over by [0-9.]+ [kM]B `).MatchString(te.stdout.String()) {
		t.Errorf("user ls:\n%s\nwant mom's FREE to say how far over her quota she is", te.stdout)
	}
}

func TestImportOutcome(t *testing.T) {
	tests := []struct {
		s    importer.Summary
		want string
	}{
		{importer.Summary{Failed: 1}, "1 file failed; nothing was imported"},
		{importer.Summary{Failed: 3}, "all 3 files failed; nothing was imported"},
		{importer.Summary{Failed: 2, DryRun: true}, "all 2 files failed; nothing would be imported (--dry-run: nothing was changed)"},
		{importer.Summary{Failed: 1, Imported: 1}, "1 of 2 files failed; of the others, 1 was imported"},
		{importer.Summary{Failed: 2, Imported: 3, Duplicates: 1, Unchanged: 4}, "2 of 10 files failed; of the others, 3 were imported, 1 already in the library, 4 unchanged since an earlier import"},
		{importer.Summary{Failed: 1, Imported: 2, DryRun: true}, "1 of 3 files failed; of the others, 2 would be imported (--dry-run: nothing was changed)"},
		{importer.Summary{Failed: 1, Unchanged: 5}, "1 of 6 files failed; of the others, 5 unchanged since an earlier import"},
	}
	for _, tt := range tests {
		if got := importOutcome(tt.s, nil); got != tt.want {
			t.Errorf("importOutcome(%+v) = %q; want %q", tt.s, got, tt.want)
		}
	}
}

func TestRoundUpSize(t *testing.T) {
	for _, tt := range []struct{ n, want int64 }{
		{1, 1}, {99, 99}, {100, 100}, {101, 110}, {3_180_123, 3_200_000}, {48_213_000, 49_000_000}, {49_000_000, 49_000_000},
	} {
		if got := roundUpSize(tt.n); got != tt.want {
			t.Errorf("roundUpSize(%d) = %d; want %d", tt.n, got, tt.want)
		}
	}
}

// TestListingsShowState: ls has a STATE column that shows a photo
// verify flagged, and every value of info starts in one column.
func TestListingsShowState(t *testing.T) {
	te := newTestEnv(t)
	ctx := context.Background()
	photos := te.importSamples(t, "")
	spoil(t, te.libraryFlag, "UPDATE photos SET state = 'corrupt' WHERE id = ?", photos[0].ID)
	if err := runLs(ctx, te.env, &lsOptions{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(te.stdout.String(), "\n"), "\n")
	col := strings.Index(lines[0], "STATE")
	if col < 0 || len(lines) != 6 {
		t.Fatalf("ls:\n%s\nwant a STATE column and 5 photos", te.stdout)
	}
	for i, l := range lines[1:] {
		want := "ok"
		if i == 0 {
			want = "corrupt"
		}
		if f := strings.Fields(l[col:]); len(f) == 0 || f[0] != want {
			t.Errorf("ls row %q: STATE is not %q", l, want)
		}
	}

	te.stdout.Reset()
	if err := runInfo(ctx, te.env, &infoOptions{ref: idString(photos[0])}); err != nil {
		t.Fatal(err)
	}
	value := -1
	for _, l := range strings.Split(strings.TrimSuffix(te.stdout.String(), "\n"), "\n") {
		key, _, _ := strings.Cut(l, ":")
		at := len(key) + 1 + len(l[len(key)+1:]) - len(strings.TrimLeft(l[len(key)+1:], " "))
		if value == -1 {
			value = at
		}
		if at != value {
			t.Errorf("info: the value of %q starts in column %d; want %d:\n%s", key, at, value, te.stdout)
		}
	}
	if !strings.Contains(te.stdout.String(), "original name:  ") || !strings.Contains(te.stdout.String(), "state:          corrupt") {
		t.Errorf("info:\n%s\nwant the original name and the state in line", te.stdout)
	}
}
