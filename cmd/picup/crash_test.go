package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The crash tests run the real binary and SIGKILL it at random instants
// (seeded: PICUP_CRASH_SEED=N replays a run; PICUP_CRASH_RUNS=N kills N
// times in each scenario for a longer soak), then check that the next run
// leaves a library that is whole: every importable input stored exactly
// once, every file known to the catalog, thumbnails in place, no scratch
// directory left, and with --move no source lost.

// crashProcTimeout bounds every process the tests start.
const crashProcTimeout = 3 * time.Minute

func TestCrash(t *testing.T) {
	needGo(t)
	seed := time.Now().UnixNano()
	if s := os.Getenv("PICUP_CRASH_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseInt(s, 10, 64); err != nil {
			t.Fatalf("PICUP_CRASH_SEED=%q: %v", s, err)
		}
	}
	t.Logf("seed %d (replay with PICUP_CRASH_SEED=%d)", seed, seed)

	r := &crashRig{
		bin:  filepath.Join(t.TempDir(), "picup"),
		seed: seed,
		rng:  rand.New(rand.NewPCG(uint64(seed), 0x9c0ffee)),
	}
	ctx, cancel := context.WithTimeout(context.Background(), crashProcTimeout)
	build := exec.CommandContext(ctx, "go", "build", "-o", r.bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := build.CombinedOutput()
	cancel()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	input := crashInput(t)
	ref := r.reference(t, input)
	t.Logf("reference import: %v, %d photos, %d files in originals/, %d inputs failed",
		ref.duration.Round(time.Millisecond), len(ref.states), len(ref.files), len(ref.failures))

	imports, moves, repairs := 5, 2, 3
	if testing.Short() {
		imports, moves, repairs = 2, 1, 1
	}
	if s := os.Getenv("PICUP_CRASH_RUNS"); s != "" { // a longer soak
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("PICUP_CRASH_RUNS=%q: want a positive count", s)
		}
		imports, moves, repairs = n, n, n
	}
	t.Run("import", func(t *testing.T) { r.crashImports(t, ref, input, imports) })
	t.Run("verify-repair", func(t *testing.T) { r.crashRepairs(t, ref, repairs) })
	t.Run("import-move", func(t *testing.T) { r.crashMoves(t, ref, input, moves) })
}

// crashInput builds the import input: a copy of the repo's sample photos,
// with an XMP sidecar beside one JPEG, plus a few small files of the
// shared corpus when it is there.
func crashInput(t *testing.T) string {
	t.Helper()
	in := filepath.Join(t.TempDir(), "in")
	if err := crashCopyTree(filepath.Join("..", "..", "testdata", "photos"), filepath.Join(in, "repo"), nil); err != nil {
		t.Fatalf("copy testdata: %v", err)
	}
	jpegs, _ := filepath.Glob(filepath.Join(in, "repo", "orientation", "*", "*.jpg"))
	if len(jpegs) == 0 {
		t.Fatal("no JPEG under testdata/photos/orientation to put a sidecar beside")
	}
	slices.Sort(jpegs)
	xmp := strings.TrimSuffix(jpegs[0], filepath.Ext(jpegs[0])) + ".xmp"
	if err := os.WriteFile(xmp, []byte(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><!-- picup crash test sidecar --></x:xmpmeta>`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A sidecar beside a duplicate: it must be kept beside the stored copy.
	dupXMP := filepath.Join(in, "repo", "jpeg", "drewnoakes", "Kodak CLAS Digital Film Scanner HR200 (2).xmp")
	if err := os.WriteFile(dupXMP, []byte(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><!-- sidecar of a duplicate --></x:xmpmeta>`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	shared := filepath.Join("..", "..", "..", "shared", "testdata", "photos")
	if _, err := os.Stat(shared); err != nil {
		t.Logf("shared corpus %s absent (%v): crashing on the repo's sample photos only", shared, err)
		return in
	}
	// Small files only, so that a run stays short: broken ones (they must
	// fail cleanly whatever the crash) and plain JPEGs.
	picked := map[string]bool{}
	for _, sub := range []struct {
		dir      string
		maxBytes int64
		n        int
	}{{"broken", 100 << 10, 10}, {"jpeg", 60 << 10, 10}} {
		var files []string
		_ = filepath.WalkDir(filepath.Join(shared, sub.dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.EqualFold(filepath.Ext(p), ".heic") {
				return err
			}
			if fi, err := d.Info(); err == nil && fi.Size() <= sub.maxBytes {
				files = append(files, p)
			}
			return nil
		})
		slices.Sort(files)
		for _, f := range files[:min(sub.n, len(files))] {
			picked[f] = true
		}
	}
	err := crashCopyTree(shared, filepath.Join(in, "shared"), func(p string) bool { return picked[p] })
	if err != nil {
		t.Fatalf("copy shared corpus subset: %v", err)
	}
	t.Logf("with %d small files of the shared corpus", len(picked))
	return in
}

// crashRig runs the binary under test.
type crashRig struct {
	bin  string
	seed int64
	rng  *rand.Rand
}

type crashRun struct {
	args   []string
	code   int // -1 when killed
	killed bool
	took   time.Duration
	stdout []byte
	stderr []byte
}

func (c crashRun) String() string {
	state := fmt.Sprintf("exit %d", c.code)
	if c.killed {
		state = "SIGKILLed"
	}
	return fmt.Sprintf("picup %s: %s after %v", strings.Join(c.args, " "), state, c.took.Round(time.Millisecond))
}

// crashKill SIGKILLs a started picup whose Wait result arrives on done,
// and returns whether the kill ended it and that result. The timer can
// fire just as picup ends on its own: then it ended first, and Kill says
// os.ErrProcessDone.
func crashKill(t *testing.T, cmd *exec.Cmd, done <-chan error) (killed bool, waitErr error) {
	t.Helper()
	if kerr := cmd.Process.Kill(); kerr != nil && !errors.Is(kerr, os.ErrProcessDone) {
		t.Fatalf("kill picup: %v", kerr)
	}
	waitErr = <-done
	return cmd.ProcessState != nil && !cmd.ProcessState.Exited(), waitErr
}

// A kill that comes after picup has ended is no failure: the run ended
// by itself. (The crash tests failed now and then when their timer fired
// as picup exited.)
func TestCrashKillAfterTheEnd(t *testing.T) {
	cmd := exec.Command(picupBinary(t), "version")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	done <- cmd.Wait() // picup has ended, and been waited for
	killed, err := crashKill(t, cmd, done)
	if err != nil || killed {
		t.Fatalf("crashKill after the end = %v, killed %v; want the run's own nil result, not killed", err, killed)
	}
}

// start runs picup and, when killAfter > 0, SIGKILLs it after that long
// unless it ended first.
func (r *crashRig) start(t *testing.T, killAfter time.Duration, args ...string) crashRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), crashProcTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	begin := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start picup: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var kill <-chan time.Time
	if killAfter > 0 {
		timer := time.NewTimer(killAfter)
		defer timer.Stop()
		kill = timer.C
	}
	res := crashRun{args: args}
	var err error
	select {
	case err = <-done:
	case <-kill:
		res.killed, err = crashKill(t, cmd, done)
	}
	res.took = time.Since(begin)
	res.stdout, res.stderr = stdout.Bytes(), stderr.Bytes()
	res.code = cmd.ProcessState.ExitCode()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("%s: %v", res, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("%s: timed out after %v\nstderr:\n%s", res, crashProcTimeout, res.stderr)
	}
	return res
}

func (r *crashRig) run(t *testing.T, args ...string) crashRun {
	t.Helper()
	return r.start(t, 0, args...)
}

// crashSummary is the part of "import --json" the tests read.
type crashSummary struct {
	Imported   int `json:"imported"`
	Duplicates int `json:"duplicates"`
	Unchanged  int `json:"unchanged"`
	Failed     int `json:"failed"`
	Moved      int `json:"moved"`
	Failures   []struct {
		Path string `json:"path"`
	} `json:"failures"`
}

// crashPhoto is the part of "ls --json" the tests read.
type crashPhoto struct {
	ID          int64             `json:"id"`
	SHA256      string            `json:"sha256"`
	Path        string            `json:"path"`
	Format      string            `json:"format"`
	Thumbs      map[string]string `json:"thumbs"`
	ThumbsState string            `json:"thumbs_state"`
	State       string            `json:"state"`
}

// crashReference is what an uninterrupted import of the input produced.
type crashReference struct {
	lib      string
	input    string
	duration time.Duration
	states   map[string]string // photo sha256 -> thumbs_state
	files    map[string]bool   // sha256 of every file under originals/
	failures map[string]bool   // failed inputs, relative to the input
	photos   []crashPhoto
}

func (r *crashRig) reference(t *testing.T, input string) *crashReference {
	t.Helper()
	ref := &crashReference{lib: filepath.Join(t.TempDir(), "ref"), input: input}
	res := r.run(t, "--library", ref.lib, "import", "--json", input)
	if res.code != 0 && res.code != 3 {
		t.Fatalf("%s; want exit 0 or 3\nstderr:\n%s", res, res.stderr)
	}
	ref.duration = res.took
	s, err := crashDecode[crashSummary](res.stdout)
	if err != nil {
		t.Fatalf("reference import: %v", err)
	}
	if s.Imported == 0 {
		t.Fatalf("reference import imported nothing:\n%s", res.stdout)
	}
	ref.failures = crashFailures(s, input)
	lsRes := r.run(t, "--library", ref.lib, "ls", "--json")
	ref.photos, err = crashDecode[[]crashPhoto](lsRes.stdout)
	if err != nil || lsRes.code != 0 {
		t.Fatalf("%s: %v\n%s", lsRes, err, lsRes.stderr)
	}
	ref.states = map[string]string{}
	for _, p := range ref.photos {
		ref.states[p.SHA256] = p.ThumbsState
	}
	if ref.files, err = crashHashTree(filepath.Join(ref.lib, "originals")); err != nil {
		t.Fatal(err)
	}
	// The reference itself must pass the checks every crashed library is
	// held to, or they prove nothing.
	if _, problems := r.check(t, ref.lib, ref); len(problems) > 0 {
		t.Fatalf("reference library: %s\n%s", strings.Join(problems, "\n"), crashDump(ref.lib))
	}
	return ref
}

// crashImports kills imports into a fresh library, then imports again to
// completion and checks the result.
func (r *crashRig) crashImports(t *testing.T, ref *crashReference, input string, runs int) {
	for i := range runs {
		lib := filepath.Join(t.TempDir(), "lib")
		var history []crashRun
		history = append(history, r.start(t, r.spread(ref.duration, i, runs), "--library", lib, "import", "--json", input))
		if r.rng.IntN(3) == 0 {
			history = append(history, r.start(t, r.within(ref.duration/2), "--library", lib, "import", "--json", input))
		}
		final := r.run(t, "--library", lib, "import", "--json", input)
		history = append(history, final)
		problems := r.checkFinalImport(final, ref, input)
		_, more := r.check(t, lib, ref)
		r.report(t, i, lib, history, append(problems, more...))
	}
}

// crashMoves does the same with --move, on a fresh copy of the input each
// time, and checks that no source was lost.
func (r *crashRig) crashMoves(t *testing.T, ref *crashReference, input string, runs int) {
	pristine, err := crashHashFiles(input)
	if err != nil {
		t.Fatal(err)
	}
	for i := range runs {
		dir := t.TempDir()
		src, lib := filepath.Join(dir, "in"), filepath.Join(dir, "lib")
		if err := crashCopyTree(input, src, nil); err != nil {
			t.Fatal(err)
		}
		args := []string{"--library", lib, "import", "--json", "--move", src}
		var history []crashRun
		history = append(history, r.start(t, r.spread(ref.duration, i, runs), args...))
		if r.rng.IntN(3) == 0 {
			history = append(history, r.start(t, r.within(ref.duration/2), args...))
		}
		final := r.run(t, args...)
		history = append(history, final)
		problems := r.checkFinalImport(final, ref, src)
		stored, more := r.check(t, lib, ref)
		problems = append(problems, more...)
		for rel, sum := range pristine {
			p := filepath.Join(src, rel)
			got, err := crashHashFile(p)
			switch {
			case errors.Is(err, fs.ErrNotExist):
				if !stored[sum] {
					problems = append(problems, fmt.Sprintf("source %s LOST: removed, and its content %.12s is not in the library", rel, sum))
				}
			case err != nil:
				problems = append(problems, fmt.Sprintf("source %s: %v", rel, err))
			case got != sum:
				problems = append(problems, fmt.Sprintf("source %s was modified: hash %.12s, was %.12s", rel, got, sum))
			case stored[sum] && !crashIsSidecar(rel):
				problems = append(problems, fmt.Sprintf("source %s still present after a completed --move, though its content is in the library", rel))
			}
		}
		r.report(t, i, lib, history, problems)
	}
}

// crashRepairs deletes thumbnails from a copy of the reference library and
// kills "verify --repair" while it regenerates them.
func (r *crashRig) crashRepairs(t *testing.T, ref *crashReference, runs int) {
	var victims []crashPhoto
	for _, p := range ref.photos {
		if p.Format == "jpeg" && p.ThumbsState == "ok" {
			victims = append(victims, p)
		}
	}
	if len(victims) == 0 {
		t.Fatal("the reference library has no JPEG with real thumbnails to delete")
	}
	r.rng.Shuffle(len(victims), func(i, j int) { victims[i], victims[j] = victims[j], victims[i] })
	victims = victims[:min(4, len(victims))]
	damaged := func(t *testing.T) string {
		lib := filepath.Join(t.TempDir(), "lib")
		if err := crashCopyTree(ref.lib, lib, nil); err != nil {
			t.Fatal(err)
		}
		for _, p := range victims {
			for _, rel := range p.Thumbs {
				if err := os.Remove(filepath.Join(lib, filepath.FromSlash(rel))); err != nil {
					t.Fatal(err)
				}
			}
		}
		return lib
	}
	// An uninterrupted repair, to time it and to see that it does repair.
	lib := damaged(t)
	full := r.run(t, "--library", lib, "verify", "--json", "--repair")
	r.report(t, -1, lib, []crashRun{full}, crashExpectExit(full, 0))
	t.Logf("uninterrupted verify --repair of %d photos' thumbnails: %v", len(victims), full.took.Round(time.Millisecond))

	for i := range runs {
		lib := damaged(t)
		args := []string{"--library", lib, "verify", "--json", "--repair"}
		history := []crashRun{r.start(t, r.spread(full.took, i, runs), args...)}
		if r.rng.IntN(3) == 0 {
			history = append(history, r.start(t, r.within(full.took/2), args...))
		}
		final := r.run(t, args...)
		history = append(history, final)
		problems := crashExpectExit(final, 0)
		_, more := r.check(t, lib, ref)
		r.report(t, i, lib, history, append(problems, more...))
	}
}

// spread picks the i-th of n kill instants: random, one in each n-th of d.
func (r *crashRig) spread(d time.Duration, i, n int) time.Duration {
	return time.Duration((float64(i) + r.rng.Float64()) / float64(n) * float64(d))
}

func (r *crashRig) within(d time.Duration) time.Duration {
	return time.Duration(r.rng.Float64()*float64(d)) + time.Millisecond
}

func crashExpectExit(res crashRun, codes ...int) []string {
	if res.killed || !slices.Contains(codes, res.code) {
		return []string{fmt.Sprintf("%s; want exit %v\nstdout:\n%s\nstderr:\n%s", res, codes, res.stdout, res.stderr)}
	}
	return nil
}

// checkFinalImport checks the import that ran to completion: it ends as the
// reference did, and the same inputs fail.
func (r *crashRig) checkFinalImport(final crashRun, ref *crashReference, input string) []string {
	problems := crashExpectExit(final, 0, 3)
	if len(problems) > 0 {
		return problems
	}
	s, err := crashDecode[crashSummary](final.stdout)
	if err != nil {
		return []string{fmt.Sprintf("final import: %v", err)}
	}
	got := crashFailures(s, input)
	for p := range got {
		if !ref.failures[p] {
			problems = append(problems, fmt.Sprintf("final import failed %s, which the uninterrupted import took: %s", p, final.stdout))
		}
	}
	for p := range ref.failures {
		if !got[p] {
			problems = append(problems, fmt.Sprintf("final import did not fail %s, which the uninterrupted import failed", p))
		}
	}
	return problems
}

// check holds a library to the invariants and returns the sha256 of every
// file under its originals/ with the problems found.
func (r *crashRig) check(t *testing.T, lib string, ref *crashReference) (map[string]bool, []string) {
	t.Helper()
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	v := r.run(t, "--library", lib, "verify", "--json")
	rep, err := crashDecode[struct {
		OK       bool              `json:"ok"`
		Problems []json.RawMessage `json:"problems"`
	}](v.stdout)
	switch {
	case err != nil:
		add("verify --json: %v; stderr:\n%s", err, v.stderr)
	case v.code != 0 || !rep.OK || len(rep.Problems) > 0:
		add("%s, ok=%v, %d problems:\n%s", v, rep.OK, len(rep.Problems), v.stdout)
	}

	ls := r.run(t, "--library", lib, "ls", "--json")
	photos, err := crashDecode[[]crashPhoto](ls.stdout)
	if err != nil || ls.code != 0 {
		add("%s: %v; stderr:\n%s", ls, err, ls.stderr)
	}
	byPath := map[string]crashPhoto{}
	seen := map[string]int64{}
	for _, p := range photos {
		if id, dup := seen[p.SHA256]; dup {
			add("photos %d and %d have the same content %.12s", id, p.ID, p.SHA256)
		}
		seen[p.SHA256] = p.ID
		byPath[p.Path] = p
		if want, ok := ref.states[p.SHA256]; !ok {
			add("photo %d %s (%.12s) is not in the uninterrupted import", p.ID, p.Path, p.SHA256)
		} else if p.ThumbsState != want {
			add("photo %d %s: thumbs_state %q, the uninterrupted import has %q", p.ID, p.Path, p.ThumbsState, want)
		}
		if p.State != "ok" {
			add("photo %d %s: state %q", p.ID, p.Path, p.State)
		}
		if sum, err := crashHashFile(filepath.Join(lib, filepath.FromSlash(p.Path))); err != nil {
			add("photo %d: original: %v", p.ID, err)
		} else if sum != p.SHA256 {
			add("photo %d: original %s hashes to %.12s, catalog says %.12s", p.ID, p.Path, sum, p.SHA256)
		}
		if len(p.Thumbs) == 0 {
			add("photo %d %s lists no thumbnails", p.ID, p.Path)
		}
		for size, rel := range p.Thumbs {
			if fi, err := os.Stat(filepath.Join(lib, filepath.FromSlash(rel))); err != nil || fi.Size() == 0 {
				add("photo %d: %s thumbnail %s: missing or empty (%v)", p.ID, size, rel, err)
			}
		}
	}
	for sum := range ref.states {
		if _, ok := seen[sum]; !ok {
			add("content %.12s of the uninterrupted import is missing from the catalog", sum)
		}
	}

	// Every file in originals/ is a photo's original or one of its sidecars.
	stored, err := crashHashTree(filepath.Join(lib, "originals"))
	if err != nil {
		add("%v", err)
	}
	sidecars := map[string]bool{}
	asked := map[int64]bool{}
	_ = filepath.WalkDir(filepath.Join(lib, "originals"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(lib, p)
		rel = filepath.ToSlash(rel)
		if _, ok := byPath[rel]; ok || sidecars[rel] {
			return nil
		}
		// Ask the catalog about the photos beside it for their sidecars.
		for _, ph := range photos {
			if filepath.Dir(ph.Path) != filepath.Dir(rel) || asked[ph.ID] {
				continue
			}
			asked[ph.ID] = true
			info := r.run(t, "--library", lib, "info", "--json", strconv.FormatInt(ph.ID, 10))
			in, err := crashDecode[struct {
				Sidecars []struct{ Path string }
			}](info.stdout)
			if err != nil {
				add("%s: %v", info, err)
				continue
			}
			for _, sc := range in.Sidecars {
				sidecars[sc.Path] = true
			}
		}
		if !sidecars[rel] {
			add("%s is in originals/ but the catalog does not know it", rel)
		}
		return nil
	})
	for sum := range ref.files {
		if !stored[sum] {
			add("content %.12s, in the uninterrupted import's originals/, is not in originals/", sum)
		}
	}
	for sum := range stored {
		if !ref.files[sum] {
			add("originals/ holds content %.12s that the uninterrupted import did not store", sum)
		}
	}

	entries, err := os.ReadDir(filepath.Join(lib, "tmp"))
	if err != nil {
		add("read tmp/: %v", err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "run-") {
			add("tmp/%s left after the command exited", e.Name())
		}
	}
	return stored, problems
}

// report fails the test with the seed-replayable history and the library's
// state when there are problems.
func (r *crashRig) report(t *testing.T, i int, lib string, history []crashRun, problems []string) {
	t.Helper()
	var hist strings.Builder
	for _, h := range history {
		fmt.Fprintf(&hist, "\n  %s", h)
	}
	if len(problems) == 0 {
		t.Logf("run %d:%s", i, hist.String())
		return
	}
	t.Fatalf("run %d (replay with PICUP_CRASH_SEED=%d):%s\n%d problems:\n  %s\nlibrary state:\n%s",
		i, r.seed, hist.String(), len(problems), strings.Join(problems, "\n  "), crashDump(lib))
}

// crashDump lists the library's files and the content of any intent left
// in tmp/.
func crashDump(lib string) string {
	var b strings.Builder
	_ = filepath.WalkDir(lib, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			fmt.Fprintf(&b, "  %s: %v\n", p, err)
			return nil
		}
		rel, _ := filepath.Rel(lib, p)
		if d.IsDir() {
			return nil
		}
		fi, _ := d.Info()
		var size int64
		if fi != nil {
			size = fi.Size()
		}
		fmt.Fprintf(&b, "  %s (%d bytes)\n", rel, size)
		if strings.HasPrefix(d.Name(), "intent-") {
			data, _ := os.ReadFile(p)
			fmt.Fprintf(&b, "    %s\n", data)
		}
		return nil
	})
	return b.String()
}

func crashDecode[T any](data []byte) (T, error) {
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		return v, fmt.Errorf("decode %q: %w", crashClip(data), err)
	}
	return v, nil
}

func crashClip(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}

// crashFailures is the set of failed inputs, relative to the input root.
func crashFailures(s crashSummary, input string) map[string]bool {
	out := map[string]bool{}
	for _, f := range s.Failures {
		rel, err := filepath.Rel(input, f.Path)
		if err != nil {
			rel = f.Path
		}
		out[filepath.ToSlash(rel)] = true
	}
	return out
}

func crashIsSidecar(p string) bool {
	ext := strings.ToLower(filepath.Ext(p))
	return ext == ".xmp" || ext == ".aae"
}

func crashHashFile(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", p, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// crashHashFiles maps every file under root (by slash path relative to
// root) to its sha256.
func crashHashFiles(root string) (map[string]string, error) {
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		sum, err := crashHashFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = sum
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("hash %s: %w", root, err)
	}
	return out, nil
}

// crashHashTree is the set of the sha256 of every file under root.
func crashHashTree(root string) (map[string]bool, error) {
	files, err := crashHashFiles(root)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, sum := range files {
		out[sum] = true
	}
	return out, nil
}

// crashCopyTree copies the regular files under src for which keep (nil:
// all) says yes into dst, keeping modification times, which picup reads as
// a capture time of last resort.
func crashCopyTree(src, dst string, keep func(path string) bool) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() || keep != nil && !keep(p) {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(to, data, 0o644); err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if err := os.Chtimes(to, fi.ModTime(), fi.ModTime()); err != nil {
			return fmt.Errorf("copy %s: %w", p, err)
		}
		return nil
	})
}
