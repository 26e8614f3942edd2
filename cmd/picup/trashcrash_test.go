package main

import (
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/picup/picup/internal/importer"
)

// The trash crash tests SIGKILL "picup trash empty" and a quota-bound
// "picup import --user" at seeded random instants (PICUP_CRASH_SEED=N
// replays a run; PICUP_CRASH_RUNS=N kills N times in each scenario), then
// run the command again and check that the library is whole: nothing of a
// purged photo left behind, no deletion job left, usage equal to what is
// owned, no reservation left, verify clean.

func TestTrashCrash(t *testing.T) {
	seed := time.Now().UnixNano()
	if s := os.Getenv("PICUP_CRASH_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseInt(s, 10, 64); err != nil {
			t.Fatalf("PICUP_CRASH_SEED=%q: %v", s, err)
		}
	}
	t.Logf("seed %d (replay with PICUP_CRASH_SEED=%d)", seed, seed)
	r := &crashRig{bin: picupBinary(t), seed: seed, rng: rand.New(rand.NewPCG(uint64(seed), 0x7ea5))}

	runs := 8
	if testing.Short() {
		runs = 3
	}
	if s := os.Getenv("PICUP_CRASH_RUNS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("PICUP_CRASH_RUNS=%q: want a positive count", s)
		}
		runs = n
	}
	contents := qtContents(t, 1000, 40)
	t.Run("trash-empty", func(t *testing.T) { tcTrashEmpty(t, r, contents, runs) })
	t.Run("import-quota", func(t *testing.T) { tcImportQuota(t, r, contents, runs) })
}

// tcInput writes every content once under in, with an XMP sidecar beside
// every fifth when sidecars is true.
func tcInput(t *testing.T, contents []qtContent, sidecars bool) (string, map[string]string) {
	t.Helper()
	in := filepath.Join(t.TempDir(), "in")
	inputs := map[string]string{}
	for i, c := range contents {
		rel := filepath.Join(fmt.Sprintf("roll%d", i%3), fmt.Sprintf("IMG_%04d.jpg", i))
		qtWrite(t, inputs, in, rel, c)
		if sidecars && i%5 == 0 {
			xmp := filepath.Join(in, strings.TrimSuffix(rel, ".jpg")+".xmp")
			body := fmt.Sprintf("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><!-- sidecar %d --></x:xmpmeta>\n", i)
			if err := os.WriteFile(xmp, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return in, inputs
}

// tcFiles lists the regular files under lib/sub, relative to lib.
func tcFiles(lib, sub string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(filepath.Join(lib, sub), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(lib, p)
		out = append(out, filepath.ToSlash(rel))
		return err
	})
	return out, err
}

func tcTrashEmpty(t *testing.T, r *crashRig, contents []qtContent, runs int) {
	// A library whose every photo is in the trash, copied for each run.
	in, _ := tcInput(t, contents, true)
	tmpl := filepath.Join(t.TempDir(), "template")
	res := r.run(t, "--library", tmpl, "import", "--json", in)
	if p := crashExpectExit(res, 0); p != nil {
		t.Fatal(p[0])
	}
	photos, _ := qtJSON[[]qtPhoto](t, r.bin, []int{0}, "--library", tmpl, "ls", "--json")
	if len(photos) != len(contents) {
		t.Fatalf("template library holds %d photos, want %d", len(photos), len(contents))
	}
	args := []string{"--library", tmpl, "rm"}
	for _, p := range photos {
		args = append(args, strconv.FormatInt(p.ID, 10))
	}
	qtRun(t, r.bin, []int{0}, args...)
	trashed, _ := qtJSON[[]qtPhoto](t, r.bin, []int{0}, "--library", tmpl, "trash", "ls", "--json")
	if len(trashed) != len(photos) {
		t.Fatalf("trash holds %d photos after rm of %d", len(trashed), len(photos))
	}
	var before []string
	for _, sub := range []string{"originals", "thumbs"} {
		files, err := tcFiles(tmpl, sub)
		if err != nil {
			t.Fatal(err)
		}
		before = append(before, files...)
	}
	// 40 originals, 8 sidecars, 2 thumbnails each.
	if want := len(photos)*3 + len(photos)/5; len(before) != want {
		t.Fatalf("template library has %d files under originals/ and thumbs/, want %d:\n%s", len(before), want, crashDump(tmpl))
	}
	fresh := func(t *testing.T) string {
		lib := filepath.Join(t.TempDir(), "lib")
		if err := crashCopyTree(tmpl, lib, nil); err != nil {
			t.Fatal(err)
		}
		return lib
	}

	// An uninterrupted purge, to time it; it must pass the checks too.
	lib := fresh(t)
	full := r.run(t, "--library", lib, "trash", "empty", "--yes")
	tcReport(t, r, -1, lib, []crashRun{full}, append(crashExpectExit(full, 0), tcCheckPurged(t, r, lib, before)...))
	t.Logf("uninterrupted trash empty of %d photos (%d files): %v", len(photos), len(before), full.took.Round(time.Millisecond))

	for i := range runs {
		lib := fresh(t)
		args := []string{"--library", lib, "trash", "empty", "--yes"}
		history := []crashRun{r.start(t, r.spread(full.took, i, runs), args...)}
		if r.rng.IntN(3) == 0 {
			history = append(history, r.start(t, r.within(full.took), args...))
		}
		final := r.run(t, args...)
		history = append(history, final)
		problems := crashExpectExit(final, 0)
		problems = append(problems, tcCheckPurged(t, r, lib, before)...)
		tcReport(t, r, i, lib, history, problems)
	}
}

// tcCheckPurged checks a library whose whole trash was purged.
func tcCheckPurged(t *testing.T, r *crashRig, lib string, before []string) []string {
	t.Helper()
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if tr, _ := qtJSON[[]qtPhoto](t, r.bin, []int{0}, "--library", lib, "trash", "ls", "--json"); len(tr) > 0 {
		add("trash ls lists %d photos after trash empty", len(tr))
	}
	if ps, _ := qtJSON[[]qtPhoto](t, r.bin, []int{0}, "--library", lib, "ls", "--json"); len(ps) > 0 {
		add("ls lists %d photos; all were trashed and purged", len(ps))
	}
	jobs, res := qtJSON[[]qtJob](t, r.bin, []int{0}, "--library", lib, "jobs", "ls", "--json")
	if len(jobs) > 0 {
		add("%d deletion jobs still queued after trash empty ran to its end:\n%s", len(jobs), crashClip(res.stdout))
	}
	for _, rel := range before {
		if _, err := os.Lstat(filepath.Join(lib, filepath.FromSlash(rel))); err == nil {
			add("%s, a file of a purged photo, is still there", rel)
		} else if !os.IsNotExist(err) {
			add("%s: %v", rel, err)
		}
	}
	for _, sub := range []string{"originals", "thumbs"} {
		files, err := tcFiles(lib, sub)
		if err != nil {
			add("%v", err)
		}
		for _, f := range files {
			if !slices.Contains(before, f) {
				add("%s appeared, the library had no such file", f)
			}
		}
	}
	problems = append(problems, tcCheckUsage(t, r, lib, nil)...)
	return append(problems, tcCheckVerify(t, r, lib)...)
}

// tcCheckUsage checks that every user's usage is the sum of the bytes of
// what ls --user lists for them (nothing is in the trash when this runs)
// and that nothing is reserved; it returns kid's photos in owned when
// owned is not nil.
func tcCheckUsage(t *testing.T, r *crashRig, lib string, owned map[string][]qtPhoto) []string {
	t.Helper()
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	users, _ := qtJSON[[]qtUser](t, r.bin, []int{0}, "--library", lib, "user", "ls", "--json")
	for _, u := range users {
		ps, _ := qtJSON[[]qtPhoto](t, r.bin, []int{0}, "--library", lib, "ls", "--json", "--user", u.Name)
		var sum int64
		for _, p := range ps {
			sum += p.Bytes
		}
		if u.UsedBytes != sum || u.TrashedBytes != 0 {
			add("user %q: used_bytes %d (trashed %d), owns %d photos of %d bytes", u.Name, u.UsedBytes, u.TrashedBytes, len(ps), sum)
		}
		if u.ReservedBytes != 0 {
			add("user %q: reserved_bytes %d with no command running", u.Name, u.ReservedBytes)
		}
		if u.QuotaBytes != nil && u.UsedBytes > *u.QuotaBytes {
			add("user %q: used_bytes %d exceeds the quota %d", u.Name, u.UsedBytes, *u.QuotaBytes)
		}
		if owned != nil {
			owned[u.Name] = ps
		}
	}
	return problems
}

func tcCheckVerify(t *testing.T, r *crashRig, lib string) []string {
	t.Helper()
	var problems []string
	v, res := qtJSON[qtVerify](t, r.bin, []int{0, 1}, "--library", lib, "verify", "--json")
	if !v.OK || res.code != 0 || len(v.Problems) > 0 {
		problems = append(problems, fmt.Sprintf("verify: ok=%v, exit %d:\n%s", v.OK, res.code, crashClip(res.stdout)))
	}
	entries, err := os.ReadDir(filepath.Join(lib, "tmp"))
	if err != nil {
		problems = append(problems, fmt.Sprintf("read tmp/: %v", err))
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "run-") {
			problems = append(problems, fmt.Sprintf("tmp/%s left after every command ended", e.Name()))
		}
	}
	return problems
}

func tcImportQuota(t *testing.T, r *crashRig, contents []qtContent, runs int) {
	in, inputs := tcInput(t, contents, false)
	var total int64
	for _, c := range contents {
		total += int64(len(c.data))
	}
	quota := total / 2
	newLib := func(t *testing.T) string {
		lib := filepath.Join(t.TempDir(), "lib")
		qtRun(t, r.bin, []int{0}, "--library", lib, "user", "add", "kid", "--quota", strconv.FormatInt(quota, 10)+"B")
		return lib
	}
	args := func(lib string) []string {
		return []string{"--library", lib, "import", "--json", "--user", "kid", "--jobs", "4", in}
	}

	// An uninterrupted import, to time it; it must pass the checks too.
	lib := newLib(t)
	full := r.run(t, args(lib)...)
	tcReport(t, r, -1, lib, []crashRun{full}, tcCheckQuotaImport(t, r, lib, full, inputs, quota))
	t.Logf("uninterrupted import of %d photos (%d bytes) for a quota of %d bytes: %v", len(contents), total, quota, full.took.Round(time.Millisecond))

	for i := range runs {
		lib := newLib(t)
		history := []crashRun{r.start(t, r.spread(full.took, i, runs), args(lib)...)}
		if r.rng.IntN(3) == 0 {
			history = append(history, r.start(t, r.within(full.took), args(lib)...))
		}
		final := r.run(t, args(lib)...)
		history = append(history, final)
		tcReport(t, r, i, lib, history, tcCheckQuotaImport(t, r, lib, final, inputs, quota))
	}
}

// tcCheckQuotaImport checks the library after an import for kid ran to
// its end: it refused only for the quota, and kid owns exactly the
// content it accepted.
func tcCheckQuotaImport(t *testing.T, r *crashRig, lib string, final crashRun, inputs map[string]string, quota int64) []string {
	t.Helper()
	problems := crashExpectExit(final, 0, 3)
	if len(problems) > 0 {
		return problems
	}
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	s, err := crashDecode[importer.Summary](final.stdout)
	if err != nil {
		return []string{fmt.Sprintf("final import: %v", err)}
	}
	if n := s.Imported + s.Duplicates + s.Unchanged + s.Failed; n != len(inputs) || s.Skipped != 0 {
		add("final import: imported %d + duplicates %d + unchanged %d + failed %d = %d, skipped %d; want %d inputs",
			s.Imported, s.Duplicates, s.Unchanged, s.Failed, n, s.Skipped, len(inputs))
	}
	if s.Failed == 0 {
		add("final import refused nothing, though the input exceeds the quota")
	}
	accepted := map[string]bool{}
	failed := map[string]bool{}
	for _, f := range s.Failures {
		failed[f.Path] = true
		if !qtQuotaFailure(f, "kid", nil) {
			add("final import: %s failed with something else than the quota: %s", f.Path, f.Error)
		}
	}
	for p, sum := range inputs {
		if !failed[p] {
			accepted[sum] = true
		}
	}

	owned := map[string][]qtPhoto{}
	problems = append(problems, tcCheckUsage(t, r, lib, owned)...)
	kid := map[string]bool{}
	for _, p := range owned["kid"] {
		kid[p.SHA256] = true
	}
	for sha := range accepted {
		if !kid[sha] {
			add("the final import accepted content %.12s, but kid does not own it", sha)
		}
	}
	for sha := range kid {
		if !accepted[sha] {
			add("kid owns content %.12s, which the final import refused", sha)
		}
	}
	all, _ := qtJSON[[]qtPhoto](t, r.bin, []int{0}, "--library", lib, "ls", "--json")
	known := map[string]bool{}
	shas := map[string]bool{}
	for _, p := range all {
		known[p.Path] = true
		if shas[p.SHA256] {
			add("content %.12s stored twice", p.SHA256)
		}
		shas[p.SHA256] = true
		if len(p.Owners) != 1 || p.Owners[0] != "kid" {
			add("photo %d %s: owners %v, want kid alone", p.ID, p.Path, p.Owners)
		}
	}
	if len(all) != len(kid) {
		add("library holds %d photos, kid owns %d", len(all), len(kid))
	}
	// No orphan: every file under originals/ is a photo's, every
	// thumbnail is of stored content.
	files, err := tcFiles(lib, "originals")
	if err != nil {
		add("%v", err)
	}
	for _, f := range files {
		if !known[f] {
			add("%s is in originals/ but no photo's", f)
		}
	}
	thumbs, err := tcFiles(lib, "thumbs")
	if err != nil {
		add("%v", err)
	}
	for _, f := range thumbs {
		sha, _, _ := strings.Cut(filepath.Base(f), "-")
		if !shas[sha] {
			add("%s is the thumbnail of no stored content", f)
		}
	}
	if len(thumbs) != 2*len(all) {
		add("%d thumbnails for %d photos", len(thumbs), len(all))
	}
	return append(problems, tcCheckVerify(t, r, lib)...)
}

// tcReport fails the test (without stopping it) with the replayable history
// and the library's state when there are problems.
func tcReport(t *testing.T, r *crashRig, i int, lib string, history []crashRun, problems []string) {
	t.Helper()
	var hist strings.Builder
	for _, h := range history {
		fmt.Fprintf(&hist, "\n  %s", h)
	}
	if len(problems) == 0 {
		t.Logf("run %d:%s", i, hist.String())
		return
	}
	state := "(see the first failure)"
	if !t.Failed() {
		ctx, cancel := context.WithTimeout(context.Background(), qtProcTimeout)
		defer cancel()
		res, err := qtStart(ctx, t, r.bin, "--library", lib, "jobs", "ls", "--json")()
		state = fmt.Sprintf("jobs ls --json (%v):\n%s\nfiles:\n%s", err, crashClip(res.stdout), crashDump(lib))
	}
	n := len(problems)
	if n > 12 {
		problems = append(problems[:12:12], fmt.Sprintf("… and %d more", n-12))
	}
	t.Errorf("run %d (replay with PICUP_CRASH_SEED=%d):%s\n%d problems:\n  %s\nlibrary state:\n%s",
		i, r.seed, hist.String(), n, strings.Join(problems, "\n  "), state)
}
